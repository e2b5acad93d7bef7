"use strict";
/**
 * One pipeline in a fresh process (so CPU and RSS are its own). Reports over IPC:
 *   {ready}                       when the consumer is set up (the parent then starts the feed)
 *   {done, ticks, elapsedMs, cpuMs, peakRss, latency?}
 * Pipelines:
 *   bare      a plain ws client: parse, normalize to µs, dedup (bounded), count
 *   baseline  real Node-RED: websocket in -> json -> [split] -> function (dedup, µs) -> counter
 *   ours      real Node-RED: tick-feed (generic) -> tick-subscribe -> counter
 *   batch     as ours, tick-subscribe in batch output mode
 *   bars      as ours, then tick-filter (condition, session, outlier rules that pass every tick)
 *             -> counter (counts the ticks, passes them on) -> tick-aggregate (1-minute bars, event clock)
 *   agg       as ours, then tick-aggregate (1-minute bars, event clock, an in-progress bar on
 *             every tick) -> counter: one bar message per tick
 *   hops      agg, then two bench-pass nodes (the cost of two plain Node-RED hops)
 *   signals   agg, then tick-indicator (RSI 14: a provisional value per in-progress bar) ->
 *             tick-alert (RSI crosses 50, provisional values on): the two new hops on every tick
 *   mem       real Node-RED: tick-feed -> tick-subscribe with many symbols; reports RSS
 */
const path = require("path");
const WebSocket = require("ws");
const { nowMicros } = require("../dist/lib/time");
const { startEmbeddedRed } = require("../test/support/embedded-red");

const cfg = JSON.parse(process.argv[2]);

let count = 0;
let firstAt = 0;
let cpuStart = null;
let peakRss = 0;
const latencies = cfg.latency ? [] : null;
const rssTimer = setInterval(() => {
  const r = process.memoryUsage().rss;
  if (r > peakRss) peakRss = r;
}, 50);
if (cfg.rssEveryMs) setInterval(() => process.send({ rss: process.memoryUsage().rss }), cfg.rssEveryMs).unref();

function begin() {
  if (firstAt === 0) {
    firstAt = performance.now();
    cpuStart = process.cpuUsage();
  }
}

function finish(extra = {}) {
  const elapsedMs = performance.now() - firstAt;
  const cpu = process.cpuUsage(cpuStart);
  clearInterval(rssTimer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  process.send({ done: true, ticks: count, elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRss, latency: latencies, ...extra }, () =>
    process.exit(0),
  );
}

/** Sink for the Node-RED pipelines (the bench-counter node calls it). */
global.__benchSink = function (msg) {
  begin();
  const p = msg.payload;
  if (Array.isArray(p)) {
    count += p.length;
    if (latencies !== null) {
      const now = nowMicros();
      for (const t of p) latencies.push(now - (t.recvTs !== undefined ? t.recvTs : t.sent));
    }
  } else {
    count++;
    if (latencies !== null) latencies.push(nowMicros() - (p.recvTs !== undefined ? p.recvTs : p.sent));
  }
  if (count >= cfg.expected) finish();
};

function bare() {
  // Bounded dedup: per-symbol Set + FIFO of keys (same policy as ours, written plainly).
  const seen = new Map();
  const CAP = 10000;
  const isDup = (symbol, id) => {
    let w = seen.get(symbol);
    if (w === undefined) {
      w = { set: new Set(), ring: [] };
      seen.set(symbol, w);
    }
    if (w.set.has(id)) return true;
    w.set.add(id);
    w.ring.push(id);
    if (w.ring.length > CAP) w.set.delete(w.ring.shift());
    return false;
  };
  const handle = (o, recv) => {
    const ts = Math.floor(o.time * 1000);
    if (!Number.isFinite(ts) || isDup(o.symbol, o.id)) return;
    count++;
    if (latencies !== null) latencies.push(nowMicros() - recv);
  };
  const ws = new WebSocket(cfg.url, { perMessageDeflate: false });
  ws.on("message", (data) => {
    begin();
    const recv = latencies !== null ? nowMicros() : 0;
    const v = JSON.parse(data.toString());
    if (Array.isArray(v)) for (const o of v) handle(o, recv);
    else handle(v, recv);
    if (count >= cfg.expected) {
      ws.terminate();
      finish();
    }
  });
  ws.on("open", () => process.send({ ready: true }));
}

async function nodeRed(flow) {
  const { RED } = await startEmbeddedRed(flow, { name: "bench", nodesDir: [path.join(__dirname, "nodes")] });
  return RED;
}

async function main() {
  switch (cfg.pipeline) {
    case "bare":
      bare();
      return;
    case "baseline": {
      const fn = [
        "let s = context.get('dedup');",
        "if (!s) { s = { map: new Map() }; context.set('dedup', s); }",
        "const t = msg.payload;",
        "let w = s.map.get(t.symbol);",
        "if (!w) { w = { set: new Set(), ring: [] }; s.map.set(t.symbol, w); }",
        "if (w.set.has(t.id)) return null;",
        "w.set.add(t.id); w.ring.push(t.id);",
        "if (w.ring.length > 10000) w.set.delete(w.ring.shift());",
        "t.ts = Math.floor(t.time * 1000);",
        "return msg;",
      ].join("\n");
      const split = cfg.perFrame > 1;
      const flow = [
        { id: "tab", type: "tab", label: "bench" },
        { id: "wsc", type: "websocket-client", path: cfg.url, tls: "", wholemsg: "false", hb: "0", subprotocol: "" },
        { id: "n_wsin", type: "websocket in", z: "tab", server: "", client: "wsc", wires: [["n_json"]] },
        { id: "n_json", type: "json", z: "tab", property: "payload", action: "obj", pretty: false, wires: [[split ? "n_split" : "n_fn"]] },
        ...(split
          ? [
              {
                id: "n_split",
                type: "split",
                z: "tab",
                splt: "\\n",
                spltType: "str",
                arraySplt: 1,
                arraySpltType: "len",
                stream: false,
                addname: "",
                wires: [["n_fn"]],
              },
            ]
          : []),
        {
          id: "n_fn",
          type: "function",
          z: "tab",
          func: fn,
          outputs: 1,
          noerr: 0,
          initialize: "",
          finalize: "",
          libs: [],
          wires: [["n_count"]],
        },
        { id: "n_count", type: "bench-counter", z: "tab", wires: [] },
      ];
      await nodeRed(flow);
      process.send({ ready: true });
      return;
    }
    case "ours":
    case "batch":
    case "bars":
    case "agg":
    case "hops":
    case "signals":
    case "mem": {
      const bars = cfg.pipeline === "bars";
      const signalChain = cfg.pipeline === "agg" || cfg.pipeline === "hops" || cfg.pipeline === "signals";
      const flow = [
        { id: "tab", type: "tab", label: "bench" },
        { id: "feed", type: "tick-feed", provider: "generic", url: cfg.url, options: {}, pingInterval: "0", staleTimeout: "0" },
        {
          id: "sub",
          type: "tick-subscribe",
          z: "tab",
          feed: "feed",
          symbols: cfg.symbols.join(" "),
          channels: "trades",
          output: cfg.pipeline === "batch" ? "batch" : "tick",
          wires: [[bars ? "flt" : signalChain ? "agg" : "count"], []],
        },
        { id: "count", type: "bench-counter", z: "tab", wires: [] },
      ];
      if (bars) {
        // Rules that are evaluated for every tick but drop none (the feed's prices are 100-150).
        // (One wire per output: a fan-out would make Node-RED deep-clone every message.)
        flow.push({
          id: "flt",
          type: "tick-filter",
          z: "tab",
          conditionMode: "volumeEligible",
          sessions: "",
          outlierWindow: 21,
          outlierPct: 50,
          wires: [["count"]],
        });
        flow.find((n) => n.id === "count").wires = [["agg"]];
        flow.push({ id: "agg", type: "tick-aggregate", z: "tab", interval: 1, unit: "min", clock: "event", wires: [[], []] });
      }
      if (signalChain) {
        // The counter sits after the aggregate (one in-progress bar per tick), so it counts ticks;
        // what follows it is the part being compared. One wire per output (no cloning).
        const next = cfg.pipeline === "hops" ? "p1" : cfg.pipeline === "signals" ? "ind" : null;
        flow.push({
          id: "agg",
          type: "tick-aggregate",
          z: "tab",
          interval: 1,
          unit: "min",
          clock: "event",
          updates: "tick",
          wires: [["count"], []],
        });
        flow.find((n) => n.id === "count").wires = next ? [[next]] : [];
        if (cfg.pipeline === "hops") {
          flow.push({ id: "p1", type: "bench-pass", z: "tab", wires: [["p2"]] }, { id: "p2", type: "bench-pass", z: "tab", wires: [] });
        } else if (cfg.pipeline === "signals") {
          flow.push(
            { id: "ind", type: "tick-indicator", z: "tab", indicator: "rsi", period: 14, wires: [["alert"]] },
            { id: "alert", type: "tick-alert", z: "tab", rule: "cross", level: 50, provisional: true, wires: [] },
          );
        }
      }
      const idle = process.memoryUsage().rss;
      await nodeRed(flow);
      if (cfg.pipeline === "mem") {
        const base = global.__benchSink;
        global.__benchSink = () => {
          count++;
          if (count >= cfg.expected) {
            if (global.gc) global.gc();
            setTimeout(() => {
              if (global.gc) global.gc();
              process.send(
                { done: true, ticks: count, idleRss: idle, rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed },
                () => process.exit(0),
              );
            }, 500);
          }
          void base;
        };
      }
      process.send({ ready: true });
      return;
    }
    default:
      throw new Error("unknown pipeline " + cfg.pipeline);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
