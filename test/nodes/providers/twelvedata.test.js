"use strict";
/** Twelve Data end to end: tick-feed + tick-subscribe in a real Node-RED runtime against the local mock. */
const assert = require("assert");
const { helper } = require("../../support/runtime");
const { mockPerTest, collect, sameList } = require("../../support/flow");
const {
  FEED_NODES,
  TEST_BACKOFF,
  singleFeedFlow,
  loadFlow,
  authFailed,
  heartbeatsHold,
  oneList,
  stallUntilResubscribed,
} = require("../../support/provider-flow");
const { TwelveDataServer } = require("../../mocks/twelvedata-server");
const { WebSocket } = require("ws");
const { waitFor } = require("../../support/wait");

// Short protocol timings for tests: heartbeat every 40 ms (stall timeout 140 ms), 50 client messages/s.
const FAST = { heartbeatMs: "40", messagesPerSecond: "50" };

function load(server, { symbols = "AAPL RY:TSX EUR/USD", channels = "trades", key = "good-key", options = {}, feed = {}, subs = [] } = {}) {
  return loadFlow(singleFeedFlow("twelvedata", server.url, { symbols, channels, options: { ...FAST, ...options }, feed, extra: subs }), {
    f1: { apiKey: key },
  });
}
const subscribeMsgs = (server) => server.sent((m) => m.action === "subscribe");

describe("twelvedata provider (runtime, local mock)", function () {
  let server;
  const startServer = mockPerTest((opts) => new TwelveDataServer({ eventLimit: 100, eventWindowMs: 1000, ...opts }));

  it("streams unique normalized ticks (exchange-qualified symbols, forex bid/ask as quotes), heartbeating, within the event limit", async function () {
    server = await startServer({ priceType: "string" });
    const { out, ev } = await load(server, { channels: "both" });
    await waitFor(() => server.lists().length === 1 && sameList(server.lists()[0], ["AAPL", "RY:TSX", "EUR/USD"]), {
      what: "3 symbols upstream",
    });
    assert.strictEqual(subscribeMsgs(server).length, 1, "one subscribe for both channels");
    assert.strictEqual(server.connections.values().next().value.url.searchParams.get("apikey"), "good-key");
    await waitFor(() => ev.some((m) => m.topic === "subscribed"), { what: "a subscribed event" });

    server.price("AAPL", { timestamp: 1592249566, price: 342.0157, dayVolume: 27631112 });
    server.price("AAPL", { timestamp: 1592249566, price: 342.0157, dayVolume: 27631112 }); // an exact repeat
    server.price("AAPL", { timestamp: 1592249566, price: 342.0157, dayVolume: 27631500 }); // same second and price, new volume: a new tick
    server.price("AAPL", { timestamp: 1592249565, price: 341.9, dayVolume: 27631000 }); // older, late: still new
    server.price("RY", { exchange: "TSX", timestamp: 1592249567, price: 123.45, dayVolume: 1000 });
    server.price("EUR/USD", { timestamp: 1592249568, price: 1.1235, bid: 1.1234, ask: 1.1236 });
    await waitFor(() => out.length === 6, { what: "4 trades + EUR/USD trade and quote" });
    const p = out.map((m) => m.payload);
    assert.deepStrictEqual(
      p.map((t) => [t.symbol, t.type, t.price, t.ts]),
      [
        ["AAPL", "trade", 342.0157, 1592249566000000],
        ["AAPL", "trade", 342.0157, 1592249566000000],
        ["AAPL", "trade", 341.9, 1592249565000000],
        ["RY:TSX", "trade", 123.45, 1592249567000000],
        ["EUR/USD", "trade", 1.1235, 1592249568000000],
        ["EUR/USD", "quote", null, 1592249568000000],
      ],
    );
    assert.deepStrictEqual(
      [p[0].exchange, p[0].extra.dayVolume, p[1].extra.dayVolume, p[0].provider],
      ["NASDAQ", 27631112, 27631500, "twelvedata"],
    );
    assert.deepStrictEqual([p[5].bid, p[5].ask, p[4].bid], [1.1234, 1.1236, 1.1234]);
    assert.strictEqual(out[3].topic, "RY:TSX");
    assert.ok(Number.isInteger(p[0].recvTs));

    // A burst of changes stays additive and under the server's event limit.
    const s1 = helper.getNode("s1");
    s1.receive({ action: "subscribe", payload: "MSFT" });
    s1.receive({ action: "subscribe", payload: "BTC/USD" });
    s1.receive({ action: "unsubscribe", payload: "AAPL" });
    await waitFor(() => sameList(server.lists()[0], ["RY:TSX", "EUR/USD", "MSFT", "BTC/USD"]), { what: "the changed set" });
    assert.ok(server.sent((m) => m.action === "unsubscribe").some((m) => m.params.symbols === "AAPL"));
    await waitFor(() => server.sent((m) => m.action === "heartbeat").length >= 3, { what: "heartbeats" });
    assert.strictEqual(server.eventViolations, 0);
    assert.strictEqual(server.totalConnections, 1);
  });

  it("resubscribes the whole set after a drop; a replayed price is not emitted twice, new ones are", async function () {
    server = await startServer();
    const { out, ev } = await load(server);
    await waitFor(oneList(server, 3), { what: "subscribed" });
    server.price("AAPL", { timestamp: 1592249566, price: 342 });
    await waitFor(() => out.length === 1, { what: "a first tick" });
    server.dropAll();
    await waitFor(
      () => server.totalConnections === 2 && server.lists().length === 1 && sameList(server.lists()[0], ["AAPL", "RY:TSX", "EUR/USD"]),
      { what: "reconnect + whole set" },
    );
    assert.ok(ev.some((m) => m.topic === "reconnecting"));
    server.price("AAPL", { timestamp: 1592249566, price: 342 }); // the same event again after the reconnect
    server.price("AAPL", { timestamp: 1592249567, price: 342.5 });
    await waitFor(() => out.length === 2, { what: "only the new tick" });
    assert.strictEqual(out[1].payload.ts, 1592249567000000);
    server.price("EUR/USD", { timestamp: 1592249568, price: 1.1 });
    await waitFor(() => out.length === 3, { what: "one more" });
    assert.strictEqual(out[2].payload.symbol, "EUR/USD");
  });

  it("heartbeats keep the socket past a server cutoff; a stall (pings still answered) reconnects and resubscribes", async function () {
    server = await startServer({ heartbeatTimeoutMs: 600 }); // 15 heartbeats per cutoff: room for a loaded machine
    const { out } = await load(server);
    await heartbeatsHold(server, 3);

    await stallUntilResubscribed(server, 3);
    server.price("RY", { exchange: "TSX", timestamp: 1592249570, price: 1 });
    await waitFor(() => out.length === 1, { what: "ticks again" });
    assert.strictEqual(out[0].payload.symbol, "RY:TSX");
  });

  it("a wrong key refused at the upgrade (HTTP 401): red status, catchable error, no retries, key never logged", async function () {
    server = await startServer({ badKeyMode: "http" });
    const { caught } = await load(server, { key: "wrong-key-123" });
    await authFailed("s1", caught);
    assert.strictEqual(server.upgrades, 1);
    const everything = JSON.stringify(helper.log().args) + JSON.stringify(caught.map((m) => m.error));
    assert.ok(!everything.includes("wrong-key-123"), "the key is never logged");
  });

  it("a wrong key answered in band (error frame naming the apikey, then close): red status, no retries", async function () {
    server = await startServer({ badKeyMode: "frame" });
    const { caught } = await load(server, { key: "wrong-key-123" });
    await authFailed("s1", caught);
    assert.strictEqual(server.totalConnections, 1);
    assert.ok(!JSON.stringify(helper.log().args).includes("wrong-key-123"));
  });

  it("Basic plan: 8 symbols on 1 connection, the rest named; symbols refused by the server are named with their reason", async function () {
    server = await startServer({ unauthorized: ["0700"], unknown: ["NOPE"] });
    const syms = ["AAPL", "MSFT", "0700", "NOPE", "EUR/USD", "BTC/USD", "ETH/USD", "GOOG", "IBM", "TSLA"];
    const { ev } = await load(server, { symbols: syms.join(" "), options: { plan: "basic" } });
    await waitFor(oneList(server, 6), { what: "8 sent, 6 accepted" });
    const unplaced = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "symbol_limit"), {
      what: "symbol_limit",
    });
    assert.deepStrictEqual(unplaced.payload.symbols, ["IBM", "TSLA"]);
    const ne = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "not_entitled"), { what: "not_entitled" });
    assert.deepStrictEqual(ne.payload.symbols, ["0700"]);
    assert.match(JSON.stringify(ne.payload), /not authorized/);
    const inv = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "invalid_symbol"), { what: "invalid_symbol" });
    assert.deepStrictEqual(inv.payload.symbols, ["NOPE"]);
    assert.strictEqual(server.totalConnections, 1);
    assert.strictEqual(subscribeMsgs(server)[0].params.symbols.split(",").length, 8);
  });

  it("Pro: three feeds on one key fit; a fourth connection elsewhere closes the oldest, which waits limitRetryMs (no fight), then comes back and resubscribes", async function () {
    server = await startServer();
    // Heartbeats at 1 s (stall after 3.5 s): the connection count below must not move because a
    // loaded machine stalled the event loop past FAST's 140 ms.
    const OPTS = { ...FAST, heartbeatMs: "1000", plan: "pro", limitRetryMs: "500" };
    const flow = [];
    for (const [f, sym] of [
      ["f1", "AAPL"],
      ["f2", "MSFT"],
      ["f3", "MSFT"],
    ]) {
      flow.push(
        { id: f, type: "tick-feed", provider: "twelvedata", url: server.url, options: OPTS, ...TEST_BACKOFF },
        { id: "s_" + f, type: "tick-subscribe", feed: f, symbols: sym, wires: [[], ["ev_" + f]] },
        { id: "ev_" + f, type: "helper" },
      );
    }
    await helper.load(FEED_NODES, flow, { f1: { apiKey: "good-key" }, f2: { apiKey: "good-key" }, f3: { apiKey: "good-key" } });
    const evs = ["f1", "f2", "f3"].map((f) => collect("ev_" + f));
    await waitFor(() => server.lists().length === 3 && server.lists().every((l) => l.length === 1), { what: "3 connections, subscribed" });
    assert.strictEqual(server.evictions, 0);

    const intruder = new WebSocket(server.url + "?apikey=good-key");
    intruder.on("error", () => {});
    await waitFor(() => server.evictions === 1, { what: "an eviction" });
    const evicted = await waitFor(() => evs.flat().find((m) => m.topic === "reconnecting" && m.payload.cause === "connection_limit"), {
      what: "the eviction named",
    });
    assert.ok(evicted.payload.in >= 500, `waits ${evicted.payload.in} ms`);
    assert.strictEqual(server.totalConnections, 4, "the evicted feed does not come straight back to evict the intruder");
    intruder.terminate();
    await waitFor(
      () =>
        server.lists().length === 3 &&
        server.lists().every((l) => l.length === 1) &&
        server.lists().filter((l) => l[0] === "MSFT").length === 2,
      {
        what: "back and resubscribed",
      },
    );
    assert.strictEqual(server.evictions, 1, "no eviction ping-pong");
    assert.strictEqual(server.totalConnections, 5, "one retry");
    for (const f of ["f1", "f2", "f3"]) assert.notStrictEqual(helper.getNode(f).core.status().state, "failed", "an eviction is not a stop");
  });

  it("a server close 1011 or 1000 is an ordinary quick reconnect, not an eviction wait", async function () {
    server = await startServer();
    const { ev } = await loadFlow(
      singleFeedFlow("twelvedata", server.url, { symbols: "AAPL", options: { ...FAST, limitRetryMs: "60000" }, catchErrors: false }),
      { f1: { apiKey: "good-key" } },
    );
    await waitFor(oneList(server, 1), { what: "subscribed" });
    server.closeAll(1011, "internal error");
    await waitFor(() => server.totalConnections === 2 && server.lists().length === 1 && server.lists()[0].length === 1, {
      what: "back after 1011",
    });
    server.closeAll(1000, "");
    await waitFor(() => server.totalConnections === 3 && server.lists().length === 1 && server.lists()[0].length === 1, {
      what: "back after 1000",
    });
    assert.ok(!ev.some((m) => m.topic === "reconnecting" && m.payload.cause === "connection_limit"));
  });

  it("a server-side symbol limit (fails with 'limit') is named symbol_limit; the accepted symbols stream", async function () {
    server = await startServer({ symbolLimit: 2 });
    const { ev, out } = await load(server, { symbols: "AAPL MSFT TSLA", options: { plan: "pro" } });
    const refused = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "symbol_limit"), { what: "refusal" });
    assert.deepStrictEqual(refused.payload.symbols, ["TSLA"]);
    server.price("MSFT", { timestamp: 1592249566, price: 400 });
    await waitFor(() => out.length === 1, { what: "a tick" });
    assert.strictEqual(out[0].payload.symbol, "MSFT");
  });
});
