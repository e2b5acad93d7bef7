"use strict";
const assert = require("assert");
const { FinnhubSession, createFinnhub } = require("../../../dist/lib/providers/finnhub");
const { contentKey } = require("../../../dist/lib/providers/common");
const { fakeCtx, feed, change } = require("../../support/session-ctx");

const ctx = (trades = ["AAPL", "BINANCE:BTCUSDT", "OANDA:EUR_USD"]) => fakeCtx({ provider: "finnhub", upstream: { trades }, recvTs: 5 });

describe("finnhub adapter: parser", function () {
  it("is ready at open (the token was checked at the upgrade); one message per symbol, unsubscribes first, reported as sent", function () {
    const c = ctx();
    const s = new FinnhubSession(c);
    s.open();
    s.subscribe(change({ trades: ["AAPL", "BINANCE:BTCUSDT"] }, { trades: ["MSFT"] }));
    assert.deepStrictEqual(c.sent, [
      { type: "unsubscribe", symbol: "MSFT" },
      { type: "subscribe", symbol: "AAPL" },
      { type: "subscribe", symbol: "BINANCE:BTCUSDT" },
    ]);
    assert.deepStrictEqual(c.calls, [
      ["ready"],
      ["unsubscribed", ["MSFT"], "trades"],
      ["subscribed", ["AAPL", "BINANCE:BTCUSDT"], "trades"],
    ]);
  });

  // [name, frame, expected ticks]
  const table = [
    [
      "stock prints with string conditions (doc example), ms to µs",
      { type: "trade", data: [{ s: "AAPL", p: 146.76, t: 1628238530221, v: 43, c: ["1", "24", "12"] }] },
      [
        {
          symbol: "AAPL",
          type: "trade",
          price: 146.76,
          ts: 1628238530221000,
          recvTs: 5,
          provider: "finnhub",
          size: 43,
          conditions: ["1", "24", "12"],
        },
      ],
    ],
    [
      "crypto without conditions; FX with volume 0 (price-only venues)",
      {
        type: "trade",
        data: [
          { s: "BINANCE:BTCUSDT", p: 7296.89, t: 1575526691134, v: 0.011467 },
          { s: "OANDA:EUR_USD", p: 1.0871, t: 1575526691135, v: 0 },
        ],
      },
      [
        { symbol: "BINANCE:BTCUSDT", type: "trade", price: 7296.89, ts: 1575526691134000, recvTs: 5, provider: "finnhub", size: 0.011467 },
        { symbol: "OANDA:EUR_USD", type: "trade", price: 1.0871, ts: 1575526691135000, recvTs: 5, provider: "finnhub", size: 0 },
      ],
    ],
    [
      "prints not time-ordered inside a message (#143) keep their order; symbols not subscribed are skipped",
      {
        type: "trade",
        data: [
          { s: "AAPL", p: 2, t: 1628238530300, v: 1 },
          { s: "IBM", p: 9, t: 1628238530250, v: 1 },
          { s: "AAPL", p: 1, t: 1628238530200, v: 1 },
        ],
      },
      [
        { symbol: "AAPL", type: "trade", price: 2, ts: 1628238530300000, recvTs: 5, provider: "finnhub", size: 1 },
        { symbol: "AAPL", type: "trade", price: 1, ts: 1628238530200000, recvTs: 5, provider: "finnhub", size: 1 },
      ],
    ],
    [
      "[?] numbers as strings: price, time and size read (plain decimal text)",
      { type: "trade", data: [{ s: "AAPL", p: "146.5", t: "1628238530221", v: "10" }] },
      [{ symbol: "AAPL", type: "trade", price: 146.5, ts: 1628238530221000, recvTs: 5, provider: "finnhub", size: 10 }],
    ],
    ["a ping", { type: "ping" }, []],
    ["news and unknown message types", { type: "news", data: [{ headline: "x" }] }, []],
    ["a trade message with an empty data array", { type: "trade", data: [] }, []],
  ];
  for (const [name, frame, expected] of table) {
    it(name, function () {
      const c = ctx();
      feed(new FinnhubSession(c), frame);
      assert.deepStrictEqual(c.ticks, expected);
      assert.deepStrictEqual(c.of("malformed"), []);
    });
  }

  it("reports garbage as malformed and never throws", function () {
    const c = ctx();
    const s = new FinnhubSession(c);
    for (const f of ["not json", "null", "42", JSON.stringify({ type: "trade", data: [{ s: "AAPL", p: "x", t: 1 }, null, 7] })]) feed(s, f);
    assert.strictEqual(c.ticks.length, 0);
    assert.strictEqual(c.of("malformed").length, 4);
  });

  it("names exactly the refused symbols: the k-th 'too many symbols' error refuses the k-th symbol from the end", function () {
    const c = ctx();
    const s = new FinnhubSession(c);
    s.subscribe(change({ trades: ["A", "B", "C", "D"] }));
    s.subscribe(change({ trades: ["E"] }, {}, { trades: ["A", "B", "C", "D", "E"] }));
    for (let i = 0; i < 3; i++) feed(s, { type: "error", msg: "Subscribing to too many symbols" }); // limit 2: C, D, E refused
    const refused = c.of("rejected");
    assert.deepStrictEqual(
      refused
        .map((r) => r[0])
        .flat()
        .sort(),
      ["C", "D", "E"],
    );
    assert.ok(refused.every((r) => r[1] === "trades" && r[2] === "symbol_limit" && /unsubscribe/.test(r[3])));
    feed(s, { type: "error", msg: "Something else" });
    assert.strictEqual(c.of("rejected").length, 3);
    assert.deepStrictEqual(
      c.of("warn").map((w) => w[0]),
      ["finnhub_error"],
    );
    // More errors than symbols sent: a warning, nobody wrongly named.
    const c2 = ctx();
    const s2 = new FinnhubSession(c2);
    s2.subscribe(change({ trades: ["A"] }));
    feed(s2, { type: "error", msg: "Subscribing to too many symbols" });
    feed(s2, { type: "error", msg: "Subscribing to too many symbols" });
    assert.deepStrictEqual(
      c2.of("rejected").map((r) => r[0]),
      [["A"]],
    );
    assert.deepStrictEqual(
      c2.of("warn").map((w) => w[0]),
      ["symbol_limit"],
    );
  });

  it("after an unsubscribe frees a slot, counting starts afresh", function () {
    const c = ctx();
    const s = new FinnhubSession(c);
    s.subscribe(change({ trades: ["A", "B", "C"] }));
    s.subscribe(change({ trades: ["D"] }, { trades: ["A"] }));
    feed(s, { type: "error", msg: "Subscribing to too many symbols" });
    assert.deepStrictEqual(
      c.of("rejected").map((r) => r[0]),
      [["D"]],
    );
  });

  it("dedups by content (time, price, size, conditions): a replay matches, a different print does not", function () {
    const c = ctx();
    const s = new FinnhubSession(c);
    const m = { type: "trade", data: [{ s: "AAPL", p: 1, t: 10, v: 5, c: ["1"] }] };
    feed(s, m);
    feed(s, m);
    feed(s, { type: "trade", data: [{ s: "AAPL", p: 1, t: 10, v: 6, c: ["1"] }] });
    const p = createFinnhub({ provider: "finnhub", url: "", apiKey: "K", apiSecret: "", options: {} });
    const keys = c.ticks.map((t) => p.dedupKey(t));
    assert.strictEqual(keys[0], keys[1]);
    assert.notStrictEqual(keys[0], keys[2]);
    assert.strictEqual(p.dedupKey, contentKey);
    assert.strictEqual(p.contentKeys, true, "equal prints within one frame are kept apart by the feed");
  });

  it("puts the token in the URL but never in the display URL; limits and timing", function () {
    const p = createFinnhub({ provider: "finnhub", url: "", apiKey: "SeCrEt", apiSecret: "", options: {} });
    assert.strictEqual(p.connectUrl(), "wss://ws.finnhub.io/?token=SeCrEt");
    assert.ok(!p.displayUrl().includes("SeCrEt"));
    assert.strictEqual(p.limits.symbolsPerConnection, 50);
    assert.strictEqual(p.limits.maxConnections, 1);
    assert.ok(p.timing.staleMs > 60000, "longer than the ~1 min server ping");
    assert.strictEqual(
      createFinnhub({ provider: "finnhub", url: "", apiKey: "K", apiSecret: "", options: { symbolsPerConnection: "250" } }).limits
        .symbolsPerConnection,
      250,
    );
    assert.throws(() => createFinnhub({ provider: "finnhub", url: "", apiKey: "", apiSecret: "", options: {} }), /needs an API key/);
  });
});
