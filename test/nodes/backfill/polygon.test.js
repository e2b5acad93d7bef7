"use strict";
/**
 * Backfill end to end with Polygon / Massive: tick-feed + tick-subscribe in a real runtime against
 * the local mock serving both the socket and the REST trade history. The socket is dropped while
 * trades happen; after the reconnect every trade must arrive exactly once, the missed ones with
 * `backfill: true`.
 */
const assert = require("assert");
const { helper } = require("../../support/runtime");
const { collect } = require("../../support/flow");
const { waitFor } = require("../../support/wait");
const feedNode = require("../../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../../dist/nodes/tick-subscribe/tick-subscribe.js");
const { PolygonServer } = require("../../mocks/polygon-server");

const NODES = [feedNode, subNode];

function flow(server, feed = {}, symbols = "AAPL") {
  return [
    { id: "f1", type: "tick-feed", provider: "polygon", url: server.url, restUrl: server.restBase, backfill: "on", backfillQuietMs: 300, backoffMin: 30, backoffMax: 100, ...feed },
    { id: "s1", type: "tick-subscribe", feed: "f1", symbols, channels: "trades", wires: [["out"], ["ev"]] },
    { id: "out", type: "helper" },
    { id: "ev", type: "helper" },
  ];
}

/** SIP ns for "ms milliseconds ago" plus `extraNs`. */
const agoNs = (ms, extraNs = 0n) => BigInt(Date.now() - ms) * 1000000n + extraNs;

/** Drops the socket and keeps it down (upgrades refused) until `resume()` is called. */
async function outage(server) {
  server.rejectStatus = 503;
  server.dropAll();
  await waitFor(() => server.connections.size === 0, { what: "socket down" });
  return () => {
    server.rejectStatus = null;
  };
}

function backfillEvents(ev, state) {
  return ev.filter((m) => m.topic === "backfill" && (state === undefined || m.payload.state === state));
}

describe("backfill: polygon (runtime, socket + REST mock)", function () {
  this.timeout(15000);
  let server;
  beforeEach(async function () {
    server = new PolygonServer({ validKey: "good-key" });
    await server.start();
  });
  afterEach(async function () {
    await helper.unload();
    await server.close();
  });

  it("delivers every trade of an outage exactly once, the missed ones flagged backfill, the key out of URLs and events", async function () {
    await helper.load(NODES, flow(server), { f1: { apiKey: "good-key" } });
    const out = collect("out");
    const ev = collect("ev");
    await waitFor(() => server.topics().has("T.AAPL"), { what: "subscribed" });
    const base = agoNs(60_000);
    const at = (k, sub = 0n) => base + BigInt(k) * 1000000n + sub;
    for (let i = 1; i <= 5; i++) server.trade("AAPL", { i, ns: at(i) });
    await waitFor(() => out.length === 5, { what: "5 live trades" });
    const resume = await outage(server);
    // Trade 6 shares trade 5's millisecond (the socket has ms times): the REST range must include it.
    server.trade("AAPL", { i: 6, ns: at(5, 400n) });
    for (let i = 7; i <= 15; i++) server.trade("AAPL", { i, ns: at(i) });
    resume();
    await waitFor(() => server.topics().has("T.AAPL"), { what: "resubscribed" });
    for (let i = 16; i <= 18; i++) server.trade("AAPL", { i, ns: at(i) });
    await waitFor(() => backfillEvents(ev, "done").length === 1, { what: "backfill done" });
    await waitFor(() => out.length === 18, { what: "18 trades" });
    const ids = out.map((m) => m.payload.id);
    assert.deepStrictEqual([...ids].sort((a, b) => a - b), Array.from({ length: 18 }, (_, k) => String(k + 1)));
    for (const m of out) assert.strictEqual(m.payload.backfill === true, Number(m.payload.id) >= 6 && Number(m.payload.id) <= 15, `flag of ${m.payload.id}`);
    // In time order within the backfill.
    const bf = out.filter((m) => m.payload.backfill).map((m) => m.payload.ts);
    assert.deepStrictEqual(bf, [...bf].sort((a, b) => a - b));
    const done = backfillEvents(ev, "done")[0].payload;
    assert.strictEqual(done.delivered, 10);
    assert.strictEqual(done.truncated, false);
    assert.deepStrictEqual(done.symbols, ["AAPL"]);
    assert.strictEqual(backfillEvents(ev, "start").length, 1);
    // The key travels in a header, never in a URL; no event carries it.
    assert.ok(server.restLog.every((r) => r.headers.authorization === "Bearer good-key" && !JSON.stringify(r.query).includes("good-key")));
    assert.ok(!JSON.stringify(ev.map((m) => m.payload)).includes("good-key"));
    // A backfilled tick equals what the socket makes of the same trade (ts truncated to the ms like the socket's t).
    const t10 = out.find((m) => m.payload.id === "10").payload;
    assert.strictEqual(t10.ts, Number(at(10) / 1000000n) * 1000);
    assert.deepStrictEqual(t10.conditions, [0, 12]);
    assert.strictEqual(t10.exchange, 4);
    assert.strictEqual(t10.seq, 1010);
  });
});
