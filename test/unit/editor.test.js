"use strict";
/**
 * The editor side of every node, without a browser: the editor script registers its type with
 * defaults that validate, a label and port labels; every catalog key the edit dialog or the
 * script uses exists in the node's message catalog (a missing key shows up as a raw key).
 */
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const root = path.join(__dirname, "..", "..");
const NODES = Object.keys(require("../../package.json")["node-red"].nodes);

function lookup(catalog, key) {
  return key.split(".").reduce((o, k) => (o !== undefined && o !== null ? o[k] : undefined), catalog);
}

describe("node editors", function () {
  for (const type of NODES) {
    describe(type, function () {
      const html = fs.readFileSync(path.join(root, "src", "nodes", type, type + ".html"), "utf8");
      const catalog = JSON.parse(fs.readFileSync(path.join(root, "locales", "en-US", type + ".json"), "utf8"));

      it("uses only catalog keys that exist in its own catalog", function () {
        const keys = new Set();
        for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) for (const k of m[1].split(";")) keys.add(k.replace(/^\[[a-z]+\]/, ""));
        for (const m of html.matchAll(/\b_\('([^']+)'/g)) keys.add(m[1]);
        assert.ok(keys.size > 0);
        // A key built at run time ('...url-' + provider) must exist for every provider.
        const providers = Object.keys(require("../../locales/en-US/tick-feed.json")["tick-feed"].provider);
        const expanded = [...keys].flatMap((k) => (k.endsWith("-") ? providers.map((p) => k + p) : [k]));
        const missing = expanded.filter((k) => !k.startsWith(type + ".") || typeof lookup(catalog, k) !== "string");
        assert.deepStrictEqual(missing, [], `keys missing from locales/en-US/${type}.json`);
      });

      it("calls registerType with a literal type and an inline object, the shape node-red-dev validate can read", function () {
        assert.match(html, new RegExp(`RED\\.nodes\\.registerType\\('${type}', \\{`));
      });

      it("registers its type with defaults that pass their own validation, a label and port labels", function () {
        const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)[1];
        const registered = {};
        const jq = () => ({ length: 0, val: () => undefined, on: () => {}, each: () => {}, prop: () => false, toggle: () => {}, data: () => undefined });
        const RED = { nodes: { registerType: (t, def) => (registered[t] = def) }, _: (k) => k };
        vm.runInNewContext(script, { RED, $: jq, console });
        const def = registered[type];
        assert.ok(def, `${type} registered`);
        assert.strictEqual(def.category, type === "tick-feed" ? "config" : "market data");
        const node = { _: (k) => k };
        for (const [name, d] of Object.entries(def.defaults)) node[name] = d.value;
        for (const [name, d] of Object.entries(def.defaults)) {
          if (typeof d.validate === "function") assert.strictEqual(d.validate.call(node, d.value), true, `${name} default ${JSON.stringify(d.value)} is valid`);
        }
        assert.strictEqual(typeof def.label.call(node), "string");
        if (def.outputLabels) for (let i = 0; i < (def.outputs || 0); i++) assert.strictEqual(typeof def.outputLabels.call(node, i), "string");
      });
    });
  }
});
