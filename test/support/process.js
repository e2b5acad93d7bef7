"use strict";
/**
 * Helpers for the tests (and benches) that run other processes: a free local port, whether a
 * port accepts connections, the JSON lines a child reports on stdout, stopping a child, and a
 * real node-red started the way `npm start` starts it.
 */
const fs = require("fs");
const net = require("net");
const os = require("os");
const path = require("path");
const { spawn } = require("child_process");
const { waitFor, within } = require("./wait");

const root = path.join(__dirname, "..", "..");

/** A port on 127.0.0.1 that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves true when something accepts a TCP connection on 127.0.0.1:`port`, false otherwise. */
function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Collects every JSON line written to `stream` (a relay's reports) into the returned array, as it comes. */
function jsonLines(stream) {
  const items = [];
  let buf = "";
  stream.on("data", (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      items.push(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
    }
  });
  return items;
}

/** Sends `signal` to a child still running and resolves when it has exited (within `timeout`). */
async function stopChild(child, signal = "SIGTERM", timeout = 15000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await within(exited, timeout, `${path.basename(child.spawnfile)} to exit`);
}

/**
 * Starts node-red through scripts/demo.js (what `npm start` runs) on a free port in a fresh user
 * directory, with `node` and `env` (Node-RED 5 on Node 22: see test/browser) and demo.js `args`;
 * resolves once its flows are started and its HTTP server listens. `userSettings`: the editor
 * user's settings (.config.users.json) to start with. `stop(signal)` ends it and removes the
 * directory; `log()` is everything it printed.
 */
async function startDemo({ node = process.execPath, env = process.env, args = [], timeout = 40000, userSettings } = {}) {
  const port = await freePort();
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "tickstream-demo-"));
  if (userSettings) fs.writeFileSync(path.join(userDir, ".config.users.json"), JSON.stringify({ _: userSettings }));
  const child = spawn(node, [path.join(root, "scripts", "demo.js"), "--port", String(port), "--user-dir", userDir, ...args, "--reset"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const demo = {
    port,
    url: `http://127.0.0.1:${port}/`,
    child,
    log: () => output,
    stop: async (signal = "SIGTERM") => {
      await stopChild(child, signal);
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
  try {
    // node-red logs "Started flows" before its HTTP server listens: wait for both.
    await waitFor(() => (/Started flows/.test(output) && /Server now running at/.test(output)) || child.exitCode !== null, {
      timeout,
      everyMs: 20,
      what: "Node-RED to start flows and listen",
    });
    if (child.exitCode !== null) throw new Error("node-red exited:\n" + output);
  } catch (err) {
    await demo.stop("SIGKILL");
    throw err;
  }
  return demo;
}

module.exports = { freePort, canConnect, jsonLines, stopChild, startDemo };
