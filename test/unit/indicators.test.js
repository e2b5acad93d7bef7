"use strict";
/**
 * Streaming indicators against independent implementations over random series (seeded):
 * - plain reference implementations written here from the TA-Lib definitions (array in, array
 *   out, every window recomputed from scratch: no running sums), for every indicator;
 * - the `technicalindicators` library (dev dependency) where its conventions are TA-Lib's:
 *   SMA, EMA (SMA seed), WMA, Bollinger (population deviation), ATR, ROC, fast stochastic, OBV
 *   (it starts at 0 and one input later; ours starts at the first volume, as TA-Lib), RSI (it
 *   rounds to 2 decimals, so compared to 0.005). Its MACD seeds the fast EMA at the first input,
 *   TA-Lib's skips the first slow - fast inputs; ours follows TA-Lib, checked by the reference.
 * Tolerance: 1e-9 relative (absolute for values smaller than 1, e.g. a MACD histogram near 0).
 */
const assert = require("assert");
const ti = require("technicalindicators");
const { createIndicator, resolveParams } = require("../../dist/lib/indicators/indicators");
const { Ring, WindowExtreme } = require("../../dist/lib/indicators/ring");
const { randomBars, mulberry32 } = require("../support/prng");

const TOL = 1e-9;
let maxRel = 0;
function close(a, b, what) {
  const rel = Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
  if (rel > maxRel) maxRel = rel;
  assert.ok(rel <= TOL, `${what}: ${a} vs ${b} (relative ${rel})`);
}

// ---- reference implementations (TA-Lib definitions, written plainly) ----
const win = (xs, i, n) => xs.slice(i - n + 1, i + 1);
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
function refSma(xs, n) {
  return xs.map((_, i) => (i >= n - 1 ? mean(win(xs, i, n)) : null));
}
function refEma(xs, n) {
  const k = 2 / (n + 1);
  const out = xs.map(() => null);
  if (xs.length < n) return out;
  let e = mean(xs.slice(0, n));
  out[n - 1] = e;
  for (let i = n; i < xs.length; i++) out[i] = e = (xs[i] - e) * k + e;
  return out;
}
function refWma(xs, n) {
  return xs.map((_, i) => (i >= n - 1 ? win(xs, i, n).reduce((s, v, j) => s + (j + 1) * v, 0) / ((n * (n + 1)) / 2) : null));
}
function refWilder(xs, n) {
  const out = xs.map(() => null);
  if (xs.length < n) return out;
  let a = mean(xs.slice(0, n));
  out[n - 1] = a;
  for (let i = n; i < xs.length; i++) out[i] = a = (a * (n - 1) + xs[i]) / n;
  return out;
}
function refRsi(xs, n) {
  const d = xs.slice(1).map((x, i) => x - xs[i]);
  const g = refWilder(
    d.map((v) => Math.max(v, 0)),
    n,
  );
  const l = refWilder(
    d.map((v) => Math.max(-v, 0)),
    n,
  );
  return [null, ...g.map((gv, i) => (gv === null ? null : gv + l[i] === 0 ? 50 : (100 * gv) / (gv + l[i])))];
}
function refMacd(xs, fast, slow, signal) {
  // TA-Lib TA_MACD: both EMAs produce their first value at index slow-1.
  const s = refEma(xs, slow);
  const f = [...Array(slow - fast).fill(null), ...refEma(xs.slice(slow - fast), fast)];
  const line = xs.map((_, i) => (i >= slow - 1 ? f[i] - s[i] : null));
  const sig = [...Array(slow - 1).fill(null), ...refEma(line.slice(slow - 1), signal)];
  return xs.map((_, i) => (sig[i] === null ? null : { macd: line[i], signal: sig[i], histogram: line[i] - sig[i] }));
}
function refStd(xs, n) {
  return xs.map((_, i) => {
    if (i < n - 1) return null;
    const w = win(xs, i, n);
    const m = mean(w);
    return Math.sqrt(w.reduce((s, v) => s + (v - m) ** 2, 0) / n);
  });
}
function refBollinger(xs, n, k) {
  const m = refSma(xs, n);
  const sd = refStd(xs, n);
  return xs.map((_, i) => (m[i] === null ? null : { upper: m[i] + k * sd[i], middle: m[i], lower: m[i] - k * sd[i] }));
}
function refAtr(bars, n) {
  const tr = bars.slice(1).map((b, i) => Math.max(b.high - b.low, Math.abs(b.high - bars[i].close), Math.abs(b.low - bars[i].close)));
  return [null, ...refWilder(tr, n)];
}
function refRoc(xs, n) {
  return xs.map((x, i) => (i >= n ? (xs[i - n] === 0 ? 0 : (x / xs[i - n] - 1) * 100) : null));
}
function refStoch(bars, n, smooth, signal) {
  const fastK = bars.map((b, i) => {
    if (i < n - 1) return null;
    const w = bars.slice(i - n + 1, i + 1);
    const hh = Math.max(...w.map((x) => x.high));
    const ll = Math.min(...w.map((x) => x.low));
    return hh === ll ? 50 : (100 * (b.close - ll)) / (hh - ll);
  });
  const k = [...Array(n - 1).fill(null), ...refSma(fastK.slice(n - 1), smooth)];
  const d = [...Array(n + smooth - 2).fill(null), ...refSma(k.slice(n + smooth - 2), signal)];
  return bars.map((_, i) => (d[i] === null || d[i] === undefined ? null : { k: k[i], d: d[i] }));
}
function refObv(xs, vols) {
  let t = 0;
  return xs.map((x, i) => (t = i === 0 ? vols[0] : x > xs[i - 1] ? t + vols[i] : x < xs[i - 1] ? t - vols[i] : t));
}

// ---- running ours ----
function run(name, params, bars, { provisional = false } = {}) {
  const ind = createIndicator(name, resolveParams(name, params));
  return bars.map((b) => {
    const p = { value: b.close, high: b.high, low: b.low, close: b.close, volume: b.volume };
    if (provisional) {
      // A provisional look (an in-progress bar) before each commit must change nothing.
      const before = ind.update({ ...p, value: p.value * 1.01, high: p.high * 1.02, close: p.close * 1.01 }, false);
      void before;
    }
    return ind.update(p, true);
  });
}
function same(ours, ref, what, from = 0) {
  assert.strictEqual(ours.length, ref.length);
  for (let i = from; i < ours.length; i++) {
    const a = ours[i];
    const b = ref[i];
    if (b === null || b === undefined) {
      assert.strictEqual(a, null, `${what}[${i}]: warm-up gives null, got ${JSON.stringify(a)}`);
      continue;
    }
    assert.ok(a !== null, `${what}[${i}]: expected ${JSON.stringify(b)}, got null`);
    if (typeof b === "number") close(a, b, `${what}[${i}]`);
    else for (const key of Object.keys(b)) close(a[key], b[key], `${what}[${i}].${key}`);
  }
}

const SEEDS = [1, 2, 3, 42, 2026];
const N = 600; // > several recompute windows of every running sum

describe("indicators: streaming values equal the definitions (1e-9 relative)", function () {
  after(function () {
    // Reported for the record (the issue asks for the measured error).
    console.log(`      max relative error measured: ${maxRel.toExponential(2)}`);
  });

  for (const seed of SEEDS) {
    const bars = randomBars(seed, N, seed === 42 ? 50000 : 100); // one series at crypto prices
    const xs = bars.map((b) => b.close);
    const H = bars.map((b) => b.high);
    const L = bars.map((b) => b.low);
    const V = bars.map((b) => b.volume);
    const pad = (arr, total) => [...Array(total - arr.length).fill(null), ...arr];

    describe(`seed ${seed}`, function () {
      for (const provisional of [false, true]) {
        const tag = provisional ? " (with provisional looks between commits)" : "";
        it("SMA, EMA, WMA match the reference and technicalindicators" + tag, function () {
          for (const n of [1, 2, 9, 20, 50]) {
            same(run("sma", { period: n }, bars, { provisional }), refSma(xs, n), `sma${n}`);
            same(run("sma", { period: n }, bars), pad(ti.SMA.calculate({ period: n, values: xs }), N), `ti sma${n}`);
            same(run("ema", { period: n }, bars, { provisional }), refEma(xs, n), `ema${n}`);
            same(run("ema", { period: n }, bars), pad(ti.EMA.calculate({ period: n, values: xs }), N), `ti ema${n}`);
            same(run("wma", { period: n }, bars, { provisional }), refWma(xs, n), `wma${n}`);
            same(run("wma", { period: n }, bars), pad(ti.WMA.calculate({ period: n, values: xs }), N), `ti wma${n}`);
          }
        });
        it("RSI (Wilder) matches the reference; technicalindicators to its 2 decimals" + tag, function () {
          for (const n of [2, 14, 30]) {
            const ours = run("rsi", { period: n }, bars, { provisional });
            same(ours, refRsi(xs, n), `rsi${n}`);
            const lib = pad(ti.RSI.calculate({ period: n, values: xs }), N);
            for (let i = 0; i < N; i++)
              if (lib[i] !== null) assert.ok(Math.abs(ours[i] - lib[i]) <= 0.005 + 1e-9, `ti rsi${n}[${i}] ${ours[i]} vs ${lib[i]}`);
          }
        });
        it("MACD follows TA-Lib (fast EMA aligned on the slow one's seed)" + tag, function () {
          for (const [f, s, g] of [
            [12, 26, 9],
            [5, 35, 5],
            [3, 4, 2],
            [26, 12, 9],
          ]) {
            const ref = f < s ? refMacd(xs, f, s, g) : refMacd(xs, s, f, g);
            same(run("macd", { fast: f, slow: s, signal: g }, bars, { provisional }), ref, `macd${f}/${s}/${g}`);
          }
        });
        it("Bollinger and stddev match the reference and technicalindicators" + tag, function () {
          for (const [n, k] of [
            [20, 2],
            [5, 1.5],
            [50, 3],
          ]) {
            same(run("bollinger", { period: n, k }, bars, { provisional }), refBollinger(xs, n, k), `bb${n}`);
            const lib = ti.BollingerBands.calculate({ period: n, stdDev: k, values: xs }).map((o) => ({
              upper: o.upper,
              middle: o.middle,
              lower: o.lower,
            }));
            same(run("bollinger", { period: n, k }, bars), pad(lib, N), `ti bb${n}`);
            same(run("stddev", { period: n }, bars, { provisional }), refStd(xs, n), `sd${n}`);
          }
        });
        it("ATR (Wilder) matches the reference and technicalindicators" + tag, function () {
          for (const n of [1, 14, 30]) {
            same(run("atr", { period: n }, bars, { provisional }), refAtr(bars, n), `atr${n}`);
            same(run("atr", { period: n }, bars), pad(ti.ATR.calculate({ period: n, high: H, low: L, close: xs }), N), `ti atr${n}`);
          }
        });
        it("ROC, stochastic and OBV match the reference and technicalindicators" + tag, function () {
          for (const n of [1, 10, 25]) {
            same(run("roc", { period: n }, bars, { provisional }), refRoc(xs, n), `roc${n}`);
            same(run("roc", { period: n }, bars), pad(ti.ROC.calculate({ period: n, values: xs }), N), `ti roc${n}`);
          }
          for (const [n, sm, sg] of [
            [14, 3, 3],
            [5, 1, 3],
            [14, 1, 1],
            [3, 5, 2],
          ]) {
            same(
              run("stoch", { period: n, smooth: sm, signal: sg }, bars, { provisional }),
              refStoch(bars, n, sm, sg),
              `stoch${n}/${sm}/${sg}`,
            );
          }
          // technicalindicators' Stochastic is the fast one: %K unsmoothed, %D = SMA(signalPeriod); its first rows have no %D.
          const lib = ti.Stochastic.calculate({ period: 14, signalPeriod: 3, high: H, low: L, close: xs }).map((o) =>
            o.d === undefined ? null : { k: o.k, d: o.d },
          );
          same(run("stoch", { period: 14, smooth: 1, signal: 3 }, bars), pad(lib, N), "ti stoch14");
          same(run("obv", {}, bars, { provisional }), refObv(xs, V), "obv");
          const libObv = ti.OBV.calculate({ close: xs, volume: V }).map((v) => v + V[0]);
          same(run("obv", {}, bars), pad(libObv, N), "ti obv", 1);
        });
      }
    });
  }

  it("a provisional value equals the value the same input gives when committed", function () {
    const bars = randomBars(7, 300);
    for (const name of ["sma", "ema", "wma", "rsi", "macd", "bollinger", "atr", "stddev", "roc", "stoch", "obv"]) {
      const ind = createIndicator(name, resolveParams(name, {}));
      for (const b of bars) {
        const p = { value: b.close, high: b.high, low: b.low, close: b.close, volume: b.volume };
        const peek = ind.update(p, false);
        const again = ind.update(p, false);
        const committed = ind.update(p, true);
        assert.deepStrictEqual(peek, committed, name);
        assert.deepStrictEqual(again, committed, name);
      }
    }
  });

  it("flat input: RSI and stochastic are 50 (neutral), deviations 0, bands collapse on the price", function () {
    const flat = Array.from({ length: 40 }, () => ({ open: 10, high: 10, low: 10, close: 10, volume: 5 }));
    assert.strictEqual(run("rsi", { period: 14 }, flat).at(-1), 50);
    assert.deepStrictEqual(run("stoch", {}, flat).at(-1), { k: 50, d: 50 });
    assert.strictEqual(run("stddev", { period: 5 }, flat).at(-1), 0);
    assert.deepStrictEqual(run("bollinger", {}, flat).at(-1), { upper: 10, middle: 10, lower: 10 });
    assert.strictEqual(run("obv", {}, flat).at(-1), 5);
  });

  it("warm-up lengths are TA-Lib's lookbacks (first value at that input)", function () {
    const bars = randomBars(9, 60);
    const first = (name, params) => run(name, params, bars).findIndex((v) => v !== null);
    assert.strictEqual(first("sma", { period: 20 }), 19);
    assert.strictEqual(first("ema", { period: 20 }), 19);
    assert.strictEqual(first("rsi", { period: 14 }), 14);
    assert.strictEqual(first("macd", {}), 33);
    assert.strictEqual(first("atr", { period: 14 }), 14);
    assert.strictEqual(first("roc", { period: 10 }), 10);
    assert.strictEqual(first("stoch", {}), 17);
    assert.strictEqual(first("obv", {}), 0);
  });

  it("a long run at a large price level stays within 1e-9 (drift is recomputed away)", function () {
    const rnd = mulberry32(99);
    const xs = [];
    let x = 1e6;
    for (let i = 0; i < 200000; i++) xs.push((x *= 1 + (rnd() - 0.5) * 1e-4));
    const bars = xs.map((c) => ({ open: c, high: c, low: c, close: c, volume: 1 }));
    const n = 30;
    const tail = 200;
    for (const name of ["sma", "wma", "stddev"]) {
      const ours = run(name, { period: n }, bars).slice(-tail);
      const ref = (name === "sma" ? refSma : name === "wma" ? refWma : refStd)(xs.slice(-tail - n), n).slice(-tail);
      same(ours, ref, name + " after 200k values");
    }
  });

  it("parameters: defaults, validation messages", function () {
    assert.deepStrictEqual(resolveParams("macd", {}), { fast: 12, slow: 26, signal: 9 });
    assert.deepStrictEqual(resolveParams("bollinger", { period: 10 }), { period: 10, k: 2 });
    assert.deepStrictEqual(resolveParams("obv", { period: 5 }), {});
    assert.throws(() => resolveParams("sma", { period: 0 }), /period must be a whole number/);
    assert.throws(() => resolveParams("ema", { period: 2.5 }), /period must be a whole number/);
    assert.throws(() => resolveParams("bollinger", { k: -1 }), /band width k/);
    assert.throws(() => resolveParams("macd", { fast: 10, slow: 10 }), /must differ/);
  });

  it("ring and window extreme agree with plain arrays over random pushes and peeks", function () {
    const rnd = mulberry32(5);
    for (const n of [1, 2, 3, 7]) {
      const ring = new Ring(n);
      const hi = new WindowExtreme(n, 1);
      const lo = new WindowExtreme(n, -1);
      const all = [];
      for (let i = 0; i < 500; i++) {
        const x = Math.floor(rnd() * 10); // many ties
        const w = [...all.slice(-(n - 1)), x].slice(-n);
        if (n > 1) assert.strictEqual(hi.peek(x), Math.max(...w));
        assert.strictEqual(lo.peek(x), Math.min(...w));
        all.push(x);
        ring.push(x);
        assert.strictEqual(hi.push(x), Math.max(...all.slice(-n)));
        assert.strictEqual(lo.push(x), Math.min(...all.slice(-n)));
        assert.strictEqual(ring.oldest(), all.slice(-n)[0]);
      }
    }
  });
});
