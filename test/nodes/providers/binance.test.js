"use strict";
/** Binance end to end in a real runtime: several connections within limits, rate limit, unique ticks. */
const assert = require("assert");
const { helper } = require("../../support/runtime");
const { started, unloadAndClose } = require("../../support/flow");
const { singleFeedFlow, loadFlow } = require("../../support/provider-flow");
const { BinanceServer } = require("../../mocks/binance-server");
const { waitFor } = require("../../support/wait");

describe("binance provider (runtime, local mock)", function () {
  let server;
  beforeEach(async () => (server = await started(new BinanceServer())));
  afterEach(() => unloadAndClose(server));

  /** Replaces the default server with one built with `opts`. */
  async function restart(opts) {
    await server.close();
    server = new BinanceServer(opts);
    await server.start();
  }

  const flat = () => server.streams().flat();

  function load(symbols, feedExtra = {}) {
    return loadFlow(singleFeedFlow("binance", server.url, { symbols, feed: feedExtra, catchErrors: false }));
  }

  it("spreads symbols over connections within the plan limit, names the refused one, and rebalances without losing ticks", async function () {
    await load("btcusdt ethusdt bnbusdt solusdt xrpusdt adausdt dogeusdt", { symbolsPerConnection: 3, maxConnections: 2 });
    const out = [];
    const ev = [];
    helper.getNode("out").on("input", (m) => out.push(m));
    helper.getNode("ev").on("input", (m) => ev.push(m));
    await waitFor(() => server.streams().flat().length === 6, { what: "6 streams on 2 connections" });
    assert.deepStrictEqual(
      server
        .streams()
        .map((s) => s.length)
        .sort(),
      [3, 3],
    );
    const refused = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "symbol_limit"), {
      what: "symbol_limit event",
    });
    assert.deepStrictEqual(refused.payload.symbols, ["dogeusdt"]);
    server.trade("BTCUSDT", 1);
    await waitFor(() => out.length === 1, { what: "a trade" });
    assert.deepStrictEqual([out[0].payload.symbol, out[0].payload.price, out[0].payload.id], ["btcusdt", 42000.1, "1"]);
    // Free a slot: dogeusdt takes it; btcusdt keeps flowing exactly once.
    helper.getNode("s1").receive({ action: "unsubscribe", payload: "adausdt" });
    await waitFor(() => server.streams().flat().includes("dogeusdt@trade") && !server.streams().flat().includes("adausdt@trade"), {
      what: "dogeusdt placed",
    });
    server.trade("BTCUSDT", 1);
    server.trade("BTCUSDT", 2);
    server.trade("DOGEUSDT", 9);
    await waitFor(() => out.length === 3, { what: "btcusdt #2 and dogeusdt #9" });
    // Two connections: the order between symbols is not defined, the order within one is.
    assert.deepStrictEqual(
      out.filter((m) => m.payload.symbol === "btcusdt").map((m) => m.payload.id),
      ["1", "2"],
    );
    assert.deepStrictEqual(
      out.filter((m) => m.payload.symbol === "dogeusdt").map((m) => m.payload.id),
      ["9"],
    );
    assert.strictEqual(server.totalConnections, 2, "no reconnect to rebalance");
    assert.strictEqual(server.rateViolations, 0, "never over 5 messages per second");
  });

  it("queues requests under the 5 messages/s limit instead of being disconnected", async function () {
    // One symbol per subscribe message (one per change): 8 quick changes must be paced, not dropped.
    await load("btcusdt");
    await waitFor(() => server.streams().flat().length === 1, { what: "first stream" });
    const s1 = helper.getNode("s1");
    const more = ["ethusdt", "bnbusdt", "solusdt", "xrpusdt", "adausdt", "dogeusdt", "trxusdt", "ltcusdt"];
    for (const sym of more) {
      s1.receive({ action: "subscribe", payload: sym });
      await new Promise((r) => setImmediate(r)); // separate event-loop turns: separate requests
    }
    await waitFor(() => server.streams().flat().length === 9, { timeout: 8000, what: "all 9 streams" });
    assert.strictEqual(server.rateViolations, 0);
    assert.strictEqual(server.totalConnections, 1);
  });

  it("reconnects promptly on serverShutdown and resubscribes", async function () {
    await load("btcusdt ethusdt");
    await waitFor(() => server.streams().flat().length === 2, { what: "subscribed" });
    server.shutdownNotice();
    await waitFor(() => server.totalConnections === 2 && server.streams().flat().length === 2, { what: "back on a new connection" });
  });

  it("after a drop: resubscribes every stream; replayed trade ids are not emitted again, a late lower id still is", async function () {
    const { out } = await load("btcusdt ethusdt");
    await waitFor(() => flat().length === 2, { what: "subscribed" });
    server.trade("BTCUSDT", 10);
    server.trade("BTCUSDT", 10); // an exact repeat
    server.trade("ETHUSDT", 5);
    await waitFor(() => out.length === 2, { what: "2 unique trades" });
    server.dropAll();
    await waitFor(() => server.totalConnections === 2 && server.connections.size === 1 && flat().length === 2, {
      what: "reconnect + resubscribe",
    });
    server.trade("BTCUSDT", 10); // replayed after the reconnect
    server.trade("BTCUSDT", 9); // out of order: older id, never seen
    server.trade("BTCUSDT", 11);
    await waitFor(() => out.length === 4, { what: "2 new trades" });
    assert.deepStrictEqual(
      out.map((m) => `${m.payload.symbol}:${m.payload.id}`),
      ["btcusdt:10", "ethusdt:5", "btcusdt:9", "btcusdt:11"],
    );
    const t = out[0].payload;
    assert.deepStrictEqual(
      [t.type, t.price, t.size, t.ts, t.provider, t.extra],
      ["trade", 42000.1, 0.5, 1672515782136000, "binance", { buyerIsMaker: true }],
    );
  });

  it("a stream acknowledged but silent while pings go on: stallSec reconnects and resubscribes (the stale timer alone cannot see it)", async function () {
    await restart({ pingMs: 50 });
    const { out, ev } = await load("btcusdt", { options: { stallSec: "0.4" } });
    await waitFor(() => flat().length === 1, { what: "subscribed" });
    server.trade("BTCUSDT", 1);
    await waitFor(() => out.length === 1, { what: "a first trade" });
    server.silent.add("btcusdt@trade");
    await waitFor(() => server.totalConnections === 2 && flat().length === 1, { what: "reconnect + resubscribe" });
    assert.ok(
      ev.some((m) => m.topic === "reconnecting" && m.payload.cause === "stale"),
      "the data watchdog ended it",
    );
    assert.ok(server.pongs > 0, "the socket itself was alive (pings answered)");
    server.silent.clear();
    server.trade("BTCUSDT", 1); // a replay
    server.trade("BTCUSDT", 2);
    await waitFor(() => out.length === 2, { what: "only the new trade" });
    assert.strictEqual(out[1].payload.id, "2");
  });

  it("a dead socket (no data, no pings) is caught by the stale timeout", async function () {
    const { ev } = await load("btcusdt", { staleTimeout: 0.3 });
    await waitFor(() => flat().length === 1, { what: "subscribed" });
    server.once("close", () => server.stall(false));
    server.stall();
    await waitFor(() => server.totalConnections === 2 && flat().length === 1, { what: "reconnect + resubscribe" });
    assert.ok(ev.some((m) => m.topic === "reconnecting" && m.payload.cause === "stale"));
  });

  it("answers server ping frames: no disconnect at the pong cutoff", async function () {
    await restart({ pingMs: 40, pongTimeoutMs: 150 });
    await load("btcusdt");
    await waitFor(() => flat().length === 1, { what: "subscribed" });
    await waitFor(() => server.pongs >= 10, { what: "10 pongs (past the 150 ms cutoff)" });
    assert.strictEqual(server.pingTimeouts, 0);
    assert.strictEqual(server.totalConnections, 1);
  });

  for (const [name, act] of [
    ["a rate-limit close (1008 Too many requests)", (s) => s.closeAll(1008, "Too many requests")],
    ["a server error close (1011)", (s) => s.closeAll(1011, "internal")],
  ]) {
    it(`${name} reconnects and resubscribes`, async function () {
      const { out } = await load("btcusdt ethusdt");
      await waitFor(() => flat().length === 2, { what: "subscribed" });
      act(server);
      await waitFor(() => server.totalConnections === 2 && flat().length === 2, { what: "back" });
      server.trade("ETHUSDT", 1);
      await waitFor(() => out.length === 1, { what: "ticks again" });
      assert.strictEqual(server.rateViolations, 0);
    });
  }

  it("the 24 h lifetime close is a normal reconnect, every time", async function () {
    await restart({ lifetimeMs: 250 });
    await load("btcusdt");
    await waitFor(() => server.lifetimeCloses >= 2 && server.connections.size === 1 && flat().length === 1, {
      what: "two lifetimes survived",
    });
    assert.notStrictEqual(helper.getNode("f1").core.status().state, "failed");
  });

  it("names a symbol that cannot be a Binance stream without sending it; the others stream", async function () {
    const { out, ev } = await load("btcusdt bad-sym");
    const refused = await waitFor(() => ev.find((m) => m.topic === "error" && Array.isArray(m.payload.symbols)), { what: "a refusal" });
    assert.deepStrictEqual(refused.payload.symbols, ["bad-sym"]);
    assert.strictEqual(refused.payload.code, "invalid_symbol");
    await waitFor(() => flat().includes("btcusdt@trade"), { what: "btcusdt subscribed" });
    assert.ok(!JSON.stringify(server.sent()).includes("bad-sym"), "never sent");
    server.trade("BTCUSDT", 3);
    await waitFor(() => out.length === 1, { what: "btcusdt streams" });
  });

  it("too many connection attempts (HTTP 429 on the upgrade) waits a minute, not the short backoff", async function () {
    server.rejectStatus = 429;
    const { ev } = await load("btcusdt");
    const wait = await waitFor(() => ev.find((m) => m.topic === "reconnecting" && m.payload.cause === "http_429"), {
      what: "the 429 named",
    });
    assert.ok(wait.payload.in >= 60000, `waits ${wait.payload.in} ms`);
    assert.strictEqual(server.upgrades, 1);
  });
});
