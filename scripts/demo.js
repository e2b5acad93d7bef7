"use strict";
/**
 * `npm start`: runs Node-RED on http://127.0.0.1:1880 with this package loaded and the demo flow
 * (examples/Simulator to debug.json) deployed. No key and no internet needed.
 *
 *   node scripts/demo.js [--port 1880] [--user-dir .demo] [--reset] [--flow <file>]
 *
 * The user directory gets a settings file, the flow (only if it has none yet, or with --reset)
 * and a link node_modules/node-red-contrib-tickstream -> this repository, so Node-RED loads the
 * package the way it loads any installed node module.
 */
const fs = require("fs");
const path = require("path");
const { spawn } = require("child_process");

const root = path.join(__dirname, "..");
const args = process.argv.slice(2);
function arg(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
}
const port = Number(arg("--port", process.env.PORT || "1880"));
const userDir = path.resolve(root, arg("--user-dir", ".demo"));
const flowSource = path.resolve(root, arg("--flow", path.join("examples", "Simulator to debug.json")));
const reset = args.includes("--reset");

if (!fs.existsSync(path.join(root, "dist", "nodes", "tick-feed", "tick-feed.js"))) {
  console.error("dist/ is missing: run `npm run build` first (npm start does it for you).");
  process.exit(1);
}

fs.mkdirSync(path.join(userDir, "node_modules"), { recursive: true });
const link = path.join(userDir, "node_modules", "node-red-contrib-tickstream");
try {
  fs.rmSync(link, { recursive: true, force: true });
} catch {
  /* nothing to remove */
}
fs.symlinkSync(root, link, "dir");
// Node-RED lists user modules from the user directory's package.json.
fs.writeFileSync(
  path.join(userDir, "package.json"),
  JSON.stringify({ name: "tickstream-demo", private: true, dependencies: { "node-red-contrib-tickstream": "file:" + root } }, null, 2),
);
fs.writeFileSync(
  path.join(userDir, "settings.js"),
  `module.exports = {
  uiHost: "127.0.0.1",
  uiPort: ${port},
  flowFile: "flows.json",
  credentialSecret: "tickstream-demo",
  editorTheme: { tours: false, projects: { enabled: false } },
  logging: { console: { level: "info", metrics: false, audit: false } },
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  // The palette manager stays on: a newcomer adds Dashboard 2 (or anything else) from Manage palette.
  externalModules: { autoInstall: false },
};
`,
);
const flowFile = path.join(userDir, "flows.json");
if (reset || !fs.existsSync(flowFile)) fs.copyFileSync(flowSource, flowFile);

// NODE_RED_PATH selects another Node-RED install (the Node-RED 5 test run uses it).
const red = process.env.NODE_RED_PATH
  ? path.join(path.resolve(process.env.NODE_RED_PATH), "red.js")
  : require.resolve("node-red/red.js", { paths: [root] });
console.log(`Starting Node-RED with the tickstream demo: http://127.0.0.1:${port}/ (Ctrl-C to stop)`);
const child = spawn(process.execPath, [red, "--userDir", userDir, "--settings", path.join(userDir, "settings.js")], {
  cwd: root,
  stdio: "inherit",
});
const stop = (signal) => child.kill(signal);
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
child.on("exit", (code, signal) => process.exit(code === null ? (signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1) : code));
