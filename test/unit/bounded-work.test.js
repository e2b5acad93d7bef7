"use strict";
/**
 * Bounded work whatever the wire sends (issue 8): one trade cannot make unbounded bars, a clock
 * jump cannot walk years of empty intervals; every Bar has the fixed shape.
 */
const assert = require("assert");
const { Aggregator, DEFAULT_AGGREGATE, MAX_SPLIT_BARS, MIN_FLAT_SCAN } = require("../../dist/lib/aggregate");

const us = (iso) => Date.parse(iso) * 1000;
const OPEN = us("2026-11-24T09:30:00-05:00");
const trade = (ts, price, size, symbol = "X") => ({ symbol, type: "trade", price, size, ts, recvTs: ts, provider: "simulator" });

function make(cfg = {}) {
  const out = [];
  const agg = new Aggregator(
    { ...DEFAULT_AGGREGATE, closeDelayUs: 0, maxSkewUs: 0, ...cfg },
    { now: () => OPEN, emit: (o) => out.push(o) },
  );
  return { agg, out, bars: () => out.filter((o) => o.type === "bar").map((o) => o.bar) };
}

/** Every Bar carries final, partial, synthetic (booleans) and revision (a number). */
function assertShape(b) {
  for (const k of ["final", "partial", "synthetic"]) assert.strictEqual(typeof b[k], "boolean", `${k} in ${JSON.stringify(b)}`);
  assert.ok(Number.isInteger(b.revision) && b.revision >= 0, `revision in ${JSON.stringify(b)}`);
}

describe("bounded work: threshold bars and one huge trade", function () {
  it(`a 1e12-share trade into 100-share volume bars makes ${MAX_SPLIT_BARS} full bars and one oversized bar with the rest`, function () {
    const { agg, bars } = make({ kind: "volume", threshold: 100, splitLargeTrades: true });
    agg.push(trade(OPEN, 10, 30));
    agg.push(trade(OPEN + 1, 11, 1e12));
    const b = bars();
    assert.strictEqual(b.length, MAX_SPLIT_BARS + 1);
    assert.ok(b.slice(0, -1).every((x) => x.volume === 100 && x.oversized === undefined));
    const last = b[b.length - 1];
    assert.strictEqual(last.oversized, true);
    assert.strictEqual(last.final, true);
    const total = b.reduce((s, x) => s + x.volume, 0);
    assert.strictEqual(total, 30 + 1e12, "no volume is lost");
    assert.strictEqual(agg.stats.oversized, 1);
    b.forEach(assertShape);
    // The next trade starts a normal bar.
    agg.push(trade(OPEN + 2, 12, 100));
    assert.deepStrictEqual(
      [bars().length, bars()[bars().length - 1].volume, bars()[bars().length - 1].oversized],
      [MAX_SPLIT_BARS + 2, 100, undefined],
    );
  });

  it("value bars: a tiny threshold against a huge notional is bounded the same way", function () {
    const { agg, bars } = make({ kind: "value", threshold: 1e-6, splitLargeTrades: true });
    agg.push(trade(OPEN, 1e6, 1e12));
    assert.strictEqual(bars().length, MAX_SPLIT_BARS + 1);
    assert.strictEqual(bars()[MAX_SPLIT_BARS].oversized, true);
  });

  it("a split that cannot make progress in floating point still ends", function () {
    const { agg, bars } = make({ kind: "volume", threshold: 1, splitLargeTrades: true });
    agg.push(trade(OPEN, 10, 2 ** 60)); // remaining - 1 === remaining: the old loop never ended
    assert.strictEqual(bars().length, MAX_SPLIT_BARS + 1);
  });
});

describe("bounded work: flat bars over a clock jump", function () {
  it("event clock, 1-second flat bars in the regular session, next tick 9 years later: finishes, gap skipped and counted", function () {
    const { agg, bars } = make({ kind: "time", step: 1, unit: "s", clock: "event", emptyBars: "flat", sessions: new Set(["regular"]) });
    agg.push(trade(OPEN, 10, 1));
    agg.push(trade(OPEN + 2e6, 10, 1));
    const later = us("2035-11-20T10:00:00-05:00"); // a regular session, 9 years on
    const t0 = Date.now();
    agg.push(trade(later, 11, 1));
    assert.ok(Date.now() - t0 < 5000, "bounded");
    assert.ok(agg.stats.flatSkipped >= 1);
    assert.ok(bars().length <= 4 + MIN_FLAT_SCAN, `${bars().length} bars`);
    bars().forEach(assertShape);
  });

  it("a day's gap of 1-minute flat bars is still filled interval by interval", function () {
    const { agg, bars } = make({ kind: "time", step: 1, unit: "min", clock: "event", emptyBars: "flat" });
    agg.push(trade(OPEN, 10, 1));
    agg.push(trade(OPEN + 30 * 60e6, 11, 1)); // 30 minutes later
    const flats = bars().filter((b) => b.synthetic);
    assert.strictEqual(flats.length, 29);
    assert.ok(flats.every((b) => b.final === true && b.partial === false && b.revision === 0));
  });
});

describe("Bar: fixed shape", function () {
  it("final, partial, synthetic and revision on closed, in-progress, flat and revised bars", function () {
    const { agg, bars } = make({
      kind: "time",
      step: 1,
      unit: "min",
      clock: "event",
      emptyBars: "flat",
      updates: "tick",
      latePolicy: "revise",
      reviseWindowUs: 3600e6,
    });
    agg.push(trade(OPEN + 1, 10, 1));
    agg.push(trade(OPEN + 3 * 60e6, 11, 1)); // closes the first, two flat bars
    agg.push(trade(OPEN + 2, 12, 1)); // late: revises the first bar
    const b = bars();
    b.forEach(assertShape);
    assert.ok(
      b.some((x) => x.final === false),
      "an in-progress update",
    );
    assert.ok(
      b.some((x) => x.synthetic === true),
      "a flat bar",
    );
    assert.ok(
      b.some((x) => x.revision === 1),
      "a revision",
    );
    assert.ok(
      b.some((x) => x.final === true && x.revision === 0 && x.synthetic === false),
      "a first emission",
    );
  });
});

describe("bounded work: ticks of any year", function () {
  it("the calendar's caches stay bounded when a flow hands the aggregator a different year per tick", function () {
    const { agg } = make({ kind: "time", step: 1, unit: "day", clock: "event", latePolicy: "drop" });
    const t0 = Date.now();
    for (let y = 1971; y < 1971 + 2000; y++) agg.push(trade(Date.UTC(y, 5, 15, 15) * 1000, 10, 1));
    assert.ok(Date.now() - t0 < 20000);
    // Every year made its day bar (nothing thrown away by the bounded caches).
    assert.strictEqual(agg.stats.ticks, 2000);
  });
});
