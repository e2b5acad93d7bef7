"use strict";
const assert = require("assert");
const { AllTickSession, alltickDedupKey, createAllTick } = require("../../../dist/lib/providers/alltick");
const { fakeCtx, feed, change } = require("../../support/session-ctx");
const { waitFor } = require("../../support/wait");

const RECV = 1605509068100000;

function session(upstream = { trades: ["AAPL.US", "700.HK", "Silver"], quotes: ["700.HK"] }) {
  const c = fakeCtx({ provider: "alltick", upstream, recvTs: RECV });
  const s = new AllTickSession(c, 5, 20);
  s.subscribe(change({ trades: upstream.trades, quotes: upstream.quotes }));
  c.forget("sent", "keys");
  return { c, s };
}

describe("alltick adapter: parser", function () {
  it("opens with a heartbeat and is ready at its answer (the token check)", function () {
    const c = fakeCtx({ provider: "alltick" });
    const s = new AllTickSession(c, 5, 20);
    s.open();
    assert.deepStrictEqual(c.sent, [{ cmd_id: 22000, seq_id: 1, trace: "hb", data: {} }]);
    assert.deepStrictEqual(c.keys, ["hb"], "at most one heartbeat waits in the queue");
    assert.deepStrictEqual(c.calls, []);
    feed(s, { ret: 200, msg: "ok", cmd_id: 22001, seq_id: 1, trace: "hb", data: {} });
    assert.deepStrictEqual(c.calls, [["ready"]]);
    feed(s, { ret: 200, msg: "ok", cmd_id: 22001, seq_id: 2, trace: "hb", data: {} });
    assert.deepStrictEqual(c.calls, [["ready"]], "once");
  });

  it("always sends the whole list per kind (replacing a queued one), depth at level 1, and cancels an emptied kind", function () {
    const c = fakeCtx({ provider: "alltick" });
    const s = new AllTickSession(c, 5, 20);
    s.subscribe(change({ trades: ["AAPL.US", "700.HK"], quotes: ["700.HK"] }));
    s.subscribe(change({ trades: ["MSFT.US"] }, {}, { trades: ["AAPL.US", "700.HK", "MSFT.US"], quotes: ["700.HK"] }));
    s.subscribe(change({}, { quotes: ["700.HK"] }, { trades: ["AAPL.US", "700.HK", "MSFT.US"], quotes: [] }));
    assert.deepStrictEqual(
      c.sent.map((m) => [m.cmd_id, m.data.symbol_list || m.data.cancel_type]),
      [
        [22004, [{ code: "AAPL.US" }, { code: "700.HK" }]],
        [22002, [{ code: "700.HK", depth_level: 1 }]],
        [22004, [{ code: "AAPL.US" }, { code: "700.HK" }, { code: "MSFT.US" }]],
        [22006, 1],
      ],
    );
    assert.deepStrictEqual(c.keys, ["trades", "quotes", "trades", "quotes"]);
    assert.ok(c.sent.every((m) => typeof m.seq_id === "number" && typeof m.trace === "string"));
  });

  // [name, push data, expected tick fields]
  const trades = [
    [
      "integer seq and ms tick_time (current docs), decimal strings",
      '{"cmd_id":22998,"data":{"code":"AAPL.US","seq":1605509068000001,"tick_time":1605509068000,"price":"651.12","volume":"300","turnover":"195336.0","trade_direction":1}}',
      {
        symbol: "AAPL.US",
        price: 651.12,
        size: 300,
        ts: 1605509068000000,
        seq: 1605509068000001,
        extra: { direction: 1, turnover: 195336 },
      },
    ],
    [
      "string seq and string seconds tick_time (older docs, GitBook)",
      '{"cmd_id":22998,"data":{"code":"700.HK","seq":"1605509068000001","tick_time":"1605509068","price":"9.12","volume":"100","turnover":"912","trade_direction":2}}',
      { symbol: "700.HK", price: 9.12, size: 100, ts: 1605509068000000, seq: 1605509068000001, extra: { direction: 2, turnover: 912 } },
    ],
    [
      "integer seconds and string ms",
      '{"cmd_id":22998,"data":{"code":"700.HK","seq":7,"tick_time":1605509068,"price":"9.12","volume":"100"}}',
      { symbol: "700.HK", price: 9.12, size: 100, ts: 1605509068000000, seq: 7 },
    ],
    [
      "a seq above 2^53 stays exact (raw integer on the wire)",
      '{"cmd_id":22998,"data":{"code":"AAPL.US","seq":9007199254740993123,"tick_time":"1605509068123","price":"1","volume":"2"}}',
      { symbol: "AAPL.US", price: 1, size: 2, ts: 1605509068123000, seq: "9007199254740993123" },
    ],
    [
      "FX/metals: no turnover, direction 0, case-sensitive code",
      '{"cmd_id":22998,"data":{"code":"Silver","seq":"12","tick_time":"1605509068000","price":"24.105","volume":"0","trade_direction":0}}',
      { symbol: "Silver", price: 24.105, size: 0, ts: 1605509068000000, seq: 12, extra: { direction: 0 } },
    ],
  ];
  for (const [name, text, fields] of trades) {
    it("trade: " + name, function () {
      const { c, s } = session();
      feed(s, text);
      assert.deepStrictEqual(c.ticks, [{ type: "trade", recvTs: RECV, provider: "alltick", ...fields }]);
      assert.deepStrictEqual(c.calls, [["ready"]]);
    });
  }

  it("depth 22999 becomes a quote from level 1; an empty side stays empty; FX without volume", function () {
    const { c, s } = session();
    feed(s, {
      cmd_id: 22999,
      data: {
        code: "700.HK",
        seq: "5",
        tick_time: "1605509068000",
        bids: [
          { price: "9.12", volume: "100" },
          { price: "9.11", volume: "50" },
        ],
        asks: [{ price: "9.13", volume: "200" }],
      },
    });
    feed(s, { cmd_id: 22999, data: { code: "700.HK", seq: 6, tick_time: 1605509069000, bids: [], asks: [{ price: "9.13" }] } });
    assert.deepStrictEqual(c.ticks, [
      {
        symbol: "700.HK",
        type: "quote",
        ts: 1605509068000000,
        recvTs: RECV,
        provider: "alltick",
        bid: 9.12,
        bidSize: 100,
        ask: 9.13,
        askSize: 200,
        seq: 5,
      },
      { symbol: "700.HK", type: "quote", ts: 1605509069000000, recvTs: RECV, provider: "alltick", ask: 9.13, seq: 6 },
    ]);
  });

  it("ignores unknown pushes and codes not subscribed; reports garbage", function () {
    const { c, s } = session();
    feed(s, { cmd_id: 22997, data: { code: "AAPL.US" } });
    feed(s, '{"cmd_id":22998,"data":{"code":"IBM.US","seq":1,"tick_time":1605509068000,"price":"1","volume":"1"}}');
    feed(s, "<html>oops</html>");
    feed(s, "[1,2]");
    feed(s, '{"cmd_id":22998,"data":{"code":"AAPL.US","seq":1,"tick_time":"never","price":"1","volume":"1"}}');
    assert.deepStrictEqual(c.ticks, []);
    assert.deepStrictEqual(
      c.calls.map((x) => x[0]),
      ["ready", "malformed", "malformed", "malformed"],
    );
  });

  it("confirms lists from replies by seq_id (added and removed codes)", function () {
    const c = fakeCtx({ provider: "alltick" });
    const s = new AllTickSession(c, 5, 20);
    s.subscribe(change({ trades: ["A.US", "B.US"] }));
    feed(s, { ret: 200, msg: "ok", cmd_id: 22005, seq_id: c.sent[0].seq_id, trace: c.sent[0].trace, data: {} });
    s.subscribe(change({ trades: ["C.US"] }, { trades: ["A.US"] }, { trades: ["B.US", "C.US"] }));
    feed(s, { ret: 200, msg: "ok", cmd_id: 22005, seq_id: c.sent[1].seq_id, trace: c.sent[1].trace, data: {} });
    feed(s, { ret: 200, msg: "ok", cmd_id: 22005, seq_id: 999, trace: "x", data: {} });
    assert.deepStrictEqual(c.calls, [
      ["ready"],
      ["unsubscribed", [], "trades"],
      ["subscribed", ["A.US", "B.US"], "trades"],
      ["unsubscribed", ["A.US"], "trades"],
      ["subscribed", ["C.US"], "trades"],
    ]);
  });

  it("maps error replies: 401 auth, 606 limit with a pause, 603/604/600 name the refused codes", function () {
    let c = fakeCtx({ provider: "alltick" });
    feed(new AllTickSession(c, 5, 20), { ret: 401, msg: "token invalid", cmd_id: 0, seq_id: 0, trace: "", data: {} });
    assert.strictEqual(c.of("fail")[0][0].kind, "auth");
    assert.strictEqual(c.of("fail")[0][0].code, "auth_failed");

    c = fakeCtx({ provider: "alltick" });
    feed(new AllTickSession(c, 5, 20), {
      ret: 606,
      msg: "too many requests and connection will be closed",
      cmd_id: 22005,
      seq_id: 3,
      trace: "t3",
      data: {},
    });
    assert.strictEqual(c.of("fail")[0][0].kind, "limit");
    assert.ok(c.of("fail")[0][0].retryAfterMs >= 3000);

    const codes = ["A.US", "B.US", "C.US", "D.US", "E.US", "F.US", "G.US"];
    c = fakeCtx({ provider: "alltick" });
    let s = new AllTickSession(c, 5, 20);
    s.subscribe(change({ trades: codes }));
    feed(s, { ret: 603, msg: "token level not enough", cmd_id: 22005, seq_id: c.sent[0].seq_id, trace: "", data: {} });
    assert.deepStrictEqual(c.of("rejected")[0].slice(0, 3), [["F.US", "G.US"], "trades", "symbol_limit"]);

    c = fakeCtx({ provider: "alltick" });
    s = new AllTickSession(c, 5, 20);
    s.subscribe(change({ quotes: ["A.US", "B.US"] }));
    feed(s, { ret: 604, msg: "code unauthorized: B.US", cmd_id: 22003, seq_id: c.sent[0].seq_id, trace: "", data: {} });
    assert.deepStrictEqual(c.of("rejected")[0].slice(0, 3), [["B.US"], "quotes", "not_entitled"]);

    c = fakeCtx({ provider: "alltick" });
    s = new AllTickSession(c, 5, 20);
    s.subscribe(change({ trades: ["EURUSD"] }));
    feed(s, { ret: 600, msg: "code invalid", cmd_id: 22005, seq_id: c.sent[0].seq_id, trace: "", data: {} });
    assert.deepStrictEqual(c.of("rejected")[0].slice(0, 3), [["EURUSD"], "trades", "invalid_symbol"]);
    assert.match(c.of("rejected")[0][3], /stocks vs FX/);
  });

  it("a request refused for pace (429) is sent again, not dropped", async function () {
    const c = fakeCtx({ provider: "alltick" });
    const s = new AllTickSession(c, 5, 20);
    s.subscribe(change({ trades: ["A.US"] }));
    feed(s, { ret: 429, msg: "rate limit", cmd_id: 22005, seq_id: c.sent[0].seq_id, trace: "", data: {} });
    assert.strictEqual(c.of("warn")[0][0], "rate_limited");
    await waitFor(() => c.sent.length === 2, { timeout: 1000, what: "the resend" });
    assert.deepStrictEqual(c.sent[1].data.symbol_list, [{ code: "A.US" }]);
    assert.notStrictEqual(c.sent[1].seq_id, c.sent[0].seq_id);
  });

  it("dedups on (seq, time) per code, by content without seq; trades and quotes apart", function () {
    const t = { type: "trade", seq: 5, ts: 1, price: 1, size: 1 };
    assert.strictEqual(alltickDedupKey(t), alltickDedupKey({ ...t, price: 2 }), "same seq and time: the same trade");
    assert.notStrictEqual(alltickDedupKey(t), alltickDedupKey({ ...t, seq: 6 }));
    assert.notStrictEqual(alltickDedupKey(t), alltickDedupKey({ ...t, ts: 2 }), "a reset seq is not a duplicate");
    assert.notStrictEqual(alltickDedupKey(t), alltickDedupKey({ ...t, type: "quote" }));
    assert.notStrictEqual(alltickDedupKey({ ...t, seq: undefined }), alltickDedupKey({ ...t, seq: undefined, price: 2 }));
  });

  it("endpoints, plans and options", function () {
    const base = { provider: "alltick", url: "", apiKey: "SeCrEt", apiSecret: "", options: {} };
    let p = createAllTick(base);
    assert.strictEqual(p.connectUrl(), "wss://quote.alltick.co/quote-stock-b-ws-api?token=SeCrEt");
    assert.ok(!p.displayUrl().includes("SeCrEt"));
    assert.deepStrictEqual([p.limits.symbolsPerConnection, p.limits.maxConnections], [5, 1]);
    assert.ok(p.limits.messagesPerSecond < 1, "under one request per second");
    assert.deepStrictEqual([p.timing.heartbeatMs, p.timing.staleMs], [10000, 30000]);
    p = createAllTick({ ...base, options: { market: "forex", host: "quote.alltick.io", plan: "premium", heartbeatMs: "50" } });
    assert.strictEqual(p.connectUrl(), "wss://quote.alltick.io/quote-b-ws-api?token=SeCrEt");
    assert.deepStrictEqual([p.limits.symbolsPerConnection, p.limits.maxConnections, p.timing.heartbeatMs], [200, 3, 50]);
    assert.deepStrictEqual(
      [
        createAllTick({ ...base, options: { plan: "pro" } }).limits.symbolsPerConnection,
        createAllTick({ ...base, options: { plan: "basic" } }).limits.maxConnections,
      ],
      [3000, 1],
    );
    assert.strictEqual(createAllTick({ ...base, url: "ws://127.0.0.1:9/x" }).connectUrl(), "ws://127.0.0.1:9/x?token=SeCrEt");
    assert.throws(() => createAllTick({ ...base, apiKey: "" }), /needs an API token/);
    assert.throws(() => createAllTick({ ...base, options: { plan: "gold" } }), /Unknown AllTick plan/);
    assert.throws(() => createAllTick({ ...base, options: { market: "bonds" } }), /Unknown AllTick market/);
  });

  it("an unexplained policy close (excess connection dropped at once) waits limitRetryMs; other closes are ordinary", function () {
    const base = { provider: "alltick", url: "", apiKey: "SeCrEt", apiSecret: "", options: {} };
    const f = createAllTick(base).closeFailure(1008, "connection limit");
    assert.deepStrictEqual([f.kind, f.code, f.retryAfterMs], ["limit", "connection_limit", 30000]);
    assert.ok(!f.message.includes("SeCrEt"));
    assert.strictEqual(createAllTick({ ...base, options: { limitRetryMs: "5000" } }).closeFailure(1008, "").retryAfterMs, 5000);
    assert.strictEqual(createAllTick(base).closeFailure(1011, "internal"), undefined);
    assert.strictEqual(createAllTick(base).closeFailure(1000, ""), undefined);
  });
});
