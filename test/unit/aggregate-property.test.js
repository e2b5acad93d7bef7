"use strict";
/**
 * Property-based check: over random tick streams (several symbols, ties, bursts, gaps, mixed
 * trade conditions, disorder inside a bar), the aggregator's bars equal those of a simple
 * reference implementation written straight from aggregation.md §2 (group, stable-sort, fold).
 */
const assert = require("assert");
const { Aggregator, DEFAULT_AGGREGATE } = require("../../dist/lib/aggregate");
const { prng } = require("../../dist/lib/simulator/server");

const MIN = 60e6;
const T0 = Date.parse("2026-11-24T14:30:00Z") * 1000;
// Polygon ids and their flags, restated independently of the module's table.
const CONDS = [
  [undefined, "lhv"],
  [[0], "lhv"],
  [[14], "lhv"],
  [[37], "v"],
  [[12], "v"],
  [[33], "hv"],
  [[15], ""],
  [[38], "lh"],
  [[0, 37], "v"],
  [[14, 33], "hv"],
];

function randomStream(rand, { symbols, n, shuffleWithinBar }) {
  const ticks = [];
  let ts = T0 + Math.floor(rand() * MIN);
  for (let i = 0; i < n; i++) {
    const r = rand();
    ts += r < 0.2 ? 0 : r < 0.9 ? Math.floor(rand() * 5e6) : Math.floor(rand() * 4 * MIN); // ties, bursts, gaps
    const [conditions, flags] = CONDS[Math.floor(rand() * CONDS.length)];
    ticks.push({
      symbol: symbols[Math.floor(rand() * symbols.length)],
      type: "trade",
      price: Math.round((100 + rand() * 10) * 100) / 100,
      size: rand() < 0.3 ? 1 + Math.floor(rand() * 99) : 100 * (1 + Math.floor(rand() * 5)),
      ts,
      recvTs: ts,
      provider: "polygon",
      conditions,
      flags,
    });
  }
  if (!shuffleWithinBar) return ticks;
  // Disorder inside each (symbol-agnostic) minute only: bars still arrive in order.
  const out = [];
  let group = [];
  for (const t of ticks) {
    if (group.length > 0 && Math.floor(t.ts / MIN) !== Math.floor(group[0].ts / MIN)) {
      out.push(...shuffle(group, rand));
      group = [];
    }
    group.push(t);
  }
  out.push(...shuffle(group, rand));
  return out;
}

function shuffle(a, rand) {
  const b = a.slice();
  for (let i = b.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [b[i], b[j]] = [b[j], b[i]];
  }
  return b;
}

/** Reference: time bars of `step` µs, event clock, flushed at the end (a bar cut by the flush is partial). */
function referenceTimeBars(ticks, step) {
  const watermark = Math.max(...ticks.map((t) => t.ts)); // the flush at the end cuts bars that end after it
  const bySymbol = new Map();
  for (const t of ticks) {
    if (!bySymbol.has(t.symbol)) bySymbol.set(t.symbol, []);
    bySymbol.get(t.symbol).push(t);
  }
  const bars = [];
  for (const [symbol, list] of bySymbol) {
    const buckets = new Map();
    for (const t of list) {
      const k = Math.floor(t.ts / step) * step;
      if (!buckets.has(k)) buckets.set(k, []);
      buckets.get(k).push(t);
    }
    let prevClose = null;
    let first = true;
    for (const start of [...buckets.keys()].sort((a, b) => a - b)) {
      const counted = buckets.get(start).filter((t) => t.flags !== "");
      if (counted.length === 0) continue;
      const sorted = counted
        .map((t, i) => [t, i])
        .sort((a, b) => a[0].ts - b[0].ts || a[1] - b[1])
        .map((x) => x[0]); // stable by ts
      const last = sorted.filter((t) => t.flags.includes("l"));
      const hl = counted.filter((t) => t.flags.includes("h")).map((t) => t.price);
      const vol = counted.filter((t) => t.flags.includes("v"));
      const open = last.length > 0 ? last[0].price : prevClose;
      const close = last.length > 0 ? last[last.length - 1].price : prevClose;
      const prices = [...hl, ...[open, close].filter((p) => p !== null)];
      const volume = vol.reduce((s, t) => s + t.size, 0);
      const pv = vol.reduce((s, t) => s + t.price * t.size, 0);
      const bar = {
        symbol,
        start,
        end: start + step,
        open,
        high: prices.length > 0 ? Math.max(...prices) : null,
        low: prices.length > 0 ? Math.min(...prices) : null,
        close,
        volume,
        vwap: volume > 0 ? pv / volume : null,
        count: counted.length,
        firstTs: Math.min(...counted.map((t) => t.ts)),
        lastTs: Math.max(...counted.map((t) => t.ts)),
        partial: (first && Math.min(...counted.map((t) => t.ts)) !== start) || start + step > watermark,
      };
      if (close !== null) prevClose = close;
      first = false;
      bars.push(bar);
    }
  }
  return bars;
}

function runAggregator(ticks, cfg) {
  const bars = [];
  const rejects = [];
  const agg = new Aggregator(
    { ...DEFAULT_AGGREGATE, clock: "event", closeDelayUs: 0, ...cfg },
    { now: () => T0, emit: (o) => (o.type === "bar" ? bars.push(o.bar) : rejects.push(o)) },
  );
  for (const t of ticks) agg.push(t);
  agg.flush();
  return { bars, rejects };
}

const pick = (b) => ({
  symbol: b.symbol,
  start: b.start,
  end: b.end,
  open: b.open,
  high: b.high,
  low: b.low,
  close: b.close,
  volume: b.volume,
  vwap: b.vwap,
  count: b.count,
  firstTs: b.firstTs,
  lastTs: b.lastTs,
  partial: b.partial === true,
});
const order = (a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.start - b.start);

describe("bar aggregation: property-based comparison with a reference implementation", function () {
  for (const [label, opts] of [
    ["in-order streams, three symbols", { symbols: ["A", "B", "C"], n: 400, shuffleWithinBar: false }],
    ["disorder inside each bar, one symbol", { symbols: ["A"], n: 300, shuffleWithinBar: true }],
  ]) {
    it(`equals the reference on 150 random ${label}`, function () {
      for (let seed = 1; seed <= 150; seed++) {
        const rand = prng(seed * 7919);
        const ticks = randomStream(rand, opts);
        for (const step of [MIN, 5 * MIN]) {
          const { bars, rejects } = runAggregator(ticks, { step: step / MIN, unit: "min" });
          assert.deepStrictEqual(rejects, [], `seed ${seed}: no tick is late in these streams`);
          const got = bars.map(pick).sort(order);
          const want = referenceTimeBars(ticks, step).sort(order);
          assert.deepStrictEqual(got, want, `seed ${seed}, step ${step / MIN} min`);
        }
      }
    });
  }

  it("tick bars equal consecutive groups of N counted trades (150 random streams)", function () {
    for (let seed = 1; seed <= 150; seed++) {
      const rand = prng(seed * 104729);
      const ticks = randomStream(rand, { symbols: ["A"], n: 200, shuffleWithinBar: false });
      const n = 1 + Math.floor(rand() * 9);
      const { bars } = runAggregator(ticks, { kind: "tick", threshold: n });
      const counted = ticks.filter((t) => t.flags !== "");
      const groups = [];
      for (let i = 0; i < counted.length; i += n) groups.push(counted.slice(i, i + n));
      assert.deepStrictEqual(
        bars.map((b) => b.count),
        groups.map((g) => g.length),
        `seed ${seed}`,
      );
      assert.deepStrictEqual(
        bars.map((b) => b.volume),
        groups.map((g) => g.filter((t) => t.flags.includes("v")).reduce((s, t) => s + t.size, 0)),
        `seed ${seed}`,
      );
      assert.deepStrictEqual(
        bars.map((b) => [b.start, b.end]),
        groups.map((g) => [g[0].ts, g[g.length - 1].ts]),
        `seed ${seed}`,
      );
    }
  });
});
