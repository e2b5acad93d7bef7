"use strict";
/** Bars as tick-aggregate sends them, for the tests of what takes them in. */

/**
 * A final 1-minute bar of "X" from 60 s to 120 s (µs) with every field of a bar; `fields` change
 * or add fields, and a field given as undefined is left out (a bar from an older version).
 */
function minuteBar(fields = {}) {
  const bar = {
    symbol: "X",
    interval: "1min",
    start: 60e6,
    end: 120e6,
    open: 1,
    high: 2,
    low: 0.5,
    close: 1.5,
    volume: 300,
    vwap: 1.2,
    count: 7,
    firstTs: 61e6,
    lastTs: 119e6,
    final: true,
    partial: false,
    synthetic: false,
    revision: 0,
    ...fields,
  };
  for (const [k, v] of Object.entries(bar)) if (v === undefined) delete bar[k];
  return bar;
}

module.exports = { minuteBar };
