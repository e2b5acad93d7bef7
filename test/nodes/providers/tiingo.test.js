"use strict";
/** Tiingo IEX end to end: tick-feed + tick-subscribe in a real Node-RED runtime against the local mock. */
const assert = require("assert");
const { helper } = require("../../support/runtime");
const { mockPerTest, collect } = require("../../support/flow");
const {
  multiFeedFlow,
  loadFlow,
  credsFor,
  redStatus,
  subscribedTo,
  waitsOutConnectionLimit,
  authFailed,
} = require("../../support/provider-flow");
const { TiingoServer } = require("../../mocks/tiingo-server");
const { waitFor } = require("../../support/wait");

const NS = 1548873225594808294n;

function load(server, { feeds = ["f1"], symbols = "AAPL MSFT", channels = "trades", level = "5", feed = {} } = {}, key = "good-token") {
  const flow = multiFeedFlow("tiingo", server.url, { feeds, symbols, channels, options: { thresholdLevel: level }, feed });
  return loadFlow(flow, credsFor(feeds, { apiKey: key }));
}

describe("tiingo provider (runtime, local mock)", function () {
  let server;
  const startServer = mockPerTest((opts) => new TiingoServer({ heartbeatMs: 50, ...opts }));

  it("streams unique normalized trades and quotes; a later symbol is added by subscriptionId", async function () {
    server = await startServer();
    await load(server, { channels: "both" });
    const out = collect("out_f1");
    await waitFor(subscribedTo(server, ["aapl", "msft"]), { what: "the subscription" });
    assert.deepStrictEqual(server.received[0].msg, {
      eventName: "subscribe",
      authorization: "good-token",
      eventData: { thresholdLevel: 5, tickers: ["aapl", "msft"] },
    });

    server.trade("AAPL", { price: 190.25, size: 100, ns: NS });
    server.trade("AAPL", { price: 190.25, size: 100, ns: NS }); // an exact repeat
    server.trade("AAPL", { price: 190.1, size: 5, ns: NS - 1000000n, flags: [null, 1, 0, 1, 0] }); // older, late, after hours odd lot
    server.quote("MSFT", { bid: 300.1, bidSize: 200, ask: 300.2, askSize: 100, ns: NS + 1n });
    await waitFor(() => out.length === 3, { what: "2 trades and a quote" });
    const [a, b, q] = out.map((m) => m.payload);
    assert.strictEqual(out[0].topic, "AAPL");
    assert.deepStrictEqual(
      [a.symbol, a.type, a.price, a.size, a.ts, a.exchange, a.provider, a.extra.nanos],
      ["AAPL", "trade", 190.25, 100, 1548873225594808, "IEX", "tiingo", "1548873225594808294"],
    );
    assert.ok(Number.isInteger(a.recvTs) && a.recvTs > a.ts);
    assert.deepStrictEqual([b.price, b.size, b.ts, b.conditions], [190.1, 5, 1548873225593808, ["afterHours", "oddLot"]]);
    assert.deepStrictEqual(
      [q.symbol, q.type, q.bid, q.bidSize, q.ask, q.askSize, q.ts],
      ["MSFT", "quote", 300.1, 200, 300.2, 100, 1548873225594808],
    );

    helper.getNode("s_f1").receive({ action: "subscribe", payload: "TSLA" });
    await waitFor(subscribedTo(server, ["aapl", "msft", "tsla"]), { what: "TSLA added" });
    const add = server.sent((m) => m.eventName === "subscribe").pop();
    assert.deepStrictEqual(add.eventData.tickers, ["tsla"]);
    assert.strictEqual(typeof add.eventData.subscriptionId, "number");
    helper.getNode("s_f1").receive({ action: "unsubscribe", payload: "MSFT" });
    await waitFor(subscribedTo(server, ["aapl", "tsla"]), { what: "MSFT removed" });
    server.trade("TSLA", { ns: NS + 5n });
    server.trade("MSFT", { ns: NS + 6n }); // nobody asks for it any more
    await waitFor(() => out.length === 4, { what: "the TSLA trade" });
    assert.strictEqual(out[3].payload.symbol, "TSLA");
    assert.strictEqual(server.totalConnections, 1);
  });

  it("after a drop: a fresh subscription with the whole list; replayed trades are not emitted twice", async function () {
    server = await startServer();
    await load(server);
    const out = collect("out_f1");
    const ev = collect("ev_f1");
    await waitFor(subscribedTo(server, ["aapl", "msft"]), { what: "subscribed" });
    await waitFor(() => ev.some((m) => m.topic === "subscribed"), { what: "the subscribed event" });
    server.trade("AAPL", { ns: NS });
    await waitFor(() => out.length === 1, { what: "a first trade" });
    server.dropAll();
    await waitFor(() => server.totalConnections === 2 && subscribedTo(server, ["aapl", "msft"])(), { what: "reconnect + resubscribe" });
    const firsts = server.received.filter((r) => r.msg.eventName === "subscribe" && r.msg.eventData.subscriptionId === undefined);
    assert.strictEqual(firsts.length, 2, "each socket starts its own subscription");
    assert.deepStrictEqual(firsts[1].msg.eventData.tickers.sort(), ["aapl", "msft"]);
    server.trade("AAPL", { ns: NS }); // a replay of what was already seen
    server.trade("MSFT", { ns: NS + 7n });
    await waitFor(() => out.length === 2, { what: "only the new trade" });
    assert.strictEqual(out[1].payload.symbol, "MSFT");
    assert.ok(ev.some((m) => m.topic === "disconnected" || m.topic === "reconnecting"));
  });

  it("server heartbeats keep a quiet connection; a stall (no heartbeats) reconnects and resubscribes", async function () {
    server = await startServer({ heartbeatMs: 40 });
    await load(server, { feed: { staleTimeout: 0.25, pingInterval: 0 } });
    const out = collect("out_f1");
    await waitFor(subscribedTo(server, ["aapl", "msft"]), { what: "subscribed" });
    const t0 = Date.now();
    await waitFor(() => Date.now() - t0 > 800, { timeout: 2000, what: "three stall periods of silence but heartbeats" });
    assert.strictEqual(server.totalConnections, 1, "heartbeats alone keep it up");

    server.once("close", () => server.stall(false));
    server.stall();
    await waitFor(() => server.totalConnections === 2 && subscribedTo(server, ["aapl", "msft"])(), {
      what: "stall -> reconnect + resubscribe",
    });
    server.trade("MSFT", { ns: NS });
    await waitFor(() => out.length === 1, { what: "ticks again" });
  });

  for (const [mode, closeOnError] of [
    ["error", false],
    ["info", true],
  ]) {
    it(`a wrong token answered in band (${mode === "error" ? "E 401" : "non-200 I, then close"}): red status, catchable error, no retries`, async function () {
      server = await startServer({ badTokenMode: mode, closeOnError });
      const { caught } = await load(server, {}, "wrong-token");
      await authFailed("s_f1", caught);
      const t0 = Date.now();
      await waitFor(() => Date.now() - t0 > 300, { timeout: 1000, what: "a few backoff periods" });
      assert.strictEqual(server.totalConnections, 1, "no reconnect storm");
      assert.ok(!JSON.stringify(helper.log().args).includes("wrong-token"), "the token is never logged");
      assert.ok(!JSON.stringify(caught.map((m) => m.error)).includes("wrong-token"));
    });
  }

  it("an upgrade refused with HTTP 401: red status, no retries", async function () {
    server = await startServer();
    server.rejectStatus = 401;
    await load(server);
    await authFailed("s_f1");
    assert.strictEqual(server.upgrades, 1);
  });

  it("thresholdLevel 5 without an IEX agreement: red 'not in your plan', no retries", async function () {
    server = await startServer({ entitledLevels: [6] });
    const { caught } = await load(server);
    await waitFor(redStatus("s_f1", /plan/), { what: "red plan status" });
    await waitFor(() => caught.length >= 1, { what: "catchable error" });
    assert.match(String(caught[0].payload.message), /thresholdLevel/);
    assert.strictEqual(server.totalConnections, 1);
  });

  it("thresholdLevel 6 (the default): reference prices arrive as trades without size; quotes are refused by name", async function () {
    server = await startServer({ entitledLevels: [6] });
    await load(server, { level: "", channels: "both", symbols: "AAPL" });
    const out = collect("out_f1");
    const ev = collect("ev_f1");
    await waitFor(subscribedTo(server, ["aapl"]), { what: "subscribed" });
    assert.strictEqual(server.received[0].msg.eventData.thresholdLevel, 6);
    const refused = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "no_quotes"), { what: "quotes refused" });
    assert.deepStrictEqual(refused.payload.symbols, ["AAPL"]);
    server.trade("AAPL", { price: 201.5, ns: NS });
    server.trade("AAPL", { price: 201.5, ns: NS });
    server.trade("AAPL", { price: 201.6, ns: NS + 1000n });
    await waitFor(() => out.length === 2, { what: "2 reference prices" });
    assert.deepStrictEqual(
      out.map((m) => [m.payload.type, m.payload.price, m.payload.size, m.payload.extra.reference]),
      [
        ["trade", 201.5, null, true],
        ["trade", 201.6, null, true],
      ],
    );
  });

  it("names tickers the server leaves out over its ticker limit; the others stream", async function () {
    server = await startServer({ maxTickers: 2 });
    await load(server, { symbols: "AAPL MSFT TSLA" });
    const ev = collect("ev_f1");
    const out = collect("out_f1");
    const refused = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "symbol_limit"), { what: "symbol_limit" });
    assert.deepStrictEqual(refused.payload.symbols, ["TSLA"]);
    server.trade("MSFT", { ns: NS });
    await waitFor(() => out.length === 1, { what: "a trade" });
    assert.strictEqual(server.totalConnections, 1);
  });

  it("a second session over the connection limit waits a minute instead of fighting", async function () {
    server = await startServer({ maxConnections: 1 });
    await load(server, { feeds: ["f1", "f2"] });
    await waitsOutConnectionLimit(server, "a limit refusal");
    assert.strictEqual(server.limitDrops, 1);
  });

  for (const code of [1000, 1011]) {
    it(`a server close ${code} is an ordinary reconnect: a fresh subscription with the whole list`, async function () {
      server = await startServer();
      await load(server);
      const out = collect("out_f1");
      await waitFor(subscribedTo(server, ["aapl", "msft"]), { what: "subscribed" });
      server.closeAll(code, "bye");
      await waitFor(() => server.totalConnections === 2 && subscribedTo(server, ["aapl", "msft"])(), { what: "back" });
      server.trade("MSFT", { ns: NS + 1n });
      await waitFor(() => out.length === 1, { what: "ticks again" });
      assert.notStrictEqual(helper.getNode("f1").core.status().state, "failed");
    });
  }
});
