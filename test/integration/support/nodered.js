"use strict";
/**
 * A real node-red process (the dev dependency's red.js) in a temporary user directory, with
 * this package and the given palette modules linked into its node_modules the way an install
 * puts them, and a given flow. stop() ends it (SIGINT, then SIGKILL) and removes the directory.
 */
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawn } = require("child_process");
const { freePort } = require("../../support/process");
const { waitFor } = require("../../support/wait");

const root = path.join(__dirname, "..", "..", "..");

async function startNodeRed(flow, { modules = [], name = "nr" } = {}) {
  const port = await freePort();
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), `tickstream-it-${name}-`));
  const nm = path.join(userDir, "node_modules");
  fs.mkdirSync(nm, { recursive: true });
  const deps = { "node-red-contrib-tickstream": "*" };
  fs.symlinkSync(root, path.join(nm, "node-red-contrib-tickstream"), "dir");
  for (const m of modules) {
    fs.mkdirSync(path.dirname(path.join(nm, m)), { recursive: true });
    fs.symlinkSync(path.join(root, "node_modules", m), path.join(nm, m), "dir");
    deps[m] = "*";
  }
  fs.writeFileSync(path.join(userDir, "package.json"), JSON.stringify({ name: "it-" + name, private: true, dependencies: deps }));
  fs.writeFileSync(
    path.join(userDir, "settings.js"),
    `module.exports = { uiHost: "127.0.0.1", uiPort: ${port}, flowFile: "flows.json", credentialSecret: false, editorTheme: { tours: false },
  logging: { console: { level: "info" } }, diagnostics: { enabled: false }, telemetry: { enabled: false }, externalModules: { autoInstall: false } };\n`,
  );
  fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flow));
  const child = spawn(
    process.execPath,
    [path.join(root, "node_modules", "node-red", "red.js"), "--userDir", userDir, "--settings", path.join(userDir, "settings.js")],
    { cwd: userDir, stdio: ["ignore", "pipe", "pipe"] },
  );
  const nr = { port, userDir, child, output: "" };
  child.stdout.on("data", (d) => (nr.output += d));
  child.stderr.on("data", (d) => (nr.output += d));
  const exited = new Promise((r) => child.once("exit", r));
  nr.stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      const t = setTimeout(() => child.kill("SIGKILL"), 10000);
      await exited;
      clearTimeout(t);
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  process.once("exit", () => child.kill("SIGKILL"));
  try {
    await waitFor(() => (/Started flows/.test(nr.output) && /Server now running/.test(nr.output)) || child.exitCode !== null, {
      timeout: 90000,
      what: `node-red (${name}) to start`,
    });
    if (child.exitCode !== null) throw new Error(`node-red (${name}) exited:\n${nr.output}`);
    if (/Waiting for missing types/.test(nr.output)) throw new Error(`node-red (${name}) is missing node types:\n${nr.output}`);
  } catch (err) {
    await nr.stop();
    throw err;
  }
  return nr;
}

module.exports = { startNodeRed };
