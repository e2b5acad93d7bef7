"use strict";
const assert = require("assert");
const {
  TwelveDataSession,
  twelvedataDedupKey,
  createTwelveData,
  chunkSymbols,
  failCode,
} = require("../../../dist/lib/providers/twelvedata");
const { fakeCtx, feed, change } = require("../../support/session-ctx");

const RECV = 1592249566500000;
/** An expected tick: a trade received at RECV, unless `fields` say otherwise. */
const tick = (fields) => ({ type: "trade", recvTs: RECV, provider: "twelvedata", ...fields });

/** A session with these symbols subscribed (and confirmed unless `confirm` is false). */
function session(lists = { trades: ["AAPL", "RY:TSX", "EUR/USD", "BTC/USD"], quotes: ["EUR/USD"] }, { confirm = true, apiKey = "K" } = {}) {
  const c = fakeCtx({ provider: "twelvedata", upstream: lists, recvTs: RECV, apiKey });
  const s = new TwelveDataSession(c);
  s.subscribe(change(lists));
  if (confirm) {
    const union = [...new Set([...(lists.trades || []), ...(lists.quotes || [])])];
    feed(s, {
      event: "subscribe-status",
      status: "ok",
      success: union.map((k) => ({
        symbol: k.split(":")[0],
        exchange: k.split(":")[1] || (k.includes("/") ? "PHYSICAL CURRENCY" : "NASDAQ"),
      })),
      fails: [],
    });
  }
  c.forget("sent", "keys", "calls");
  return { c, s };
}

describe("twelvedata adapter: parser", function () {
  it("is ready at open (the key is checked at the upgrade) and heartbeats {action: heartbeat}, one queued at most", function () {
    const c = fakeCtx({ provider: "twelvedata" });
    const s = new TwelveDataSession(c);
    s.open();
    assert.deepStrictEqual(c.calls, [["ready"]]);
    assert.deepStrictEqual(c.sent, []);
    s.heartbeat();
    assert.deepStrictEqual(c.sent, [{ action: "heartbeat" }]);
    assert.deepStrictEqual(c.keys, ["hb"]);
    feed(s, { event: "heartbeat", status: "ok" });
    assert.deepStrictEqual(c.calls, [["ready"]], "a heartbeat reply is just a sign of life");
  });

  it("subscribes additively with one comma list; a symbol on both channels is one upstream subscription", function () {
    const c = fakeCtx({ provider: "twelvedata" });
    const s = new TwelveDataSession(c);
    s.subscribe(change({ trades: ["AAPL", "EUR/USD"], quotes: ["EUR/USD"] }));
    s.subscribe(change({ trades: ["RY:TSX"] }, { trades: ["AAPL"] }, { trades: ["EUR/USD", "RY:TSX"], quotes: ["EUR/USD"] }));
    s.subscribe(change({}, { trades: ["EUR/USD"] }, { trades: ["RY:TSX"], quotes: ["EUR/USD"] }));
    s.subscribe(change({}, { quotes: ["EUR/USD"] }, { trades: ["RY:TSX"], quotes: [] }));
    assert.deepStrictEqual(c.sent, [
      { action: "subscribe", params: { symbols: "AAPL,EUR/USD" } },
      { action: "unsubscribe", params: { symbols: "AAPL" } },
      { action: "subscribe", params: { symbols: "RY:TSX" } },
      { action: "unsubscribe", params: { symbols: "EUR/USD" } },
    ]);
    assert.deepStrictEqual(c.keys, [undefined, undefined, undefined, undefined], "additive messages are never replaced in the queue");
  });

  it("confirms from subscribe-status success entries (SYM:EXCHANGE matched back), on every channel the symbol is on", function () {
    const c = fakeCtx({ provider: "twelvedata" });
    const s = new TwelveDataSession(c);
    s.subscribe(change({ trades: ["aapl", "RY:TSX", "EUR/USD"], quotes: ["EUR/USD"] }));
    feed(s, {
      event: "subscribe-status",
      status: "ok",
      success: [
        { symbol: "AAPL", exchange: "NASDAQ", country: "United States", type: "Common Stock" },
        { symbol: "RY", exchange: "TSX", country: "Canada", type: "Common Stock" },
        { symbol: "EUR/USD", exchange: "PHYSICAL CURRENCY", type: "Physical Currency" },
      ],
      fails: [],
    });
    assert.deepStrictEqual(c.of("subscribed"), [
      [["aapl"], "trades"],
      [["RY:TSX"], "trades"],
      [["EUR/USD"], "trades"],
      [["EUR/USD"], "quotes"],
    ]);
    // Adding a confirmed symbol to the other channel is acknowledged at once, with no message.
    c.sent.length = 0;
    s.subscribe(change({ quotes: ["aapl"] }, {}, { trades: ["aapl", "RY:TSX", "EUR/USD"], quotes: ["EUR/USD", "aapl"] }));
    assert.deepStrictEqual(c.sent, []);
    assert.deepStrictEqual(c.of("subscribed").pop(), [["aapl"], "quotes"]);
  });

  it("names refused symbols: warning with fails (not entitled), symbol limit, unknown; error without entries answers the oldest request", function () {
    const c = fakeCtx({ provider: "twelvedata" });
    const s = new TwelveDataSession(c);
    s.subscribe(change({ trades: ["AAPL", "0700", "ZZZZ", "TSLA"] }));
    feed(s, {
      event: "subscribe-status",
      status: "warning",
      success: [{ symbol: "AAPL", exchange: "NASDAQ" }],
      fails: [
        { symbol: "0700", message: "You are not authorized to access XHKG data." },
        { symbol: "ZZZZ", message: "Symbol not found" },
        { symbol: "TSLA", message: "You have reached the limit of 8 simultaneous symbols for your plan." },
      ],
    });
    assert.deepStrictEqual(
      c.of("rejected").map((r) => r.slice(0, 3)),
      [
        [["0700"], "trades", "not_entitled"],
        [["ZZZZ"], "trades", "invalid_symbol"],
        [["TSLA"], "trades", "symbol_limit"],
      ],
    );
    assert.match(c.of("rejected")[0][3], /XHKG/);
    // A refused symbol is not asked for again on a later change, only when the user adds it again.
    c.sent.length = 0;
    s.subscribe(change({ trades: ["MSFT"] }, {}, { trades: ["AAPL", "0700", "MSFT"] }));
    assert.deepStrictEqual(c.sent, [{ action: "subscribe", params: { symbols: "MSFT" } }]);
    feed(s, { event: "subscribe-status", status: "ok", success: [{ symbol: "MSFT", exchange: "NASDAQ" }], fails: [] });
    s.subscribe(change({}, { trades: ["0700"] }, { trades: ["AAPL", "MSFT"] }));
    s.subscribe(change({ trades: ["0700", "GOOG"] }, {}, { trades: ["AAPL", "MSFT", "0700", "GOOG"] }));
    assert.deepStrictEqual(
      c.sent.slice(1),
      [{ action: "subscribe", params: { symbols: "0700,GOOG" } }],
      "no unsubscribe for a refused symbol",
    );
    feed(s, { event: "subscribe-status", status: "error", messages: ["Cant parse message"] });
    assert.deepStrictEqual(c.of("rejected").pop().slice(0, 3), [["0700", "GOOG"], "trades", "rejected"]);
    feed(s, { event: "subscribe-status", status: "error", messages: ["Cant parse message"] });
    assert.deepStrictEqual(c.of("warn").pop(), ["twelvedata_error", "Cant parse message"], "nothing pending: a warning");
  });

  it("price events: numbers or decimal strings, seconds (int, string, fractional) to µs, exchange-qualified symbols, unknown fields ignored", function () {
    const { c, s } = session();
    feed(s, {
      event: "price",
      symbol: "AAPL",
      currency: "USD",
      exchange: "NASDAQ",
      type: "Common Stock",
      timestamp: 1592249566,
      price: 342.0157,
      day_volume: 27631112,
    });
    feed(
      s,
      '{"event":"price","symbol":"RY","currency":"CAD","exchange":"TSX","mic_code":"XTSE","type":"Common Stock","timestamp":"1592249567","price":"123.45","day_volume":"1000"}',
    );
    feed(s, {
      event: "price",
      symbol: "AAPL",
      exchange: "NASDAQ",
      timestamp: 1592249566.25,
      price: 342.1,
      day_volume: 27631200,
      new_field: [1],
    });
    feed(s, {
      event: "price",
      symbol: "BTC/USD",
      exchange: "Coinbase Pro",
      type: "Digital Currency",
      currency_base: "Bitcoin",
      currency_quote: "US Dollar",
      timestamp: 1592249570,
      price: 9500.5,
    });
    assert.deepStrictEqual(c.ticks, [
      tick({ symbol: "AAPL", price: 342.0157, ts: 1592249566000000, exchange: "NASDAQ", extra: { dayVolume: 27631112, currency: "USD" } }),
      tick({ symbol: "RY:TSX", price: 123.45, ts: 1592249567000000, exchange: "TSX", extra: { dayVolume: 1000, currency: "CAD" } }),
      tick({ symbol: "AAPL", price: 342.1, ts: 1592249566250000, exchange: "NASDAQ", extra: { dayVolume: 27631200 } }),
      tick({
        symbol: "BTC/USD",
        price: 9500.5,
        ts: 1592249570000000,
        exchange: "Coinbase Pro",
        extra: { currencyBase: "Bitcoin", currencyQuote: "US Dollar" },
      }),
    ]);
    assert.deepStrictEqual(c.calls, []);
  });

  it("matches an exchange-qualified symbol answered with another exchange spelling (or none) when it is the only listing", function () {
    const c = fakeCtx({ provider: "twelvedata" });
    const s = new TwelveDataSession(c);
    s.subscribe(change({ trades: ["RY:TSX", "SHOP:TSX", "SHOP:NYSE"] }));
    feed(s, {
      event: "subscribe-status",
      status: "ok",
      success: [{ symbol: "RY" }, { symbol: "SHOP", exchange: "NYSE" }, { symbol: "SHOP", exchange: "TSX" }],
      fails: [],
    });
    assert.deepStrictEqual(
      c.of("subscribed").map((x) => x[0][0]),
      ["RY:TSX", "SHOP:NYSE", "SHOP:TSX"],
    );
    feed(s, { event: "price", symbol: "RY", exchange: "Toronto Stock Exchange", mic_code: "XTSE", timestamp: 1592249566, price: 1 });
    feed(s, { event: "price", symbol: "SHOP", exchange: "Toronto Stock Exchange", timestamp: 1592249566, price: 2 }); // two listings: ambiguous
    feed(s, { event: "price", symbol: "SHOP", exchange: "tsx", timestamp: 1592249566, price: 3 });
    assert.deepStrictEqual(
      c.ticks.map((t) => [t.symbol, t.price]),
      [
        ["RY:TSX", 1],
        ["SHOP:TSX", 3],
      ],
    );
  });

  it("forex with bid/ask: a trade carrying bid/ask, plus a quote for the quotes channel; no quote without bid/ask", function () {
    const { c, s } = session({ trades: ["EUR/USD", "GBP/USD"], quotes: ["EUR/USD", "USD/JPY"] });
    feed(s, {
      event: "price",
      symbol: "EUR/USD",
      exchange: "PHYSICAL CURRENCY",
      type: "Physical Currency",
      currency_base: "Euro",
      currency_quote: "US Dollar",
      timestamp: 1592249566,
      price: 1.1235,
      bid: 1.1234,
      ask: 1.1236,
    });
    feed(s, { event: "price", symbol: "USD/JPY", exchange: "PHYSICAL CURRENCY", timestamp: 1592249566, price: 107.1 });
    feed(s, { event: "price", symbol: "GBP/USD", exchange: "PHYSICAL CURRENCY", timestamp: 1592249566, price: "1.25", bid: "1.2499" });
    const fx = (fields) => tick({ ts: 1592249566000000, exchange: "PHYSICAL CURRENCY", ...fields });
    assert.deepStrictEqual(c.ticks, [
      fx({ symbol: "EUR/USD", price: 1.1235, bid: 1.1234, ask: 1.1236, extra: { currencyBase: "Euro", currencyQuote: "US Dollar" } }),
      fx({ symbol: "EUR/USD", type: "quote", bid: 1.1234, ask: 1.1236 }),
      fx({ symbol: "GBP/USD", price: 1.25, bid: 1.2499 }),
    ]);
  });

  it("ignores prices of symbols not subscribed here (late, after an unsubscribe); reports garbage without throwing", function () {
    const { c, s } = session();
    s.subscribe(change({}, { trades: ["AAPL"] }, { trades: ["RY:TSX", "EUR/USD", "BTC/USD"], quotes: ["EUR/USD"] }));
    c.calls.length = 0;
    feed(s, { event: "price", symbol: "AAPL", exchange: "NASDAQ", timestamp: 1592249566, price: 1 });
    feed(s, { event: "price", symbol: "IBM", exchange: "NYSE", timestamp: 1592249566, price: 1 });
    feed(s, "not json");
    feed(s, "[1,2]");
    feed(s, "null");
    feed(s, { event: "price", symbol: "BTC/USD", timestamp: "soon", price: 1 });
    feed(s, { event: "price", symbol: "BTC/USD", timestamp: 1592249566, price: "n/a" });
    feed(s, { event: "price", symbol: "BTC/USD", timestamp: 1592249566 });
    feed(s, { event: "subscribe-status", status: "ok", success: null, fails: [null, 3] });
    feed(s, { event: "unsubscribe-status", status: "ok", success: [{ symbol: "AAPL" }], fails: [] });
    feed(s, { event: "reset-status", status: "ok" });
    feed(s, { event: "something-new", x: 1 });
    assert.deepStrictEqual(c.ticks, []);
    assert.deepStrictEqual(
      c.calls.map((x) => x[0]),
      ["malformed", "malformed", "malformed", "malformed", "malformed", "malformed"],
    );
  });

  it("in-band errors: a key error fails auth (key never echoed), 429 limit with a pause, 403 plan, others warn", function () {
    let { c, s } = session(undefined, { apiKey: "SeCrEtKey" });
    feed(s, {
      code: 401,
      message:
        "**apikey** parameter is incorrect or not specified. You can get your free API key instantly following this link: https://twelvedata.com/apikey",
      status: "error",
    });
    let f = c.of("fail")[0][0];
    assert.deepStrictEqual([f.kind, f.code], ["auth", "auth_failed"]);
    assert.match(f.message, /apikey/);

    ({ c, s } = session(undefined, { apiKey: "SeCrEtKey" }));
    feed(s, { event: "subscribe-status", status: "error", messages: ["Invalid apikey SeCrEtKey"] });
    f = c.of("fail")[0][0];
    assert.strictEqual(f.kind, "auth");
    assert.ok(!f.message.includes("SeCrEtKey"), "the key is masked in the message");

    ({ c, s } = session());
    feed(s, { code: 429, message: "You have run out of API credits for the current minute.", status: "error" });
    f = c.of("fail")[0][0];
    assert.deepStrictEqual([f.kind, f.code], ["limit", "rate_limited"]);
    assert.ok(f.retryAfterMs >= 60000);

    ({ c, s } = session());
    feed(s, { code: 403, message: "WebSocket is available on the Pro plan and above.", status: "error" });
    assert.strictEqual(c.of("fail")[0][0].kind, "plan");

    ({ c, s } = session());
    feed(s, { event: "error", status: "error", message: "internal" });
    assert.deepStrictEqual(c.of("warn"), [["twelvedata_error", "internal"]]);
    assert.deepStrictEqual(c.of("fail"), []);
  });

  it("chunks long symbol lists well below the 1 MB message limit; maps refusal texts", function () {
    const syms = Array.from({ length: 20000 }, (_, i) => "SYM" + i);
    const parts = chunkSymbols(syms);
    assert.ok(parts.length > 1 && parts.every((p) => p.length <= 60000));
    assert.deepStrictEqual(parts.join(",").split(","), syms);
    assert.deepStrictEqual(chunkSymbols(["A", "B"], 3), ["A,B"]);
    assert.deepStrictEqual(chunkSymbols(["A", "B", "C"], 3), ["A,B", "C"]);
    assert.strictEqual(failCode("You are not authorized to access XHKG data."), "not_entitled");
    assert.strictEqual(failCode("Symbol limit exceeded, upgrade your plan"), "symbol_limit");
    assert.strictEqual(failCode("Invalid symbol"), "invalid_symbol");
    assert.strictEqual(failCode("???"), "rejected");
  });

  it("dedup key: timestamp + price + day volume (+ bid/ask); seconds-resolution ticks that differ stay apart", function () {
    const t = { type: "trade", ts: 1592249566000000, price: 342.01, extra: { dayVolume: 100 } };
    assert.strictEqual(twelvedataDedupKey(t), twelvedataDedupKey({ ...t, recvTs: 9, exchange: "NASDAQ" }), "a replay");
    assert.notStrictEqual(
      twelvedataDedupKey(t),
      twelvedataDedupKey({ ...t, extra: { dayVolume: 200 } }),
      "same second and price, more volume: a new tick",
    );
    assert.notStrictEqual(twelvedataDedupKey(t), twelvedataDedupKey({ ...t, price: 342.02 }));
    assert.notStrictEqual(twelvedataDedupKey(t), twelvedataDedupKey({ ...t, ts: t.ts + 1000000 }));
    const fx = { type: "trade", ts: 1, price: 1.1, bid: 1.0, ask: 1.2 };
    assert.notStrictEqual(twelvedataDedupKey(fx), twelvedataDedupKey({ ...fx, ask: 1.3 }));
    assert.notStrictEqual(
      twelvedataDedupKey({ type: "quote", ts: 1, bid: 1, ask: 2 }),
      twelvedataDedupKey({ type: "quote", ts: 1, bid: 1, ask: 3 }),
    );
  });

  it("endpoint, plans and options; the key never in displayUrl", function () {
    const base = { provider: "twelvedata", url: "", apiKey: "SeCrEt", apiSecret: "", options: {} };
    let p = createTwelveData(base);
    assert.strictEqual(p.connectUrl(), "wss://ws.twelvedata.com/v1/quotes/price?apikey=SeCrEt");
    assert.strictEqual(p.displayUrl(), "wss://ws.twelvedata.com/v1/quotes/price");
    assert.deepStrictEqual([p.limits.symbolsPerConnection, p.limits.maxConnections, p.limits.messagesPerSecond], [8, 1, 1]);
    assert.deepStrictEqual([p.timing.heartbeatMs, p.timing.staleMs], [10000, 35000]);
    // "Opening more connections closes the previous ones": a policy close is that eviction, waited out.
    const ev = p.closeFailure(1008, "connection limit");
    assert.deepStrictEqual([ev.kind, ev.code, ev.retryAfterMs], ["limit", "connection_limit", 60000]);
    assert.ok(!ev.message.includes("SeCrEt"));
    assert.strictEqual(p.closeFailure(4000, "Too many connections").kind, "limit");
    assert.strictEqual(p.closeFailure(1011, "internal error"), undefined);
    assert.strictEqual(p.closeFailure(1000, ""), undefined);
    assert.strictEqual(createTwelveData({ ...base, options: { limitRetryMs: "90000" } }).closeFailure(1008, "").retryAfterMs, 90000);
    assert.ok(p.timing.pingMs > 0);
    assert.deepStrictEqual(p.channels, ["trades", "quotes"]);
    p = createTwelveData({
      ...base,
      url: "ws://127.0.0.1:9/v1/quotes/price?apikey=old",
      options: { plan: "pro", heartbeatMs: "50", messagesPerSecond: "20" },
    });
    assert.strictEqual(p.connectUrl(), "ws://127.0.0.1:9/v1/quotes/price?apikey=SeCrEt");
    assert.ok(!p.displayUrl().includes("SeCrEt") && !p.displayUrl().includes("old"));
    assert.deepStrictEqual(
      [p.limits.symbolsPerConnection, p.limits.maxConnections, p.limits.messagesPerSecond, p.timing.heartbeatMs, p.timing.staleMs],
      [Infinity, 3, 20, 50, 175],
    );
    assert.throws(() => createTwelveData({ ...base, apiKey: "" }), /needs an API key/);
    assert.throws(() => createTwelveData({ ...base, options: { plan: "gold" } }), /Unknown Twelve Data plan/);
  });
});
