"use strict";
/**
 * The seams of the bar aggregator (src/lib/aggregate/), each on its own: the feed-delay
 * estimator, the grid helpers, the bar builder and the two bar policies behind their one
 * interface. The Aggregator as a whole is tested in aggregate*.test.js.
 */
const assert = require("assert");
const { DEFAULT_AGGREGATE } = require("../../dist/lib/aggregate");
const { LagEstimator } = require("../../dist/lib/aggregate/lag");
const { barRange, stepUsOf, flatAllowed } = require("../../dist/lib/aggregate/grid");
const { Builder, flatBar } = require("../../dist/lib/aggregate/builder");
const { AggContext, newSymbolState } = require("../../dist/lib/aggregate/context");
const { makePolicy } = require("../../dist/lib/aggregate/policy");
const { TimePolicy } = require("../../dist/lib/aggregate/time-policy");
const { ThresholdPolicy } = require("../../dist/lib/aggregate/threshold-policy");

const us = (iso) => Date.parse(iso) * 1000;
const S = 1e6;
const MIN = 60 * S;
const OPEN = us("2026-11-24T09:30:00-05:00"); // a Tuesday, regular session
const ALL = { last: true, highLow: true, volume: true };
const VOLUME_ONLY = { last: false, highLow: false, volume: true };

function sample(ts, price, size = 100, flags = ALL) {
  const tick = { symbol: "X", type: "trade", price, size, ts, recvTs: ts, provider: "polygon" };
  return { tick, ts, price, size, flags, counts: flags.last || flags.highLow || flags.volume };
}

describe("aggregate seams", function () {
  describe("LagEstimator (the feed's delay, wall clock mode)", function () {
    const T0 = us("2026-11-24T15:00:00Z");
    it("is 0 before any tick, then the lowest receipt delay seen", function () {
      const lag = new LagEstimator();
      assert.strictEqual(lag.lagUs, 0);
      lag.note(T0 + 5 * S, T0);
      lag.note(T0 + 3 * S, T0 + 1 * S);
      lag.note(T0 + 4 * S, T0 - 4 * S);
      assert.strictEqual(lag.lagUs, 2 * S);
    });
    it("forgets delays older than a minute, so a feed that slows down is followed", function () {
      const lag = new LagEstimator();
      lag.note(T0, T0 - 1 * S);
      lag.note(T0 + 50 * S, T0 + 47 * S);
      assert.strictEqual(lag.lagUs, 1 * S, "still inside the minute");
      lag.note(T0 + 70 * S, T0 + 67 * S);
      assert.strictEqual(lag.lagUs, 3 * S, "the 1-second delay has aged out");
    });
    it("goes negative for a provider clock ahead of ours; ignores a receipt time that is not finite", function () {
      const lag = new LagEstimator();
      lag.note(T0, T0 + 200);
      assert.strictEqual(lag.lagUs, -200);
      lag.note(NaN, T0);
      lag.note(undefined, T0);
      assert.strictEqual(lag.lagUs, -200);
    });
  });

  describe("grid helpers", function () {
    const cfg = (step, unit, sessions = null) => ({ ...DEFAULT_AGGREGATE, step, unit, sessions });
    it("gives a step's length, a day for day bars", function () {
      assert.strictEqual(stepUsOf(cfg(5, "s")), 5 * S);
      assert.strictEqual(stepUsOf(cfg(4, "h")), 4 * 60 * MIN);
      assert.strictEqual(stepUsOf(cfg(1, "day")), 24 * 60 * MIN);
    });
    it("allows flat bars only inside the selected sessions, and on trading days for day bars", function () {
      const regular = new Set(["regular"]);
      const pre = barRange(cfg(1, "min"), OPEN - 10 * MIN);
      const reg = barRange(cfg(1, "min"), OPEN + 10 * MIN);
      assert.deepStrictEqual(
        [flatAllowed(cfg(1, "min"), pre), flatAllowed(cfg(1, "min", regular), pre), flatAllowed(cfg(1, "min", regular), reg)],
        [true, false, true],
      );
      const saturday = barRange(cfg(1, "day"), us("2026-11-28T12:00:00-05:00"));
      const tuesday = barRange(cfg(1, "day"), OPEN);
      assert.deepStrictEqual([flatAllowed(cfg(1, "day", regular), saturday), flatAllowed(cfg(1, "day", regular), tuesday)], [false, true]);
      assert.strictEqual(flatAllowed(cfg(1, "day", new Set(["regular", "closed"])), saturday), true);
    });
  });

  describe("Builder", function () {
    it("adds a part of a trade (a split), keeps volume-only trades off the prices and widens high/low to open/close", function () {
      const b = new Builder(OPEN, OPEN + MIN, undefined, true, "volume");
      b.add(sample(OPEN + 1, 10, 100), 40);
      b.add(sample(OPEN + 2, 50, 7, VOLUME_ONLY));
      b.add(sample(OPEN + 3, 12, 5, { last: true, highLow: false, volume: false }));
      const bar = b.toBar("X", "1min", null, true, 123);
      assert.deepStrictEqual(
        [bar.open, bar.high, bar.low, bar.close, bar.volume, bar.vwap, bar.count, bar.firstTs, bar.lastTs, bar.priceUpdates],
        [10, 12, 10, 12, 47, (10 * 40 + 50 * 7) / 47, 3, OPEN + 1, OPEN + 3, undefined],
      );
      const onlyVolume = new Builder(OPEN, OPEN + MIN, undefined, false, "priceEligible");
      onlyVolume.add(sample(OPEN + 1, 50, 7, VOLUME_ONLY));
      const v = onlyVolume.toBar("X", "1min", 9, true, 123);
      assert.deepStrictEqual(
        [v.open, v.high, v.low, v.close, v.volume, v.vwap, v.priceUpdates],
        [9, 9, 9, 9, 7, null, 0],
        "previous close carried; not in a price-eligible VWAP",
      );
    });
    it("makes a flat bar: synthetic, at the last close, partial when its interval is short, tagged with the session", function () {
      const r = { start: OPEN, end: OPEN + MIN, short: true, session: "regular" };
      const bar = flatBar("X", "2h", r, 12.5, 99);
      assert.deepStrictEqual(
        [
          bar.open,
          bar.high,
          bar.low,
          bar.close,
          bar.volume,
          bar.vwap,
          bar.count,
          bar.synthetic,
          bar.partial,
          bar.final,
          bar.revision,
          bar.session,
        ],
        [12.5, 12.5, 12.5, 12.5, 0, null, 0, true, true, true, 0, "regular"],
      );
    });
  });

  describe("bar policies behind one interface", function () {
    function setup(cfg) {
      const out = [];
      const clock = { now: OPEN };
      const config = { ...DEFAULT_AGGREGATE, clock: "event", closeDelayUs: 0, ...cfg };
      const ctx = new AggContext(config, "label", { now: () => clock.now, emit: (o) => out.push(o) });
      const st = newSymbolState("X");
      const bars = () => out.filter((o) => o.type === "bar").map((o) => o.bar);
      return { ctx, policy: makePolicy(ctx), st, bars, clock };
    }

    it("picks the time policy for time bars and the threshold policy for tick, volume and value bars", function () {
      assert.ok(setup({ kind: "time" }).policy instanceof TimePolicy);
      for (const kind of ["tick", "volume", "value"]) assert.ok(setup({ kind }).policy instanceof ThresholdPolicy, kind);
    });

    it("time: the deadline is the open bar's end plus the delay; advance closes what is due and returns the next deadline", function () {
      const { ctx, policy, st, bars } = setup({ kind: "time", closeDelayUs: 2 * S, emptyBars: "flat" });
      policy.push(st, sample(OPEN + 5 * S, 10));
      assert.strictEqual(ctx.deadline, OPEN + MIN + 2 * S, "opening a bar lowers the shared deadline");
      assert.strictEqual(policy.deadline([st]), OPEN + MIN + 2 * S);
      assert.strictEqual(policy.advance([st], OPEN + MIN + S), OPEN + MIN + 2 * S, "not due yet");
      assert.strictEqual(bars().length, 0);
      assert.strictEqual(
        policy.advance([st], OPEN + MIN + 2 * S),
        OPEN + 2 * MIN + 2 * S,
        "closed; next: the flat bar of the next interval",
      );
      assert.deepStrictEqual(
        bars().map((b) => [b.start, b.end, b.close, b.synthetic]),
        [[OPEN, OPEN + MIN, 10, false]],
      );
      policy.advance([st], OPEN + 3 * MIN + 2 * S);
      assert.deepStrictEqual(
        bars()
          .slice(1)
          .map((b) => [b.start, b.synthetic]),
        [
          [OPEN + MIN, true],
          [OPEN + 2 * MIN, true],
        ],
      );
    });

    it("threshold: no deadline and nothing to advance; flush closes a partial bar spanning its first to last tick", function () {
      const { policy, st, bars } = setup({ kind: "volume", threshold: 500 });
      policy.push(st, sample(OPEN + 7, 10, 100));
      policy.push(st, sample(OPEN + 9, 11, 100));
      assert.strictEqual(policy.deadline([st]), Infinity);
      assert.strictEqual(policy.advance([st], Infinity), Infinity);
      assert.strictEqual(bars().length, 0);
      policy.flush(st, OPEN);
      assert.deepStrictEqual(
        bars().map((b) => [b.start, b.end, b.volume, b.partial]),
        [[OPEN + 7, OPEN + 9, 200, true]],
      );
    });

    it("both: a trade whose conditions update nothing is counted as excluded and opens no bar", function () {
      for (const kind of ["time", "tick"]) {
        const { ctx, policy, st } = setup({ kind, threshold: 2 });
        policy.push(st, sample(OPEN + 1, 10, 100, { last: false, highLow: false, volume: false }));
        assert.deepStrictEqual([ctx.stats.excluded, st.open], [1, undefined], kind);
      }
    });
  });
});
