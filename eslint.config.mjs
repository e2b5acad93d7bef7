// ESLint flat config: `npm run lint` (fails on any error; warnings are not used).
// TypeScript sources get typescript-eslint's type-checked rules; the JavaScript tests, bench and
// scripts get the untyped ones; the editor HTML files' <script type="text/javascript"> blocks
// (browser code using RED and jQuery globals) are extracted by eslint-plugin-html.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import html from "eslint-plugin-html";
import globals from "globals";

// Rules every file gets (JS and TS).
const shared = {
  "no-shadow": "off",
  "@typescript-eslint/no-shadow": ["error", { builtinGlobals: false, hoist: "functions" }],
  "no-unused-vars": "off",
  "@typescript-eslint/no-unused-vars": [
    "error",
    { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
  ],
  // `== null` / `!= null` (null or undefined) is the one deliberate loose comparison.
  eqeqeq: ["error", "always", { null: "ignore" }],
  "no-var": "error",
  // Node-RED's idiom `const node = this` (and the slot's session context) name the receiver.
  "@typescript-eslint/no-this-alias": ["error", { allowedNames: ["node", "slot"] }],
  "prefer-const": ["error", { destructuring: "all" }],
};

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".nr5/**", ".demo/**", "bench/results/**", "examples/**"] },

  // TypeScript (src/): type-aware.
  {
    files: ["src/**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      ...shared,
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { prefer: "type-imports", fixStyle: "inline-type-imports" }],
      // String(unknown) of wire and editor values, for messages, is deliberate: they are untrusted
      // input, and "[object Object]" in an error text is the honest rendering of a wrong shape.
      "@typescript-eslint/no-base-to-string": "off",
    },
  },

  // Size gate for the sources (issue 9): no file over 400 lines and no function over 80, blank
  // lines and comments not counted.
  {
    files: ["src/**/*.ts"],
    rules: {
      "max-lines": ["error", { max: 400, skipBlankLines: true, skipComments: true }],
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },

  // JavaScript: tests, bench, scripts, config files (CommonJS, Node).
  {
    files: ["**/*.js", "**/*.mjs"],
    ignores: ["resources/**"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      sourceType: "commonjs",
      globals: { ...globals.node },
    },
    rules: {
      ...shared,
      // CommonJS: require() is the module system here.
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  { files: ["**/*.mjs"], languageOptions: { sourceType: "module" } },
  { files: ["test/**/*.js"], languageOptions: { globals: { ...globals.mocha } } },

  // The shared editor code Node-RED serves from resources/: a plain ES5 browser script.
  {
    files: ["resources/**/*.js"],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: "script",
      ecmaVersion: 5,
      globals: { ...globals.browser, RED: "readonly", $: "readonly", jQuery: "readonly" },
    },
    rules: {
      "no-shadow": "error",
      "no-unused-vars": ["error", { args: "none" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-useless-escape": "off",
    },
  },

  // Editor scripts inside the node HTML files: browser code with RED and jQuery.
  {
    files: ["src/nodes/**/*.html"],
    plugins: { html },
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: "script",
      ecmaVersion: 5,
      globals: {
        ...globals.browser,
        RED: "readonly",
        $: "readonly",
        jQuery: "readonly",
        TickstreamEditor: "readonly",
        TickFeedEditor: "readonly",
      },
    },
    rules: {
      "no-shadow": "error",
      "no-unused-vars": ["error", { args: "none" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      // The symbol regexes here escape "/" inside a class (harmless). Off until the editor
      // validators are rewritten (issue 10 is changing exactly those lines); then turn it on.
      "no-useless-escape": "off",
    },
  },
);
