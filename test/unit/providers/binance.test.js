"use strict";
const assert = require("assert");
const { BinanceSession, createBinance } = require("../../../dist/lib/providers/binance");

function ctx() {
  const c = { ticks: [], sent: [], calls: [], frameRecvTs: 1672515782200000 };
  c.settings = { provider: "binance", url: "", apiKey: "", apiSecret: "", options: {} };
  c.tick = (t) => c.ticks.push(t);
  c.send = (m) => c.sent.push(m);
  for (const name of ["ready", "fail", "warn", "malformed", "subscribed", "unsubscribed", "rejected"]) c[name] = (...a) => c.calls.push([name, ...a]);
  c.upstream = () => new Set(["btcusdt", "ethusdt"]);
  return c;
}
const feed = (s, v) => s.message(Buffer.from(typeof v === "string" ? v : JSON.stringify(v)));

describe("binance adapter: parser", function () {
  it("parses combined-stream trades: decimal strings to numbers, ms to µs, subscribed spelling", function () {
    const c = ctx();
    const s = new BinanceSession(c, "trade", false);
    s.subscribe({ add: { trades: ["btcusdt"], quotes: [] }, remove: { trades: [], quotes: [] }, all: { trades: ["btcusdt"], quotes: [] } });
    feed(s, { stream: "btcusdt@trade", data: { e: "trade", E: 1672515782136, s: "BTCUSDT", t: 12345, p: "0.001", q: "100", T: 1672515782136, m: true, M: true } });
    assert.deepStrictEqual(c.ticks, [{ symbol: "btcusdt", type: "trade", price: 0.001, size: 100, ts: 1672515782136000, recvTs: 1672515782200000, id: "12345", provider: "binance", extra: { buyerIsMaker: true } }]);
  });

  it("reads raw-stream aggTrades (id a), µs times, and bookTicker quotes", function () {
    const c = ctx();
    const s = new BinanceSession(c, "aggTrade", true);
    s.subscribe({ add: { trades: ["btcusdt"], quotes: ["ethusdt"] }, remove: { trades: [], quotes: [] }, all: { trades: ["btcusdt"], quotes: ["ethusdt"] } });
    feed(s, { e: "aggTrade", s: "BTCUSDT", a: 777, p: "1.5", q: "2", f: 100, l: 105, T: 1672515782136123, m: false });
    feed(s, { stream: "ethusdt@bookTicker", data: { u: 400900217, s: "ETHUSDT", b: "25.35", B: "31.21", a: "25.36", A: "40.66" } });
    assert.strictEqual(c.ticks[0].id, "777");
    assert.strictEqual(c.ticks[0].ts, 1672515782136123);
    assert.deepStrictEqual(c.ticks[1], { symbol: "ethusdt", type: "quote", bid: 25.35, bidSize: 31.21, ask: 25.36, askSize: 40.66, ts: 1672515782200000, recvTs: 1672515782200000, provider: "binance", seq: 400900217 });
    assert.deepStrictEqual(c.sent.map((m) => m.params), [["btcusdt@aggTrade"], ["ethusdt@bookTicker"]]);
  });

  it("matches acks and nested errors to their requests; serverShutdown reconnects", function () {
    const c = ctx();
    const s = new BinanceSession(c, "trade", false);
    s.subscribe({ add: { trades: ["btcusdt", "nope"], quotes: [] }, remove: { trades: ["ethusdt"], quotes: [] }, all: { trades: ["btcusdt", "nope"], quotes: [] } });
    const [unsub, sub] = c.sent;
    assert.strictEqual(unsub.method, "UNSUBSCRIBE");
    feed(s, { result: null, id: unsub.id });
    feed(s, { error: { code: 2, msg: "Invalid request: invalid stream" }, id: sub.id });
    feed(s, { stream: "!serverShutdown", data: { e: "serverShutdown", E: 1 } });
    feed(s, "{bad");
    assert.deepStrictEqual(c.calls.map((x) => x[0]), ["unsubscribed", "rejected", "fail", "malformed"]);
    assert.deepStrictEqual(c.calls[1].slice(1, 3), [["btcusdt", "nope"], "trades"]);
    assert.strictEqual(c.calls[2][1].code, "server_shutdown");
  });

  it("has Binance's limits and endpoints", function () {
    const p = createBinance({ provider: "binance", url: "", apiKey: "", apiSecret: "", options: {} });
    assert.strictEqual(p.connectUrl(), "wss://stream.binance.com:9443/stream");
    assert.strictEqual(p.limits.symbolsPerConnection, 1024);
    assert.ok(p.limits.messagesPerSecond < 5);
    const us = createBinance({ provider: "binance", url: "", apiKey: "", apiSecret: "", options: { endpoint: "data-stream", timeUnit: "us" } });
    assert.strictEqual(us.connectUrl(), "wss://data-stream.binance.vision/stream?timeUnit=MICROSECOND");
  });
});
