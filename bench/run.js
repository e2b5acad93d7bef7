"use strict";
/**
 * npm run bench [-- --ticks 200000 --runs 3 --latency-ticks 25000 --soak 0 --only bare,ours]
 *
 * Throughput of four pipelines on the same generated feed (100 symbols, 5% duplicates), one
 * tick per frame and 50 per frame, each run in a fresh child process; the median of --runs is
 * reported with CPU seconds per million ticks, peak RSS, and ratios to the bare ws client (the
 * limit) and to the core-node flow (the baseline) measured in this same invocation. The runs
 * go round by round (every pipeline once, then again), and a ratio is the median of the
 * ratios within each round, so a machine whose load changes over minutes shifts both sides of
 * a ratio alike. --node-flags "..." passes V8/Node flags to every throughput child. Then
 * latency at a paced 5,000 ticks/s (socket receipt -> end of pipeline), memory with 10,000
 * subscribed symbols, and optionally an RSS soak (--soak SECONDS at 20,000 ticks/s, 1,000 symbols).
 * Results: printed, and written to bench/results/<time>.md and .json.
 */
const fs = require("fs");
const os = require("os");
const path = require("path");
const { fork } = require("child_process");
const { SYMBOLS, makeFrames, serve, servePaced } = require("./feed");

const argv = process.argv.slice(2);
function opt(name, dflt) {
  const i = argv.indexOf("--" + name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
}
const TICKS = Number(opt("ticks", 200000));
const RUNS = Number(opt("runs", 3));
const LAT_TICKS = Number(opt("latency-ticks", 25000));
const SOAK_S = Number(opt("soak", 0));
const ONLY = opt("only", "bare,baseline,ours,batch,bars,agg,hops,signals,latency,memory").split(",");
const PROFILE = argv.includes("--profile"); // --cpu-prof each throughput child into bench/results/
const NODE_FLAGS = opt("node-flags", "")
  .split(" ")
  .filter((f) => f !== ""); // e.g. "--trace-deopt"
const CHILD_TIMEOUT_MS = Math.max(180000, (SOAK_S + 120) * 1000); // a soak child runs for the whole soak

const LABELS = {
  bare: "bare ws client (limit)",
  baseline: "core nodes: websocket in -> json -> split -> function",
  ours: "tick-feed -> tick-subscribe (1 msg/tick)",
  batch: "tick-feed -> tick-subscribe (batch)",
  bars: "tick-feed -> tick-subscribe -> tick-filter -> tick-aggregate (1 min)",
  agg: "tick-feed -> tick-subscribe -> tick-aggregate (1 min, a bar update per tick)",
  hops: "... tick-aggregate -> 2 plain Node-RED hops (pass-through -> sink)",
  signals: "... tick-aggregate -> tick-indicator (RSI 14) -> tick-alert (cross)",
};
const STARTS_ON_MESSAGE = new Set(["ours", "batch", "bars", "agg", "hops", "signals"]);

function runChild(cfg, { execArgv = [], onReady, onMessage } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, "child.js"), [JSON.stringify(cfg)], {
      execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cfg.pipeline}: no result within ${CHILD_TIMEOUT_MS} ms`));
    }, CHILD_TIMEOUT_MS);
    child.on("message", (m) => {
      if (m.ready && onReady) onReady();
      if (onMessage) onMessage(m);
      if (m.done) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${cfg.pipeline}: child exited with ${code}`));
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** One run of a throughput pipeline in a fresh child. */
async function throughputRun(pipeline, feed, perFrame, r) {
  const server = await serve(feed.frames, { startOn: STARTS_ON_MESSAGE.has(pipeline) ? "message" : "connect" });
  try {
    const prof = PROFILE
      ? [
          "--cpu-prof",
          "--cpu-prof-dir=" + path.join(__dirname, "results", "profiles"),
          `--cpu-prof-name=${pipeline}-${perFrame}-${r}.cpuprofile`,
        ]
      : [];
    const res = await runChild(
      { pipeline, url: server.url, expected: feed.unique, perFrame, symbols: SYMBOLS },
      { execArgv: [...NODE_FLAGS, ...prof] },
    );
    if (res.ticks !== feed.unique) throw new Error(`${pipeline}: ${res.ticks} ticks, expected ${feed.unique}`);
    return res;
  } finally {
    await server.close();
  }
}

/** The row of one pipeline from its runs (in round order). */
function throughputRow(pipeline, perFrame, results) {
  const rates = results.map((x) => (x.ticks * 1000) / x.elapsedMs);
  return {
    pipeline,
    perFrame,
    ticksPerSec: median(rates),
    runs: rates.map(Math.round),
    cpuSecPerM: median(results.map((x) => x.cpuMs / 1000 / (x.ticks / 1e6))),
    peakRssMB: Math.max(...results.map((x) => x.peakRss)) / 1048576,
  };
}

/** Median over rounds of row's rate / ref's rate in the same round (rounds pair up by index). */
function pairedRatio(row, ref) {
  if (!ref) return undefined;
  const n = Math.min(row.runs.length, ref.runs.length);
  return median(Array.from({ length: n }, (_, i) => row.runs[i] / ref.runs[i]));
}

async function latency(pipeline) {
  const server = await servePaced({ rate: 5000, count: LAT_TICKS, startOn: pipeline === "bare" ? "connect" : "message" });
  try {
    const res = await runChild({ pipeline, url: server.url, expected: LAT_TICKS, perFrame: 1, symbols: SYMBOLS, latency: true });
    const l = res.latency.slice(Math.floor(res.latency.length * 0.1)); // drop the warm-up tenth
    return { pipeline, p50: pct(l, 50), p99: pct(l, 99), p999: pct(l, 99.9) };
  } finally {
    await server.close();
  }
}

async function memory(symbolCount, ticksPerSymbol) {
  const symbols = Array.from({ length: symbolCount }, (_, i) => "M" + i);
  const feed = makeFrames(symbolCount * ticksPerSymbol, 50, symbols, 0, 7);
  const server = await serve(feed.frames, { startOn: "message" });
  try {
    return await runChild(
      { pipeline: "mem", url: server.url, expected: feed.unique, perFrame: 50, symbols },
      { execArgv: ["--expose-gc"] },
    );
  } finally {
    await server.close();
  }
}

async function soak(seconds) {
  const symbols = Array.from({ length: 1000 }, (_, i) => "K" + i);
  const rate = 20000;
  const server = await servePaced({ rate, count: rate * seconds, startOn: "message", symbols });
  const samples = [];
  try {
    await runChild(
      { pipeline: "ours", url: server.url, expected: rate * seconds, perFrame: 1, symbols, rssEveryMs: 10000 },
      { onMessage: (m) => m.rss !== undefined && !m.done && samples.push(m.rss / 1048576) },
    );
  } finally {
    await server.close();
  }
  return samples;
}

function fmt(n, d = 0) {
  return n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
}

async function main() {
  const started = new Date();
  const cpus = os.cpus();
  const machine = `${cpus.length} x ${cpus[0] ? cpus[0].model.trim() : "cpu"}, ${fmt(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, node-red ${require("node-red/package.json").version}`;
  console.log(`tickstream bench: ${fmt(TICKS)} ticks, 100 symbols, 5% duplicates, median of ${RUNS} runs\n${machine}\n`);
  const rows = [];
  for (const perFrame of [1, 50]) {
    const feed = makeFrames(TICKS, perFrame);
    const pipelines = ["bare", "baseline", "ours", "batch", "bars", "agg", "hops", "signals"].filter((p) => ONLY.includes(p));
    const results = new Map(pipelines.map((p) => [p, []]));
    for (let r = 0; r < RUNS; r++) {
      for (const p of pipelines) {
        process.stdout.write(`  ${p}, ${perFrame}/frame, run ${r + 1}/${RUNS} ... `);
        const res = await throughputRun(p, feed, perFrame, r);
        results.get(p).push(res);
        console.log(`${fmt((res.ticks * 1000) / res.elapsedMs)} ticks/s`);
      }
    }
    for (const p of pipelines) rows.push(throughputRow(p, perFrame, results.get(p)));
  }
  const find = (p, f) => rows.find((r) => r.pipeline === p && r.perFrame === f);
  const lines = [];
  lines.push(
    `# tickstream benchmark (${started.toISOString()})`,
    "",
    `Machine: ${machine}.`,
    `Feed: ${fmt(TICKS)} trades over 100 symbols, 5% duplicates, generic JSON protocol, sent as fast as the socket accepts. Median of ${RUNS} runs, each pipeline in a fresh process, run round by round; ratios are medians of the ratios within a round.`,
    "",
  );
  lines.push(
    "| pipeline | ticks/frame | ticks/s | CPU s per 1M ticks | peak RSS MB | x bare client | x core-node baseline |",
    "|---|---:|---:|---:|---:|---:|---:|",
  );
  for (const r of rows) {
    const bare = find("bare", r.perFrame);
    const base = find("baseline", r.perFrame);
    r.xBare = pairedRatio(r, bare);
    r.xBaseline = pairedRatio(r, base);
    lines.push(
      `| ${LABELS[r.pipeline]} | ${r.perFrame} | ${fmt(r.ticksPerSec)} | ${fmt(r.cpuSecPerM, 2)} | ${fmt(r.peakRssMB)} | ${r.xBare !== undefined ? fmt(r.xBare, 2) : "-"} | ${r.xBaseline !== undefined ? fmt(r.xBaseline, 1) : "-"} |`,
    );
  }
  const out = { started: started.toISOString(), machine, ticks: TICKS, runs: RUNS, throughput: rows };
  // Cost of the two signal hops against two plain Node-RED hops, from the same run (CPU s per 1M ticks).
  const hopLines = [];
  for (const perFrame of [1, 50]) {
    const a = find("agg", perFrame);
    const h = find("hops", perFrame);
    const s = find("signals", perFrame);
    const f = find("bars", perFrame);
    if (!a || !h || !s) continue;
    const plain = (h.cpuSecPerM - a.cpuSecPerM) / 2;
    const ours = (s.cpuSecPerM - a.cpuSecPerM) / 2;
    hopLines.push(
      `| ${perFrame} | ${fmt(plain, 2)} | ${fmt(ours, 2)} | ${plain > 0 ? fmt(ours / plain, 2) : "-"} | ${f ? fmt(f.cpuSecPerM, 2) : "-"} |`,
    );
    out.hops = out.hops || [];
    out.hops.push({ perFrame, plainHopCpuSecPerM: plain, signalHopCpuSecPerM: ours });
  }
  if (hopLines.length > 0) {
    lines.push(
      "",
      "Signal hops (tick-aggregate -> tick-indicator -> tick-alert on every tick), CPU s per 1M ticks per hop: (signals - agg) / 2 beside (hops - agg) / 2 for a plain pass-through node, and the whole filter -> aggregate pipeline for scale:",
      "",
      "| ticks/frame | plain Node-RED hop | tick-indicator / tick-alert hop (mean) | ratio | feed -> subscribe -> tick-filter -> tick-aggregate |",
      "|---:|---:|---:|---:|---:|",
      ...hopLines,
    );
  }
  if (ONLY.includes("latency")) {
    console.log(`  latency at 5,000 ticks/s (${fmt(LAT_TICKS)} ticks) ...`);
    const lb = await latency("bare");
    const lo = await latency("ours");
    out.latency = { bare: lb, ours: lo };
    lines.push(
      "",
      `Latency at 5,000 ticks/s, one tick per frame (${fmt(LAT_TICKS)} ticks, first tenth dropped as warm-up), µs from receipt at the socket to the end of the pipeline:`,
      "",
      "| pipeline | p50 | p99 | p99.9 |",
      "|---|---:|---:|---:|",
    );
    lines.push(`| bare ws client | ${fmt(lb.p50)} | ${fmt(lb.p99)} | ${fmt(lb.p999)} |`);
    lines.push(`| tick-feed -> tick-subscribe -> node | ${fmt(lo.p50)} | ${fmt(lo.p99)} | ${fmt(lo.p999)} |`);
    lines.push(`| added by our nodes | ${fmt(lo.p50 - lb.p50)} | ${fmt(lo.p99 - lb.p99)} | ${fmt(lo.p999 - lb.p999)} |`);
  }
  if (ONLY.includes("memory")) {
    console.log("  memory: 1 vs 10,000 subscribed symbols ...");
    const one = await memory(1, 1000);
    const many = await memory(10000, 10);
    out.memory = { oneSymbolRssMB: one.rss / 1048576, tenThousandRssMB: many.rss / 1048576 };
    lines.push(
      "",
      "Memory (after GC, once every tick was delivered): RSS with 1 subscribed symbol (1,000 ticks) vs 10,000 symbols (10 ticks each, so every symbol has dedup state):",
      "",
      `| 1 symbol | 10,000 symbols | difference |`,
      "|---:|---:|---:|",
      `| ${fmt(out.memory.oneSymbolRssMB)} MB | ${fmt(out.memory.tenThousandRssMB)} MB | ${fmt(out.memory.tenThousandRssMB - out.memory.oneSymbolRssMB)} MB |`,
    );
  }
  if (SOAK_S > 0) {
    console.log(`  soak: ${SOAK_S} s at 20,000 ticks/s, 1,000 symbols ...`);
    const samples = await soak(SOAK_S);
    out.soak = { seconds: SOAK_S, rssMB: samples };
    // The first minute is warm-up (JIT, heap sizing, the dedup windows filling to their caps).
    const steady = samples.length > 7 ? samples.slice(6) : samples;
    const lo = Math.min(...steady);
    const hi = Math.max(...steady);
    const first = steady[0];
    const last = steady[steady.length - 1];
    out.soak.steady = { minMB: lo, maxMB: hi, spreadPct: ((hi - lo) / lo) * 100, changePct: ((last - first) / first) * 100 };
    lines.push(
      "",
      `Soak: ${SOAK_S} s at 20,000 ticks/s over 1,000 symbols; RSS every 10 s (MB): ${samples.map((s) => fmt(s)).join(", ")}.`,
      `After the first minute (warm-up): ${fmt(lo)} to ${fmt(hi)} MB, a spread of ${fmt(out.soak.steady.spreadPct, 1)}%; change from the 60 s sample to the last: ${fmt(out.soak.steady.changePct, 1)}%.`,
    );
  }
  const text = lines.join("\n") + "\n";
  console.log("\n" + text);
  const dir = path.join(__dirname, "results");
  fs.mkdirSync(dir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, "-");
  fs.writeFileSync(path.join(dir, stamp + ".md"), text);
  fs.writeFileSync(path.join(dir, stamp + ".json"), JSON.stringify(out, null, 2));
  console.log(`written: bench/results/${stamp}.md and .json`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
