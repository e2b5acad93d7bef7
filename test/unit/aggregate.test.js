"use strict";
/**
 * Time bars of the Aggregator (pure core): OHLCV/VWAP, closing by tick or clock, the feed's lag,
 * trade conditions, late and bad ticks, empty intervals, quotes, updates, memory bounds, config
 * checks. Session-aligned and daily bars: aggregate-sessions.test.js; threshold bars:
 * aggregate-threshold.test.js; shared rig: test/support/aggregator-rig.js.
 */
const assert = require("assert");
const { DEFAULT_AGGREGATE, validateConfig, pushInput } = require("../../dist/lib/aggregate");
const { us, S, MIN, OPEN, trade, quote, make, core } = require("../support/aggregator-rig");

describe("bar aggregation (pure core)", function () {
  it("builds exact 1-minute OHLCV/VWAP bars; a tick exactly on a boundary opens the next bar", function () {
    const { agg, bars } = make();
    agg.push(trade("AAPL", OPEN, 10, 100));
    agg.push(trade("AAPL", OPEN + 20 * S, 12, 200));
    agg.push(trade("AAPL", OPEN + 40 * S, 9, 100));
    agg.push(trade("AAPL", OPEN + MIN - 1, 11, 100));
    assert.strictEqual(bars().length, 0, "the bar is open until a later tick or the clock closes it");
    agg.push(trade("AAPL", OPEN + MIN, 13, 50)); // exactly on the boundary
    assert.deepStrictEqual(core(bars()[0]), {
      symbol: "AAPL",
      interval: "1min",
      start: OPEN,
      end: OPEN + MIN,
      open: 10,
      high: 12,
      low: 9,
      close: 11,
      volume: 500,
      vwap: (10 * 100 + 12 * 200 + 9 * 100 + 11 * 100) / 500,
      count: 4,
      firstTs: OPEN,
      lastTs: OPEN + MIN - 1,
      final: true,
      partial: false,
      synthetic: false,
      revision: 0,
      session: "regular",
    });
    agg.flush();
    const second = bars()[1];
    assert.deepStrictEqual([second.start, second.open, second.close, second.volume, second.partial], [OPEN + MIN, 13, 13, 50, true]);
  });

  it("closes a quiet symbol's bar when the wall clock passes end + closeDelay", function () {
    const { agg, bars, clock } = make({ closeDelayUs: 2 * S });
    clock.now = OPEN + 5 * S;
    agg.push(trade("QUIET", OPEN + 5 * S, 50));
    assert.strictEqual(agg.deadline, OPEN + MIN + 2 * S);
    clock.now = OPEN + MIN + 2 * S - 1;
    agg.advance(clock.now);
    assert.strictEqual(bars().length, 0);
    clock.now = OPEN + MIN + 2 * S;
    agg.advance(clock.now);
    assert.strictEqual(bars().length, 1);
    assert.deepStrictEqual([bars()[0].close, bars()[0].final], [50, true]);
    assert.strictEqual(agg.deadline, Infinity, "nothing left to close");
  });

  it("learns a delayed feed's lag: a 15-minute delayed feed's bars close 15 minutes after their end, not on their first tick", function () {
    const DELAY = 15 * MIN;
    const { agg, bars, rejects, clock } = make({ closeDelayUs: 250_000 }, OPEN);
    const delayed = (ts, price) => ({ ...trade("D", ts, price), recvTs: ts + DELAY + 3000 });
    for (const [off, price] of [
      [1, 10],
      [20 * S, 11],
      [59 * S, 12],
    ]) {
      clock.now = OPEN + off + DELAY + 3000;
      agg.push(delayed(OPEN + off, price));
      agg.advanceWall(clock.now); // what the node's timer does
    }
    assert.deepStrictEqual([bars().length, rejects().length], [0, 0], "all three ticks in one open bar, none late");
    assert.strictEqual(agg.lagUs, DELAY + 3000);
    assert.strictEqual(agg.wallDeadline, OPEN + MIN + 250_000 + DELAY + 3000);
    clock.now = agg.wallDeadline - 1;
    agg.advanceWall(clock.now);
    assert.strictEqual(bars().length, 0);
    clock.now = agg.wallDeadline;
    agg.advanceWall(clock.now);
    assert.deepStrictEqual(
      bars().map((b) => [b.open, b.close, b.count, b.partial === true]),
      [[10, 12, 3, false]],
    );
  });

  it("marks the first bar partial when it began before the node started, and can skip it", function () {
    for (const skip of [false, true]) {
      const { agg, bars, clock } = make({ skipFirstPartial: skip }, OPEN + 30 * S);
      agg.push(trade("A", OPEN + 31 * S, 1));
      agg.push(trade("A", OPEN + MIN + 1, 2));
      agg.push(trade("A", OPEN + 2 * MIN + 1, 3));
      clock.now = OPEN + 3 * MIN;
      const got = bars().map((b) => [b.start, b.partial === true]);
      assert.deepStrictEqual(
        got,
        skip
          ? [[OPEN + MIN, false]]
          : [
              [OPEN, true],
              [OPEN + MIN, false],
            ],
      );
    }
  });

  it("applies trade conditions: odd lots move volume and VWAP, not high/low, so VWAP can lie outside [low, high]", function () {
    const { agg, bars } = make();
    agg.push(trade("X", OPEN + 1, 100, 100, [0]));
    agg.push(trade("X", OPEN + 2, 101, 100, [14]));
    agg.push(trade("X", OPEN + 3, 120, 50, [37])); // odd lot far above
    agg.push(trade("X", OPEN + 4, 99, 10, [15])); // official close: nothing
    agg.push(trade("X", OPEN + 5, 95, 100, [12])); // Form T: volume only
    agg.flush();
    const b = bars()[0];
    assert.deepStrictEqual([b.open, b.high, b.low, b.close, b.volume, b.count], [100, 101, 100, 101, 350, 4]);
    assert.strictEqual(b.vwap, (100 * 100 + 101 * 100 + 120 * 50 + 95 * 100) / 350);
    assert.ok(b.vwap > b.low && b.vwap < 120);
    const eligible = make({ vwapBasis: "priceEligible" });
    for (const tk of [trade("X", OPEN + 1, 100, 100, [0]), trade("X", OPEN + 2, 120, 50, [37])]) eligible.agg.push(tk);
    eligible.agg.flush();
    assert.strictEqual(eligible.bars()[0].vwap, 100);
  });

  it("gives a bar with only volume-only trades the previous close and priceUpdates 0", function () {
    const { agg, bars } = make();
    agg.push(trade("X", OPEN + 1, 100, 100, [0]));
    agg.push(trade("X", OPEN + MIN + 1, 130, 20, [37]));
    agg.push(trade("X", OPEN + 2 * MIN + 1, 101, 100, [0]));
    const b = bars()[1];
    assert.deepStrictEqual([b.open, b.high, b.low, b.close, b.volume, b.vwap, b.priceUpdates], [100, 100, 100, 100, 20, 130, 0]);
    const first = make();
    first.agg.push(trade("Y", OPEN + 1, 130, 20, [37]));
    first.agg.flush();
    assert.deepStrictEqual([first.bars()[0].open, first.bars()[0].close, first.bars()[0].volume], [null, null, 20]);
  });

  it("orders open/close by event time inside a bar; ties keep arrival order", function () {
    const { agg, bars } = make();
    agg.push(trade("X", OPEN + 30, 2));
    agg.push(trade("X", OPEN + 10, 1)); // earlier event time, same bar: becomes the open
    agg.push(trade("X", OPEN + 50, 3));
    agg.push(trade("X", OPEN + 50, 4)); // same ts, later arrival: becomes the close
    agg.flush();
    assert.deepStrictEqual([bars()[0].open, bars()[0].close, bars()[0].firstTs, bars()[0].lastTs], [1, 4, OPEN + 10, OPEN + 50]);
  });

  describe("late ticks", function () {
    function scenario(cfg) {
      const m = make(cfg);
      m.agg.push(trade("X", OPEN + 1, 10));
      m.agg.push(trade("X", OPEN + MIN + 1, 11)); // closes bar 1
      m.clock.now = OPEN + MIN + 5 * S;
      m.agg.push(trade("X", OPEN + 2, 50, 7)); // late for bar 1
      return m;
    }
    it("drop (default): not aggregated, sent to output 2 as late", function () {
      const { bars, rejects, agg } = scenario({});
      assert.strictEqual(bars().length, 1);
      assert.deepStrictEqual(
        rejects().map((r) => [r.reason, r.tick.price]),
        [["late", 50]],
      );
      assert.strictEqual(agg.stats.late, 1);
    });
    it("revise: re-emits the closed bar with the same start and revision 1, inside the window only", function () {
      const { bars, agg, clock } = scenario({ latePolicy: "revise", reviseWindowUs: 30 * S });
      const rev = bars()[1];
      assert.deepStrictEqual([rev.start, rev.high, rev.volume, rev.revision, rev.final], [OPEN, 50, 107, 1, true]);
      clock.now = OPEN + MIN + 31 * S;
      agg.push(trade("X", OPEN + 3, 60));
      assert.strictEqual(bars().length, 2, "outside the revise window: dropped");
      assert.strictEqual(agg.stats.late, 1);
    });
    it("current: folds into the open bar", function () {
      const { bars, agg } = scenario({ latePolicy: "current" });
      agg.flush();
      const b = bars()[1];
      assert.deepStrictEqual([b.start, b.high, b.volume], [OPEN + MIN, 50, 107]);
    });
    it("a tick for a bar the clock already closed is late too", function () {
      const m = make({});
      m.agg.push(trade("X", OPEN + 1, 10));
      m.clock.now = OPEN + MIN;
      m.agg.advance(m.clock.now);
      m.agg.push(trade("X", OPEN + 2, 10));
      assert.deepStrictEqual(
        m.rejects().map((r) => r.reason),
        ["late"],
      );
    });
  });

  it("rejects ticks from the future (bad clocks) and bad input (at the input edge) without throwing", function () {
    const { agg, rejects } = make({ maxSkewUs: 60 * S }, OPEN);
    pushInput(agg, trade("X", OPEN + 10 * MIN, 1));
    pushInput(agg, { price: 1 });
    pushInput(agg, null);
    pushInput(agg, { symbol: "", ts: OPEN });
    pushInput(agg, { symbol: "X", ts: "soon" });
    assert.deepStrictEqual(
      rejects().map((r) => r.reason),
      ["future", "invalid", "invalid", "invalid", "invalid"],
    );
    assert.strictEqual(agg.stats.invalid, 4);
  });

  describe("empty intervals", function () {
    it("make no bar by default", function () {
      const { agg, bars } = make();
      agg.push(trade("X", OPEN + 1, 10));
      agg.push(trade("X", OPEN + 3 * MIN + 1, 11));
      assert.deepStrictEqual(
        bars().map((b) => b.start),
        [OPEN],
      );
    });
    it("become flat synthetic bars with the flat option, only after the first real tick, on the next tick or the clock", function () {
      const { agg, bars, clock } = make({ emptyBars: "flat" });
      clock.now = OPEN + 2 * MIN;
      agg.advance(clock.now);
      assert.strictEqual(bars().length, 0, "no flat bar before the first tick");
      agg.push(trade("X", OPEN + 2 * MIN + 1, 10));
      clock.now = OPEN + 5 * MIN;
      agg.advance(clock.now); // closes 09:32 and makes 09:33, 09:34
      agg.push(trade("X", OPEN + 6 * MIN + 1, 12)); // makes 09:35
      const got = bars().map((b) => [(b.start - OPEN) / MIN, b.open, b.close, b.volume, b.count, b.synthetic === true]);
      assert.deepStrictEqual(got, [
        [2, 10, 10, 100, 1, false],
        [3, 10, 10, 0, 0, true],
        [4, 10, 10, 0, 0, true],
        [5, 10, 10, 0, 0, true],
      ]);
    });
    it("are not synthesized outside the selected sessions", function () {
      const { agg, bars } = make({ emptyBars: "flat", sessions: new Set(["regular"]), unit: "h", step: 1 });
      const close = us("2026-11-24T15:10:00-05:00");
      agg.push(trade("X", close, 10));
      agg.push(trade("X", us("2026-11-25T10:05:00-05:00"), 11)); // next morning
      const hours = bars().map((b) => new Date(b.start / 1000).toISOString().slice(11, 16));
      // 15:00-16:00 real, then 09:00-10:00 ET is partly pre-market: its start is pre, so no flat bar.
      assert.deepStrictEqual(hours, ["20:00"]);
    });
  });

  it("builds bars from quotes: bid, ask or mid", function () {
    for (const [source, want] of [
      ["bid", [10, 10.2]],
      ["ask", [10.1, 10.3]],
      ["mid", [10.05, 10.25]],
    ]) {
      const { agg, bars } = make({ priceSource: source });
      agg.push(quote("Q", OPEN + 1, 10, 10.1));
      agg.push(quote("Q", OPEN + 2, 10.2, 10.3));
      agg.push(trade("Q", OPEN + 3, 99)); // trades carry no quote: ignored
      agg.flush();
      const b = bars()[0];
      assert.deepStrictEqual([b.open, b.close, b.volume, b.vwap, b.count], [want[0], want[1], 0, null, 2], source);
    }
  });

  it("emits in-progress updates marked final: false, throttled per symbol", function () {
    const { agg, bars, clock } = make({ updates: "throttle", updatesUs: S });
    clock.now = OPEN;
    agg.push(trade("X", OPEN + 1, 1));
    agg.push(trade("X", OPEN + 2, 2)); // within 1 s of the last update: none
    clock.now = OPEN + S;
    agg.push(trade("X", OPEN + 3, 3));
    assert.deepStrictEqual(
      bars().map((b) => [b.final, b.close]),
      [
        [false, 1],
        [false, 3],
      ],
    );
  });

  it("event clock: no timers; a later tick of any symbol closes bars, flush closes the rest", function () {
    const { agg, bars } = make({ clock: "event", closeDelayUs: 0 });
    agg.push(trade("A", OPEN + 1, 1));
    agg.push(trade("B", OPEN + 2, 2));
    agg.push(trade("A", OPEN + MIN, 3)); // watermark passes 09:31: B closes too
    assert.deepStrictEqual(
      bars()
        .map((b) => b.symbol)
        .sort(),
      ["A", "B"],
    );
    agg.flush();
    assert.deepStrictEqual([bars().length, bars()[2].symbol, bars()[2].start], [3, "A", OPEN + MIN]);
  });

  it("keeps memory bounded: refuses symbols beyond maxSymbols, keeps few closed bars for revisions", function () {
    const { agg, rejects } = make({ maxSymbols: 2, latePolicy: "revise" });
    agg.push(trade("A", OPEN, 1));
    agg.push(trade("B", OPEN, 1));
    agg.push(trade("C", OPEN, 1));
    assert.deepStrictEqual(
      rejects().map((r) => r.reason),
      ["symbols"],
    );
    for (let i = 1; i < 100; i++) agg.push(trade("A", OPEN + i * MIN, i));
    assert.ok(agg.symbolCount === 2);
    agg.reset("A");
    assert.strictEqual(agg.symbolCount, 1);
  });

  it("validates intervals and thresholds with a message that says what to change", function () {
    assert.throws(
      () => validateConfig({ ...DEFAULT_AGGREGATE, step: 7, unit: "min" }),
      /must be one of 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30/,
    );
    assert.throws(() => validateConfig({ ...DEFAULT_AGGREGATE, step: 5, unit: "h" }), /h interval/);
    assert.throws(() => validateConfig({ ...DEFAULT_AGGREGATE, kind: "tick", threshold: 2.5 }), /whole number/);
    assert.throws(() => validateConfig({ ...DEFAULT_AGGREGATE, kind: "volume", threshold: 0 }), /positive/);
  });
});
