"use strict";
const assert = require("assert");
const { createGeneric } = require("../../dist/lib/providers/generic");
const { genericConfig, fillTemplate } = require("../../dist/lib/providers/generic-config");
const { GenericParser } = require("../../dist/lib/providers/generic-parser");

function ctxStub() {
  const ticks = [];
  return {
    ticks,
    frameRecvTs: 1700000000000000,
    tick: (t) => ticks.push(t),
    upstream: () => new Set(["AAPL", "TSLA", "btcusdt"]),
  };
}

function parse(options, frame, resolve = (s) => s) {
  const p = new GenericParser(genericConfig(options), "generic");
  const ctx = ctxStub();
  const bad = p.frame(Buffer.from(typeof frame === "string" ? frame : JSON.stringify(frame)), ctx, resolve);
  return { bad, ticks: ctx.ticks };
}

describe("generic provider: parser", function () {
  it("reads the default shape, single or array", function () {
    const one = parse({}, { symbol: "AAPL", price: 189.2, size: 100, time: 1732377600123 });
    assert.strictEqual(one.bad, null);
    assert.deepStrictEqual(one.ticks[0], {
      symbol: "AAPL",
      type: "trade",
      price: 189.2,
      size: 100,
      ts: 1732377600123000,
      recvTs: 1700000000000000,
      provider: "generic",
    });
    const many = parse({}, [
      { symbol: "AAPL", price: 1, time: 1 },
      { symbol: "TSLA", price: "2.5", time: "2024-01-02T03:04:05.123456Z" },
    ]);
    assert.strictEqual(many.ticks.length, 2);
    assert.strictEqual(many.ticks[1].price, 2.5);
    assert.strictEqual(many.ticks[1].ts, Date.UTC(2024, 0, 2, 3, 4, 5, 123) * 1000 + 456);
  });

  it("follows a custom mapping, nested data path, time unit and big ids", function () {
    const opts = {
      symbolField: "s",
      priceField: "d.p",
      sizeField: "d.q",
      timeField: "T",
      timeUnit: "ns",
      idField: "t",
      dataPath: "data",
      bigInts: true,
    };
    const r = parse(
      opts,
      '{"stream":"x","data":{"s":"btcusdt","d":{"p":"42000.5","q":"0.01"},"T":1700000000123456789,"t":3447222699101865076}}',
    );
    assert.strictEqual(r.bad, null);
    assert.strictEqual(r.ticks[0].price, 42000.5);
    assert.strictEqual(r.ticks[0].ts, 1700000000123456);
    assert.strictEqual(r.ticks[0].id, "3447222699101865076");
  });

  it("makes quotes from bid/ask without a price, or from the type field", function () {
    const r = parse({}, [
      { symbol: "AAPL", bid: 1, ask: 2, bidSize: 3, askSize: 4, time: 5 },
      { symbol: "AAPL", type: "quote", bid: 1, time: 6 },
    ]);
    assert.strictEqual(r.ticks[0].type, "quote");
    assert.strictEqual(r.ticks[0].askSize, 4);
    assert.strictEqual(r.ticks[1].type, "quote");
  });

  it("maps wire symbols back to the subscribed spelling and skips unknown ones", function () {
    const resolve = (w) => ({ BTCUSDT: "btcusdt" })[w];
    const r = parse(
      {},
      [
        { symbol: "BTCUSDT", price: 1, time: 1 },
        { symbol: "ETHUSDT", price: 1, time: 1 },
      ],
      resolve,
    );
    assert.deepStrictEqual(
      r.ticks.map((t) => t.symbol),
      ["btcusdt"],
    );
  });

  it("ignores control messages and reports garbage", function () {
    assert.strictEqual(parse({}, { event: "subscribed", symbols: ["AAPL"] }).bad, null);
    assert.strictEqual(parse({}, "{oops").bad, "invalid JSON");
    assert.match(parse({}, { symbol: "AAPL", price: "x", time: 1 }).bad, /bad price/);
    assert.match(parse({}, { symbol: "AAPL", price: 1, time: "soon" }).bad, /bad time/);
    assert.strictEqual(parse({}, 42).bad, "not an object");
  });

  it("uses the receipt time when a frame has no time", function () {
    assert.strictEqual(parse({}, { symbol: "AAPL", price: 1 }).ticks[0].ts, 1700000000000000);
  });
});

describe("generic provider: templates and settings", function () {
  it("fills $symbols, $csv, $symbol, $channel and credentials", function () {
    const t = { action: "subscribe", symbols: "$symbols", csv: "$csv", ch: "$channel", auth: { k: "$key" }, keep: "$unknown" };
    assert.deepStrictEqual(fillTemplate(t, { symbols: ["A", "B"], csv: "A,B", channel: "trades", key: "K" }), {
      action: "subscribe",
      symbols: ["A", "B"],
      csv: "A,B",
      ch: "trades",
      auth: { k: "K" },
      keep: "$unknown",
    });
  });

  it("refuses a missing URL or a broken template at deploy time with a clear error", function () {
    const base = { provider: "generic", url: "ws://127.0.0.1:1/", apiKey: "", apiSecret: "" };
    assert.throws(() => createGeneric({ ...base, url: "", options: {} }), /needs a WebSocket URL/);
    assert.throws(() => createGeneric({ ...base, options: { subscribeTemplate: "{nope" } }), /subscribeTemplate is not valid JSON/);
    const p = createGeneric({ ...base, options: { idField: "" } });
    assert.strictEqual(p.contentKeys, true, "no id field: content keys");
  });
});
