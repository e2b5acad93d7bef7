"use strict";
/**
 * Node-RED embedded in this process (the dev dependency, or the one at $NODE_RED_PATH) running a
 * flow from a fresh user directory in which this package is linked into node_modules the way an
 * install puts it: no test helper spying on messages. For the benches and the slow tier.
 */
const fs = require("fs");
const os = require("os");
const path = require("path");
const http = require("http");

const root = path.join(__dirname, "..", "..");

/**
 * Starts `flow`; `name` names the user directory (and its package), `nodesDir` adds folders of
 * local nodes (bench counters, the slow sink), `admin: true` serves the admin API at / of the
 * returned `server`, listening on 127.0.0.1 (port 0). The directory is removed when this
 * process exits, or earlier by `remove()`. Resolves with { RED, server, userDir, remove } once
 * the flows are started.
 */
async function startEmbeddedRed(flow, { name, nodesDir = [], admin = false }) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), `tickstream-${name}-`));
  const remove = () => fs.rmSync(userDir, { recursive: true, force: true });
  process.on("exit", remove);
  fs.mkdirSync(path.join(userDir, "node_modules"));
  fs.symlinkSync(root, path.join(userDir, "node_modules", "node-red-contrib-tickstream"), "dir");
  fs.writeFileSync(
    path.join(userDir, "package.json"),
    JSON.stringify({ name, private: true, dependencies: { "node-red-contrib-tickstream": "*" } }),
  );
  fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flow));
  const RED = require(process.env.NODE_RED_PATH ? path.resolve(process.env.NODE_RED_PATH) : "node-red");
  const server = http.createServer();
  RED.init(server, {
    userDir,
    flowFile: "flows.json",
    httpAdminRoot: admin ? "/" : false,
    httpNodeRoot: false,
    nodesDir,
    logging: { console: { level: "error", metrics: false, audit: false } },
    credentialSecret: false,
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    editorTheme: { projects: { enabled: false } },
  });
  if (admin) {
    server.on("request", RED.httpAdmin); // embedded: the admin app serves this server at /
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
  }
  await RED.start();
  return { RED, server, userDir, remove };
}

module.exports = { startEmbeddedRed };
