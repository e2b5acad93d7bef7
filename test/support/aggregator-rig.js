"use strict";
/**
 * An Aggregator (src/lib/aggregate/) on a controllable clock, with the tick makers and times the
 * aggregate*.test.js files share: µs helpers, the 09:30 ET open of a regular Tuesday session.
 */
const assert = require("assert");
const { Aggregator, DEFAULT_AGGREGATE } = require("../../dist/lib/aggregate");

const us = (iso) => Date.parse(iso) * 1000;
const S = 1e6;
const MIN = 60 * S;
const OPEN = us("2026-11-24T09:30:00-05:00"); // a Tuesday, regular session

function trade(symbol, ts, price, size = 100, conditions, provider = "polygon") {
  return { symbol, type: "trade", price, size, ts, recvTs: ts, provider, conditions };
}
function quote(symbol, ts, bid, ask) {
  return { symbol, type: "quote", bid, ask, bidSize: 1, askSize: 1, ts, recvTs: ts, provider: "simulator" };
}

/** An aggregator on a controllable clock; records its output. */
function make(cfg = {}, startAt = OPEN - 10 * MIN) {
  const clock = { now: startAt };
  const out = [];
  const agg = new Aggregator(
    { ...DEFAULT_AGGREGATE, closeDelayUs: 0, maxSkewUs: 0, ...cfg },
    { now: () => clock.now, emit: (o) => out.push(o) },
  );
  const bars = () => out.filter((o) => o.type === "bar").map((o) => o.bar);
  const rejects = () => out.filter((o) => o.type === "reject");
  return { agg, out, bars, rejects, clock };
}
/** The fields a user compares, without emittedAt. */
function core(b) {
  const { emittedAt, ...rest } = b;
  assert.strictEqual(typeof emittedAt, "number");
  return rest;
}

module.exports = { us, S, MIN, OPEN, trade, quote, make, core };
