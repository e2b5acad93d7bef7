"use strict";
/** AllTick end to end: tick-feed + tick-subscribe in a real Node-RED runtime against the local mock. */
const assert = require("assert");
const { helper } = require("../../support/runtime");
const { mockPerTest, sameList } = require("../../support/flow");
const {
  singleFeedFlow,
  loadFlow,
  redStatus,
  authFailed,
  heartbeatsHold,
  oneList,
  stallUntilResubscribed,
} = require("../../support/provider-flow");
const { AllTickServer } = require("../../mocks/alltick-server");
const { WebSocket } = require("ws");
const { waitFor } = require("../../support/wait");

// Short protocol timings for tests: heartbeat every 40 ms (server cutoff 1 s; 600 ms where the cutoff is the point: a
// loaded machine can hold a heartbeat back by a few hundred ms), requests 60 ms apart (server window 30 ms).
const FAST = { heartbeatMs: "40", requestGapMs: "60" };

function load(server, { symbols = "AAPL.US 700.HK", channels = "trades", key = "good-token", options = {}, feed = {} } = {}) {
  return loadFlow(singleFeedFlow("alltick", server.url, { symbols, channels, options: { ...FAST, ...options }, feed }), {
    f1: { apiKey: key },
  });
}

describe("alltick provider (runtime, local mock)", function () {
  let server;
  const startServer = mockPerTest(
    // A 30 ms request window against requests 60 ms apart: the margin absorbs a loaded machine's
    // delivery jitter (a 50 ms window failed once under load); unpaced requests come back to back.
    (opts) => new AllTickServer({ requestWindowMs: 30, heartbeatTimeoutMs: 1000, symbolsPerConnection: 5, ...opts }),
  );

  it("streams unique normalized trades and level-1 quotes, always subscribing the whole list, paced", async function () {
    server = await startServer({ seqType: "string", timeType: "string", timeUnit: "s" });
    const { out } = await load(server, { channels: "both" });
    await waitFor(() => server.lists().length === 1 && sameList(server.lists()[0], ["AAPL.US", "700.HK"]), { what: "the trade list" });
    await waitFor(() => [...server.connections][0].depth.length === 2, { what: "the depth list" });
    assert.strictEqual(server.received[0].msg.cmd_id, 22000, "a heartbeat first: the token check");

    server.trade("AAPL.US", "1605509068000002", { timeMs: 1605509068000 });
    server.trade("AAPL.US", "1605509068000002", { timeMs: 1605509068000 }); // an exact repeat
    server.trade("AAPL.US", "1605509068000001", { timeMs: 1605509067000, price: "650.5" }); // older, late
    server.depthPush("700.HK", 77);
    await waitFor(() => out.length === 3, { what: "2 trades and a quote" });
    const [a, b, q] = out.map((m) => m.payload);
    assert.deepStrictEqual(
      [a.symbol, a.type, a.price, a.size, a.ts, a.seq],
      ["AAPL.US", "trade", 651.12, 300, 1605509068000000, 1605509068000002],
    );
    assert.deepStrictEqual([b.price, b.ts, b.seq], [650.5, 1605509067000000, 1605509068000001]);
    assert.deepStrictEqual([q.symbol, q.type, q.bid, q.bidSize, q.ask, q.askSize], ["700.HK", "quote", 9.12, 100, 9.13, 200]);
    assert.strictEqual(out[0].topic, "AAPL.US");

    // Adding a symbol resends the whole list (one request for a burst of changes).
    const s1 = helper.getNode("s1");
    s1.receive({ action: "subscribe", payload: "MSFT.US" });
    s1.receive({ action: "subscribe", payload: "9988.HK" });
    await waitFor(() => sameList(server.lists()[0], ["AAPL.US", "700.HK", "MSFT.US", "9988.HK"]), { what: "the whole new list" });
    const lastTrades = server.sent((m) => m.cmd_id === 22004).pop();
    assert.strictEqual(lastTrades.data.symbol_list.length, 4);
    assert.strictEqual(server.rateViolations, 0, "never two requests of a kind inside the server's window");
    assert.strictEqual(server.totalConnections, 1);
    assert.strictEqual(server.sent((m) => m.cmd_id === 22000).length > 1, true, "heartbeats keep flowing");
  });

  it("heartbeats keep the socket past the server's cutoff; a stall reconnects and resubscribes the whole list", async function () {
    server = await startServer({ heartbeatTimeoutMs: 600 });
    const { out } = await load(server);
    await heartbeatsHold(server, 2);

    // Stall: the socket stays open, nothing comes back (not even heartbeat replies).
    await stallUntilResubscribed(server, 2);
    server.trade("700.HK", 5);
    await waitFor(() => out.length === 1, { what: "ticks again" });
    assert.strictEqual(out[0].payload.symbol, "700.HK");
  });

  it("a client that stops heartbeating is dropped by the mock after its cutoff, and comes back", async function () {
    server = await startServer({ heartbeatTimeoutMs: 150 });
    await load(server, { options: { heartbeatMs: "5000" } });
    await waitFor(() => server.heartbeatDrops >= 1, { what: "the server's heartbeat cutoff" });
    await waitFor(() => server.totalConnections >= 2 && server.lists().length === 1 && server.lists()[0].length === 2, {
      what: "back and resubscribed",
    });
  });

  it("a wrong token refused at the upgrade (HTTP 401): red status, catchable error, no retries", async function () {
    server = await startServer({ badTokenMode: "http" });
    const { caught } = await load(server, { key: "wrong-token" });
    await authFailed("s1", caught);
    assert.strictEqual(server.upgrades, 1);
    assert.ok(!JSON.stringify(helper.log().args).includes("wrong-token"), "the token is never logged");
  });

  it("a wrong token answered in band (ret 401 frame): red status, no retries", async function () {
    server = await startServer({ badTokenMode: "frame" });
    await load(server, { key: "wrong-token" });
    await authFailed("s1");
    assert.strictEqual(server.totalConnections, 1);
  });

  it("5 symbols x 2 connections: 12 symbols -> 10 placed, 2 named; unsubscribing one places the next without losing or repeating the others' ticks", async function () {
    server = await startServer({ maxConnections: 2 });
    const codes = Array.from({ length: 12 }, (_, i) => `S${i + 1}.US`);
    const { out, ev } = await load(server, { symbols: codes.join(" "), options: { plan: "free" }, feed: { maxConnections: 2 } });
    await waitFor(() => server.lists().length === 2 && server.lists().every((l) => l.length === 5), { what: "2 connections x 5 codes" });
    const refused = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "symbol_limit"), { what: "symbol_limit" });
    assert.deepStrictEqual(refused.payload.symbols, ["S11.US", "S12.US"]);
    await waitFor(redStatus("s1", /unplaced/), { what: "the status says so" });

    const listOf = (code) => server.lists().find((l) => l.includes(code));
    const stayer = listOf("S1.US").find((c) => c !== "S1.US");
    server.trade(stayer, 1);
    await waitFor(() => out.length === 1, { what: "a first tick" });
    const connsBefore = server.totalConnections;
    helper.getNode("s1").receive({ action: "unsubscribe", payload: "S1.US" });
    server.trade(stayer, 2); // during the change
    await waitFor(() => listOf("S11.US") !== undefined && listOf("S1.US") === undefined, { what: "S11.US placed in S1.US's room" });
    assert.ok(listOf("S11.US").includes(stayer), "the whole list was resent, the stayer still in it");
    server.trade(stayer, 2); // a repeat after the change
    server.trade(stayer, 3);
    server.trade("S11.US", 1);
    await waitFor(() => out.length === 4, { what: "stayer #2, #3 and S11.US #1" });
    assert.deepStrictEqual(
      out.map((m) => m.payload.symbol + "#" + m.payload.seq),
      [`${stayer}#1`, `${stayer}#2`, `${stayer}#3`, "S11.US#1"],
    );
    assert.strictEqual(server.totalConnections, connsBefore, "no reconnect to rebalance");
    assert.strictEqual(server.limitDrops, 0, "never over the plan's connections");
    assert.strictEqual(server.rateViolations, 0);
  });

  it("names the codes the server refuses (604 unauthorized) on the subscribe node's event output", async function () {
    server = await startServer({ unauthorized: ["TSLA.US"] });
    const { ev } = await load(server, { symbols: "AAPL.US TSLA.US" });
    const err = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "not_entitled"), { what: "refusal" });
    assert.deepStrictEqual(err.payload.symbols, ["TSLA.US"]);
  });

  it("after a drop: the whole list again; seqs above 2^53 stay exact and distinct, replays are not emitted twice", async function () {
    server = await startServer();
    const { out } = await load(server);
    await waitFor(oneList(server, 2), { what: "subscribed" });
    // 9007199254740993 and ...992 are the same double: a plain JSON.parse would merge them.
    server.trade("AAPL.US", "9007199254740993");
    server.trade("AAPL.US", "9007199254740992");
    await waitFor(() => out.length === 2, { what: "2 distinct trades" });
    assert.deepStrictEqual(
      out.map((m) => String(m.payload.seq)),
      ["9007199254740993", "9007199254740992"],
    );
    server.dropAll();
    await waitFor(
      () => server.totalConnections === 2 && server.lists().length === 1 && sameList(server.lists()[0], ["AAPL.US", "700.HK"]),
      { what: "reconnect + whole list" },
    );
    server.trade("AAPL.US", "9007199254740993"); // replayed
    server.trade("AAPL.US", "9007199254740994");
    await waitFor(() => out.length === 3, { what: "only the new trade" });
    assert.strictEqual(String(out[2].payload.seq), "9007199254740994");
  });

  for (const code of [1000, 1011]) {
    it(`a server close ${code} is an ordinary reconnect with the whole list`, async function () {
      server = await startServer();
      const { out } = await load(server);
      await waitFor(oneList(server, 2), { what: "subscribed" });
      server.closeAll(code, "bye");
      await waitFor(() => server.totalConnections === 2 && server.lists().length === 1 && server.lists()[0].length === 2, { what: "back" });
      server.trade("700.HK", 9);
      await waitFor(() => out.length === 1, { what: "ticks again" });
      assert.notStrictEqual(helper.getNode("f1").core.status().state, "failed");
    });
  }

  it("the plan's only connection held by another app: refused at once (1008), waits limitRetryMs between tries instead of hammering, then gets in", async function () {
    server = await startServer({ maxConnections: 1 });
    const other = new WebSocket(server.url.replace(/\?.*$/, "") + "?token=good-token");
    other.on("error", () => {});
    await waitFor(() => server.connections.size === 1, { what: "the other app connected" });
    const { out, ev } = await load(server, { options: { limitRetryMs: "400" } });
    const refused = await waitFor(() => ev.find((m) => m.topic === "reconnecting" && m.payload.cause === "connection_limit"), {
      what: "the refusal named",
    });
    assert.ok(refused.payload.in >= 400, `waits ${refused.payload.in} ms`);
    assert.strictEqual(server.limitDrops, 1, "no immediate retry");
    other.terminate();
    await waitFor(oneList(server, 2), { what: "in and subscribed" });
    assert.ok(server.limitDrops <= 2, `${server.limitDrops} refusals`);
    server.trade("AAPL.US", 1);
    await waitFor(() => out.length === 1, { what: "ticks" });
  });
});
