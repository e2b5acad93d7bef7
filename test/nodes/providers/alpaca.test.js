"use strict";
/** Alpaca end to end: tick-feed + tick-subscribe in a real Node-RED runtime against the local mock. */
const assert = require("assert");
const { helper } = require("../../support/runtime");
const { mockPerTest, collect } = require("../../support/flow");
const { multiFeedFlow, loadFlow, redStatus, hasAll: has, authFailed } = require("../../support/provider-flow");
const { AlpacaServer, trade, quote, cryptoTrade } = require("../../mocks/alpaca-server");
const { waitFor } = require("../../support/wait");

const CREDS = { apiKey: "good-key", apiSecret: "good-secret" };

function flow(url, { feeds = ["f1"], symbols = "AAPL MSFT", channels = "both", options = {}, feed = {} } = {}) {
  return multiFeedFlow("alpaca", url, { feeds, symbols, channels, options, feed });
}
const noSecrets = () => {
  const log = JSON.stringify(helper.log().args);
  return !log.includes("good-secret") && !log.includes("bad-secret");
};

describe("alpaca provider (runtime, local mock)", function () {
  let server;
  const start = mockPerTest((opts) => new AlpacaServer(opts));

  it("stocks: authenticates with key + secret, subscribes both channels, streams unique normalized ticks in batches, and resubscribes after a drop without repeats", async function () {
    server = await start({ batch: 2 });
    await loadFlow(flow(server.url), { f1: CREDS });
    const out = collect("out_f1");
    const ev = collect("ev_f1");
    await waitFor(() => has(server.subs("trades"), ["AAPL", "MSFT"]) && has(server.subs("quotes"), ["AAPL", "MSFT"]), {
      what: "trades + quotes",
    });
    assert.deepStrictEqual(server.received[0].msg, { action: "auth", key: "good-key", secret: "good-secret" });
    await waitFor(() => ev.some((m) => m.topic === "subscribed"), { what: "a subscribed event" });

    server.send([
      trade("AAPL", 1, "V"),
      trade("AAPL", 1, "V"), // an exact repeat in the next frame (batch of 2)
      trade("AAPL", 1, "D"), // the same id on another exchange: another trade
      trade("AAPL", 0, "V", { t: "2021-02-22T15:51:43.999999999Z", p: 126.5 }), // late, older
      quote("MSFT"),
    ]);
    await waitFor(() => out.length === 4, { what: "4 unique ticks" });
    assert.deepStrictEqual(
      out.map((m) => `${m.payload.type}:${m.payload.exchange ?? ""}:${m.payload.id ?? ""}`),
      ["trade:V:1", "trade:D:1", "trade:V:0", "quote::"],
    );
    const [a, , late, q] = out.map((m) => m.payload);
    assert.strictEqual(out[0].topic, "AAPL");
    assert.deepStrictEqual(
      [a.symbol, a.price, a.size, a.ts, a.conditions, a.provider, a.extra],
      ["AAPL", 126.55, 100, 1614009104208123, ["@", "I"], "alpaca", { tape: "C", nanos: 456 }],
    );
    assert.ok(Number.isInteger(a.recvTs));
    assert.strictEqual(late.ts, 1614009103999999);
    assert.deepStrictEqual([q.symbol, q.bid, q.bidSize, q.ask, q.askSize, q.ts], ["MSFT", 87.66, 1, 87.68, 4, 1614009105335689]);

    server.dropAll();
    await waitFor(
      () =>
        server.totalConnections === 2 &&
        server.authed() === 1 &&
        has(server.subs("trades"), ["AAPL", "MSFT"]) &&
        has(server.subs("quotes"), ["AAPL", "MSFT"]),
      {
        what: "re-auth and resubscribe",
      },
    );
    server.send([trade("AAPL", 1, "V"), quote("MSFT"), trade("MSFT", 2, "V")]); // two replays and a new trade
    await waitFor(() => out.length === 5, { what: "only the new trade" });
    assert.strictEqual(out[4].payload.symbol, "MSFT");
    assert.strictEqual(out[4].payload.id, "2");
    assert.ok(noSecrets(), "key and secret never logged");
    assert.ok(!JSON.stringify(ev.map((m) => m.payload)).includes("good-secret"), "nor in events");
  });

  it("crypto: int64 trade ids above 2^53 stay exact and distinct; a repeat is dropped", async function () {
    server = await start({ crypto: true });
    await loadFlow(flow(server.url, { symbols: "BTC/USD", channels: "trades", options: { feed: "crypto" } }), { f1: CREDS });
    const out = collect("out_f1");
    await waitFor(() => server.subs("trades").has("BTC/USD"), { what: "BTC/USD" });
    // 3447222699101865076 and ...077 are the same double: a plain JSON.parse would merge them.
    server.send([
      cryptoTrade("BTC/USD", 3447222699101865076n),
      cryptoTrade("BTC/USD", 3447222699101865077n),
      cryptoTrade("BTC/USD", 3447222699101865076n),
    ]);
    await waitFor(() => out.length === 2, { what: "2 distinct trades" });
    assert.deepStrictEqual(
      out.map((m) => m.payload.id),
      ["3447222699101865076", "3447222699101865077"],
    );
    assert.deepStrictEqual([out[0].payload.symbol, out[0].payload.size, out[0].payload.extra.takerSide], ["BTC/USD", 29.205707815, "S"]);
    server.send([cryptoTrade("BTC/USD", 3447222699101865078n)]);
    await waitFor(() => out.length === 3, { what: "a third" });
  });

  it("a wrong key (402 auth failed): red status, catchable error, no retries, secret never shown", async function () {
    server = await start();
    const { caught } = await loadFlow(flow(server.url), { f1: { apiKey: "good-key", apiSecret: "bad-secret" } });
    await authFailed("s_f1", caught);
    assert.deepStrictEqual(server.errorsSent, [402]);
    assert.strictEqual(server.totalConnections, 1);
    assert.ok(noSecrets());
    assert.ok(!JSON.stringify(caught.map((m) => m.error)).includes("bad-secret"));
  });

  it("a wrong key refused at the upgrade (HTTP 401): red status, no retries", async function () {
    server = await start();
    server.rejectStatus = 401;
    await loadFlow(flow(server.url), { f1: CREDS });
    await waitFor(redStatus("s_f1", /auth-failed/), { what: "red auth status" });
    assert.strictEqual(server.upgrades, 1);
  });

  it("a feed not in the plan (409 insufficient subscription) stops with a red plan status", async function () {
    server = await start({ entitled: false });
    await loadFlow(flow(server.url, { options: { feed: "sip" } }), { f1: CREDS });
    await waitFor(redStatus("s_f1", /plan/), { what: "red plan status" });
    assert.strictEqual(helper.getNode("f1").core.status().state, "failed");
    assert.strictEqual(server.totalConnections, 1);
  });

  it("a second session with the same key gets 406 and waits instead of retrying at once", async function () {
    server = await start();
    await loadFlow(flow(server.url, { feeds: ["f1", "f2"], options: { limitRetryMs: "60000" } }), { f1: CREDS, f2: CREDS });
    const ev1 = collect("ev_f1");
    const ev2 = collect("ev_f2");
    const refused = await waitFor(
      () => [...ev1, ...ev2].find((m) => m.topic === "reconnecting" && m.payload.cause === "connection_limit"),
      { what: "a 406" },
    );
    assert.ok(refused.payload.in >= 60000, `waits ${refused.payload.in} ms`);
    assert.strictEqual(server.totalConnections, 2, "no immediate retry");
    assert.strictEqual(server.authed(), 1, "the first session keeps streaming");
  });

  it("after a network drop the server holds the dead session: 406 until it lets go, then back and resubscribed", async function () {
    server = await start({ lingerMs: 600 });
    await loadFlow(flow(server.url, { options: { limitRetryMs: "250" } }), { f1: CREDS });
    const out = collect("out_f1");
    const ev = collect("ev_f1");
    await waitFor(() => has(server.subs("trades"), ["AAPL", "MSFT"]), { what: "subscribed" });
    server.dropAll({ linger: true });
    await waitFor(() => server.errorsSent.includes(406), { what: "a 406 while the dead session lingers" });
    await waitFor(
      () => server.authed() === 1 && has(server.subs("trades"), ["AAPL", "MSFT"]) && has(server.subs("quotes"), ["AAPL", "MSFT"]),
      {
        timeout: 5000,
        what: "back after the linger",
      },
    );
    const waits = ev.filter((m) => m.topic === "reconnecting" && m.payload.cause === "connection_limit").map((m) => m.payload.in);
    assert.ok(waits.length >= 1 && waits.every((w) => w >= 250), `waits ${waits}`);
    assert.ok(server.totalConnections <= 6, `no reconnect storm: ${server.totalConnections} connections`);
    server.send([trade("AAPL", 9, "V")]);
    await waitFor(() => out.length === 1, { what: "ticks again" });
  });

  it("a silent stall (pings answered, no data) reconnects after stallSec and resubscribes", async function () {
    server = await start();
    await loadFlow(flow(server.url, { options: { feed: "test", stallSec: "0.3" }, symbols: "FAKEPACA" }), { f1: CREDS });
    const out = collect("out_f1");
    const ev = collect("ev_f1");
    await waitFor(() => server.subs("trades").has("FAKEPACA"), { what: "subscribed" });
    server.send([trade("FAKEPACA", 1, "V")]);
    await waitFor(() => out.length === 1, { what: "a first tick" });
    server.once("close", () => server.stall(false));
    server.stall();
    await waitFor(() => server.totalConnections === 2 && server.subs("trades").has("FAKEPACA") && server.subs("quotes").has("FAKEPACA"), {
      what: "reconnect + resubscribe",
    });
    assert.ok(
      ev.some((m) => m.topic === "reconnecting" && m.payload.cause === "stale"),
      "the data watchdog, not the socket, ended it",
    );
    server.send([trade("FAKEPACA", 1, "V"), trade("FAKEPACA", 2, "V")]);
    await waitFor(() => out.length === 2, { what: "only the new tick" });
    assert.strictEqual(out[1].payload.id, "2");
  });

  it("names symbols refused over the symbol limit (405) and keeps the others streaming", async function () {
    server = await start({ symbolLimit: 2 });
    await loadFlow(flow(server.url, { channels: "trades", options: { plan: "plus" } }), { f1: CREDS });
    const out = collect("out_f1");
    const ev = collect("ev_f1");
    await waitFor(() => has(server.subs("trades"), ["AAPL", "MSFT"]), { what: "2 symbols" });
    helper.getNode("s_f1").receive({ action: "subscribe", payload: "TSLA" });
    const refused = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "symbol_limit"), { what: "405" });
    assert.deepStrictEqual(refused.payload.symbols, ["TSLA"]);
    server.send([trade("MSFT", 3, "V")]);
    await waitFor(() => out.length === 1, { what: "the others still stream" });
    assert.strictEqual(server.totalConnections, 1);
  });

  it("the free plan's 30 symbols: 32 asked, 30 placed, 2 named, none sent over the limit", async function () {
    server = await start({ symbolLimit: 30 });
    const symbols = Array.from({ length: 32 }, (_, i) => "S" + (i + 1));
    await loadFlow(flow(server.url, { channels: "trades", symbols: symbols.join(" ") }), { f1: CREDS });
    const ev = collect("ev_f1");
    await waitFor(() => server.subs("trades").size === 30, { what: "30 placed" });
    const refused = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "symbol_limit"), { what: "the 2 named" });
    assert.strictEqual(refused.payload.symbols.length, 2);
    assert.ok(!server.errorsSent.includes(405), "the feed never asks past the plan");
  });

  it("a channel the feed does not offer (410) is named for that channel only; trades stream", async function () {
    server = await start({ noQuotes: true });
    await loadFlow(flow(server.url), { f1: CREDS });
    const out = collect("out_f1");
    const ev = collect("ev_f1");
    const refused = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "invalid_channel"), { what: "410" });
    assert.strictEqual(refused.payload.channel, "quotes");
    assert.deepStrictEqual([...refused.payload.symbols].sort(), ["AAPL", "MSFT"]);
    await waitFor(() => has(server.subs("trades"), ["AAPL", "MSFT"]), { what: "trades subscribed" });
    server.send([trade("AAPL", 1, "V")]);
    await waitFor(() => out.length === 1, { what: "a trade" });
  });

  it("a slow-client drop (407) and a server close (1011) are ordinary reconnects", async function () {
    server = await start();
    await loadFlow(flow(server.url), { f1: CREDS });
    await waitFor(() => has(server.subs("trades"), ["AAPL", "MSFT"]), { what: "subscribed" });
    server.slowClient();
    await waitFor(() => server.totalConnections === 2 && has(server.subs("quotes"), ["AAPL", "MSFT"]), { what: "back after 407" });
    server.closeAll(1011, "keepalive ping timeout");
    await waitFor(() => server.totalConnections === 3 && has(server.subs("quotes"), ["AAPL", "MSFT"]), { what: "back after 1011" });
    assert.notStrictEqual(helper.getNode("f1").core.status().state, "failed");
  });
});
