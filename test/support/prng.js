"use strict";
/** Seeded PRNG (mulberry32) and random OHLCV bar series for reproducible property tests. */
// The simulator's generator, so the package has one implementation of it.
const { prng: mulberry32 } = require("../../dist/lib/simulator/server");

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
