"use strict";
/** Coinbase adapter: parser table tests over recorded-shape frames (providers.md section 8). */
const assert = require("assert");
const crypto = require("crypto");
const { CoinbaseSession, createCoinbase, CoinbaseJwt, ProductMap } = require("../../../dist/lib/providers/coinbase");
const { fakeCtx, feed, change } = require("../../support/session-ctx");

const RECV = 1704153600000000; // 2024-01-02: after the fixtures' times (the parser trusts only times up to an hour past receipt)

const newShared = () => ({ invalid: new Set(), newest: new Map() });

function session({ symbols = ["BTC-USD"], jwt, shared = newShared(), snapshot = true } = {}) {
  const c = fakeCtx({ provider: "coinbase", apiKey: "", recvTs: RECV });
  const s = new CoinbaseSession(c, jwt, shared, snapshot);
  s.open();
  if (symbols.length > 0) s.subscribe(change({ trades: symbols }));
  return { c, s, shared };
}

const env = (channel, events, seq = 1) => ({
  channel,
  client_id: "",
  timestamp: "2023-02-09T20:19:35.39625135Z",
  sequence_num: seq,
  events,
});
const trade = (o) => ({
  trade_id: "12345",
  product_id: "BTC-USD",
  price: "1260.01",
  size: "0.3",
  side: "BUY",
  time: "2019-08-14T20:42:27.265123Z",
  ...o,
});
const update = (trades, seq) => env("market_trades", [{ type: "update", trades }], seq);

describe("coinbase adapter: parser", function () {
  it("subscribes heartbeats on open, then market_trades per change, product ids uppercase", function () {
    const { c } = session({ symbols: ["btc-usd", "ETH-USD"] });
    assert.deepStrictEqual(c.sent, [
      { type: "subscribe", channel: "heartbeats" },
      { type: "subscribe", product_ids: ["BTC-USD", "ETH-USD"], channel: "market_trades" },
    ]);
    assert.strictEqual(c.calls[0][0], "ready");
  });

  it("parses an update: decimal strings to numbers, RFC 3339 µs, id string, side passed through, subscribed spelling", function () {
    const { c, s } = session({ symbols: ["btc-usd"] });
    feed(s, update([trade()]));
    assert.deepStrictEqual(c.ticks, [
      {
        symbol: "btc-usd",
        type: "trade",
        price: 1260.01,
        size: 0.3,
        ts: 1565815347265123,
        recvTs: RECV,
        id: "12345",
        provider: "coinbase",
        extra: { side: "BUY" },
      },
    ]);
    assert.deepStrictEqual(c.of("malformed"), []);
  });

  it("emits a batch oldest first (Coinbase lists newest first), across products", function () {
    const { c, s } = session({ symbols: ["BTC-USD", "ETH-USD"] });
    feed(
      s,
      update([
        trade({ trade_id: "3", time: "2024-01-01T00:00:00.300Z" }),
        trade({ trade_id: "77", product_id: "ETH-USD", time: "2024-01-01T00:00:00.200Z" }),
        trade({ trade_id: "10", time: "2024-01-01T00:00:00.100Z" }),
        trade({ trade_id: "9", time: "2024-01-01T00:00:00.100Z" }),
      ]),
    );
    assert.deepStrictEqual(
      c.ticks.map((t) => t.symbol + "#" + t.id),
      ["BTC-USD#9", "BTC-USD#10", "ETH-USD#77", "BTC-USD#3"],
    );
  });

  const TIMES = [
    ["µs", "2019-08-14T20:42:27.265123Z", 1565815347265123],
    ["ms", "2019-08-14T20:42:27.265Z", 1565815347265000],
    ["ns (truncated to µs)", "2019-08-14T20:42:27.265123789Z", 1565815347265123],
    ["no fraction", "2019-08-14T20:42:27Z", 1565815347000000],
    ["with an offset", "2019-08-14T22:42:27.265123+02:00", 1565815347265123],
    ["lowercase z, 1 digit", "2019-08-14T20:42:27.2z", 1565815347200000],
  ];
  for (const [name, time, us] of TIMES) {
    it(`reads trade time ${name}`, function () {
      const { c, s } = session();
      feed(s, update([trade({ time })]));
      assert.strictEqual(c.ticks[0].ts, us);
    });
  }

  it("keeps trade ids exact: string, small integer, integer above 2^53 (raw JSON)", function () {
    const { c, s } = session();
    feed(s, update([trade({ trade_id: "98765432109876543210", time: "2024-01-01T00:00:00.001Z" })]));
    feed(s, update([trade({ trade_id: 42, time: "2024-01-01T00:00:00.002Z" })]));
    feed(
      s,
      `{"channel":"market_trades","client_id":"","timestamp":"2024-01-01T00:00:00Z","sequence_num":9,"events":[{"type":"update","trades":[{"trade_id":9007199254740993123,"product_id":"BTC-USD","price":"1","size":"2","side":"SELL","time":"2024-01-01T00:00:00.003Z"}]}]}`,
    );
    assert.deepStrictEqual(
      c.ticks.map((t) => t.id),
      ["98765432109876543210", "42", "9007199254740993123"],
    );
  });

  it("flags snapshot trades; option snapshot=false skips them", function () {
    const snap = env("market_trades", [
      { type: "snapshot", trades: [trade({ trade_id: "2" }), trade({ trade_id: "1", time: "2019-08-14T20:42:27.000001Z" })] },
    ]);
    const a = session();
    feed(a.s, snap);
    assert.deepStrictEqual(
      a.c.ticks.map((t) => [t.id, t.extra]),
      [
        ["1", { side: "BUY", snapshot: true }],
        ["2", { side: "BUY", snapshot: true }],
      ],
    );
    const b = session({ snapshot: false });
    feed(b.s, snap);
    feed(b.s, update([trade({ trade_id: "3" })]));
    assert.deepStrictEqual(
      b.c.ticks.map((t) => t.id),
      ["3"],
    );
  });

  it("after a reconnect, drops snapshot trades older than the newest delivered (the dedup window may have forgotten them)", function () {
    const shared = newShared();
    const first = session({ shared });
    feed(first.s, update([trade({ trade_id: "50", time: "2024-01-01T10:00:00Z" })]));
    const next = session({ shared });
    feed(
      next.s,
      env("market_trades", [
        {
          type: "snapshot",
          trades: [
            trade({ trade_id: "51", time: "2024-01-01T10:00:01Z" }),
            trade({ trade_id: "50", time: "2024-01-01T10:00:00Z" }),
            trade({ trade_id: "49", time: "2024-01-01T09:00:00Z" }),
          ],
        },
      ]),
    );
    // 50 (same time as the newest) is left to the feed's dedup; 49 is dropped here.
    assert.deepStrictEqual(
      next.c.ticks.map((t) => t.id),
      ["50", "51"],
    );
    // Late live trades are not snapshot replays: they pass.
    feed(next.s, update([trade({ trade_id: "48", time: "2024-01-01T08:00:00Z" })]));
    assert.deepStrictEqual(
      next.c.ticks.map((t) => t.id),
      ["50", "51", "48"],
    );
    // Unsubscribing forgets the mark: a later subscription gets its whole snapshot.
    next.s.subscribe(change({}, { trades: ["BTC-USD"] }, {}));
    assert.strictEqual(shared.newest.size, 0);
  });

  it("unsubscribing one spelling of a product keeps it upstream while another spelling is wanted", function () {
    const { c, s } = session({ symbols: ["btc-usd", "BTC-USD"] });
    s.subscribe(change({}, { trades: ["btc-usd"] }, { trades: ["BTC-USD"] }));
    assert.deepStrictEqual(
      c.sent.map((m) => m.type),
      ["subscribe", "subscribe"],
    );
    feed(s, update([trade()]));
    assert.deepStrictEqual(
      c.ticks.map((t) => t.symbol),
      ["BTC-USD"],
    );
  });

  it("delivers -USD trades to a -USDC subscription (public channels alias them), and to both when both are subscribed", function () {
    const one = session({ symbols: ["BTC-USDC"] });
    feed(one.s, update([trade()]));
    assert.deepStrictEqual(
      one.c.ticks.map((t) => t.symbol),
      ["BTC-USDC"],
    );
    const both = session({ symbols: ["BTC-USD", "BTC-USDC"] });
    feed(both.s, update([trade()]));
    assert.deepStrictEqual(both.c.ticks.map((t) => t.symbol).sort(), ["BTC-USD", "BTC-USDC"]);
    const m = new ProductMap();
    m.update(["eth-usdc"]);
    assert.deepStrictEqual([m.resolve("ETH-USDC"), m.resolve("eth-usd"), m.resolve("ETH-EUR")], [["eth-usdc"], ["eth-usdc"], []]);
  });

  it("drops trades of products not (or no longer) subscribed", function () {
    const { c, s } = session({ symbols: ["BTC-USD", "ETH-USD"] });
    s.subscribe(change({}, { trades: ["ETH-USD"] }, { trades: ["BTC-USD"] }));
    assert.deepStrictEqual(c.sent[2], { type: "unsubscribe", product_ids: ["ETH-USD"], channel: "market_trades" });
    feed(s, update([trade({ product_id: "ETH-USD" }), trade({ product_id: "SOL-USD" })]));
    assert.deepStrictEqual(c.ticks, []);
    assert.deepStrictEqual(c.of("malformed"), []);
  });

  it("confirms from the server's whole subscriptions list (heartbeats ack, add, then remove)", function () {
    const { c, s } = session({ symbols: ["btc-usd", "ETH-USD"] });
    feed(s, env("subscriptions", [{ subscriptions: { heartbeats: ["heartbeats"] } }], 0));
    feed(s, env("subscriptions", [{ subscriptions: { market_trades: ["BTC-USD", "ETH-USD"], heartbeats: ["heartbeats"] } }], 1));
    s.subscribe(change({}, { trades: ["ETH-USD"] }, { trades: ["btc-usd"] }));
    feed(s, env("subscriptions", [{ subscriptions: { market_trades: ["BTC-USD"], heartbeats: ["heartbeats"] } }], 2));
    assert.deepStrictEqual(c.of("subscribed"), [[["btc-usd", "ETH-USD"], "trades"]]);
    assert.deepStrictEqual(c.of("unsubscribed"), [[["ETH-USD"], "trades"]]);
  });

  it("a refused subscribe names the invalid product, asks again for the rest, and later connections skip it", function () {
    const shared = newShared();
    const { c, s } = session({ symbols: ["BTC-USD", "NOPE-USD", "ETH-USD"], shared });
    feed(s, env("subscriptions", [{ subscriptions: { heartbeats: ["heartbeats"] } }], 0));
    feed(s, { type: "error", message: "Failed to subscribe", reason: "NOPE-USD is not a valid product" });
    const [refused] = c.of("rejected");
    assert.deepStrictEqual(refused.slice(0, 3), [["NOPE-USD"], "trades", "invalid_product"]);
    assert.match(refused[3], /NOPE-USD is not a valid product/);
    assert.deepStrictEqual(c.sent[2], { type: "subscribe", product_ids: ["BTC-USD", "ETH-USD"], channel: "market_trades" });

    const next = session({ symbols: ["BTC-USD", "NOPE-USD", "ETH-USD"], shared });
    assert.deepStrictEqual(next.c.sent[1].product_ids, ["BTC-USD", "ETH-USD"]);
    assert.deepStrictEqual(next.c.of("rejected")[0].slice(0, 3), [["NOPE-USD"], "trades", "invalid_product"]);
    // Unsubscribing a refused product is local; subscribing it again asks the server again.
    next.s.subscribe(change({}, { trades: ["NOPE-USD"] }, { trades: ["BTC-USD", "ETH-USD"] }));
    assert.deepStrictEqual(next.c.of("unsubscribed"), [[["NOPE-USD"], "trades"]]);
    assert.strictEqual(next.c.sent.length, 2);
    assert.strictEqual(shared.invalid.size, 0);
  });

  it("a product whose id looks like an error word is still a product refusal (AUTH-USD)", function () {
    const { c, s } = session({ symbols: ["AUTH-USD", "BTC-USD"] });
    feed(s, env("subscriptions", [{ subscriptions: { heartbeats: ["heartbeats"] } }], 0));
    feed(s, { type: "error", message: "Failed to subscribe", reason: "AUTH-USD is not a valid product" });
    assert.deepStrictEqual(c.of("fail"), []);
    assert.deepStrictEqual(c.of("rejected")[0].slice(0, 3), [["AUTH-USD"], "trades", "invalid_product"]);
  });

  it("a refused subscribe without a named product rejects the request's products", function () {
    const { c, s } = session({ symbols: ["BTC-USD"] });
    feed(s, env("subscriptions", [{ subscriptions: { heartbeats: ["heartbeats"] } }], 0));
    feed(s, { type: "error", message: "Failed to subscribe" });
    assert.deepStrictEqual(c.of("rejected")[0].slice(0, 3), [["BTC-USD"], "trades", "subscribe_failed"]);
  });

  const ERRORS = [
    ["authentication failure", { type: "error", message: "authentication failure" }, "fail", "auth"],
    ["JWT rejected (reason)", { type: "error", message: "Failed to subscribe", reason: "jwt expired" }, "fail", "auth"],
    ["rate limit", { type: "error", message: "rate limit exceeded" }, "fail", "limit"],
    ["unknown, not for a trades subscribe", { type: "error", message: "something new" }, "warn", "coinbase_error"],
  ];
  for (const [name, frame, call, kind] of ERRORS) {
    it(`maps an error: ${name}`, function () {
      const { c, s } = session({ symbols: [] });
      feed(s, frame);
      const got = c.of(call);
      assert.strictEqual(got.length, 1);
      if (call === "fail") {
        assert.strictEqual(got[0][0].kind, kind);
        if (kind === "limit") assert.ok(got[0][0].retryAfterMs > 0);
      } else assert.strictEqual(got[0][0], kind);
    });
  }

  it("reports malformed frames and never throws; heartbeats and unknown channels are ignored", function () {
    const { c, s } = session();
    const frames = [
      "{bad",
      "null",
      "[1,2]",
      "42",
      env("market_trades", null),
      env("market_trades", [null]),
      env("market_trades", [{ type: "update" }]),
      update([null, trade({ price: "abc" }), trade({ time: "yesterday" }), trade({ product_id: 7 })]),
      env("subscriptions", [{}]),
      env("heartbeats", [{ current_time: "2023-02-09 20:19:35.39625135 +0000 UTC m=+91717.525857105", heartbeat_counter: 3044 }]),
      env("level2", [{ type: "update", updates: [] }]),
      { type: "something_new" },
    ];
    for (const f of frames) assert.doesNotThrow(() => feed(s, f));
    assert.strictEqual(c.ticks.length, 0);
    assert.strictEqual(c.of("malformed").length, 12);
    assert.deepStrictEqual(c.of("fail"), []);
  });

  it("warns about sequence_num gaps (per connection, over all channels), summed and rate-limited", function () {
    const { c, s } = session();
    feed(s, env("heartbeats", [{ heartbeat_counter: 1 }], 0));
    feed(s, env("heartbeats", [{ heartbeat_counter: 2 }], 1));
    feed(s, update([trade()], 5));
    feed(s, update([trade({ trade_id: "2" })], 9));
    const warns = c.of("warn");
    assert.strictEqual(warns.length, 1);
    assert.strictEqual(warns[0][0], "sequence_gap");
    assert.match(warns[0][1], /3 message/);
    assert.strictEqual(c.ticks.length, 2);
  });

  it("refuses quotes (market_trades carries trades only)", function () {
    const { c, s } = session({ symbols: [] });
    s.subscribe(change({ quotes: ["BTC-USD"] }));
    assert.deepStrictEqual(c.of("rejected")[0].slice(0, 3), [["BTC-USD"], "quotes", "not_supported"]);
    assert.strictEqual(c.sent.length, 1);
  });

  it("signs every message with a fresh JWT when a CDP key is set (ES256, kid/sub = key name, 2 min)", function () {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const pem = privateKey.export({ type: "sec1", format: "pem" });
    const jwt = new CoinbaseJwt("organizations/o1/apiKeys/k1", pem.replace(/\n/g, "\\n")); // pasted with literal \n
    const { c } = session({ jwt });
    assert.strictEqual(c.sent.length, 2);
    for (const m of c.sent) {
      const [h, p, sig] = m.jwt.split(".");
      const header = JSON.parse(Buffer.from(h, "base64url"));
      const payload = JSON.parse(Buffer.from(p, "base64url"));
      assert.deepStrictEqual(
        [header.alg, header.kid, payload.iss, payload.sub, payload.exp - payload.nbf],
        ["ES256", "organizations/o1/apiKeys/k1", "cdp", "organizations/o1/apiKeys/k1", 120],
      );
      assert.ok(
        crypto.verify("sha256", Buffer.from(h + "." + p), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(sig, "base64url")),
      );
    }
    assert.notStrictEqual(c.sent[0].jwt, c.sent[1].jwt, "a new nonce each time");
  });

  it("reads a PEM whose line breaks were lost in a one-line field (or replaced by spaces)", function () {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const pem = privateKey.export({ type: "sec1", format: "pem" });
    for (const pasted of [pem.replace(/\n/g, ""), pem.replace(/\n/g, " ")]) {
      const [h, p, sig] = new CoinbaseJwt("k", pasted).token().split(".");
      assert.ok(
        crypto.verify("sha256", Buffer.from(h + "." + p), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(sig, "base64url")),
      );
    }
  });

  it("accepts an Ed25519 key as base64 (seed + public key)", function () {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
    const seed = privateKey.export({ type: "pkcs8", format: "der" }).subarray(16);
    const raw = Buffer.concat([seed, publicKey.export({ type: "spki", format: "der" }).subarray(12)]).toString("base64");
    const [h, p, sig] = new CoinbaseJwt("k", raw).token().split(".");
    assert.strictEqual(JSON.parse(Buffer.from(h, "base64url")).alg, "EdDSA");
    assert.ok(crypto.verify(null, Buffer.from(h + "." + p), publicKey, Buffer.from(sig, "base64url")));
  });

  it("factory: default endpoint, URL override, no key needed, both-or-neither credentials, secret never in errors", function () {
    const base = { provider: "coinbase", url: "", apiKey: "", apiSecret: "", options: {} };
    const p = createCoinbase(base);
    assert.strictEqual(p.connectUrl(), "wss://advanced-trade-ws.coinbase.com");
    assert.strictEqual(p.displayUrl(), "wss://advanced-trade-ws.coinbase.com");
    assert.ok(p.limits.messagesPerSecond < 8);
    assert.strictEqual(p.timing.staleMs, 10000);
    assert.deepStrictEqual(p.channels, ["trades"]);
    assert.strictEqual(p.dedupKey({ symbol: "BTC-USD", type: "trade", id: "12345", ts: 1, recvTs: 1, provider: "coinbase" }), "12345");
    assert.strictEqual(createCoinbase({ ...base, url: "ws://127.0.0.1:1/x" }).connectUrl(), "ws://127.0.0.1:1/x");
    assert.throws(() => createCoinbase({ ...base, apiKey: "organizations/o/apiKeys/k" }), /both/);
    assert.throws(
      () =>
        createCoinbase({ ...base, apiKey: "k", apiSecret: "-----BEGIN EC PRIVATE KEY-----\nSUPERSECRET\n-----END EC PRIVATE KEY-----" }),
      (err) => /not a readable private key/.test(err.message) && !err.message.includes("SUPERSECRET"),
    );
    assert.strictEqual(createCoinbase({ ...base, options: { staleMs: "3000", messagesPerSecond: "2" } }).timing.staleMs, 3000);
  });
});
