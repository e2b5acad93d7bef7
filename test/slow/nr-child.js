"use strict";
/**
 * A real Node-RED (embedded, with its admin API on 127.0.0.1) running the flow given in
 * process.env.NR_FLOW, with this package installed like a user would and the slow-sink node.
 * Reports over IPC: {port} when started; every 250 ms {stats} from the slow sink and output 2.
 */
const fs = require("fs");
const os = require("os");
const path = require("path");
const http = require("http");

const root = path.join(__dirname, "..", "..");
const flow = JSON.parse(process.env.NR_FLOW);

const stats = { delivered: 0, lagSum: 0, lagMax: 0, lags: [], bySymbol: {}, outOfOrder: 0, events: [] };
global.__slowSink = (msg) => {
  const t = msg.payload;
  if (msg.topic === "overload" || msg.topic === "error" || (t && t.mode === "conflate")) {
    stats.events.push({ topic: msg.topic, payload: msg.payload });
    return;
  }
  if (!t || typeof t.recvTs !== "number") return;
  stats.delivered++;
  const lag = Date.now() - t.recvTs / 1000;
  stats.lagSum += lag;
  if (lag > stats.lagMax) stats.lagMax = lag;
  if (stats.lags.length < 200000) stats.lags.push(Math.round(lag));
  const id = Number(t.id);
  const last = stats.bySymbol[t.symbol] || 0;
  if (id <= last) stats.outOfOrder++;
  stats.bySymbol[t.symbol] = id;
};

async function main() {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "tickstream-overload-"));
  fs.mkdirSync(path.join(userDir, "node_modules"));
  fs.symlinkSync(root, path.join(userDir, "node_modules", "node-red-contrib-tickstream"), "dir");
  fs.writeFileSync(path.join(userDir, "package.json"), JSON.stringify({ name: "overload", private: true, dependencies: { "node-red-contrib-tickstream": "*" } }));
  fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flow));
  process.on("exit", () => fs.rmSync(userDir, { recursive: true, force: true }));
  const RED = require(process.env.NODE_RED_PATH ? path.resolve(process.env.NODE_RED_PATH) : "node-red");
  const server = http.createServer();
  RED.init(server, {
    userDir,
    flowFile: "flows.json",
    httpAdminRoot: "/",
    httpNodeRoot: false,
    nodesDir: [path.join(__dirname, "nodes")],
    logging: { console: { level: "error", metrics: false, audit: false } },
    credentialSecret: false,
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    editorTheme: { projects: { enabled: false } },
  });
  server.on("request", RED.httpAdmin); // embedded: the admin app serves this server at /
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  await RED.start();
  process.send({ port: server.address().port });
  setInterval(() => {
    const { lags, ...rest } = stats;
    process.send({ stats: rest });
  }, 250);
  process.on("message", (m) => {
    if (m === "lags") process.send({ lags: stats.lags });
  });
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
process.on("SIGTERM", () => process.exit(0));
