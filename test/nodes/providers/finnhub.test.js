"use strict";
/** Finnhub end to end: tick-feed + tick-subscribe in a real Node-RED runtime against the local mock. */
const assert = require("assert");
const { WebSocket } = require("ws");
const { helper } = require("../../support/runtime");
const { mockPerTest } = require("../../support/flow");
const { singleFeedFlow, loadFlow, hasAll: has } = require("../../support/provider-flow");
const { FinnhubServer } = require("../../mocks/finnhub-server");
const { waitFor } = require("../../support/wait");

describe("finnhub provider (runtime, local mock)", function () {
  let server;
  const start = mockPerTest((opts) => new FinnhubServer({ token: "good-token", maxSymbols: 3, ...opts }));

  function load(key, symbols = "AAPL MSFT", feed = {}) {
    return loadFlow(singleFeedFlow("finnhub", server.url, { symbols, feed: { symbolsPerConnection: 10, ...feed } }), {
      f1: { apiKey: key },
    });
  }

  it("streams trades once each: identical prints in one message are kept, a repeated message is dropped", async function () {
    server = await start();
    const { out } = await load("good-token");
    await waitFor(() => server.symbols().size === 2, { what: "2 symbols" });
    const print = { s: "AAPL", p: 146.76, t: 1628238530221, v: 100 };
    server.trades([print, print, { s: "MSFT", p: 300, t: 1628238530222, v: 5 }]);
    await waitFor(() => out.length === 3, { what: "3 prints" });
    server.trades([print, print, { s: "MSFT", p: 300, t: 1628238530222, v: 5 }]); // the same message again
    server.ping();
    server.trades([{ ...print, t: 1628238530300 }]);
    await waitFor(() => out.length === 4, { what: "only the new print" });
    assert.deepStrictEqual(
      out.map((m) => m.payload.symbol),
      ["AAPL", "AAPL", "MSFT", "AAPL"],
    );
    const p = out[0].payload;
    assert.deepStrictEqual([p.type, p.price, p.size, p.ts, p.provider], ["trade", 146.76, 100, 1628238530221000, "finnhub"]);
  });

  it("out-of-order prints (t decreasing, #143) are all delivered in arrival order", async function () {
    server = await start();
    const { out } = await load("good-token", "AAPL");
    await waitFor(() => server.symbols().has("AAPL"), { what: "subscribed" });
    server.trades([
      { s: "AAPL", p: 3, t: 1628238530300, v: 1 },
      { s: "AAPL", p: 1, t: 1628238530100, v: 1 },
    ]);
    server.trades([{ s: "AAPL", p: 2, t: 1628238530200, v: 1 }]);
    await waitFor(() => out.length === 3, { what: "3 prints" });
    assert.deepStrictEqual(
      out.map((m) => m.payload.price),
      [3, 1, 2],
    );
  });

  it("after a drop: reconnects, resubscribes one message per symbol, a replayed message is not emitted twice", async function () {
    server = await start();
    const { out } = await load("good-token");
    await waitFor(() => has(server.symbols(), ["AAPL", "MSFT"]), { what: "subscribed" });
    const msg = [
      { s: "AAPL", p: 1, t: 1628238530221, v: 10 },
      { s: "MSFT", p: 2, t: 1628238530222, v: 20 },
    ];
    server.trades(msg);
    await waitFor(() => out.length === 2, { what: "2 prints" });
    server.dropAll();
    await waitFor(() => server.connections.size === 1 && server.totalConnections === 2 && has(server.symbols(), ["AAPL", "MSFT"]), {
      what: "reconnect + resubscribe",
    });
    assert.deepStrictEqual(server.subscribes().sort(), ["AAPL", "AAPL", "MSFT", "MSFT"]);
    server.trades(msg); // the same message again on the new connection
    server.trades([{ s: "AAPL", p: 1.5, t: 1628238530400, v: 10 }]);
    await waitFor(() => out.length === 3, { what: "only the new print" });
    assert.strictEqual(out[2].payload.price, 1.5);
  });

  it("server pings keep a quiet connection past the stall timeout; a silent stall (pings stop) reconnects and resubscribes", async function () {
    server = await start({ pingMs: 60 });
    const { out, ev } = await load("good-token", "AAPL", { staleTimeout: 0.4 });
    await waitFor(() => server.symbols().has("AAPL"), { what: "subscribed" });
    // 16 pings x 60 ms (more than twice the stall timeout) and nothing else: no reconnect.
    await waitFor(() => server.pingsSent >= 16, { timeout: 3000, what: "16 pings" });
    assert.strictEqual(server.totalConnections, 1, "pings alone keep the connection");
    server.once("close", () => server.stall(false));
    server.stall();
    await waitFor(() => server.totalConnections === 2 && server.symbols().has("AAPL"), { what: "reconnect + resubscribe" });
    assert.ok(
      ev.some((m) => m.topic === "reconnecting" && m.payload.cause === "stale"),
      "the stall watchdog ended it",
    );
    server.trades([{ s: "AAPL", p: 1, t: 1628238530221, v: 10 }]);
    await waitFor(() => out.length === 1, { what: "ticks again" });
  });

  for (const code of [1000, 1011]) {
    it(`a server close ${code} is an ordinary reconnect`, async function () {
      server = await start();
      const { out } = await load("good-token");
      await waitFor(() => has(server.symbols(), ["AAPL", "MSFT"]), { what: "subscribed" });
      server.closeAll(code, "bye");
      await waitFor(() => server.totalConnections === 2 && has(server.symbols(), ["AAPL", "MSFT"]), { what: "back" });
      server.trades([{ s: "MSFT", p: 1, t: 1628238531000, v: 1 }]);
      await waitFor(() => out.length === 1, { what: "ticks again" });
      assert.notStrictEqual(helper.getNode("f1").core.status().state, "failed");
    });
  }

  it("a second connection on the same key (both dropped): the feed comes back on its own and resubscribes", async function () {
    server = await start({ connectionPolicy: "dropBoth" });
    const { out } = await load("good-token");
    await waitFor(() => has(server.symbols(), ["AAPL", "MSFT"]), { what: "subscribed" });
    const other = new WebSocket(server.url.replace(/\/?$/, "/?token=good-token"));
    other.on("error", () => {});
    await waitFor(() => server.limitDrops === 2, { what: "both dropped" });
    await waitFor(() => server.connections.size === 1 && has(server.symbols(), ["AAPL", "MSFT"]), { what: "ours back" });
    server.trades([{ s: "AAPL", p: 1, t: 1628238531000, v: 1 }]);
    await waitFor(() => out.length === 1, { what: "ticks again" });
  });

  it("a wrong key: HTTP 401 at the upgrade, red status, catchable error, no retries", async function () {
    server = await start();
    const { caught } = await load("wrong");
    await waitFor(() => caught.length >= 1, { what: "catchable auth error" });
    assert.strictEqual(helper.getNode("f1").core.status().state, "failed");
    assert.ok(
      helper
        .getNode("s1")
        .status.getCalls()
        .some((c) => c.args[0].fill === "red" && /auth/.test(c.args[0].text)),
      "red auth status",
    );
    assert.strictEqual(server.upgrades, 1);
    const log = JSON.stringify(helper.log().args);
    assert.ok(!log.includes("wrong"), "the token is not logged");
  });

  it("names exactly the symbols refused over the plan's symbol limit; the others stream", async function () {
    server = await start();
    const { out, ev } = await load("good-token", "AAPL MSFT TSLA NVDA AMD");
    await waitFor(() => server.errorsSent === 2, { what: "2 refusals" });
    await waitFor(() => ev.filter((m) => m.topic === "error" && m.payload.code === "symbol_limit").length === 2, {
      what: "2 refusal events",
    });
    const named = ev.filter((m) => m.topic === "error" && m.payload.code === "symbol_limit").flatMap((m) => m.payload.symbols);
    assert.deepStrictEqual(named.sort(), ["AMD", "NVDA"]);
    assert.deepStrictEqual([...server.symbols()].sort(), ["AAPL", "MSFT", "TSLA"]);
    server.trades([{ s: "TSLA", p: 1, t: 1628238531000, v: 1 }]);
    await waitFor(() => out.length === 1, { what: "the accepted ones stream" });
  });
});
