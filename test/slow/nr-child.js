"use strict";
/**
 * A real Node-RED (embedded, with its admin API on 127.0.0.1) running the flow given in
 * process.env.NR_FLOW, with this package installed like a user would and the slow-sink node.
 * Reports over IPC: {port} when started; every 250 ms {stats} from the slow sink and output 2.
 */
const path = require("path");
const { startEmbeddedRed } = require("../support/embedded-red");

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

const { monitorEventLoopDelay } = require("perf_hooks");
const loop = monitorEventLoopDelay({ resolution: 10 });

async function main() {
  loop.enable();
  const { server } = await startEmbeddedRed(flow, { name: "overload", nodesDir: [path.join(__dirname, "nodes")], admin: true });
  process.send({ port: server.address().port });
  setInterval(() => {
    const { lags, ...rest } = stats;
    rest.loopMs = {
      p50: Math.round(loop.percentile(50) / 1e6),
      p99: Math.round(loop.percentile(99) / 1e6),
      max: Math.round(loop.max / 1e6),
    };
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
