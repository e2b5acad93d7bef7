"use strict";
/** Seeded PRNG (mulberry32) and random OHLCV bar series for reproducible property tests. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random walk of n bars around `start` (multiplicative, ~1% moves), with highs >= max(open, close), lows <= min(open, close). */
function randomBars(seed, n, start = 100) {
  const rnd = mulberry32(seed);
  const bars = [];
  let close = start;
  for (let i = 0; i < n; i++) {
    const open = close;
    close = open * (1 + (rnd() - 0.5) * 0.02);
    const high = Math.max(open, close) * (1 + rnd() * 0.005);
    const low = Math.min(open, close) * (1 - rnd() * 0.005);
    const volume = Math.floor(rnd() * 10000) + 1;
    bars.push({ open, high, low, close, volume });
  }
  return bars;
}

module.exports = { mulberry32, randomBars };
