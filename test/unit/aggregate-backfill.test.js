"use strict";
/**
 * Backfilled ticks arrive late and in a burst, after the live ticks that followed the reconnect.
 * With `latePolicy: revise` and a window covering the gap, the last version of every bar equals
 * the bar of an uninterrupted run: bars closed during the outage are revised (revision > 0) and
 * intervals that had no bar at all are made (revision 0, or 1 where a flat bar stood).
 */
const assert = require("assert");
const { Aggregator, DEFAULT_AGGREGATE } = require("../../dist/lib/aggregate");

const S = 1e6;
const MIN = 60 * S;
const OPEN = Date.parse("2026-11-24T09:30:00-05:00") * 1000;

/** A deterministic pseudo-random trade tape for two symbols over `minutes`. */
function tape(minutes, seed = 7) {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out = [];
  let ts = OPEN;
  let id = 0;
  while (ts < OPEN + minutes * MIN) {
    ts += Math.floor(rnd() * 4 * S) + 1;
    for (const symbol of ["AAPL", "MSFT"])
      if (rnd() < 0.7)
        out.push({
          symbol,
          type: "trade",
          price: 100 + Math.round(rnd() * 1000) / 100,
          size: 1 + Math.floor(rnd() * 300),
          ts,
          recvTs: ts,
          id: String(++id),
          provider: "polygon",
        });
  }
  return out;
}

/** Runs ticks through an aggregator whose wall clock follows the ticks' receipt times; returns the last version of each bar. */
function run(ticks, cfg) {
  const clock = { now: OPEN - MIN };
  const emitted = [];
  const agg = new Aggregator(
    { ...DEFAULT_AGGREGATE, closeDelayUs: 0, maxSkewUs: 0, ...cfg },
    { now: () => clock.now, emit: (o) => o.type === "bar" && emitted.push(o.bar) },
  );
  for (const t of ticks) {
    if (t.recvTs > clock.now) clock.now = t.recvTs;
    if (cfg.clock !== "event") agg.advanceWall(clock.now);
    agg.push(t);
  }
  clock.now += 10 * MIN;
  if (cfg.clock === "event") agg.flush();
  else agg.advanceWall(clock.now);
  const last = new Map();
  for (const b of emitted) last.set(b.symbol + "@" + b.start, b);
  return { last, emitted };
}

const keep = ({ emittedAt, revision, synthetic, partial, ...rest }) => rest;

/** The same tape with an outage from `from` to `to`: the ticks inside arrive after the first live tick following `to`, in time order, flagged. */
function withOutage(ticks, from, to) {
  const before = ticks.filter((t) => t.ts < from);
  const gap = ticks.filter((t) => t.ts >= from && t.ts < to);
  const after = ticks.filter((t) => t.ts >= to);
  const firstAfter = after[0].recvTs;
  // A live burst of a few seconds happens before the backfill lands (REST round trips).
  const split = after.findIndex((t) => t.ts > firstAfter + 3 * S);
  const arrive = firstAfter + 3 * S;
  return [...before, ...after.slice(0, split), ...gap.map((t) => ({ ...t, recvTs: arrive, backfill: true })), ...after.slice(split)];
}

describe("bars from a backfilled outage (revise)", function () {
  for (const clock of ["wall", "event"]) {
    for (const emptyBars of ["none", "flat"]) {
      it(`${clock} clock, empty bars ${emptyBars}: every bar's last version equals the uninterrupted run`, function () {
        const ticks = tape(20);
        const cfg = { clock, emptyBars, latePolicy: "revise", reviseWindowUs: 15 * MIN };
        const ref = run(ticks, cfg);
        const got = run(withOutage(ticks, OPEN + 4 * MIN + 17 * S, OPEN + 9 * MIN + 41 * S), cfg);
        assert.deepStrictEqual([...got.last.keys()].sort(), [...ref.last.keys()].sort());
        for (const [k, b] of ref.last) assert.deepStrictEqual(keep(got.last.get(k)), keep(b), k);
        const revised = got.emitted.filter((b) => b.revision > 0);
        assert.ok(revised.length > 0, "bars closed during the outage were revised");
        if (emptyBars === "none")
          assert.ok(
            got.emitted.some((b) => b.start === OPEN + 6 * MIN && b.revision === 0),
            "a bar the outage never opened is made, revision 0",
          );
      });
    }
  }

  it("outside the revise window the gap's ticks are rejected as late, as before", function () {
    const ticks = tape(20);
    const cfg = { clock: "wall", latePolicy: "revise", reviseWindowUs: 30 * S };
    const emitted = [];
    const rejects = [];
    let now = OPEN - MIN;
    const agg = new Aggregator(
      { ...DEFAULT_AGGREGATE, closeDelayUs: 0, maxSkewUs: 0, ...cfg },
      { now: () => now, emit: (o) => (o.type === "bar" ? emitted.push(o.bar) : rejects.push(o)) },
    );
    for (const t of withOutage(ticks, OPEN + 4 * MIN, OPEN + 9 * MIN)) {
      now = Math.max(now, t.recvTs);
      agg.advanceWall(now);
      agg.push(t);
    }
    assert.ok(rejects.some((r) => r.reason === "late" && r.tick.backfill === true));
  });

  it("a backfilled trade's receipt time does not teach the wall clock a feed delay", function () {
    const now = OPEN + 10 * MIN;
    const agg = new Aggregator(
      { ...DEFAULT_AGGREGATE, closeDelayUs: 0, maxSkewUs: 0, latePolicy: "revise", reviseWindowUs: 15 * MIN },
      { now: () => now, emit: () => undefined },
    );
    agg.push({
      symbol: "A",
      type: "trade",
      price: 1,
      size: 1,
      ts: OPEN + 5 * MIN,
      recvTs: now,
      id: "1",
      provider: "polygon",
      backfill: true,
    });
    assert.strictEqual(agg.lagUs, 0);
    agg.push({ symbol: "A", type: "trade", price: 1, size: 1, ts: now - 2000, recvTs: now, id: "2", provider: "polygon", backfill: false });
    assert.strictEqual(agg.lagUs, 2000);
  });
});
