"use strict";
const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const zlib = require("zlib");
const { parseJsonLine, csvLayout, parseCsvLine, splitCsv, symbolFromFileName } = require("../../dist/lib/replay/records");
const { openLines, MAX_LINE_BYTES } = require("../../dist/lib/replay/lines");
const { loopShift } = require("../../dist/lib/replay/clock");
const { replayOptions, replayTime } = require("../../dist/lib/providers/replay");
const { resolveSettings, resolveReplayFile } = require("../../dist/nodes/tick-feed/settings");
const { statusView } = require("../../dist/nodes/tick-subscribe/status");

const us = (iso) => Date.parse(iso) * 1000;
const DAY = 86_400_000_000;

describe("replay records", function () {
  it("reads a Tick line as the core file node writes it, and batch arrays; the clock is the recorded recvTs", function () {
    const t = {
      symbol: "AAPL",
      type: "trade",
      price: 1.5,
      size: 10,
      bid: null,
      bidSize: null,
      ask: null,
      askSize: null,
      ts: 1000,
      recvTs: 1900,
      exchange: "Q",
      conditions: ["@"],
      id: "18446744073709551615",
      seq: null,
      provider: "polygon",
      backfill: false,
      extra: { tape: "C" },
    };
    const [r] = parseJsonLine(JSON.stringify(t));
    assert.deepStrictEqual(r.tick, {
      symbol: "AAPL",
      type: "trade",
      ts: 1000,
      recvTs: 1000,
      provider: "polygon",
      price: 1.5,
      size: 10,
      exchange: "Q",
      conditions: ["@"],
      id: "18446744073709551615",
      extra: { tape: "C" },
    });
    assert.strictEqual(r.clock, 1900);
    assert.strictEqual(parseJsonLine(JSON.stringify([t, { ...t, id: "2" }])).length, 2);
    assert.strictEqual(
      parseJsonLine(JSON.stringify({ ...t, backfill: true }))[0].tick.backfill,
      true,
      "a recorded backfilled trade stays one",
    );
    const q = parseJsonLine(JSON.stringify({ symbol: "X", bid: 1, ask: 2, ts: 5 }))[0].tick;
    assert.strictEqual(q.type, "quote");
    assert.strictEqual(q.provider, "replay", "no or unknown provider: replay");
  });

  it("refuses lines that cannot make a tick, with a reason", function () {
    assert.strictEqual(parseJsonLine("{oops"), "invalid JSON");
    assert.strictEqual(parseJsonLine('"text"'), "not a tick object");
    assert.strictEqual(parseJsonLine('{"symbol":"A","price":1}'), "no valid time");
    assert.strictEqual(parseJsonLine('{"price":1,"ts":5}'), "no symbol");
    assert.strictEqual(parseJsonLine('{"symbol":"A","type":"trade","ts":5}'), "trade without a price");
  });

  it("maps CSV header aliases, separators and quoting", function () {
    const l = csvLayout("Time_Stamp;Ticker;Last;Qty;Sale Condition;Trade-ID;whatever", "");
    assert.strictEqual(l.sep, ";");
    assert.deepStrictEqual(l.columns, ["ts", "symbol", "price", "size", "conditions", "id", undefined]);
    assert.deepStrictEqual(splitCsv('a,"b,c","d""e",', ","), ["a", "b,c", 'd"e', ""]);
    const [r] = parseCsvLine("2026-11-17T15:00:00.123456789Z;AAPL;1.25;300;@ I;77;x", l);
    assert.deepStrictEqual(
      [r.tick.ts, r.tick.price, r.tick.size, r.tick.conditions, r.tick.id],
      [us("2026-11-17T15:00:00Z") + 123456, 1.25, 300, ["@", "I"], "77"],
    );
    const tab = csvLayout("t\tsym\tbid\task\tbid_size\task_size", "");
    const [qr] = parseCsvLine("1763391600000000000\tEURUSD\t1.1\t1.2\t5\t6", tab);
    assert.deepStrictEqual([qr.tick.type, qr.tick.ts, qr.tick.bidSize, qr.tick.askSize], ["quote", 1763391600000000, 5, 6]);
    assert.match(csvLayout("symbol,price", ""), /no time column/);
    assert.match(csvLayout("time,symbol,size", ""), /no price/);
    assert.match(csvLayout("time,price", ""), /no symbol column/);
    assert.strictEqual(csvLayout("time,price", "AAPL").symbol, "AAPL");
    assert.strictEqual(parseCsvLine("x,AAPL,1", csvLayout("time,symbol,price", "")), "no valid time");
  });

  it("takes the symbol from a file name when the CSV has no symbol column", function () {
    assert.strictEqual(symbolFromFileName("AAPL.csv.gz"), "AAPL");
    assert.strictEqual(symbolFromFileName("msft_trades_2026-11-17.csv"), "MSFT");
    assert.strictEqual(symbolFromFileName("BTC-USD.csv"), "BTC-USD");
  });
});

describe("replay line reader", function () {
  let dir;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "tickstream-lines-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const all = async (file) => {
    const src = await openLines(file);
    const out = [];
    for (let l = await src.next(); l !== null; l = await src.next()) out.push(l);
    return { out, src };
  };

  it("reads CRLF and a last line without a break, plain or gzip (by magic bytes, whatever the name)", async function () {
    const text = "a\r\nb\nc";
    fs.writeFileSync(path.join(dir, "p.txt"), text);
    fs.writeFileSync(path.join(dir, "g.txt"), zlib.gzipSync(text));
    for (const name of ["p.txt", "g.txt"]) {
      const { out, src } = await all(path.join(dir, name));
      assert.deepStrictEqual(out, ["a", "b", "c"], name);
      assert.strictEqual(src.gzip, name === "g.txt");
      assert.strictEqual(src.bytesRead, src.size, "progress reaches the file size");
    }
  });

  it("skips an over-long line (reported as undefined) and goes on; multi-byte text split across chunks stays intact", async function () {
    const long = "x".repeat(MAX_LINE_BYTES + 10);
    const euro = "€".repeat(40000); // 120,000 bytes: crosses 64 KiB chunk boundaries mid-character
    fs.writeFileSync(path.join(dir, "long.txt"), `first\n${long}\n${euro}\nlast\n`);
    const { out } = await all(path.join(dir, "long.txt"));
    assert.deepStrictEqual(out, ["first", undefined, euro, "last"]);
  });

  it("rejects a missing file and a directory", async function () {
    await assert.rejects(openLines(path.join(dir, "none")), { code: "ENOENT" });
    await assert.rejects(openLines(dir), /not a file/);
  });
});

describe("replay options and loop shift", function () {
  it("checks speed, from and to", function () {
    assert.deepStrictEqual(replayOptions({ file: "/x" }), { file: "/x", speed: 1, loop: false, from: null, to: null });
    const o = replayOptions({ file: "/x", speed: "0", loop: true, from: "2026-11-17T14:30:00Z", to: "1795000000000000" });
    assert.deepStrictEqual([o.speed, o.loop, o.from, o.to], [0, true, us("2026-11-17T14:30:00Z"), 1795000000000000]);
    assert.throws(() => replayOptions({}), /needs a file/);
    assert.throws(() => replayOptions({ file: "/x", speed: -1 }), /speed/);
    assert.throws(() => replayOptions({ file: "/x", from: "monday" }), /from/);
    assert.throws(() => replayOptions({ file: "/x", from: "2026-11-18", to: "2026-11-17" }), /after/);
    assert.strictEqual(replayTime(""), null);
    assert.strictEqual(replayTime(1795000000000000), 1795000000000000);
  });

  it("shifts a pass by whole days to the next NYSE trading day", function () {
    const tue = us("2026-11-17T14:30:00Z");
    assert.strictEqual(loopShift(tue, tue + 6.5 * 3600e6), DAY, "Tuesday -> Wednesday");
    const fri = us("2026-11-20T14:30:00Z");
    assert.strictEqual(loopShift(fri, fri + 3600e6), 3 * DAY, "Friday -> Monday");
    const wed = us("2026-11-25T14:30:00Z");
    assert.strictEqual(loopShift(wed, wed + 3600e6), 2 * DAY, "Wednesday -> Friday (Thanksgiving skipped)");
    assert.strictEqual(loopShift(tue, tue + 2.5 * DAY), 3 * DAY, "a 2.5-day file moves 3 days");
    const sat = us("2026-11-21T12:00:00Z");
    assert.strictEqual(loopShift(sat, sat + 3600e6), DAY, "a crypto file recorded on a Saturday: next day");
  });

  it("tick-feed: replay properties become provider options; relative files resolve against the given folders", function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tickstream-dirs-"));
    try {
      fs.mkdirSync(path.join(dir, "b", "data"), { recursive: true });
      fs.writeFileSync(path.join(dir, "b", "data", "f.jsonl"), "");
      const dirs = [path.join(dir, "a"), path.join(dir, "b")];
      assert.strictEqual(resolveReplayFile("data/f.jsonl", dirs), path.join(dir, "b", "data", "f.jsonl"), "the first folder that has it");
      assert.strictEqual(resolveReplayFile("data/none.jsonl", dirs), path.join(dir, "a", "data", "none.jsonl"), "else the first candidate");
      assert.strictEqual(resolveReplayFile("/abs/f", dirs), "/abs/f");
      assert.strictEqual(resolveReplayFile("~/f", dirs), path.join(os.homedir(), "f"));
      const s = resolveSettings({ provider: "replay", file: "data/f.jsonl", speed: "10", loop: true, from: "", to: "" }, {}, dirs);
      assert.deepStrictEqual(s.options, { file: path.join(dir, "b", "data", "f.jsonl"), speed: "10", loop: true, from: "", to: "" });
      // The shipped sample resolves from the package folder by default.
      const d = resolveSettings({ provider: "replay", file: "data/sample-session.jsonl.gz" }, {});
      assert.ok(fs.existsSync(d.options.file), d.options.file);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("tick-subscribe status shows the replay's progress", function () {
    const open = { state: "open", connections: 1, open: 1, unplaced: 0, at: 0 };
    const p = { state: "playing", pass: 1, percent: 42.7, clock: us("2026-11-17T15:31:05Z"), speed: 10 };
    assert.deepStrictEqual(statusView(open, 2, 99.6, 0, p), {
      fill: "green",
      shape: "dot",
      key: "replay",
      params: { percent: 42, time: "2026-11-17 15:31:05Z", pass: 1, rate: 100, speed: 10 },
    });
    assert.strictEqual(statusView(open, 2, 0, 0, { ...p, pass: 2 }).key, "replay-pass");
    assert.deepStrictEqual(
      [statusView(open, 2, 0, 0, { ...p, state: "paused" })].map((v) => [v.fill, v.shape, v.key]),
      [["grey", "dot", "replay-paused"]],
    );
    assert.deepStrictEqual(
      [statusView(open, 2, 0, 0, { ...p, state: "ended" })].map((v) => [v.fill, v.key]),
      [["grey", "replay-ended"]],
    );
    assert.deepStrictEqual(
      [statusView({ ...open, state: "failed", error: { code: "replay_file", message: "" } }, 2, 0, 0, p)].map((v) => [v.fill, v.key]),
      [["red", "replay-file"]],
    );
  });
});
