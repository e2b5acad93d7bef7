"use strict";
const assert = require("assert");
const { AlpacaSession, alpacaDedupKey, createAlpaca } = require("../../../dist/lib/providers/alpaca");
const { usRegularHours } = require("../../../dist/lib/providers/watchdog");
const { fakeCtx, feed, change } = require("../../support/session-ctx");

const RECV = 1614009104300000;
const OPTS = { limitRetryMs: 30000, stallMs: 0, stallHours: "regular", delayMs: 0 };

function session({ upstream = { trades: ["AAPL", "IWM", "BTC/USD"], quotes: ["AMD", "BAT/USD"] }, opts = {}, ...rest } = {}) {
  const c = fakeCtx({ provider: "alpaca", apiKey: "KEYID", apiSecret: "SECRET", upstream, recvTs: RECV, ...rest });
  const s = new AlpacaSession(c, { ...OPTS, ...opts });
  return { c, s };
}

/** Feeds raw text (to write integers above 2^53 as Alpaca does). */
const raw = (s, text) => s.message(Buffer.from(text), false);

describe("alpaca adapter: parser", function () {
  it("sends key and secret after 'connected' and is ready after 'authenticated'", function () {
    const { c, s } = session();
    s.open();
    assert.deepStrictEqual(c.sent, [], "waits for the server's connected message");
    feed(s, [{ T: "success", msg: "connected" }]);
    assert.deepStrictEqual(c.sent, [{ action: "auth", key: "KEYID", secret: "SECRET" }]);
    feed(s, [{ T: "success", msg: "connected" }]);
    assert.strictEqual(c.sent.length, 1, "auth is sent once");
    feed(s, [{ T: "success", msg: "authenticated" }]);
    feed(s, [{ T: "success", msg: "authenticated" }]);
    assert.deepStrictEqual(c.calls, [["ready"]]);
  });

  it("takes an unasked 'authenticated' (header auth through a relay) without sending the key", function () {
    const { c, s } = session();
    feed(s, [{ T: "success", msg: "authenticated" }]);
    feed(s, [{ T: "success", msg: "connected" }]);
    assert.deepStrictEqual(c.calls, [["ready"]]);
    assert.deepStrictEqual(c.sent, []);
  });

  const tick = (fields) => ({ recvTs: RECV, provider: "alpaca", ...fields });
  const table = [
    [
      "a stock trade: exchange letter, string conditions, tape, ns time kept as us + nanos",
      '[{"T":"t","S":"AAPL","i":96921,"x":"D","p":126.55,"s":1,"c":["@","I"],"t":"2021-02-22T15:51:44.208123456Z","z":"C"}]',
      [
        tick({
          symbol: "AAPL",
          type: "trade",
          price: 126.55,
          size: 1,
          ts: 1614009104208123,
          exchange: "D",
          conditions: ["@", "I"],
          id: "96921",
          extra: { tape: "C", nanos: 456 },
        }),
      ],
    ],
    [
      "a trade time with ms only (doc example) and no nanos",
      '[{"T":"t","S":"AAPL","i":1,"x":"V","p":1.5,"s":3,"t":"2021-02-22T15:51:44.208Z","z":"C"}]',
      [tick({ symbol: "AAPL", type: "trade", price: 1.5, size: 3, ts: 1614009104208000, exchange: "V", id: "1", extra: { tape: "C" } })],
    ],
    [
      "a time with an offset and no fraction",
      '[{"T":"t","S":"AAPL","i":2,"x":"V","p":1.5,"s":3,"t":"2021-02-22T10:51:44-05:00"}]',
      [tick({ symbol: "AAPL", type: "trade", price: 1.5, size: 3, ts: 1614009104000000, exchange: "V", id: "2" })],
    ],
    [
      "a stock quote: sizes as sent, bid/ask exchanges and tape in extra",
      [{ T: "q", S: "AMD", bx: "U", bp: 87.66, bs: 1, ax: "Q", ap: 87.68, as: 4, c: ["R"], t: "2021-02-22T15:51:45.335689322Z", z: "C" }],
      [
        tick({
          symbol: "AMD",
          type: "quote",
          bid: 87.66,
          bidSize: 1,
          ask: 87.68,
          askSize: 4,
          ts: 1614009105335689,
          conditions: ["R"],
          extra: { bidExchange: "U", askExchange: "Q", tape: "C", nanos: 322 },
        }),
      ],
    ],
    [
      "a crypto trade: the int64 id above 2^53 stays exact, taker side in extra",
      '[{"T":"t","S":"BTC/USD","p":47.299,"s":29.205707815,"t":"2024-03-12T10:27:48.858228144Z","i":3447222699101865076,"tks":"S"}]',
      [
        tick({
          symbol: "BTC/USD",
          type: "trade",
          price: 47.299,
          size: 29.205707815,
          ts: 1710239268858228,
          id: "3447222699101865076",
          extra: { takerSide: "S", nanos: 144 },
        }),
      ],
    ],
    [
      "a crypto quote",
      [{ T: "q", S: "BAT/USD", bp: 0.35718, bs: 13445.46, ap: 0.3581, as: 13561.902, t: "2024-03-12T10:27:48.858Z" }],
      [tick({ symbol: "BAT/USD", type: "quote", bid: 0.35718, bidSize: 13445.46, ask: 0.3581, askSize: 13561.902, ts: 1710239268858000 })],
    ],
    [
      "numbers sent as decimal strings become numbers; a string id stays as is",
      [{ T: "t", S: "AAPL", i: "79372207866957", x: "D", p: "208.65", s: "14950", t: "2021-02-22T15:51:44Z" }],
      [tick({ symbol: "AAPL", type: "trade", price: 208.65, size: 14950, ts: 1614009104000000, exchange: "D", id: "79372207866957" })],
    ],
    [
      "a batch: bars, statuses, corrections, cancels, order books and unknown types are ignored; unsubscribed symbols dropped",
      [
        { T: "b", S: "AAPL", o: 1, h: 1, l: 1, c: 1, v: 1, t: "2021-02-22T19:15:00Z" },
        {
          T: "c",
          S: "IWM",
          x: "D",
          oi: 79372207866957,
          op: 208.65,
          os: 14950,
          oc: [" "],
          ci: 79372223926359,
          cp: 208.65,
          cs: 14950,
          cc: [" "],
          z: "B",
          t: "2021-02-22T15:51:44Z",
        },
        { T: "x", S: "IWM", i: 79372207866957, x: "D", p: 208.65, s: 14950, a: "C", t: "2021-02-22T15:51:44Z", z: "B" },
        { T: "o", S: "BTC/USD", b: [{ p: 1, s: 1 }], a: [], r: true, t: "2024-03-12T10:27:48Z" },
        { T: "zz", S: "AAPL" },
        { T: "t", S: "TSLA", i: 5, x: "V", p: 1, s: 1, t: "2021-02-22T15:51:44Z" },
        { T: "t", S: "IWM", i: 7, x: "V", p: 2, s: 1, t: "2021-02-22T15:51:44Z" },
      ],
      [tick({ symbol: "IWM", type: "trade", price: 2, size: 1, ts: 1614009104000000, exchange: "V", id: "7" })],
    ],
    [
      "the wire symbol is mapped back to the subscribed spelling",
      [{ T: "t", S: "BRK.B", i: 9, x: "N", p: 400, s: 1, t: "2021-02-22T15:51:44Z" }],
      [tick({ symbol: "brk.b", type: "trade", price: 400, size: 1, ts: 1614009104000000, exchange: "N", id: "9" })],
      { trades: ["brk.b"] },
    ],
  ];
  for (const [name, frame, expected, upstream] of table) {
    it(name, function () {
      const { c, s } = session(upstream ? { upstream } : {});
      if (upstream) s.subscribe(change(upstream));
      if (typeof frame === "string") raw(s, frame);
      else feed(s, frame);
      assert.deepStrictEqual(c.ticks, expected);
      assert.deepStrictEqual(c.of("malformed"), []);
    });
  }

  it("reports garbage as malformed and never throws", function () {
    const { c, s } = session();
    raw(s, "not json");
    feed(s, [null, 5, [1]]);
    feed(s, [{ T: "t", S: "AAPL", i: 1, x: "V", p: 1, s: 1, t: "yesterday" }]);
    feed(s, [{ T: "t", S: "AAPL", i: 1, x: "V", s: 1, t: "2021-02-22T15:51:44Z" }]);
    feed(s, [{ T: "q", S: "AMD", t: "2021-02-22T15:51:44Z" }]);
    feed(s, { T: "success", msg: "connected" }); // not an array: still understood
    assert.strictEqual(c.of("malformed").length, 7);
    assert.deepStrictEqual(c.ticks, []);
    assert.deepStrictEqual(c.sent, [{ action: "auth", key: "KEYID", secret: "SECRET" }]);
  });

  it("subscribes additively in upper case, one request per channel, unsubscribing first", function () {
    const { c, s } = session();
    s.subscribe(
      change({ trades: ["aapl", "BTC/USD"], quotes: ["AAPL"] }, { trades: ["IBM"] }, { trades: ["aapl", "BTC/USD"], quotes: ["AAPL"] }),
    );
    assert.deepStrictEqual(c.sent, [
      { action: "unsubscribe", trades: ["IBM"] },
      { action: "subscribe", trades: ["AAPL", "BTC/USD"] },
      { action: "subscribe", quotes: ["AAPL"] },
    ]);
  });

  it("reports the difference between successive full subscription states, in the user's spelling", function () {
    const { c, s } = session({ upstream: { trades: ["aapl", "MSFT"], quotes: ["aapl"] } });
    s.subscribe(change({ trades: ["aapl", "MSFT"], quotes: ["aapl"] }));
    feed(s, [
      {
        T: "subscription",
        trades: ["AAPL", "MSFT"],
        quotes: ["AAPL"],
        bars: [],
        corrections: ["AAPL", "MSFT"],
        cancelErrors: ["AAPL", "MSFT"],
      },
    ]);
    feed(s, [{ T: "subscription", trades: ["AAPL"], quotes: ["AAPL"], bars: [] }]);
    assert.deepStrictEqual(c.calls, [
      ["unsubscribed", [], "trades"],
      ["subscribed", ["aapl", "MSFT"], "trades"],
      ["unsubscribed", [], "quotes"],
      ["subscribed", ["aapl"], "quotes"],
      ["unsubscribed", ["MSFT"], "trades"],
      ["subscribed", [], "trades"],
      ["unsubscribed", [], "quotes"],
      ["subscribed", [], "quotes"],
    ]);
  });

  it("maps login errors to what the user must do", function () {
    const cases = [
      [402, "auth failed", "auth", "auth_failed"],
      [411, "insufficient scope", "auth", "insufficient_scope"],
      [408, "v2 not enabled", "plan", "plan"],
      [409, "insufficient subscription", "plan", "plan"],
      [406, "connection limit exceeded", "limit", "connection_limit"],
      [404, "auth timeout", "transient", "auth_timeout"],
      [401, "not authenticated", "transient", "not_authenticated"],
      [407, "slow client", "transient", "slow_client"],
      [500, "internal error", "transient", "alpaca_500"],
    ];
    for (const [code, msg, kind, name] of cases) {
      const { c, s } = session();
      feed(s, [{ T: "error", code, msg }]);
      const fails = c.of("fail");
      assert.strictEqual(fails.length, 1, `${code} fails the connection`);
      assert.strictEqual(fails[0][0].kind, kind, `${code} kind`);
      assert.strictEqual(fails[0][0].code, name, `${code} code`);
      assert.ok(!JSON.stringify(fails).includes("SECRET") && !JSON.stringify(fails).includes("KEYID"), "no credentials in errors");
    }
    const { c, s } = session();
    feed(s, [{ T: "error", code: 406, msg: "connection limit exceeded" }]);
    assert.strictEqual(c.of("fail")[0][0].retryAfterMs, 30000, "waits before coming back");
    const other = session();
    feed(other.s, [{ T: "error", code: 403, msg: "already authenticated" }]);
    assert.deepStrictEqual(other.c.calls, [], "403 is harmless");
  });

  it("names the symbols of the refused request (405, 410, 409 after login); other errors after login warn", function () {
    const { c, s } = session({ upstream: { trades: ["AAPL", "msft", "TSLA"], quotes: ["AAPL"] } });
    feed(s, [{ T: "success", msg: "authenticated" }]);
    s.subscribe(change({ trades: ["AAPL"] }));
    s.subscribe(change({ trades: ["msft", "TSLA"], quotes: ["AAPL"] }, {}, { trades: ["AAPL", "msft", "TSLA"], quotes: ["AAPL"] }));
    s.subscribe(change({ quotes: ["msft"] }, {}, { trades: ["AAPL", "msft", "TSLA"], quotes: ["AAPL", "msft"] }));
    feed(s, [{ T: "subscription", trades: ["AAPL"], quotes: [] }]);
    feed(s, [{ T: "error", code: 405, msg: "symbol limit exceeded" }]);
    feed(s, [{ T: "subscription", trades: ["AAPL"], quotes: ["AAPL"] }]);
    feed(s, [{ T: "error", code: 410, msg: "invalid subscribe action for this feed" }]);
    feed(s, [{ T: "error", code: 500, msg: "internal error" }]);
    assert.deepStrictEqual(
      c.of("rejected").map(([symbols, channel, code]) => [symbols, channel, code]),
      [
        [["msft", "TSLA"], "trades", "symbol_limit"],
        [["msft"], "quotes", "invalid_channel"],
      ],
    );
    assert.deepStrictEqual(
      c.of("warn").map((w) => w[0]),
      ["alpaca_500"],
    );
    assert.deepStrictEqual(c.of("fail"), []);
  });

  it("data watchdog: reconnects after stallSec without data while subscribed, only in the watched hours", function () {
    const clock = { us: Date.UTC(2024, 2, 12, 15, 0) * 1000 }; // Tuesday 11:00 New York
    const mk = (stallHours, upstream = { trades: ["AAPL"] }) => {
      const r = session({ upstream, opts: { stallMs: 60000, stallHours } });
      r.c.now = () => clock.us;
      return r;
    };
    const start = clock.us;
    const a = mk("regular");
    const idle = mk("regular", {});
    const never = mk("never");
    clock.us = start;
    for (const r of [a, idle, never]) feed(r.s, [{ T: "success", msg: "authenticated" }]);
    for (const r of [a, idle, never]) r.s.heartbeat(); // the slot calls it every few seconds
    clock.us = start + 30e6;
    feed(a.s, [{ T: "t", S: "AAPL", i: 1, x: "V", p: 1, s: 1, t: "2024-03-12T15:00:30Z" }]);
    clock.us = start + 80e6;
    for (const r of [a, idle, never]) r.s.heartbeat();
    assert.deepStrictEqual(a.c.of("fail"), [], "data 50 s ago");
    clock.us = start + 91e6;
    for (const r of [a, idle, never]) r.s.heartbeat();
    assert.strictEqual(a.c.of("fail")[0][0].code, "stale");
    assert.strictEqual(a.c.of("fail")[0][0].kind, "transient");
    assert.deepStrictEqual(idle.c.of("fail"), [], "nothing subscribed: silence is fine");
    assert.deepStrictEqual(never.c.of("fail"), []);

    // Closed market: silence does not count, and the clock starts again at the open.
    clock.us = Date.UTC(2024, 2, 16, 15, 0) * 1000; // Saturday
    const w = mk("regular");
    w.s.heartbeat();
    clock.us += 3600e6;
    w.s.heartbeat();
    assert.deepStrictEqual(w.c.of("fail"), []);
    clock.us = Date.UTC(2024, 2, 18, 13, 29) * 1000; // Monday 09:29 New York
    w.s.heartbeat();
    clock.us = Date.UTC(2024, 2, 18, 13, 30) * 1000;
    w.s.heartbeat();
    assert.deepStrictEqual(w.c.of("fail"), [], "just opened");
    clock.us += 61e6;
    w.s.heartbeat();
    assert.strictEqual(w.c.of("fail").length, 1);

    // delayed_sip: the watched hours move with the 15-minute delay.
    const d = session({ upstream: { trades: ["AAPL"] }, opts: { stallMs: 60000, stallHours: "regular", delayMs: 900000 } });
    d.c.now = () => clock.us;
    clock.us = Date.UTC(2024, 2, 18, 13, 30) * 1000; // 09:30: the delayed feed still shows 09:15
    d.s.heartbeat();
    clock.us += 300e6;
    d.s.heartbeat();
    assert.deepStrictEqual(d.c.of("fail"), [], "not watched before 09:45");
  });

  it("a subscription state without a channel's list leaves that channel alone", function () {
    const { c, s } = session({ upstream: { trades: ["AAPL"], quotes: ["AAPL"] } });
    feed(s, [{ T: "subscription", trades: ["AAPL"], quotes: ["AAPL"] }]);
    feed(s, [{ T: "subscription", trades: ["AAPL"] }]);
    assert.deepStrictEqual(
      c.of("unsubscribed").filter((x) => x[0].length > 0),
      [],
    );
  });

  it("knows US regular hours in New York time, DST included", function () {
    assert.strictEqual(usRegularHours(Date.UTC(2024, 0, 9, 14, 30)), true, "winter 09:30 EST");
    assert.strictEqual(usRegularHours(Date.UTC(2024, 0, 9, 14, 29)), false);
    assert.strictEqual(usRegularHours(Date.UTC(2024, 6, 9, 13, 30)), true, "summer 09:30 EDT");
    assert.strictEqual(usRegularHours(Date.UTC(2024, 6, 9, 20, 0)), false, "16:00 EDT");
    assert.strictEqual(usRegularHours(Date.UTC(2024, 6, 13, 15, 0)), false, "Saturday");
    assert.strictEqual(usRegularHours(Date.UTC(2026, 10, 26, 16, 0)), false, "Thanksgiving (NYSE holiday)");
    assert.strictEqual(usRegularHours(Date.UTC(2026, 10, 27, 17, 30)), true, "12:30 EST on the day after Thanksgiving");
    assert.strictEqual(usRegularHours(Date.UTC(2026, 10, 27, 18, 30)), false, "13:30 EST: after the 13:00 early close");
  });

  it("dedups stock trades on (x, i), crypto on the exact id, quotes on content", function () {
    const a = { symbol: "AAPL", type: "trade", exchange: "V", id: "96921", price: 1, size: 1, ts: 1 };
    assert.notStrictEqual(alpacaDedupKey(a), alpacaDedupKey({ ...a, exchange: "D" }), "same id on another exchange is another trade");
    assert.strictEqual(alpacaDedupKey(a), alpacaDedupKey({ ...a, ts: 2, recvTs: 5 }));
    const b = { symbol: "BTC/USD", type: "trade", id: "3447222699101865076", price: 1, size: 1, ts: 1 };
    assert.notStrictEqual(alpacaDedupKey(b), alpacaDedupKey({ ...b, id: "3447222699101865077" }), "ids that one double would merge");
    const q = { symbol: "AMD", type: "quote", bid: 1, ask: 2, bidSize: 1, askSize: 1, ts: 1 };
    assert.notStrictEqual(alpacaDedupKey(q), alpacaDedupKey({ ...q, ts: 2 }));
    assert.strictEqual(alpacaDedupKey(q), alpacaDedupKey({ ...q }));
  });

  it("needs a key and a secret, picks the endpoint by feed, keeps the URL overridable and secret-free", function () {
    const base = { provider: "alpaca", url: "", apiKey: "KEYID", apiSecret: "SECRET", options: {} };
    assert.throws(() => createAlpaca({ ...base, apiSecret: "" }), /key ID and a secret/);
    assert.throws(() => createAlpaca({ ...base, apiKey: "" }), /key ID and a secret/);
    assert.throws(() => createAlpaca({ ...base, options: { feed: "nasdaq" } }), /Unknown Alpaca feed/);
    assert.throws(() => createAlpaca({ ...base, options: { plan: "gold" } }), /Unknown Alpaca plan/);
    const url = (options) => createAlpaca({ ...base, options }).connectUrl();
    assert.strictEqual(url({}), "wss://stream.data.alpaca.markets/v2/iex");
    assert.strictEqual(url({ feed: "sip" }), "wss://stream.data.alpaca.markets/v2/sip");
    assert.strictEqual(url({ feed: "delayed_sip" }), "wss://stream.data.alpaca.markets/v2/delayed_sip");
    assert.strictEqual(url({ feed: "test" }), "wss://stream.data.alpaca.markets/v2/test");
    assert.strictEqual(url({ feed: "overnight" }), "wss://stream.data.alpaca.markets/v1beta1/overnight");
    assert.strictEqual(url({ feed: "crypto" }), "wss://stream.data.alpaca.markets/v1beta3/crypto/us");
    assert.strictEqual(url({ feed: "crypto", sandbox: true }), "wss://stream.data.sandbox.alpaca.markets/v1beta3/crypto/us");
    const p = createAlpaca({ ...base, url: "ws://127.0.0.1:9/v2/test" });
    assert.strictEqual(p.connectUrl(), "ws://127.0.0.1:9/v2/test");
    assert.ok(!p.displayUrl().includes("KEYID") && !p.displayUrl().includes("SECRET"));
    assert.strictEqual(createAlpaca(base).limits.symbolsPerConnection, 30, "basic (free) plan");
    assert.strictEqual(
      createAlpaca({ ...base, options: { feed: "sip" } }).limits.symbolsPerConnection,
      Infinity,
      "SIP means Algo Trader Plus",
    );
    assert.strictEqual(createAlpaca({ ...base, options: { plan: "plus" } }).limits.symbolsPerConnection, Infinity);
    assert.strictEqual(createAlpaca(base).limits.maxConnections, 1);
    assert.strictEqual(createAlpaca(base).timing.pingMs, 10000);
    assert.strictEqual(createAlpaca({ ...base, options: { stallSec: 0 } }).timing.heartbeatMs, 0, "watchdog off");
    const f = createAlpaca(base).httpFailure(429);
    assert.strictEqual(f.kind, "limit");
    assert.strictEqual(createAlpaca(base).httpFailure(401), undefined, "401/403: the default (auth)");
  });
});
