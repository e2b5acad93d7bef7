"use strict";
/**
 * Overload under a slow flow, in a real Node-RED process with its admin API: a relay trades 50
 * symbols at 20,000 trades/s; tick-subscribe feeds a node that burns 1 ms per message (1,000
 * messages/s at most). Meanwhile this process times GET /settings on the admin API.
 *
 *  - conflate (maxLagMs 1000): the admin API answers within 2 s; the flow gets the newest tick
 *    per symbol; the rest is counted in `overload` events; delivered ticks are at most about
 *    maxLagMs old.
 *  - backpressure (default): nothing is lost or reordered, and the admin API answers within 2 s
 *    too (paced reading: the socket is read as slowly as the flow works, about one frame's work
 *    per event-loop turn).
 *
 * Figures are printed (and in the README). Run: npm run test:overload
 */
const assert = require("assert");
const http = require("http");
const path = require("path");
const { spawn, fork } = require("child_process");
const { waitFor } = require("../support/wait");
const { jsonLines, stopChild } = require("../support/process");

const WINDOW_MS = Number(process.env.OVERLOAD_WINDOW_MS || 8000);
const RATE = 20000;
const SYMBOLS = 50;

function adminGet(port, timeout) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const req = http.get({ host: "127.0.0.1", port, path: "/settings", timeout }, (res) => {
      res.resume();
      res.on("end", () => resolve({ ms: Date.now() - t0, status: res.statusCode }));
    });
    req.on("timeout", () => {
      req.destroy();
      resolve({ ms: Date.now() - t0, status: 0 });
    });
    req.on("error", () => resolve({ ms: Date.now() - t0, status: -1 }));
  });
}

const pct = (arr, p) => {
  if (arr.length === 0) return 0;
  const s = [...arr].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function run(mode) {
  const relay = spawn(process.execPath, [path.join(__dirname, "..", "mocks", "rate-relay.js"), String(RATE), String(SYMBOLS), "50"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const relayOut = jsonLines(relay.stdout);
  const { port: relayPort } = await waitFor(() => relayOut.find((r) => r.port), { what: "relay" });
  const symbols = Array.from({ length: SYMBOLS }, (_, i) => "S" + i).join(" ");
  const flow = [
    { id: "tab", type: "tab", label: "overload" },
    { id: "f1", type: "tick-feed", provider: "generic", url: `ws://127.0.0.1:${relayPort}/` },
    { id: "s1", type: "tick-subscribe", z: "tab", feed: "f1", symbols, overload: mode, maxLagMs: 1000, wires: [["sink"], ["sink"]] },
    { id: "sink", type: "slow-sink", z: "tab", burnUs: 1000, wires: [] },
  ];
  const child = fork(path.join(__dirname, "nr-child.js"), [], {
    env: { ...process.env, NR_FLOW: JSON.stringify(flow) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let stats = null;
  let started = null;
  let lags = null;
  child.on("message", (m) => {
    if (m.port) started = m;
    if (m.stats) stats = m.stats;
    if (m.lags) lags = m.lags;
  });
  try {
    const { port } = await waitFor(() => started, { timeout: 30000, what: "Node-RED started" });
    await waitFor(() => stats && stats.delivered > 0, { timeout: 30000, what: "first ticks" });
    const admin = [];
    const t0 = Date.now();
    while (Date.now() - t0 < WINDOW_MS) {
      const r = await adminGet(port, 30000);
      admin.push(r);
      await new Promise((res) => setTimeout(res, 100));
    }
    const final = await new Promise((resolve) => {
      const at = Date.now();
      const check = () => (stats && Date.now() - at > 300 ? resolve(stats) : setTimeout(check, 50));
      check();
    });
    child.send("lags");
    await waitFor(() => lags, { timeout: 30000, what: "lags" });
    relay.kill("SIGTERM");
    const relayDone = await waitFor(() => relayOut.find((r) => r.sent !== undefined), { timeout: 10000, what: "relay figures" });
    const overloads = final.events.filter((e) => e.topic === "overload");
    const conflated = overloads.length > 0 ? overloads[overloads.length - 1].payload.totalConflated : 0;
    const ms = admin.map((a) => a.ms);
    return {
      mode,
      seconds: Math.round((Date.now() - t0) / 100) / 10,
      relaySent: relayDone.sent,
      relayWaits: relayDone.waits,
      delivered: final.delivered,
      conflated,
      overloadEvents: overloads.length,
      lagMs: { p50: pct(lags, 50), p99: pct(lags, 99), max: Math.round(final.lagMax) },
      adminMs: {
        n: ms.length,
        p50: pct(ms, 50),
        max: Math.max(...ms),
        failed: admin.filter((a) => a.status !== 200).length,
        all: process.env.SHOW_ALL ? ms : undefined,
      },
      outOfOrder: final.outOfOrder,
      eventLoopDelayMs: final.loopMs,
    };
  } finally {
    if (relay.exitCode === null) relay.kill("SIGTERM");
    await stopChild(child);
  }
}

describe("overload under a slow flow (real Node-RED process, admin API timed)", function () {
  this.timeout(WINDOW_MS * 4 + 90000);

  it("conflate: the admin API answers within 2 s; newest tick per symbol; overload events count the rest", async function () {
    const r = await run("conflate");
    console.log("      figures:", JSON.stringify(r));
    assert.strictEqual(r.adminMs.failed, 0);
    assert.ok(r.adminMs.max < 2000, `admin API took ${r.adminMs.max} ms`);
    assert.ok(r.conflated > 0 && r.overloadEvents > 0, "conflation reported");
    assert.strictEqual(r.outOfOrder, 0, "per symbol, ticks never go back in time");
    assert.ok(r.delivered + r.conflated <= r.relaySent);
  });

  it("backpressure: the admin API answers within 2 s; loses and reorders nothing", async function () {
    const r = await run("backpressure");
    console.log("      figures:", JSON.stringify(r));
    assert.strictEqual(r.adminMs.failed, 0);
    assert.ok(r.adminMs.max < 2000, `admin API took ${r.adminMs.max} ms`);
    assert.strictEqual(r.conflated, 0);
    assert.strictEqual(r.outOfOrder, 0);
    assert.ok(r.delivered > 0);
  });
});
