"use strict";
/**
 * Provider `replay` in a real Node-RED runtime: a recording made by the core file node from a
 * live (simulator) feed replays into the same bars; CSV and gzip files; speed; flow control with
 * a slow consumer; malformed lines; a missing file; pause/resume/seek/restart; loop passes.
 */
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const { helper, runtimePath } = require("../support/runtime");
const { collect, catchNodes, statusesOf, waitForStatus } = require("../support/flow");
const { waitFor } = require("../support/wait");
const { tmpDir, trades, writeJsonl } = require("../support/replay-files");
const { eventBars } = require("../support/provider-flow");
const feedNode = require("../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../dist/nodes/tick-subscribe/tick-subscribe.js");
const aggNode = require("../../dist/nodes/tick-aggregate/tick-aggregate.js");
const fileNode = require(require.resolve("@node-red/nodes/core/storage/10-file.js", { paths: [path.dirname(runtimePath)] }));

const NODES = [feedNode, subNode, aggNode, fileNode];
/** A bar without emittedAt (the wall-clock time it was sent, which a replay cannot share with live). */
const strip = (b) => {
  const { emittedAt, ...rest } = b;
  void emittedAt;
  return rest;
};

describe("tick-feed provider replay (runtime)", function () {
  this.timeout(60000);
  let dir;
  before(function () {
    dir = tmpDir();
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async function () {
    await helper.unload();
  });

  const replayFeed = (file, extra = {}) => ({ id: "f1", type: "tick-feed", provider: "replay", file, speed: 0, ...extra });
  const sub = (symbols, wires = [["out"], ["ev"]]) => ({ id: "s1", type: "tick-subscribe", feed: "f1", symbols, wires });
  const sinks = [
    { id: "out", type: "helper" },
    { id: "ev", type: "helper" },
  ];
  const ends = (ev) => ev.filter((m) => m.topic === "replay-end");

  it("records live ticks with the core file node, then replays them (speed 0 and 5) into the same event-clock bars", async function () {
    const file = path.join(dir, "recorded.jsonl");
    const agg = eventBars({ id: "agg", unit: "s", wires: [["bars"], []] });
    // 1. Live: simulator -> subscribe -> (file node, aggregate).
    await helper.load(NODES, [
      { id: "live", type: "tick-feed", provider: "simulator", options: { ratePerSymbol: 40, seed: 7 } },
      { id: "s1", type: "tick-subscribe", feed: "live", symbols: "AAPL MSFT", wires: [["rec", "agg"], []] },
      {
        id: "rec",
        type: "file",
        filename: file,
        filenameType: "str",
        appendNewline: true,
        overwriteFile: "false",
        createDir: false,
        encoding: "none",
        wires: [["written"]],
      },
      { id: "written", type: "helper" },
      agg,
      { id: "bars", type: "helper" },
    ]);
    const liveBars = collect("bars");
    const written = collect("written");
    await waitFor(() => liveBars.length >= 8, { timeout: 20000, what: "8 live bars" });
    await helper.unload(); // the file node finishes its writes on close
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    assert.ok(lines.length >= written.length && written.length > 50, `recorded ${lines.length} ticks`);
    const recorded = JSON.parse(lines[0]);
    assert.strictEqual(recorded.provider, "simulator", "the file node writes the Tick as JSON");

    for (const speed of [0, 5]) {
      await helper.load(NODES, [
        replayFeed(file, { speed }),
        sub("AAPL MSFT", [["agg"], ["ev"]]),
        { ...agg },
        { id: "bars", type: "helper" },
        { id: "ev", type: "helper" },
      ]);
      const bars = collect("bars");
      const ev = collect("ev");
      await waitFor(() => ends(ev).length === 1, { timeout: 30000, what: `replay-end at speed ${speed}` });
      // Bars are one hop further than the replay-end event: wait for them too.
      await waitFor(() => bars.length >= liveBars.length - 2, { what: `speed ${speed}: the replayed bars` });
      // The replay has every tick the file node wrote: each bar it closes is the live bar, in
      // the same order; live may have closed one more per symbol with ticks still in flight.
      assert.ok(
        bars.length >= liveBars.length - 2 && bars.length >= 6,
        `speed ${speed}: ${bars.length} replayed vs ${liveBars.length} live bars`,
      );
      const live = liveBars.slice(0, bars.length).map((m) => strip(m.payload));
      assert.deepStrictEqual(
        bars.map((m) => strip(m.payload)),
        live,
        `speed ${speed}: same bars`,
      );
      const end = ends(ev)[0].payload;
      assert.strictEqual(end.ticks, lines.length);
      assert.strictEqual(end.malformed, 0);
      await helper.unload();
    }
  });

  it("reads CSV exports: ISO, epoch s/ms/µs/ns times, header aliases, quoted fields, gzip, symbol from the file name", async function () {
    const base = Date.UTC(2026, 10, 17, 15, 0) * 1000; // µs
    const variants = [
      {
        name: "iso.csv",
        text: 'Timestamp,Ticker,Price,Volume,Conditions\n2026-11-17T15:00:00.000001Z,AAPL,100.5,10,"@,I"\n2026-11-17T10:00:01-05:00,AAPL,100.6,20,@\n',
        ts: [base + 1, base + 1_000_000],
      },
      {
        name: "s.csv",
        text: "t;sym;p;qty\n" + `${base / 1e6};AAPL;100.5;10\n${base / 1e6 + 1.5};AAPL;100.6;20\n`,
        ts: [base, base + 1_500_000],
      },
      {
        name: "ms.csv",
        text:
          "time,symbol,last,size,exchange,trade_id\n" +
          `${base / 1000},AAPL,100.5,10,Q,9007199254740993\n${base / 1000 + 2},AAPL,100.6,20,N,9007199254740994\n`,
        ts: [base, base + 2000],
      },
      {
        name: "us.csv",
        text: "ts\tsymbol\tprice\tsize\n" + `${base + 7}\tAAPL\t100.5\t10\n${base + 8}\tAAPL\t100.6\t20\n`,
        ts: [base + 7, base + 8],
      },
      {
        name: "ns.csv.gz",
        gzip: true,
        text: "timestamp,symbol,price,size\n" + `${base}123,AAPL,100.5,10\n${base + 1}999,AAPL,100.6,20\n`,
        ts: [base, base + 1],
      },
      {
        name: "AAPL_2026-11-17.csv",
        text: "datetime,price,qty\n2026-11-17 15:00:00,100.5,10\n2026-11-17 15:00:01,100.6,20\n",
        ts: [base, base + 1_000_000],
      },
    ];
    for (const v of variants) {
      const file = path.join(dir, v.name);
      fs.writeFileSync(file, v.gzip ? require("zlib").gzipSync(v.text) : v.text);
      await helper.load(NODES, [replayFeed(file), sub("AAPL"), ...sinks]);
      const out = collect("out");
      const ev = collect("ev");
      await waitFor(() => ends(ev).length === 1, { what: `${v.name}: replay-end` });
      assert.deepStrictEqual(
        out.map((m) => m.payload.ts),
        v.ts,
        `${v.name}: times in µs`,
      );
      assert.deepStrictEqual(
        out.map((m) => [m.topic, m.payload.price, m.payload.size, m.payload.type]),
        [
          ["AAPL", 100.5, 10, "trade"],
          ["AAPL", 100.6, 20, "trade"],
        ],
        v.name,
      );
      for (const m of out) assert.ok(m.payload.recvTs >= m.payload.ts, `${v.name}: recvTs is the replay clock`);
      if (v.name === "iso.csv") assert.deepStrictEqual(out[0].payload.conditions, ["@", "I"]);
      if (v.name === "ms.csv")
        assert.deepStrictEqual(
          out.map((m) => m.payload.id),
          ["9007199254740993", "9007199254740994"],
          "ids stay exact",
        );
      await helper.unload();
    }
  });

  it("speed 10 plays a 10-second recording in about 1 s", async function () {
    const file = writeJsonl(path.join(dir, "ten-seconds.jsonl"), trades(101, { stepUs: 100_000 }));
    await helper.load(NODES, [replayFeed(file, { speed: 10 }), sub("AAPL MSFT"), ...sinks]);
    const out = collect("out");
    const ev = collect("ev");
    const times = [];
    helper.getNode("out").on("input", () => times.push(Date.now()));
    await waitFor(() => ends(ev).length === 1, { timeout: 10000, what: "replay-end" });
    assert.strictEqual(out.length, 101);
    // The replay server confirms subscriptions as "subscribed": the node reports them on output 2.
    const subscribed = ev.filter((m) => m.topic === "subscribed").flatMap((m) => m.payload.symbols);
    assert.deepStrictEqual(subscribed.sort(), ["AAPL", "MSFT"], "a subscribed event for each symbol");
    const elapsed = times[times.length - 1] - times[0];
    // Never early (each tick waits for its due time on one wall-clock anchor, so delays do not
    // add up); late only by the scheduling delay of the last tick (generous: a shared CI machine).
    assert.ok(elapsed >= 990 && elapsed <= 2500, `10 s at x10 took ${elapsed} ms`);
    const half = times[50] - times[0];
    assert.ok(half >= 490 && half <= 2000, `the first half took ${half} ms`);
  });

  it("speed 0 with a slow consumer (a real node-red process): the file is read only as fast as the flow takes ticks, memory stays flat", async function () {
    // A child process: the test helper records every message it sees, which would be the leak we look for.
    const { execFile } = require("child_process");
    const script = path.join(__dirname, "..", "..", "bench", "replay.js");
    const stdout = await new Promise((resolve, reject) =>
      execFile(
        process.execPath,
        ["--expose-gc", script, "--ticks", "30000", "--busy", "30", "--json"],
        { timeout: 55000, env: { ...process.env, NODE_RED_PATH: process.env.NODE_RED_PATH || "" } },
        (err, out) => (err ? reject(err) : resolve(out)),
      ),
    );
    const r = JSON.parse(stdout.trim().split("\n").pop());
    assert.strictEqual(r.ticks, 30000, "every tick arrives");
    assert.ok(r.bytes > 5 * 1048576, `a ${(r.bytes / 1048576).toFixed(0)} MB file`);
    // A buffered replay would read the whole file at once; this one stays with the consumer
    assert.ok(r.aheadMaxPct < 35, `the reader ran ${r.aheadMaxPct.toFixed(1)}% of the file ahead of the flow`);
    // and the heap does not grow with the file.
    assert.ok(r.heapMB[1] - r.heapMB[0] < 16, `heap ${r.heapMB[0].toFixed(1)}-${r.heapMB[1].toFixed(1)} MB after warm-up`);
  });

  it("counts and skips malformed lines without stopping, and reports them rate-limited", async function () {
    const good = trades(4);
    good[3].backfill = true; // recorded after a reconnect: stays a backfilled trade
    const file = writeJsonl(path.join(dir, "bad-lines.jsonl"), good.slice(0, 2), {
      extraLines: [
        "{not json",
        '{"symbol":"AAPL","type":"trade","price":1}',
        '"a string"',
        "",
        JSON.stringify(good[2]),
        "[1,2]",
        JSON.stringify(good[3]),
      ],
    });
    await helper.load(NODES, [replayFeed(file), sub("AAPL MSFT"), ...sinks]);
    const out = collect("out");
    const ev = collect("ev");
    await waitFor(() => ends(ev).length === 1, { what: "replay-end" });
    assert.strictEqual(out.length, 4, "every good tick arrives");
    assert.deepStrictEqual(
      out.map((m) => m.payload.backfill === true),
      [false, false, false, true],
    );
    assert.strictEqual(ends(ev)[0].payload.malformed, 4);
    await waitFor(() => ev.some((m) => m.topic === "error" && m.payload.code === "malformed"), { what: "a malformed report" });
    assert.strictEqual(helper.getNode("f1").core.stats.malformed, 4);
  });

  it("counts ticks out of time order (a CSV grouped by symbol) in replay-end", async function () {
    // AAPL's three trades at 3, 4, 5 s, then MSFT's at 0, 1, 2 s.
    const t = trades(6, { symbols: ["AAPL"], stepUs: 1_000_000 }).map((x, i) => ({ ...x, symbol: i < 3 ? "MSFT" : "AAPL" }));
    const file = writeJsonl(path.join(dir, "unsorted.jsonl"), [...t.slice(3), ...t.slice(0, 3)]);
    await helper.load(NODES, [replayFeed(file), sub("AAPL MSFT"), ...sinks]);
    const out = collect("out");
    const ev = collect("ev");
    await waitFor(() => ends(ev).length === 1, { what: "replay-end" });
    assert.strictEqual(out.length, 6, "all delivered");
    assert.strictEqual(ends(ev)[0].payload.outOfOrder, 3, "MSFT's trades are 5, 4 and 3 s behind the clock");
    // recvTs never runs backwards.
    const r = out.map((m) => m.payload.recvTs);
    assert.ok(r.every((x, i) => i === 0 || x >= r[i - 1]));
  });

  it("a missing or unreadable file is a catchable error with a red status; restart retries once it is there", async function () {
    const file = path.join(dir, "later.jsonl");
    await helper.load(NODES, [replayFeed(file), sub("AAPL MSFT"), ...sinks, ...catchNodes(["s1"])]);
    const caught = collect("caught");
    const out = collect("out");
    const ev = collect("ev");
    await waitFor(() => caught.length >= 1, { what: "a catchable error" });
    const err = ev.find((m) => m.topic === "error");
    assert.strictEqual(err.payload.code, "replay_file");
    assert.match(err.payload.message, /later\.jsonl: no such file/);
    await waitForStatus("s1", (s) => s.fill === "red", "red");
    writeJsonl(file, trades(3));
    helper.getNode("s1").receive({ action: "restart" });
    await waitFor(() => out.length === 3, { what: "the ticks after the restart" });

    await helper.unload();
    const dirAsFile = dir; // a directory is not a readable file
    await helper.load(NODES, [replayFeed(dirAsFile), sub("AAPL"), ...sinks, ...catchNodes()]);
    const caught2 = collect("caught");
    const ev2 = collect("ev");
    await waitFor(() => caught2.length >= 1, { what: "a catchable error for a directory" });
    assert.match(ev2.find((m) => m.topic === "error").payload.message, /not a file/);
  });

  it("msg.action pause, resume, speed, seek and restart control the replay; the status shows its progress", async function () {
    const file = writeJsonl(path.join(dir, "controls.jsonl"), trades(200, { stepUs: 1_000_000, symbols: ["AAPL"] }));
    const t0 = trades(1)[0].ts;
    await helper.load(NODES, [replayFeed(file, { speed: 20 }), sub("AAPL"), ...sinks, ...catchNodes(["s1"])]);
    const s1 = helper.getNode("s1");
    const out = collect("out");
    const ev = collect("ev");
    const caught = collect("caught");
    await waitFor(() => out.length >= 3, { what: "a few ticks at x20" });
    s1.receive({ action: "pause" });
    await waitForStatus("s1", (s) => s.text === "tick-subscribe.status.replay-paused" && s.fill === "grey", "paused");
    const atPause = out.length;
    s1.receive({ action: "speed", payload: 0 });
    s1.receive({ action: "seek", payload: new Date((t0 + 150_000_000) / 1000).toISOString() }); // forward, still paused
    await new Promise((r) => setImmediate(r));
    assert.ok(out.length <= atPause + 1, "nothing flows while paused");
    s1.receive({ action: "resume" });
    await waitFor(() => ends(ev).length === 1, { what: "the end after the seek" });
    const after = out.slice(atPause).map((m) => m.payload.ts);
    assert.strictEqual(after[after.length - 1], t0 + 199_000_000);
    assert.ok(after.length <= 52, `the seek skipped ahead (${after.length} ticks after the pause)`);
    await waitForStatus("s1", (s) => s.text === "tick-subscribe.status.replay-ended", "ended");
    // Seek back after the end: the ticks from there come again (the dedup window is reset).
    out.length = 0;
    s1.receive({ action: "seek", payload: t0 + 190_000_000 });
    await waitFor(() => ends(ev).length === 2, { what: "the second end" });
    assert.deepStrictEqual(
      out.map((m) => m.payload.id),
      ["191", "192", "193", "194", "195", "196", "197", "198", "199", "200"],
    );
    out.length = 0;
    s1.receive({ action: "restart" });
    await waitFor(() => ends(ev).length === 3, { what: "the third end" });
    assert.strictEqual(out.length, 200, "a restart plays everything again");
    // Bad control input: catchable, nothing changes.
    s1.receive({ action: "seek", payload: "yesterday" });
    s1.receive({ action: "speed", payload: -1 });
    await waitFor(() => caught.length === 2, { what: "two catchable errors" });
    assert.ok(
      statusesOf("s1").some((s) => s.text === "tick-subscribe.status.replay" && s.fill === "green"),
      "progress in the status while playing",
    );
  });

  it("loop: each pass is shifted to the next trading day, ends with replay-end, and dedup keeps every tick", async function () {
    const friday = Date.UTC(2026, 10, 20, 15, 0) * 1000; // Friday 2026-11-20, 10:00 New York
    const file = writeJsonl(path.join(dir, "loop.jsonl"), trades(5, { symbols: ["AAPL"], startUs: friday }));
    await helper.load(NODES, [replayFeed(file, { loop: true }), sub("AAPL"), ...sinks]);
    const out = collect("out");
    const ev = collect("ev");
    await waitFor(() => ends(ev).length >= 3, { what: "three passes" });
    const day = 86_400_000_000;
    const first = out[0].payload.ts;
    assert.deepStrictEqual(
      ends(ev)
        .slice(0, 3)
        .map((m) => [m.payload.pass, m.payload.ticks]),
      [
        [1, 5],
        [2, 5],
        [3, 5],
      ],
    );
    assert.strictEqual(out.length >= 15, true);
    assert.strictEqual(out[5].payload.ts, first + 3 * day, "pass 2 on Monday (the weekend skipped)");
    assert.strictEqual(out[10].payload.ts, first + 4 * day, "pass 3 on Tuesday");
    assert.ok(
      out.every((m) => m.payload.recvTs - m.payload.ts === 1000),
      "recvTs shifts with ts",
    );
  });
});
