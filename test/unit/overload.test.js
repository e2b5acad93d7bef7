"use strict";
const assert = require("assert");
const { ConflatingQueue, TURN_HIGH_MS, DEFAULT_MAX_LAG_MS } = require("../../dist/lib/overload");
const { parseOverload, ConflateGate, OVERLOAD_EVENT_MS } = require("../../dist/nodes/tick-subscribe/overload");
const { waitFor } = require("../support/wait");

const T = (symbol, id, recvMs, type = "trade") => ({
  symbol,
  type,
  price: 1,
  size: 1,
  ts: recvMs * 1000,
  recvTs: recvMs * 1000,
  id: String(id),
  provider: "generic",
});

describe("overload: conflating queue (pure)", function () {
  it("delivers everything in order while the lag stays under maxLagMs", function () {
    const q = new ConflatingQueue(1000);
    q.push([T("A", 1, 0), T("B", 1, 0), T("A", 2, 1)]);
    assert.deepStrictEqual(
      q.drain(500).map((t) => t.symbol + t.id),
      ["A1", "B1", "A2"],
    );
    assert.deepStrictEqual(q.stats, { delivered: 3, conflated: 0, conflations: 0, maxLagMs: 500 });
  });

  it("past maxLagMs keeps only the newest waiting tick per symbol and type, in arrival order", function () {
    const q = new ConflatingQueue(1000);
    q.push([T("A", 1, 0), T("B", 1, 0), T("A", 2, 1), T("A", 1, 2, "quote"), T("B", 2, 3), T("A", 3, 4), T("A", 2, 5, "quote")]);
    const out = q.drain(1001);
    assert.deepStrictEqual(
      out.map((t) => t.symbol + t.id + t.type[0]),
      ["B2t", "A3t", "A2q"],
    );
    assert.strictEqual(q.stats.conflated, 4);
    assert.strictEqual(q.stats.conflations, 1);
  });

  it("delivers at most the batch per turn and adapts it to the turn length", function () {
    const q = new ConflatingQueue(60_000);
    const many = [];
    for (let i = 0; i < 5000; i++) many.push(T("S" + (i % 100), i, 0));
    q.push(many);
    const first = q.drain(0).length;
    assert.ok(first > 0 && first < 5000);
    const b0 = q.batch;
    q.drain(TURN_HIGH_MS + 1); // a slow turn: the batch halves (applied before this drain)
    assert.strictEqual(q.batch, Math.floor(b0 / 2));
    const b1 = q.batch;
    q.drain(TURN_HIGH_MS + 2); // a fast turn: it grows
    assert.ok(q.batch > b1);
    assert.strictEqual(q.stats.conflated, 0, "no conflation while under maxLagMs");
  });

  it("memory is bounded: more than maxWaiting ticks waiting are conflated at once", function () {
    const q = new ConflatingQueue(60_000, 1000);
    const many = [];
    for (let i = 0; i < 1500; i++) many.push(T("S" + (i % 10), i, 0));
    q.push(many);
    assert.strictEqual(q.waiting, 10);
    assert.strictEqual(q.stats.conflated, 1490);
  });

  it("settings: backpressure by default, maxLagMs 1000 by default, bad values are errors", function () {
    assert.deepStrictEqual(parseOverload({}), { mode: "backpressure", maxLagMs: DEFAULT_MAX_LAG_MS });
    assert.deepStrictEqual(parseOverload({ overload: "conflate", maxLagMs: "250" }), { mode: "conflate", maxLagMs: 250 });
    assert.throws(() => parseOverload({ overload: "drop" }), /backpressure or conflate/);
    assert.throws(() => parseOverload({ overload: "conflate", maxLagMs: "0" }), /maxLagMs/);
    assert.throws(() => parseOverload({ overload: "conflate", maxLagMs: "x" }), /maxLagMs/);
  });

  it("gate: drains on setImmediate, reports conflation at once and then at most every OVERLOAD_EVENT_MS", async function () {
    let now = 0;
    const delivered = [];
    const events = [];
    const gate = new ConflateGate(
      1000,
      (t) => delivered.push(...t),
      (e) => events.push(e),
      () => now,
    );
    gate.accept([T("A", 1, 0), T("A", 2, 0)]);
    assert.strictEqual(delivered.length, 0, "nothing in the turn that read it");
    await waitFor(() => delivered.length === 2, { what: "drain" });
    now = 5000;
    gate.accept([T("A", 3, 0), T("A", 4, 0), T("B", 1, 0)]);
    await waitFor(() => events.length === 1, { what: "first overload event" });
    assert.deepStrictEqual(
      delivered.slice(2).map((t) => t.symbol + t.id),
      ["A4", "B1"],
    );
    assert.strictEqual(events[0].conflated, 1);
    assert.strictEqual(events[0].mode, "conflate");
    assert.strictEqual(events[0].maxLagMs, 1000);
    now = 5000 + 10;
    gate.accept([T("A", 5, 0), T("A", 6, 0)]);
    await waitFor(() => delivered.length === 5, { what: "second drain" });
    assert.strictEqual(events.length, 1, "rate-limited");
    gate.close();
    assert.ok(OVERLOAD_EVENT_MS >= 1000);
  });
});
