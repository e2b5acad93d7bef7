"use strict";
/** Binance end to end in a real runtime: several connections within limits, rate limit, unique ticks. */
const assert = require("assert");
const { helper } = require("../../support/runtime");
const feedNode = require("../../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../../dist/nodes/tick-subscribe/tick-subscribe.js");
const { BinanceServer } = require("../../mocks/binance-server");
const { waitFor } = require("../../support/wait");

describe("binance provider (runtime, local mock)", function () {
  let server;
  beforeEach(async function () {
    server = new BinanceServer();
    await server.start();
  });
  afterEach(async function () {
    await helper.unload();
    await server.close();
  });

  function load(symbols, feedExtra = {}) {
    return helper.load(
      [feedNode, subNode],
      [
        { id: "f1", type: "tick-feed", provider: "binance", url: server.url, backoffMin: 50, backoffMax: 200, ...feedExtra },
        { id: "s1", type: "tick-subscribe", feed: "f1", symbols, wires: [["out"], ["ev"]] },
        { id: "out", type: "helper" },
        { id: "ev", type: "helper" },
      ],
    );
  }

  it("spreads symbols over connections within the plan limit, names the refused one, and rebalances without losing ticks", async function () {
    await load("btcusdt ethusdt bnbusdt solusdt xrpusdt adausdt dogeusdt", { symbolsPerConnection: 3, maxConnections: 2 });
    const out = [];
    const ev = [];
    helper.getNode("out").on("input", (m) => out.push(m));
    helper.getNode("ev").on("input", (m) => ev.push(m));
    await waitFor(() => server.streams().flat().length === 6, { what: "6 streams on 2 connections" });
    assert.deepStrictEqual(server.streams().map((s) => s.length).sort(), [3, 3]);
    const refused = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "symbol_limit"), { what: "symbol_limit event" });
    assert.deepStrictEqual(refused.payload.symbols, ["dogeusdt"]);
    server.trade("BTCUSDT", 1);
    await waitFor(() => out.length === 1, { what: "a trade" });
    assert.deepStrictEqual([out[0].payload.symbol, out[0].payload.price, out[0].payload.id], ["btcusdt", 42000.1, "1"]);
    // Free a slot: dogeusdt takes it; btcusdt keeps flowing exactly once.
    helper.getNode("s1").receive({ action: "unsubscribe", payload: "adausdt" });
    await waitFor(() => server.streams().flat().includes("dogeusdt@trade") && !server.streams().flat().includes("adausdt@trade"), { what: "dogeusdt placed" });
    server.trade("BTCUSDT", 1);
    server.trade("BTCUSDT", 2);
    server.trade("DOGEUSDT", 9);
    await waitFor(() => out.length === 3, { what: "btcusdt #2 and dogeusdt #9" });
    // Two connections: the order between symbols is not defined, the order within one is.
    assert.deepStrictEqual(out.filter((m) => m.payload.symbol === "btcusdt").map((m) => m.payload.id), ["1", "2"]);
    assert.deepStrictEqual(out.filter((m) => m.payload.symbol === "dogeusdt").map((m) => m.payload.id), ["9"]);
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
});
