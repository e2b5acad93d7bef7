#!/usr/bin/env node
"use strict";
/**
 * Replay in a real Node-RED process (embedded, no test helper spying on messages): memory and
 * read-ahead while a file plays at speed 0 into a (optionally slow) consumer, or pacing
 * accuracy at speed N.
 *
 *   node --expose-gc bench/replay.js --mb 1024                 # a 1 GB file at speed 0: RSS/heap over the run
 *   node --expose-gc bench/replay.js --ticks 120000 --busy 40  # a slow consumer (40 µs of CPU per tick)
 *   node bench/replay.js --pacing                              # speed 1, 10, 100 against the file's span
 *   options: --gzip  --file <path> (reuse a file)  --keep (keep the generated file)  --json (one JSON result line)
 *
 * The file goes to a temp directory and is deleted at the end (unless --keep). Results print as
 * text, or as one JSON line with --json (the runtime test reads that).
 */
const fs = require("fs");
const os = require("os");
const path = require("path");
const zlib = require("zlib");
const { startEmbeddedRed } = require("../test/support/embedded-red");

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf("--" + name);
  return i < 0 ? dflt : args[i + 1];
};
const flag = (name) => args.includes("--" + name);
const SYMBOLS = ["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META", "GOOG", "AMD"];

/** Writes trades as JSON lines (what the core file node records) until `ticks` or `bytes`. */
async function generate(file, { ticks = Infinity, bytes = Infinity, stepUs = 1000, gzip = false }) {
  const start = Date.UTC(2026, 10, 17, 14, 30) * 1000;
  const raw = fs.createWriteStream(file);
  const out = gzip ? zlib.createGzip({ level: 1 }) : raw;
  if (gzip) out.pipe(raw);
  let n = 0;
  let written = 0;
  while (n < ticks && written < bytes) {
    let chunk = "";
    for (let i = 0; i < 2000 && n < ticks && written + chunk.length < bytes; i++, n++) {
      const ts = start + n * stepUs;
      chunk +=
        JSON.stringify({
          symbol: SYMBOLS[n % SYMBOLS.length],
          type: "trade",
          price: 100 + (n % 997) / 100,
          size: 100 * (1 + (n % 7)),
          bid: null,
          bidSize: null,
          ask: null,
          askSize: null,
          ts,
          recvTs: ts + 800,
          exchange: "Q",
          conditions: ["@"],
          id: String(n + 1),
          seq: null,
          provider: "simulator",
          backfill: false,
        }) + "\n";
    }
    written += chunk.length;
    if (!out.write(chunk)) await new Promise((r) => out.once("drain", r));
  }
  await new Promise((r) => {
    raw.once("close", r);
    out.end();
  });
  return { ticks: n, bytes: fs.statSync(file).size, spanUs: (n - 1) * stepUs };
}

const mb = (b) => b / 1048576;

/** Plays `file` at `speed` into a counter that burns `busyUs` per tick; samples memory once a second. */
async function play(file, total, { speed = 0, busyUs = 0 }) {
  let count = 0;
  const times = [];
  const pacing = speed > 0;
  let end = null;
  global.__benchSink = (msg) => {
    if (msg.topic === "replay-end") {
      end = msg.payload;
      return;
    }
    if (msg.payload === null || typeof msg.payload !== "object" || typeof msg.payload.price !== "number") return; // other feed events
    count++;
    if (pacing) times.push(Date.now());
    if (busyUs > 0) {
      const until = process.hrtime.bigint() + BigInt(busyUs * 1000);
      while (process.hrtime.bigint() < until);
    }
  };
  const flow = [
    { id: "tab", type: "tab", label: "replay" },
    { id: "f1", type: "tick-feed", provider: "replay", file, speed, loop: false },
    { id: "s1", z: "tab", type: "tick-subscribe", feed: "f1", symbols: SYMBOLS.join(" "), wires: [["c1"], ["c1"]] },
    { id: "c1", z: "tab", type: "bench-counter", wires: [] },
  ];
  const started = Date.now();
  const { RED, remove } = await startEmbeddedRed(flow, { name: "replay-bench", nodesDir: [path.join(__dirname, "nodes")] });
  const feed = () => RED.nodes.getNode("f1");
  const samples = [];
  let aheadMax = 0;
  const sample = () => {
    if (global.gc) global.gc();
    const m = process.memoryUsage();
    const p = feed() && feed().core ? feed().core.replayProgress() : null;
    const consumed = (count / total) * 100;
    if (p !== null && count > 0) aheadMax = Math.max(aheadMax, p.percent - consumed);
    samples.push({ t: Date.now() - started, count, rss: m.rss, heap: m.heapUsed, read: p === null ? 0 : p.percent });
  };
  const timer = setInterval(sample, 1000);
  await new Promise((resolve) => {
    const check = setInterval(() => {
      if (end !== null && count >= end.ticks) {
        clearInterval(check);
        resolve();
      }
    }, 20);
  });
  clearInterval(timer);
  sample();
  const seconds = (Date.now() - started) / 1000;
  await RED.stop();
  remove();
  // Steady state: after the first 20% of the ticks (Node-RED's own start-up and JIT warm-up).
  const steady = samples.filter((s) => s.count >= total * 0.2);
  const range = (k) => (steady.length === 0 ? [NaN, NaN] : [Math.min(...steady.map((s) => s[k])), Math.max(...steady.map((s) => s[k]))]);
  return {
    ticks: count,
    end,
    seconds,
    rate: count / seconds,
    rss: range("rss"),
    heap: range("heap"),
    aheadMax,
    samples: samples.length,
    times,
  };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tickstream-replay-"));
  const cleanup = () => {
    if (!flag("keep")) fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", cleanup);
  const json = flag("json");
  const gzip = flag("gzip");
  if (flag("pacing")) {
    const spanS = Number(opt("span", "10"));
    const file = path.join(dir, "pacing.jsonl");
    const g = await generate(file, { ticks: spanS * 20 + 1, stepUs: 50_000 });
    const rows = [];
    for (const speed of opt("speeds", "1,10,100").split(",").map(Number)) {
      const r = await play(file, g.ticks, { speed });
      const wall = (r.times[r.times.length - 1] - r.times[0]) / 1000;
      const expected = g.spanUs / 1e6 / speed;
      rows.push({ speed, expectedS: expected, wallS: wall, errorPct: ((wall - expected) / expected) * 100 });
      // Node-RED keeps module state between starts in one process: one play per process is cleaner, but the runtime restarts fine.
    }
    if (json) console.log(JSON.stringify({ pacing: rows }));
    else
      for (const r of rows)
        console.log(
          `speed ${r.speed}: ${r.expectedS.toFixed(3)} s expected, ${r.wallS.toFixed(3)} s measured (${r.errorPct >= 0 ? "+" : ""}${r.errorPct.toFixed(2)}%)`,
        );
    return;
  }
  let file = opt("file", null);
  let total;
  let size;
  const tGen = Date.now();
  if (file === null) {
    file = path.join(dir, gzip ? "ticks.jsonl.gz" : "ticks.jsonl");
    const want = opt("mb", null);
    const g = await generate(
      file,
      want !== null ? { bytes: Number(want) * 1048576, gzip } : { ticks: Number(opt("ticks", "200000")), gzip },
    );
    total = g.ticks;
    size = g.bytes;
    if (!json) console.log(`generated ${file}: ${total} ticks, ${mb(size).toFixed(0)} MB in ${((Date.now() - tGen) / 1000).toFixed(1)} s`);
  } else {
    size = fs.statSync(file).size;
    total = Number(opt("ticks", "0")) || Infinity;
  }
  const r = await play(file, total, { busyUs: Number(opt("busy", "0")) });
  const out = {
    file: path.basename(file),
    bytes: size,
    ticks: r.ticks,
    seconds: r.seconds,
    rate: Math.round(r.rate),
    rssMB: r.rss.map(mb),
    heapMB: r.heap.map(mb),
    aheadMaxPct: r.aheadMax,
    end: r.end,
  };
  if (json) console.log(JSON.stringify(out));
  else {
    console.log(`replayed ${r.ticks} ticks (${mb(size).toFixed(0)} MB) in ${r.seconds.toFixed(1)} s: ${Math.round(r.rate)} ticks/s`);
    console.log(
      `after warm-up: RSS ${out.rssMB[0].toFixed(0)}-${out.rssMB[1].toFixed(0)} MB, heap ${out.heapMB[0].toFixed(0)}-${out.heapMB[1].toFixed(0)} MB (after GC); the reader ran at most ${r.aheadMax.toFixed(1)}% of the file ahead of the flow`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
