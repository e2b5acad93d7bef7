"use strict";
const assert = require("assert");
const { PolygonSession, polygonDedupKey, createPolygon } = require("../../../dist/lib/providers/polygon");
const { fakeCtx, feed } = require("../../support/session-ctx");

/** When every frame of these tests is received. */
const RECV = 1536036818790000;
const ctx = (upstream = { trades: ["MSFT", "AAPL"], quotes: ["MSFT"] }) =>
  fakeCtx({ provider: "polygon", apiKey: "K", upstream, recvTs: RECV });

describe("polygon adapter: parser", function () {
  it("authenticates after 'connected' and is ready after auth_success", function () {
    const c = ctx();
    const s = new PolygonSession(c);
    s.open();
    assert.deepStrictEqual(c.sent, [], "waits for the server's connected status");
    feed(s, [{ ev: "status", status: "connected", message: "Connected Successfully" }]);
    assert.deepStrictEqual(c.sent, [{ action: "auth", params: "K" }]);
    feed(s, [{ ev: "status", status: "auth_success", message: "authenticated" }]);
    assert.deepStrictEqual(c.calls, [["ready"]]);
  });

  // [name, frame, expected ticks (without recvTs and provider: RECV and polygon)]
  const table = [
    [
      "a trade (ms SIP time, string id, conditions, TRF fields)",
      [
        {
          ev: "T",
          sym: "MSFT",
          x: 4,
          i: "12345",
          z: 3,
          p: 114.125,
          s: 100,
          c: [0, 12],
          t: 1536036818784,
          q: 3681328,
          trfi: 201,
          trft: 1536036818780,
        },
      ],
      [
        {
          symbol: "MSFT",
          type: "trade",
          price: 114.125,
          size: 100,
          ts: 1536036818784000,
          exchange: 4,
          conditions: [0, 12],
          id: "12345",
          seq: 3681328,
          extra: { trfi: 201, trft: 1536036818780, tape: 3 },
        },
      ],
    ],
    [
      "a quote: sizes in round lots become shares",
      [{ ev: "Q", sym: "MSFT", bx: 4, bp: 114.125, bs: 1, ax: 7, ap: 114.128, as: 2, c: 0, i: [604], t: 1536036818784, q: 50385480, z: 3 }],
      [
        {
          symbol: "MSFT",
          type: "quote",
          bid: 114.125,
          ask: 114.128,
          bidSize: 100,
          askSize: 200,
          ts: 1536036818784000,
          conditions: [0],
          seq: 50385480,
          extra: { bidExchange: 4, askExchange: 7 },
        },
      ],
    ],
    [
      "status and data mixed in one array; unknown events and symbols ignored",
      [
        { ev: "status", status: "success", message: "subscribed to: T.AAPL" },
        { ev: "AM", sym: "AAPL", v: 1 },
        { ev: "T", sym: "IBM", x: 1, i: "1", p: 1, s: 1, t: 1 },
        { ev: "T", sym: "AAPL", x: 1, i: "9", p: 190.5, s: 5, t: 1536036818784 },
      ],
      [
        {
          symbol: "AAPL",
          type: "trade",
          price: 190.5,
          size: 5,
          ts: 1536036818784000,
          exchange: 1,
          id: "9",
        },
      ],
    ],
    [
      "uncertain shapes: numeric i, no conditions, no tape, no q (older SDK fixtures / #56)",
      [{ ev: "T", sym: "AAPL", x: 12, i: 52983525029461, p: 190.5, s: 5, t: 1536036818784 }],
      [
        {
          symbol: "AAPL",
          type: "trade",
          price: 190.5,
          size: 5,
          ts: 1536036818784000,
          exchange: 12,
          id: "52983525029461",
        },
      ],
    ],
    [
      "an odd-lot trade without size, and a quote without conditions or exchanges",
      [
        { ev: "T", sym: "MSFT", x: 4, i: "7", p: 1.5, t: 1536036818784 },
        { ev: "Q", sym: "MSFT", bp: 1, bs: 0, ap: 2, as: 3, t: 1536036818785 },
      ],
      [
        {
          symbol: "MSFT",
          type: "trade",
          price: 1.5,
          ts: 1536036818784000,
          exchange: 4,
          id: "7",
        },
        {
          symbol: "MSFT",
          type: "quote",
          bid: 1,
          ask: 2,
          bidSize: 0,
          askSize: 300,
          ts: 1536036818785000,
        },
      ],
    ],
    [
      "crypto XT / aggregates A, AM in a stocks frame are ignored, not malformed",
      [
        { ev: "XT", pair: "BTC-USD", p: 33021.9, t: 1610462007425, s: 0.01616617, c: [2], i: 14272084, x: 3, r: 1610462007576 },
        { ev: "A", sym: "AAPL", v: 1, s: 1610144640000, e: 1610144641000 },
        { ev: "AM", sym: "AAPL", v: 4110, s: 1610144640000, e: 1610144700000 },
      ],
      [],
    ],
  ];
  for (const [name, frame, expected] of table) {
    it(name, function () {
      const c = ctx();
      feed(new PolygonSession(c), frame);
      assert.deepStrictEqual(
        c.ticks,
        expected.map((fields) => ({ ...fields, recvTs: RECV, provider: "polygon" })),
      );
      assert.deepStrictEqual(
        c.calls.filter((x) => x[0] === "malformed"),
        [],
      );
    });
  }

  it("maps statuses to what the user must do", function () {
    const cases = [
      [{ status: "auth_failed", message: "authentication failed" }, "auth"],
      [{ status: "auth_failed", message: "Your plan doesn't include websocket access." }, "plan"],
      [{ status: "max_connections", message: "Maximum number of websocket connections exceeded." }, "limit"],
      [{ status: "auth_timeout", message: "No authentication request received." }, "transient"],
    ];
    for (const [st, kind] of cases) {
      const c = ctx();
      feed(new PolygonSession(c), [{ ev: "status", ...st }]);
      assert.strictEqual(c.calls[0][0], "fail");
      assert.strictEqual(c.calls[0][1].kind, kind, st.message);
    }
    const c = ctx();
    feed(new PolygonSession(c), [{ ev: "status", status: "max_connections", message: "x" }]);
    assert.ok(c.calls[0][1].retryAfterMs >= 60000, "waits long enough for the other session");
    const p = createPolygon({ provider: "polygon", url: "", apiKey: "K", apiSecret: "", options: { limitRetryMs: "90000" } });
    const c2 = ctx();
    feed(p.createSession(c2), [{ ev: "status", status: "max_connections", message: "x" }]);
    assert.strictEqual(c2.calls[0][1].retryAfterMs, 90000, "limitRetryMs option");
    assert.match(c2.calls[0][1].message, /90 s/);
  });

  it("acknowledges subscriptions per topic and reports garbage", function () {
    const c = ctx();
    const s = new PolygonSession(c);
    feed(s, [
      { ev: "status", status: "success", message: "subscribed to: Q.MSFT" },
      { ev: "status", status: "success", message: "unsubscribed to: T.AAPL" },
    ]);
    assert.deepStrictEqual(c.calls, [
      ["subscribed", ["MSFT"], "quotes"],
      ["unsubscribed", ["AAPL"], "trades"],
    ]);
    feed(s, "not json");
    feed(s, [{ ev: "T", sym: "AAPL", p: "x", t: 1 }]);
    assert.deepStrictEqual(
      c.calls.slice(2).map((x) => x[0]),
      ["malformed", "malformed"],
    );
  });

  it("subscribes in Polygon's topic model", function () {
    const c = ctx();
    new PolygonSession(c).subscribe({
      add: { trades: ["AAPL", "MSFT"], quotes: ["AAPL"] },
      remove: { trades: ["IBM"], quotes: [] },
      all: { trades: ["AAPL", "MSFT"], quotes: ["AAPL"] },
    });
    assert.deepStrictEqual(c.sent, [
      { action: "unsubscribe", params: "T.IBM" },
      { action: "subscribe", params: "T.AAPL,T.MSFT,Q.AAPL" },
    ]);
  });

  it("dedups on (x, i, trfi), never on q alone", function () {
    const a = { type: "trade", exchange: 4, id: "1", seq: 5 };
    assert.notStrictEqual(polygonDedupKey(a), polygonDedupKey({ ...a, exchange: 12 }), "same id on another exchange is another trade");
    assert.notStrictEqual(polygonDedupKey({ ...a, extra: { trfi: 201 } }), polygonDedupKey({ ...a, extra: { trfi: 202 } }));
    assert.strictEqual(polygonDedupKey(a), polygonDedupKey({ ...a, seq: 6 }));
  });

  it("needs a key, defaults to the real-time or delayed endpoint, and keeps the URL overridable", function () {
    const base = { provider: "polygon", url: "", apiKey: "K", apiSecret: "", options: {} };
    assert.throws(() => createPolygon({ ...base, apiKey: "" }), /needs an API key/);
    assert.strictEqual(createPolygon(base).connectUrl(), "wss://socket.massive.com/stocks");
    assert.strictEqual(createPolygon({ ...base, options: { delayed: true } }).connectUrl(), "wss://delayed.massive.com/stocks");
    assert.strictEqual(createPolygon({ ...base, url: "ws://127.0.0.1:9/x" }).connectUrl(), "ws://127.0.0.1:9/x");
  });

  it("data watchdog: 'stale' after stallSec without T/Q while subscribed, in US regular hours only (delayed feed shifted)", function () {
    const clock = { us: Date.UTC(2024, 2, 12, 15, 0) * 1000 }; // Tuesday 11:00 New York
    const mk = (opts, subscribed) => {
      const c = ctx(subscribed);
      c.now = () => clock.us;
      return { c, s: new PolygonSession(c, { stallMs: 60000, stallHours: "regular", ...opts }) };
    };
    const start = clock.us;
    const a = mk({});
    const idle = mk({}, { trades: [], quotes: [] });
    const never = mk({ stallHours: "never" });
    for (const r of [a, idle, never]) r.s.heartbeat();
    clock.us = start + 30e6;
    feed(a.s, [{ ev: "Q", sym: "MSFT", bp: 1, ap: 2, t: 1 }]); // a quote counts as data
    clock.us = start + 80e6;
    for (const r of [a, idle, never]) r.s.heartbeat();
    assert.deepStrictEqual(
      a.c.calls.filter((x) => x[0] === "fail"),
      [],
      "data 50 s ago",
    );
    clock.us = start + 91e6;
    for (const r of [a, idle, never]) r.s.heartbeat();
    const fails = a.c.calls.filter((x) => x[0] === "fail");
    assert.deepStrictEqual([fails.length, fails[0][1].code, fails[0][1].kind], [1, "stale", "transient"]);
    assert.deepStrictEqual(idle.c.calls, [], "nothing subscribed: silence is fine");
    assert.deepStrictEqual(never.c.calls, []);

    clock.us = Date.UTC(2024, 2, 16, 15, 0) * 1000; // Saturday: a closed market is silent
    const w = mk({});
    w.s.heartbeat();
    clock.us += 3600e6;
    w.s.heartbeat();
    assert.deepStrictEqual(w.c.calls, []);

    const d = mk({ delayMs: 900000 });
    clock.us = Date.UTC(2024, 2, 18, 13, 30) * 1000; // Monday 09:30: the delayed feed still shows 09:15
    d.s.heartbeat();
    clock.us += 300e6;
    d.s.heartbeat();
    assert.deepStrictEqual(d.c.calls, [], "not watched before 09:45");
  });

  it("watchdog options: on by default (300 s, regular hours; always on the crypto cluster), off with stallSec 0 or stallHours never", function () {
    const base = { provider: "polygon", url: "", apiKey: "K", apiSecret: "", options: {} };
    assert.ok(createPolygon(base).timing.heartbeatMs > 0 && createPolygon(base).timing.heartbeatMs <= 75000);
    assert.strictEqual(createPolygon({ ...base, options: { stallSec: "0" } }).timing.heartbeatMs, 0);
    assert.strictEqual(createPolygon({ ...base, options: { stallHours: "never" } }).timing.heartbeatMs, 0);
    assert.strictEqual(createPolygon(base).timing.staleMs, 0, "the socket-level stale timer stays off");
    assert.throws(() => createPolygon({ ...base, options: { stallHours: "weekends" } }), /stallHours/);
    // Crypto trades around the clock: watched always.
    const c = ctx();
    let now = Date.UTC(2024, 2, 16, 15, 0) * 1000; // Saturday
    c.now = () => now;
    const s = createPolygon({ ...base, options: { cluster: "crypto", stallSec: "60" } }).createSession(c);
    s.heartbeat();
    now += 1e6;
    s.heartbeat();
    now += 61e6;
    s.heartbeat();
    assert.strictEqual(c.calls.filter((x) => x[0] === "fail").length, 1);
  });
});
