"use strict";
/** Finnhub end to end in a real runtime against the local mock, plus parser cases. */
const assert = require("assert");
const { helper } = require("../../support/runtime");
const feedNode = require("../../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../../dist/nodes/tick-subscribe/tick-subscribe.js");
const { FinnhubSession, createFinnhub } = require("../../../dist/lib/providers/finnhub");
const { FinnhubServer } = require("../../mocks/finnhub-server");
const { waitFor } = require("../../support/wait");

describe("finnhub adapter: parser", function () {
  it("parses trade arrays (ms to µs, string conditions), ignores pings, names refused symbols", function () {
    const c = { ticks: [], sent: [], calls: [], frameRecvTs: 5, settings: {} };
    c.tick = (t) => c.ticks.push(t);
    c.send = (m) => c.sent.push(m);
    for (const n of ["ready", "fail", "warn", "malformed", "subscribed", "unsubscribed", "rejected"]) c[n] = (...a) => c.calls.push([n, ...a]);
    c.upstream = () => new Set(["AAPL", "BINANCE:BTCUSDT"]);
    const s = new FinnhubSession(c);
    s.subscribe({ add: { trades: ["AAPL", "BINANCE:BTCUSDT"], quotes: [] }, remove: { trades: ["MSFT"], quotes: [] }, all: { trades: ["AAPL", "BINANCE:BTCUSDT"], quotes: [] } });
    assert.deepStrictEqual(c.sent, [{ type: "unsubscribe", symbol: "MSFT" }, { type: "subscribe", symbol: "AAPL" }, { type: "subscribe", symbol: "BINANCE:BTCUSDT" }]);
    s.message(Buffer.from(JSON.stringify({ type: "trade", data: [{ s: "AAPL", p: 146.76, t: 1628238530221, v: 43, c: ["1", "24", "12"] }, { s: "BINANCE:BTCUSDT", p: 7296.89, t: 1575526691134, v: 0.011467 }] })));
    s.message(Buffer.from('{"type":"ping"}'));
    s.message(Buffer.from('{"type":"error","msg":"Subscribing to too many symbols"}'));
    assert.deepStrictEqual(c.ticks[0], { symbol: "AAPL", type: "trade", price: 146.76, ts: 1628238530221000, recvTs: 5, provider: "finnhub", size: 43, conditions: ["1", "24", "12"] });
    assert.strictEqual(c.ticks[1].symbol, "BINANCE:BTCUSDT");
    const rejected = c.calls.find((x) => x[0] === "rejected");
    assert.deepStrictEqual(rejected.slice(1, 4), [["AAPL", "BINANCE:BTCUSDT"], "trades", "symbol_limit"]);
  });

  it("puts the token in the URL but never in the display URL", function () {
    const p = createFinnhub({ provider: "finnhub", url: "", apiKey: "SeCrEt", apiSecret: "", options: {} });
    assert.strictEqual(p.connectUrl(), "wss://ws.finnhub.io/?token=SeCrEt");
    assert.ok(!p.displayUrl().includes("SeCrEt"));
    assert.throws(() => createFinnhub({ provider: "finnhub", url: "", apiKey: "", apiSecret: "", options: {} }), /needs an API key/);
  });
});

describe("finnhub provider (runtime, local mock)", function () {
  let server;
  beforeEach(async function () {
    server = new FinnhubServer({ token: "good-token", maxSymbols: 3 });
    await server.start();
  });
  afterEach(async function () {
    await helper.unload();
    await server.close();
  });

  function load(key, symbols = "AAPL MSFT") {
    const flow = [
      { id: "f1", type: "tick-feed", provider: "finnhub", url: server.url, backoffMin: 50, backoffMax: 200, symbolsPerConnection: 10 },
      { id: "s1", type: "tick-subscribe", feed: "f1", symbols, wires: [["out"], ["ev"]] },
      { id: "out", type: "helper" },
      { id: "ev", type: "helper" },
      { id: "c1", type: "catch", wires: [["caught"]] },
      { id: "caught", type: "helper" },
    ];
    return helper.load([feedNode, subNode], flow, { f1: { apiKey: key } });
  }

  it("streams trades once each: identical prints in one message are kept, a repeated message is dropped", async function () {
    await load("good-token");
    const out = [];
    helper.getNode("out").on("input", (m) => out.push(m));
    await waitFor(() => server.symbols().size === 2, { what: "2 symbols" });
    const print = { s: "AAPL", p: 146.76, t: 1628238530221, v: 100 };
    server.trades([print, print, { s: "MSFT", p: 300, t: 1628238530222, v: 5 }]);
    await waitFor(() => out.length === 3, { what: "3 prints" });
    server.trades([print, print, { s: "MSFT", p: 300, t: 1628238530222, v: 5 }]); // the same message again
    server.ping();
    server.trades([{ ...print, t: 1628238530300 }]);
    await waitFor(() => out.length === 4, { what: "only the new print" });
    assert.deepStrictEqual(out.map((m) => m.payload.symbol), ["AAPL", "AAPL", "MSFT", "AAPL"]);
  });

  it("a wrong key: HTTP 401 at the upgrade, red status, catchable error, no retries", async function () {
    await load("wrong");
    const caught = [];
    helper.getNode("caught").on("input", (m) => caught.push(m));
    await waitFor(() => caught.length >= 1, { what: "catchable auth error" });
    assert.strictEqual(helper.getNode("f1").core.status().state, "failed");
    assert.strictEqual(server.upgrades, 1);
    const log = JSON.stringify(helper.log().args);
    assert.ok(!log.includes("wrong"), "the token is not logged");
  });

  it("names the symbols refused over the plan's symbol limit", async function () {
    await load("good-token", "AAPL MSFT TSLA NVDA");
    const ev = [];
    helper.getNode("ev").on("input", (m) => ev.push(m));
    const refused = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "symbol_limit"), { what: "refusal" });
    assert.ok(refused.payload.symbols.includes("NVDA"), JSON.stringify(refused.payload));
  });
});
