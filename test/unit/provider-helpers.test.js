"use strict";
/**
 * The helpers provider modules build on (src/lib/providers/common.ts, resolver.ts) and the lenient
 * number reader of replay files and tick-feed settings (src/lib/numbers.ts).
 */
const assert = require("assert");
const {
  makeProvider,
  limitClose,
  newTrade,
  tradeTick,
  NO_LIMITS,
  DEFAULT_TIMING,
  BOTH_CHANNELS,
  defaultDedupKey,
} = require("../../dist/lib/providers/common");
const { SymbolResolver } = require("../../dist/lib/providers/resolver");
const { FINNHUB } = require("../../dist/lib/providers/finnhub");
const { looseNumber } = require("../../dist/lib/numbers");

const settings = (url = "") => ({ provider: "finnhub", url, apiKey: "SECRETKEY", apiSecret: "", options: {} });
const session = () => null;

describe("provider helpers", function () {
  it("makeProvider: the descriptor's id and endpoint, the usual defaults, overrides on top", function () {
    const p = makeProvider(FINNHUB, settings(), { timing: { staleMs: 5 }, limits: { maxConnections: 3 }, createSession: session });
    assert.strictEqual(p.id, "finnhub");
    assert.strictEqual(p.connectUrl(), FINNHUB.url);
    assert.deepStrictEqual(p.limits, { ...NO_LIMITS, maxConnections: 3 });
    assert.deepStrictEqual(p.timing, { ...DEFAULT_TIMING, staleMs: 5 });
    assert.strictEqual(p.channels, BOTH_CHANNELS);
    assert.strictEqual(p.contentKeys, false);
    assert.strictEqual(p.dedupKey, defaultDedupKey);
  });

  it("makeProvider: the feed's URL wins; the key rides only on the connect URL", function () {
    const p = makeProvider(FINNHUB, settings("wss://relay.example/ws"), { keyParam: "token", createSession: session });
    assert.strictEqual(p.connectUrl(), "wss://relay.example/ws?token=SECRETKEY");
    assert.strictEqual(p.displayUrl(), "wss://relay.example/ws");
  });

  it("limitClose: a policy close or a matching reason waits; other closes are ordinary", function () {
    const close = limitClose("X", /limit/i, "the plan's connections are in use", 30_000);
    assert.deepStrictEqual(close(1008, ""), {
      kind: "limit",
      code: "connection_limit",
      message: "X closed the connection (1008): the plan's connections are in use; retrying in 30 s.",
      retryAfterMs: 30_000,
    });
    assert.strictEqual(close(4000, "Connection LIMIT reached").retryAfterMs, 30_000);
    assert.strictEqual(close(1006, ""), undefined);
  });

  it("newTrade / tradeTick: size only when sent (NaN when garbage); no price or time is malformed", function () {
    assert.deepStrictEqual(newTrade("A", 1.5, undefined, 10, 20, "polygon"), {
      symbol: "A",
      type: "trade",
      price: 1.5,
      ts: 10,
      recvTs: 20,
      provider: "polygon",
    });
    assert.ok(Number.isNaN(newTrade("A", 1.5, NaN, 10, 20, "polygon").size));
    const malformed = [];
    const ctx = { frameRecvTs: 99, malformed: (r) => malformed.push(r) };
    assert.strictEqual(tradeTick(ctx, "A", 2, 7, 10, "alltick").recvTs, 99);
    assert.strictEqual(tradeTick(ctx, "A", NaN, 7, 10, "alltick"), undefined);
    assert.strictEqual(tradeTick(ctx, "A", 2, 7, NaN, "alltick"), undefined);
    assert.deepStrictEqual(malformed, ["trade without price or time for A", "trade without price or time for A"]);
  });

  it("SymbolResolver.find: only text naming a subscribed symbol resolves", function () {
    const r = new SymbolResolver({ upstream: (ch) => new Set(ch === "trades" ? ["AAPL"] : []) });
    r.update({ trades: ["aapl"], quotes: [] });
    assert.deepStrictEqual(
      ["AAPL", "Aapl", "MSFT", 5, null, undefined, { s: "AAPL" }].map((w) => r.find(w)),
      ["AAPL", "aapl", undefined, undefined, undefined, undefined, undefined],
    );
  });

  it("looseNumber: numbers and text Number() reads, finite only", function () {
    const cases = [
      [12, 12],
      [" 12 ", 12],
      ["1e3", 1000],
      ["", undefined],
      ["  ", undefined],
      ["abc", undefined],
      [Infinity, undefined],
      [NaN, undefined],
      [null, undefined],
      [true, undefined],
    ];
    for (const [v, want] of cases) assert.strictEqual(looseNumber(v), want, JSON.stringify(v));
  });
});
