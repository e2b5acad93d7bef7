#!/usr/bin/env node
"use strict";
/**
 * Writes data/sample-session.jsonl.gz: a few thousand synthetic but realistic trades of one
 * US equity day (Tuesday 2026-11-17, New York time = UTC-5) for AAPL, MSFT and NVDA, in the
 * format the core `file` node records from tick-subscribe output 1 (one Tick per line, JSON).
 *
 * Shape of the day: sparse pre-market prints (08:00-09:30, Form T `T`), an opening print
 * (`O`) at 09:30:00, a U-shaped intraday rate (busy open and close, quiet lunch), odd lots
 * (`I`, about 1 in 8), intermarket sweeps (`F`), the closing print (`6`) at 16:00:00, a few
 * after-hours prints (`T`) to 17:00. Prices are random walks on a cent grid. Receipt times are
 * 0.3-3 ms after the event time. Deterministic (seeded): rerunning gives the same file.
 *
 *   npm run build && node scripts/make-sample-session.js [out-file]
 */
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

// The simulator's seeded generator (mulberry32): the same stream as before, one implementation.
const { prng } = require("../dist/lib/simulator/server");
const rnd = prng(20261117);
const exp = (perSecond) => -Math.log(1 - rnd()) / perSecond; // seconds

const DAY = Date.UTC(2026, 10, 17) * 1000; // 2026-11-17T00:00Z in µs
const ny = (h, m, s = 0) => DAY + ((h + 5) * 3600 + m * 60 + s) * 1e6; // EST = UTC-5
const SYMBOLS = [
  { symbol: "AAPL", price: 228.4, vol: 0.00045, scale: 1.0 },
  { symbol: "MSFT", price: 415.1, vol: 0.0004, scale: 0.8 },
  { symbol: "NVDA", price: 141.7, vol: 0.0007, scale: 1.3 },
];
const EXCHANGES = ["Q", "N", "P", "Z", "K", "V", "D"];

/** Trades per second of one symbol at a time of day (regular hours: U shape). */
function rate(tsUs, scale) {
  const open = ny(9, 30),
    close = ny(16, 0);
  if (tsUs < open || tsUs >= close) return 0.006 * scale; // about 20 an hour
  const x = (tsUs - open) / (close - open); // 0..1 through the session
  return scale * (0.035 + 0.35 * Math.exp(-x * 18) + 0.22 * Math.exp(-(1 - x) * 14));
}

const ticks = [];
for (const s of SYMBOLS) {
  let price = s.price;
  let id = 0;
  const trade = (ts, conditions, size) => {
    price = Math.max(0.01, Math.round(price * Math.exp((rnd() - 0.5) * 2 * s.vol) * 100) / 100);
    ticks.push({
      symbol: s.symbol,
      type: "trade",
      price,
      size,
      bid: null,
      bidSize: null,
      ask: null,
      askSize: null,
      ts: Math.floor(ts),
      recvTs: Math.floor(ts + 300 + rnd() * 2700),
      exchange: EXCHANGES[Math.floor(rnd() * EXCHANGES.length)],
      conditions,
      id: String(++id),
      seq: null,
      provider: "simulator",
      backfill: false,
    });
  };
  const lot = () =>
    rnd() < 0.125 ? { odd: true, size: 1 + Math.floor(rnd() * 99) } : { odd: false, size: 100 * (1 + Math.floor(rnd() * rnd() * 25)) };
  let t = ny(8, 0) + exp(rate(ny(8, 0), s.scale)) * 1e6;
  let opened = false,
    closed = false;
  while (t < ny(17, 0)) {
    if (!opened && t >= ny(9, 30)) {
      opened = true;
      trade(ny(9, 30) + 20_000 + rnd() * 80_000, ["O"], 20_000 + Math.floor(rnd() * 40) * 1000);
    }
    if (!closed && t >= ny(16, 0)) {
      closed = true;
      trade(ny(16, 0) + 50_000 + rnd() * 100_000, ["6"], 50_000 + Math.floor(rnd() * 80) * 1000);
    }
    const regular = t >= ny(9, 30) && t < ny(16, 0);
    const l = lot();
    const conditions = !regular ? (l.odd ? ["T", "I"] : ["T"]) : l.odd ? ["@", "I"] : rnd() < 0.1 ? ["@", "F"] : ["@"];
    trade(t, conditions, l.size);
    t += exp(rate(t, s.scale)) * 1e6;
  }
}
ticks.sort((a, b) => a.recvTs - b.recvTs); // as a live recording: in receipt order

const out = process.argv[2] || path.join(__dirname, "..", "data", "sample-session.jsonl.gz");
fs.mkdirSync(path.dirname(out), { recursive: true });
const text = ticks.map((x) => JSON.stringify(x)).join("\n") + "\n";
fs.writeFileSync(out, out.endsWith(".gz") ? zlib.gzipSync(text, { level: 9, mtime: 0 }) : text);
const count = (pred) => ticks.filter(pred).length;
console.log(
  `${out}: ${ticks.length} trades (${count((x) => x.conditions.includes("T"))} extended hours, ${count((x) => x.conditions.includes("I"))} odd lots), ${fs.statSync(out).size} bytes`,
);
