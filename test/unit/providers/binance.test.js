"use strict";
const assert = require("assert");
const { BinanceSession, createBinance } = require("../../../dist/lib/providers/binance");
const { fakeCtx, feed } = require("../../support/session-ctx");

const PAIRS = ["btcusdt", "ethusdt"];
const ctx = () => fakeCtx({ provider: "binance", apiKey: "", upstream: { trades: PAIRS, quotes: PAIRS }, recvTs: 1672515782200000 });

describe("binance adapter: parser", function () {
  it("parses combined-stream trades: decimal strings to numbers, ms to µs, subscribed spelling", function () {
    const c = ctx();
    const s = new BinanceSession(c, "trade", false);
    s.subscribe({ add: { trades: ["btcusdt"], quotes: [] }, remove: { trades: [], quotes: [] }, all: { trades: ["btcusdt"], quotes: [] } });
    feed(s, {
      stream: "btcusdt@trade",
      data: { e: "trade", E: 1672515782136, s: "BTCUSDT", t: 12345, p: "0.001", q: "100", T: 1672515782136, m: true, M: true },
    });
    assert.deepStrictEqual(c.ticks, [
      {
        symbol: "btcusdt",
        type: "trade",
        price: 0.001,
        size: 100,
        ts: 1672515782136000,
        recvTs: 1672515782200000,
        id: "12345",
        provider: "binance",
        extra: { buyerIsMaker: true },
      },
    ]);
  });

  it("reads raw-stream aggTrades (id a), µs times, and bookTicker quotes", function () {
    const c = ctx();
    const s = new BinanceSession(c, "aggTrade", true);
    s.subscribe({
      add: { trades: ["btcusdt"], quotes: ["ethusdt"] },
      remove: { trades: [], quotes: [] },
      all: { trades: ["btcusdt"], quotes: ["ethusdt"] },
    });
    feed(s, { e: "aggTrade", s: "BTCUSDT", a: 777, p: "1.5", q: "2", f: 100, l: 105, T: 1672515782136123, m: false });
    feed(s, { stream: "ethusdt@bookTicker", data: { u: 400900217, s: "ETHUSDT", b: "25.35", B: "31.21", a: "25.36", A: "40.66" } });
    assert.strictEqual(c.ticks[0].id, "777");
    assert.strictEqual(c.ticks[0].ts, 1672515782136123);
    assert.deepStrictEqual(c.ticks[1], {
      symbol: "ethusdt",
      type: "quote",
      bid: 25.35,
      bidSize: 31.21,
      ask: 25.36,
      askSize: 40.66,
      ts: 1672515782200000,
      recvTs: 1672515782200000,
      provider: "binance",
      seq: 400900217,
    });
    assert.deepStrictEqual(
      c.sent.map((m) => m.params),
      [["btcusdt@aggTrade"], ["ethusdt@bookTicker"]],
    );
  });

  it("matches acks and nested errors to their requests; serverShutdown reconnects", function () {
    const c = ctx();
    const s = new BinanceSession(c, "trade", false);
    s.subscribe({
      add: { trades: ["btcusdt", "nope"], quotes: [] },
      remove: { trades: ["ethusdt"], quotes: [] },
      all: { trades: ["btcusdt", "nope"], quotes: [] },
    });
    const [unsub, sub] = c.sent;
    assert.strictEqual(unsub.method, "UNSUBSCRIBE");
    feed(s, { result: null, id: unsub.id });
    feed(s, { error: { code: 2, msg: "Invalid request: invalid stream" }, id: sub.id });
    feed(s, { stream: "!serverShutdown", data: { e: "serverShutdown", E: 1 } });
    feed(s, "{bad");
    assert.deepStrictEqual(
      c.calls.map((x) => x[0]),
      ["unsubscribed", "rejected", "fail", "malformed"],
    );
    assert.deepStrictEqual(c.calls[1].slice(1, 3), [["btcusdt", "nope"], "trades"]);
    assert.strictEqual(c.calls[2][1].code, "server_shutdown");
  });

  it("has Binance's limits and endpoints", function () {
    const p = createBinance({ provider: "binance", url: "", apiKey: "", apiSecret: "", options: {} });
    assert.strictEqual(p.connectUrl(), "wss://stream.binance.com:9443/stream");
    assert.strictEqual(p.limits.symbolsPerConnection, 1024);
    assert.ok(p.limits.messagesPerSecond < 5);
    const us = createBinance({
      provider: "binance",
      url: "",
      apiKey: "",
      apiSecret: "",
      options: { endpoint: "data-stream", timeUnit: "us" },
    });
    assert.strictEqual(us.connectUrl(), "wss://data-stream.binance.vision/stream?timeUnit=MICROSECOND");
  });

  // [name, session args, frame, expected ticks]
  const table = [
    [
      "combined trade (ms)",
      ["trade", false],
      { stream: "btcusdt@trade", data: { e: "trade", E: 1, s: "BTCUSDT", t: 5, p: "1.10", q: "2", T: 1672515782136, m: false, M: true } },
      [["btcusdt", "5", 1.1, 2, 1672515782136000]],
    ],
    [
      "raw trade (not wrapped, /ws endpoint)",
      ["trade", false],
      { e: "trade", E: 1, s: "BTCUSDT", t: 6, p: "1", q: "1", T: 1672515782136, m: true },
      [["btcusdt", "6", 1, 1, 1672515782136000]],
    ],
    [
      "combined aggTrade keyed on a, not t or f/l",
      ["aggTrade", false],
      {
        stream: "btcusdt@aggTrade",
        data: { e: "aggTrade", E: 1, s: "BTCUSDT", a: 77, p: "3", q: "4", f: 100, l: 105, T: 1672515782136, m: true },
      },
      [["btcusdt", "77", 3, 4, 1672515782136000]],
    ],
    [
      "timeUnit=MICROSECOND: T already in µs",
      ["trade", true],
      { stream: "btcusdt@trade", data: { e: "trade", s: "BTCUSDT", t: 7, p: "1", q: "1", T: 1672515782136123 } },
      [["btcusdt", "7", 1, 1, 1672515782136123]],
    ],
    [
      "a trade id above 2^31 stays exact",
      ["trade", false],
      { stream: "btcusdt@trade", data: { e: "trade", s: "BTCUSDT", t: 5039421711, p: "1", q: "1", T: 1 } },
      [["btcusdt", "5039421711", 1, 1, 1000]],
    ],
    [
      "unknown event types (24hrTicker, kline) are ignored",
      ["trade", false],
      { stream: "btcusdt@ticker", data: { e: "24hrTicker", s: "BTCUSDT", c: "1" } },
      [],
    ],
    [
      "a symbol not subscribed is ignored",
      ["trade", false],
      { stream: "xrpusdt@trade", data: { e: "trade", s: "XRPUSDT", t: 1, p: "1", q: "1", T: 1 } },
      [],
    ],
    ["LIST_SUBSCRIPTIONS answer (array result) is no tick and no error", ["trade", false], { result: ["btcusdt@trade"], id: 99 }, []],
  ];
  for (const [name, args, frame, expected] of table) {
    it("table: " + name, function () {
      const c = ctx();
      const s = new BinanceSession(c, ...args);
      s.subscribe({
        add: { trades: ["btcusdt"], quotes: [] },
        remove: { trades: [], quotes: [] },
        all: { trades: ["btcusdt"], quotes: [] },
      });
      feed(s, frame);
      assert.deepStrictEqual(
        c.ticks.map((t) => [t.symbol, t.id, t.price, t.size, t.ts]),
        expected,
      );
      assert.deepStrictEqual(
        c.calls.filter((x) => x[0] !== "subscribed"),
        [],
      );
    });
  }

  it("an error for an unparsable request (id null) warns; an error naming one stream refuses only it and asks again for the rest", function () {
    const c = ctx();
    const s = new BinanceSession(c, "trade", false);
    feed(s, { error: { code: 3, msg: "Invalid JSON" }, id: null });
    assert.deepStrictEqual(
      c.calls.map((x) => x.slice(0, 2)),
      [["warn", "binance_3"]],
    );
    s.subscribe({
      add: { trades: ["btcusdt", "ethusdt", "zzz"], quotes: [] },
      remove: { trades: [], quotes: [] },
      all: { trades: ["btcusdt", "ethusdt", "zzz"], quotes: [] },
    });
    const first = c.sent[0];
    feed(s, { error: { code: 2, msg: "Invalid request: invalid stream zzz@trade" }, id: first.id });
    const rejected = c.calls.filter((x) => x[0] === "rejected");
    assert.deepStrictEqual(
      rejected.map((x) => x[1]),
      [["zzz"]],
    );
    assert.deepStrictEqual(c.sent[1].params, ["btcusdt@trade", "ethusdt@trade"]);
    feed(s, { result: null, id: c.sent[1].id });
    assert.deepStrictEqual(
      c.calls.filter((x) => x[0] === "subscribed").map((x) => x[1]),
      [["btcusdt", "ethusdt"]],
    );
  });

  it("a symbol that cannot be a stream name is refused by name and never sent", function () {
    const c = ctx();
    const s = new BinanceSession(c, "trade", false);
    s.subscribe({
      add: { trades: ["btcusdt", "BTC-USD", "eth/usdt"], quotes: [] },
      remove: { trades: [], quotes: [] },
      all: { trades: ["btcusdt", "BTC-USD", "eth/usdt"], quotes: [] },
    });
    assert.deepStrictEqual(
      c.sent.map((m) => m.params),
      [["btcusdt@trade"]],
    );
    const r = c.calls.find((x) => x[0] === "rejected");
    assert.deepStrictEqual(r.slice(1, 4), [["BTC-USD", "eth/usdt"], "trades", "invalid_symbol"]);
  });

  it("data watchdog (stallSec): fails 'stale' after the period without a trade while subscribed; off by default and while nothing is subscribed", function () {
    let now = 1_000_000_000;
    const c = ctx();
    c.now = () => now * 1000;
    const s = new BinanceSession(c, "trade", false, 400);
    s.heartbeat();
    now += 300;
    feed(s, { stream: "btcusdt@trade", data: { e: "trade", s: "BTCUSDT", t: 1, p: "1", q: "1", T: 1 } });
    now += 300;
    s.heartbeat();
    assert.strictEqual(c.calls.filter((x) => x[0] === "fail").length, 0, "data 300 ms ago");
    now += 150;
    s.heartbeat();
    const fails = c.calls.filter((x) => x[0] === "fail");
    assert.strictEqual(fails.length, 1);
    assert.strictEqual(fails[0][1].code, "stale");
    assert.strictEqual(fails[0][1].kind, "transient");
    const idle = ctx();
    idle.now = () => now * 1000;
    idle.upstream = () => new Set();
    const s2 = new BinanceSession(idle, "trade", false, 400);
    now += 10_000;
    s2.heartbeat();
    assert.strictEqual(idle.calls.length, 0, "nothing subscribed: silence is fine");
    const off = createBinance({ provider: "binance", url: "", apiKey: "", apiSecret: "", options: {} });
    assert.strictEqual(off.timing.heartbeatMs, 0);
    const on = createBinance({ provider: "binance", url: "", apiKey: "", apiSecret: "", options: { stallSec: "120" } });
    assert.ok(on.timing.heartbeatMs > 0 && on.timing.heartbeatMs <= 30000);
  });
});
