"use strict";
/* eslint-disable no-loss-of-precision -- Tiingo sends nanosecond integers above 2^53; the frames
   here carry them as the wire does, rounded exactly as JSON.parse rounds them. */
const assert = require("assert");
const { TiingoSession, tiingoDedupKey, createTiingo, isoToNanos } = require("../../../dist/lib/providers/tiingo");
const { fakeCtx, feed, change } = require("../../support/session-ctx");

const RECV = 1548873225600000;
const TOKEN = "tok-123";

/** A session subscribed (and confirmed) to the given lists at `level`. */
function session({ trades = ["WES", "VYM", "AAPL"], quotes = ["VYM"], level = 5 } = {}) {
  const c = fakeCtx({ provider: "tiingo", apiKey: TOKEN, upstream: { trades, quotes }, recvTs: RECV });
  const s = new TiingoSession(c, level);
  s.open();
  s.subscribe(change({ trades, quotes }));
  feed(s, { messageType: "I", data: { subscriptionId: 7 }, response: { code: 200, message: "Success" } });
  feed(s, {
    messageType: "I",
    data: { tickers: [...new Set([...trades, ...quotes].map((t) => t.toLowerCase()))], thresholdLevel: String(level) },
    response: { code: 200, message: "Success" },
  });
  c.forget("sent", "calls");
  return { c, s };
}

const A = (data) => ({ messageType: "A", service: "iex", data });
/** A trade frame (`code` "B": a trade break) as the IEX feed lays it out: [9] price, [10] size, flags off. */
const trade = (iso, nanos, ticker, price, size, code = "T") =>
  A([code, iso, nanos, ticker, null, null, null, null, null, price, size, null, 0, 0, 0, 0]);

describe("tiingo adapter: protocol", function () {
  it("is ready at open; the first subscribe carries the token, the level and lowercase tickers", function () {
    const c = fakeCtx({ provider: "tiingo", apiKey: TOKEN });
    const s = new TiingoSession(c, 5);
    s.open();
    assert.deepStrictEqual(c.calls, [["ready"]]);
    assert.deepStrictEqual(c.sent, [], "nothing to send without symbols");
    s.subscribe(change({ trades: ["SPY", "AAPL"] }));
    assert.deepStrictEqual(c.sent, [
      { eventName: "subscribe", authorization: TOKEN, eventData: { thresholdLevel: 5, tickers: ["spy", "aapl"] } },
    ]);
  });

  it("holds changes until the subscription id arrives, then sends the difference referencing it; confirms from the server's list", function () {
    const c = fakeCtx({ provider: "tiingo", apiKey: TOKEN });
    const s = new TiingoSession(c, 5);
    s.open();
    s.subscribe(change({ trades: ["SPY", "AAPL"] }));
    s.subscribe(change({ trades: ["MSFT"] }, { trades: ["SPY"] }, { trades: ["AAPL", "MSFT"] }));
    assert.strictEqual(c.sent.length, 1, "the second change waits for the id");
    feed(s, { messageType: "I", data: { subscriptionId: 2563367 }, response: { code: 200, message: "Success" } });
    assert.deepStrictEqual(c.sent.slice(1), [
      { eventName: "unsubscribe", authorization: TOKEN, eventData: { subscriptionId: 2563367, tickers: ["spy"] } },
      { eventName: "subscribe", authorization: TOKEN, eventData: { subscriptionId: 2563367, thresholdLevel: 5, tickers: ["msft"] } },
    ]);
    // The server's list after the first subscribe, then after the changes ("*" and strangers are ignored).
    feed(s, {
      messageType: "I",
      data: { tickers: ["*", "spy", "aapl"], thresholdLevel: "5" },
      response: { code: 200, message: "Success" },
    });
    feed(s, { messageType: "I", data: { tickers: ["aapl", "msft"], thresholdLevel: "5" }, response: { code: 200, message: "Success" } });
    assert.deepStrictEqual(c.of("subscribed"), [
      [["AAPL"], "trades"],
      [["MSFT"], "trades"],
    ]);
    s.subscribe(change({}, { trades: ["AAPL"] }, { trades: ["MSFT"] }));
    assert.deepStrictEqual(c.sent[3], {
      eventName: "unsubscribe",
      authorization: TOKEN,
      eventData: { subscriptionId: 2563367, tickers: ["aapl"] },
    });
    assert.deepStrictEqual(c.of("unsubscribed"), [[["AAPL"], "trades"]]);
  });

  it("a quotes channel on a ticker already carried for trades needs nothing on the wire", function () {
    const { c, s } = session({ trades: ["AAPL"], quotes: [] });
    s.subscribe(change({ quotes: ["AAPL"] }, {}, { trades: ["AAPL"], quotes: ["AAPL"] }));
    assert.deepStrictEqual(c.sent, []);
    assert.deepStrictEqual(c.of("subscribed"), [[["AAPL"], "quotes"]]);
  });

  it("at thresholdLevel 6 quotes are refused by name and never put on the wire", function () {
    const c = fakeCtx({ provider: "tiingo", apiKey: TOKEN });
    const s = new TiingoSession(c, 6);
    s.open();
    s.subscribe(change({ trades: ["AAPL"], quotes: ["AAPL", "MSFT"] }));
    assert.deepStrictEqual(c.sent[0].eventData, { thresholdLevel: 6, tickers: ["aapl"] });
    const [rej] = c.of("rejected");
    assert.deepStrictEqual(rej.slice(0, 3), [["AAPL", "MSFT"], "quotes", "no_quotes"]);
  });
});

describe("tiingo adapter: parser", function () {
  /** An expected IEX trade, the epoch ns it was sent at kept in extra. */
  const iexTrade = (symbol, price, size, ts, nanos) => ({ symbol, type: "trade", price, size, ts, exchange: "IEX", extra: { nanos } });
  /** The tick of the documented trade example. */
  const WES = iexTrade("WES", 50.285, 200, 1548873225594808, "1548873225594808294");
  // [name, data array (or raw frame text), expected tick (without recvTs/provider)]
  const table = [
    [
      "a trade (the documented example): ISO ns time with a NY offset, epoch ns above 2^53",
      '{"messageType":"A","service":"iex","data":["T","2019-01-30T13:33:45.594808294-05:00",1548873225594808294,"wes",null,null,null,null,null,50.285,200,null,0,0,0,0]}',
      WES,
    ],
    [
      "a quote (the documented example), mid price kept in extra",
      '{"messageType":"A","service":"iex","data":["Q","2019-01-30T13:33:45.383129126-05:00",1548873225383129126,"vym",100,81.58,81.585,81.59,100,null,null,0,0,null,null,null]}',
      {
        symbol: "VYM",
        type: "quote",
        bid: 81.58,
        bidSize: 100,
        ask: 81.59,
        askSize: 100,
        ts: 1548873225383129,
        exchange: "IEX",
        extra: { nanos: "1548873225383129126", mid: 81.585 },
      },
    ],
    [
      "flags set to 1 become named conditions (after hours odd lot ISO)",
      A(["T", "2019-07-30T16:05:01.000000001-04:00", "1564517101000000001", "aapl", null, null, null, null, null, 208.1, 3, 0, 1, 1, 1, 0]),
      {
        ...iexTrade("AAPL", 208.1, 3, 1564517101000000, "1564517101000000001"),
        conditions: ["afterHours", "intermarketSweep", "oddLot"],
      },
    ],
    [
      "a halted quote; a UTC (Z) time with fewer fraction digits",
      A(["Q", "2019-01-30T18:33:45.5Z", 1548873225500000000, "vym", 0, null, null, null, 0, null, null, 1, 0, null, null, null]),
      {
        symbol: "VYM",
        type: "quote",
        bidSize: 0,
        askSize: 0,
        ts: 1548873225500000,
        exchange: "IEX",
        conditions: ["halted"],
        extra: { nanos: "1548873225500000000" },
      },
    ],
    [
      "no usable ISO time: the epoch ns (exact) is used",
      '{"messageType":"A","service":"iex","data":["T",null,1548873225594808294,"wes",null,null,null,null,null,50.3,100,null,0,0,0,0]}',
      { ...WES, price: 50.3, size: 100 },
    ],
    [
      "an ISO time to the ms only: the exact epoch ns (same second) is finer and wins",
      '{"messageType":"A","service":"iex","data":["T","2019-01-30T13:33:45.594-05:00",1548873225594808294,"wes",null,null,null,null,null,50.285,200,null,0,0,0,0]}',
      WES,
    ],
    [
      "an epoch ns that disagrees with the ISO time by more than a second is not trusted",
      '{"messageType":"A","service":"iex","data":["T","2019-01-30T13:33:45.594-05:00",1548873299000000000,"wes",null,null,null,null,null,50.285,200,null,0,0,0,0]}',
      iexTrade("WES", 50.285, 200, 1548873225594000, "1548873225594000000"),
    ],
    [
      "prices and sizes as decimal strings",
      trade("2019-01-30T13:33:45.594808294-05:00", "1548873225594808294", "WES", "50.285", "200"),
      WES,
    ],
  ];
  for (const [name, frame, fields] of table) {
    it(name, function () {
      const { c, s } = session();
      feed(s, frame);
      assert.deepStrictEqual(c.calls, []);
      assert.deepStrictEqual(c.ticks, [{ recvTs: RECV, provider: "tiingo", ...fields }]);
    });
  }

  const reference = [
    ["[dateISO, ticker, price] (observed level-6 layout)", ["2026-06-01T10:15:00.123456789-04:00", "aapl", 201.5]],
    ["[ticker, dateISO, price] (order not confirmed)", ["aapl", "2026-06-01T10:15:00.123456789-04:00", 201.5]],
    ["[dateISO, ticker, price as text]", ["2026-06-01T10:15:00.123456789-04:00", "aapl", "201.5"]],
  ];
  for (const [name, data] of reference) {
    it("thresholdLevel 6 reference price: " + name, function () {
      const { c, s } = session({ trades: ["AAPL"], quotes: [], level: 6 });
      feed(s, { messageType: "A", service: "iex", data });
      assert.deepStrictEqual(c.calls, []);
      assert.deepStrictEqual(c.ticks, [
        {
          symbol: "AAPL",
          type: "trade",
          price: 201.5,
          ts: 1780323300123456,
          recvTs: RECV,
          provider: "tiingo",
          exchange: "IEX",
          extra: { nanos: "1780323300123456789", reference: true },
        },
      ]);
    });
  }

  it("passes each channel only to its subscribers; ignores tickers not subscribed, heartbeats and unknown types", function () {
    const { c, s } = session({ trades: ["AAPL"], quotes: ["VYM"] });
    feed(
      s,
      A(["Q", "2019-01-30T13:33:45.383129126-05:00", 1548873225383129126, "aapl", 100, 1, 1.5, 2, 100, null, null, 0, 0, null, null, null]),
    );
    feed(s, trade("2019-01-30T13:33:45.383129126-05:00", 1548873225383129126, "vym", 81.5, 10));
    feed(s, trade("2019-01-30T13:33:45.383129126-05:00", 1548873225383129126, "ibm", 81.5, 10));
    feed(s, { messageType: "H", response: { code: 200, message: "HeartBeat" } });
    feed(s, { messageType: "X", data: [] });
    feed(s, A(["Z", "2019-01-30T13:33:45.383129126-05:00", 1, "aapl"]));
    assert.deepStrictEqual(c.ticks, []);
    assert.deepStrictEqual(c.calls, []);
  });

  it("a trade break is reported, not emitted", function () {
    const { c, s } = session();
    feed(s, trade("2019-01-30T13:33:45.594808294-05:00", 1548873225594808294, "wes", 50.285, 200, "B"));
    assert.deepStrictEqual(c.ticks, []);
    const [w] = c.of("warn");
    assert.strictEqual(w[0], "trade_break");
    assert.match(w[1], /WES.*50\.285.*200/);
  });

  it("reports garbage as malformed and never throws", function () {
    const { c, s } = session();
    for (const f of [
      "<html>502</html>",
      "[1,2]",
      "null",
      { messageType: "A", service: "iex", data: "T,wes" },
      { messageType: "A", service: "iex", data: [] },
      trade("not a date", "x", "wes", 1, 1),
      trade("2019-01-30T13:33:45.594808294-05:00", 1548873225594808294, "wes", null, 200),
      trade("2019-01-30T13:33:45.594808294-05:00", 1548873225594808294, 42, 1, 200),
      A([1, 2]),
    ]) {
      assert.doesNotThrow(() => feed(s, f));
    }
    assert.deepStrictEqual(c.ticks, []);
    assert.strictEqual(c.of("malformed").length, 9, JSON.stringify(c.calls));
  });
});

describe("tiingo adapter: errors", function () {
  const cases = [
    [
      "an E 401 (bad token)",
      { messageType: "E", response: { code: 401, message: "Authorization failed: invalid API token" } },
      "fail",
      "auth",
    ],
    ["a non-200 I (auth, observed)", { messageType: "I", response: { code: 401, message: "Invalid API token" } }, "fail", "auth"],
    [
      "an E 400 naming the threshold tier (plan)",
      { messageType: "E", response: { code: 400, message: "thresholdLevel not valid for your subscription tier" } },
      "fail",
      "plan",
    ],
    ["an E 429 (limit)", { messageType: "E", response: { code: 429, message: "Too many connections" } }, "fail", "limit"],
    [
      "an E 429 that mentions the token is still a limit",
      { messageType: "E", response: { code: 429, message: "Too many connections for this API token." } },
      "fail",
      "limit",
    ],
  ];
  for (const [name, frame, call, kind] of cases) {
    it(name, function () {
      const { c, s } = session();
      feed(s, frame);
      const [f] = c.of(call);
      assert.strictEqual(f[0].kind, kind);
      assert.ok(!JSON.stringify(c.calls).includes(TOKEN), "the token never appears in an error");
      if (kind === "limit") assert.ok(f[0].retryAfterMs >= 60000);
    });
  }

  it("a refusal naming one ticker names only that one (as a whole word)", function () {
    const { c, s } = session({ trades: ["AAPL"], quotes: [] });
    s.subscribe(change({ trades: ["T", "TSLA"] }, {}, { trades: ["AAPL", "T", "TSLA"] }));
    feed(s, { messageType: "E", response: { code: 400, message: "ticker tsla not found" } });
    assert.deepStrictEqual(
      c.of("rejected").map((r) => r.slice(0, 3)),
      [[["TSLA"], "trades", "rejected"]],
    );
  });

  it("a ticker limit names the tickers just added", function () {
    const { c, s } = session({ trades: ["AAPL"], quotes: [] });
    s.subscribe(change({ trades: ["MSFT", "TSLA"], quotes: ["MSFT"] }, {}, { trades: ["AAPL", "MSFT", "TSLA"], quotes: ["MSFT"] }));
    feed(s, { messageType: "E", response: { code: 400, message: "Too many tickers: the maximum is 1 per subscription." } });
    assert.deepStrictEqual(
      c.of("rejected").map((r) => r.slice(0, 3)),
      [
        [["MSFT", "TSLA"], "trades", "symbol_limit"],
        [["MSFT"], "quotes", "symbol_limit"],
      ],
    );
  });

  it("an unexplained E: a refused first subscribe starts over, later ones are warnings", function () {
    const c = fakeCtx({ provider: "tiingo", apiKey: TOKEN });
    const s = new TiingoSession(c, 5);
    s.open();
    s.subscribe(change({ trades: ["AAPL"] }));
    feed(s, { messageType: "E", response: { code: 500, message: "internal error" } });
    assert.strictEqual(c.of("fail")[0][0].kind, "transient");
    const x = session();
    feed(x.s, { messageType: "E", response: { code: 500, message: "internal error" } });
    assert.deepStrictEqual(
      x.c.of("warn").map((w) => w[0]),
      ["tiingo_error"],
    );
  });
});

describe("tiingo adapter: provider", function () {
  it("keeps the token out of every URL; defaults; refuses a missing token or an unknown level", function () {
    const p = createTiingo({ provider: "tiingo", url: "", apiKey: "SeCrEt", apiSecret: "", options: {} });
    assert.strictEqual(p.connectUrl(), "wss://api.tiingo.com/iex");
    assert.ok(!p.displayUrl().includes("SeCrEt"));
    assert.strictEqual(p.timing.staleMs, 90000);
    assert.strictEqual(p.contentKeys, true);
    assert.deepStrictEqual(p.channels, ["trades"], "level 6 by default");
    assert.deepStrictEqual(
      createTiingo({ provider: "tiingo", url: "ws://x/iex", apiKey: "k", apiSecret: "", options: { thresholdLevel: "5" } }).channels,
      ["trades", "quotes"],
    );
    assert.throws(() => createTiingo({ provider: "tiingo", url: "", apiKey: "", apiSecret: "", options: {} }), /needs an API token/);
    assert.throws(
      () => createTiingo({ provider: "tiingo", url: "", apiKey: "k", apiSecret: "", options: { thresholdLevel: "3" } }),
      /thresholdLevel/,
    );
  });

  it("dedup key: (ns time, price, size); quotes on their book; equal keys for a replay, distinct for a different print", function () {
    const { c, s } = session();
    feed(
      s,
      '{"messageType":"A","service":"iex","data":["T","2019-01-30T13:33:45.594808294-05:00",1548873225594808294,"wes",null,null,null,null,null,50.285,200,null,0,0,0,0]}',
    );
    feed(
      s,
      '{"messageType":"A","service":"iex","data":["T","2019-01-30T13:33:45.594808294-05:00",1548873225594808294,"wes",null,null,null,null,null,50.285,200,null,0,0,0,0]}',
    );
    feed(
      s,
      '{"messageType":"A","service":"iex","data":["T","2019-01-30T13:33:45.594808295-05:00",1548873225594808295,"wes",null,null,null,null,null,50.285,200,null,0,0,0,0]}',
    );
    feed(s, trade(null, "1548873225594808294", "wes", 50.285, 100));
    const keys = c.ticks.map(tiingoDedupKey);
    assert.strictEqual(keys[0], keys[1]);
    assert.notStrictEqual(keys[0], keys[2], "one nanosecond apart (same µs) is a different print");
    assert.strictEqual(c.ticks[0].ts, c.ticks[2].ts);
    assert.notStrictEqual(keys[0], keys[3]);
    feed(s, A(["Q", null, "1548873225383129126", "vym", 100, 81.58, 81.585, 81.59, 100, null, null, 0, 0, null, null, null]));
    feed(s, A(["Q", null, "1548873225383129126", "vym", 200, 81.58, 81.585, 81.59, 100, null, null, 0, 0, null, null, null]));
    assert.notStrictEqual(tiingoDedupKey(c.ticks[4]), tiingoDedupKey(c.ticks[5]));
  });

  it("isoToNanos is exact to the nanosecond across offsets", function () {
    assert.deepStrictEqual(isoToNanos("2019-01-30T13:33:45.594808294-05:00"), { nanos: "1548873225594808294", us: 1548873225594808 });
    assert.deepStrictEqual(isoToNanos("2019-01-30T18:33:45.594808294Z"), { nanos: "1548873225594808294", us: 1548873225594808 });
    assert.deepStrictEqual(isoToNanos("2019-01-30T18:33:45Z"), { nanos: "1548873225000000000", us: 1548873225000000 });
    assert.strictEqual(isoToNanos("yesterday"), undefined);
  });
});
