"use strict";
/** Coinbase Advanced Trade end to end: tick-feed + tick-subscribe in a real Node-RED runtime against the local mock. */
const assert = require("assert");
const crypto = require("crypto");
const { helper } = require("../../support/runtime");
const { mockPerTest, collect, sameList } = require("../../support/flow");
const { singleFeedFlow, loadFlow, redStatus, subscribedTo, authFailed } = require("../../support/provider-flow");
const { CoinbaseServer } = require("../../mocks/coinbase-server");
const { waitFor } = require("../../support/wait");

const KEY_NAME = "organizations/org-1/apiKeys/key-1";

function load(server, { symbols = "BTC-USD ETH-USD", credentials = {}, options = {}, feed = {} } = {}) {
  return loadFlow(singleFeedFlow("coinbase", server.url, { symbols, channels: "trades", options: { staleMs: "400", ...options }, feed }), {
    f1: credentials,
  });
}

describe("coinbase provider (runtime, local mock)", function () {
  let server;
  const startServer = mockPerTest((opts) => new CoinbaseServer({ heartbeatMs: 50, subscribeDeadlineMs: 500, idleCloseMs: 250, ...opts }));

  it("streams unique normalized trades oldest first; the snapshot after a reconnect repeats nothing", async function () {
    server = await startServer({ snapshotSize: 2, tradeIdType: "int" });
    // Trades from before we connect: the snapshot replays the last 2 of each product.
    server.update([
      { product: "BTC-USD", id: "100", price: "41999.99", us: 1700000000100000 },
      { product: "BTC-USD", id: "101", price: "42000.5", size: "0.25", side: "SELL", us: 1700000000200000 },
      { product: "BTC-USD", id: "102", price: "42001", us: 1700000000300000 },
    ]);
    const { out, ev } = await load(server);
    await waitFor(subscribedTo(server, ["BTC-USD", "ETH-USD"]), { what: "subscribed" });
    assert.deepStrictEqual(server.received[0].msg, { type: "subscribe", channel: "heartbeats" }, "heartbeats first");
    await waitFor(() => out.length === 2, { what: "the snapshot's 2 trades" });
    assert.deepStrictEqual(
      out.map((m) => m.payload.id),
      ["101", "102"],
    );
    const [a] = out.map((m) => m.payload);
    assert.deepStrictEqual(
      [a.symbol, a.type, a.price, a.size, a.ts, a.provider, a.extra],
      ["BTC-USD", "trade", 42000.5, 0.25, 1700000000200000, "coinbase", { side: "SELL", snapshot: true }],
    );
    assert.strictEqual(out[0].topic, "BTC-USD");
    await waitFor(() => ev.some((m) => m.topic === "subscribed" && sameList(m.payload.symbols, ["BTC-USD", "ETH-USD"])), {
      what: "subscribed event",
    });

    // One update with several trades (newest first on the wire), an exact repeat, a late older one, a big id.
    server.update([
      { product: "ETH-USD", id: "7", price: "2000.1", us: 1700000001000000 },
      { product: "BTC-USD", id: "103", us: 1700000001100000 },
      { product: "BTC-USD", id: "9007199254740993001", us: 1700000001200000 },
    ]);
    server.update([{ product: "BTC-USD", id: "103", us: 1700000001100000 }], { record: false });
    server.update([{ product: "BTC-USD", id: "99", us: 1700000000050000 }]);
    await waitFor(() => out.length === 6, { what: "4 new unique trades" });
    assert.deepStrictEqual(
      out.slice(2).map((m) => m.payload.symbol + "#" + m.payload.id),
      ["ETH-USD#7", "BTC-USD#103", "BTC-USD#9007199254740993001", "BTC-USD#99"],
    );

    // A drop: reconnect, resubscribe, the snapshot replays trades already delivered.
    server.dropAll();
    await waitFor(() => server.totalConnections === 2 && subscribedTo(server, ["BTC-USD", "ETH-USD"])(), {
      what: "reconnect + resubscribe",
    });
    server.trade("ETH-USD", "8", { us: 1700000002000000 });
    await waitFor(() => out.length === 7, { what: "the new trade" });
    assert.deepStrictEqual(out[6].payload.id, "8");
    assert.strictEqual(out.length, 7, "no snapshot trade twice");
  });

  it("a snapshot trade older than the dedup window is not delivered again after a reconnect", async function () {
    server = await startServer({ snapshotSize: 5 });
    server.update([{ product: "BTC-USD", id: "1", us: 1700000000000000 }]);
    await load(server, { symbols: "BTC-USD", feed: { dedupWindow: 1 } }); // a 1 s event-time window
    const out = collect("out");
    await waitFor(() => out.length === 1, { what: "the snapshot trade" });
    server.trade("BTC-USD", "2", { us: 1700000010000000 }); // 10 s later: the window forgets trade 1
    await waitFor(() => out.length === 2, { what: "the live trade" });
    server.dropAll();
    await waitFor(() => server.totalConnections === 2 && subscribedTo(server, ["BTC-USD"])(), { what: "reconnect + resubscribe" });
    server.trade("BTC-USD", "3", { us: 1700000011000000 });
    await waitFor(() => out.length >= 3, { what: "the new trade" });
    assert.deepStrictEqual(
      out.map((m) => m.payload.id),
      ["1", "2", "3"],
    );
  });

  it("adds and removes products on input, paced under the per-IP message limit", async function () {
    server = await startServer();
    const { ev, out } = await load(server, { symbols: "BTC-USD" });
    await waitFor(subscribedTo(server, ["BTC-USD"]), { what: "subscribed" });
    const s1 = helper.getNode("s1");
    const more = ["ETH-USD", "SOL-USD", "ADA-USD", "XRP-USD", "LTC-USD", "DOGE-USD", "AVAX-USD", "DOT-USD", "LINK-USD", "UNI-USD"];
    for (const p of more) {
      s1.receive({ action: "subscribe", payload: p });
      await new Promise((r) => setImmediate(r)); // each in its own turn: one request each
    }
    s1.receive({ action: "unsubscribe", payload: "BTC-USD" });
    await waitFor(subscribedTo(server, more), { timeout: 8000, what: "the new list" });
    assert.strictEqual(server.rateViolations, 0, "never over 8 messages per second");
    assert.strictEqual(server.totalConnections, 1);
    assert.deepStrictEqual(
      server.sent((m) => m.type === "unsubscribe"),
      [{ type: "unsubscribe", product_ids: ["BTC-USD"], channel: "market_trades" }],
    );
    await waitFor(() => more.every((p) => ev.some((m) => m.topic === "subscribed" && m.payload.symbols.includes(p))), {
      what: "subscribed events",
    });
    server.trade("BTC-USD", "1");
    server.trade("UNI-USD", "2");
    await waitFor(() => out.length === 1, { what: "a tick" });
    assert.strictEqual(out[0].payload.symbol, "UNI-USD");
  });

  it("a -USDC subscription gets the -USD product's trades, under its own name", async function () {
    server = await startServer();
    const { out } = await load(server, { symbols: "eth-usdc" });
    await waitFor(subscribedTo(server, ["ETH-USDC"]), { what: "subscribed" });
    server.trade("ETH-USD", "5", { price: "2001.5" });
    await waitFor(() => out.length === 1, { what: "the tick" });
    assert.deepStrictEqual([out[0].topic, out[0].payload.symbol, out[0].payload.price], ["eth-usdc", "eth-usdc", 2001.5]);
  });

  it("heartbeats keep a quiet connection past the idle close; a stall and a heartbeat cutoff each reconnect and resubscribe", async function () {
    server = await startServer();
    const { out } = await load(server, { symbols: "BTC-USD" });
    await waitFor(subscribedTo(server, ["BTC-USD"]), { what: "subscribed" });
    const t0 = Date.now();
    await waitFor(() => Date.now() - t0 > 3 * server.idleCloseMs, { timeout: 3000, what: "three idle periods" });
    assert.deepStrictEqual([server.idleDrops, server.deadlineDrops, server.totalConnections], [0, 0, 1]);

    // Stall: socket open, nothing sent (heartbeats neither): the stale watch reconnects.
    server.once("close", () => server.stall(false));
    server.stall();
    await waitFor(() => server.totalConnections === 2 && subscribedTo(server, ["BTC-USD"])(), { what: "reconnect after a stall" });

    // Heartbeats cut off (and no trades): the same.
    server.once("close", () => {
      server.heartbeatsOn = true;
    });
    server.heartbeatsOn = false;
    await waitFor(() => server.totalConnections === 3 && subscribedTo(server, ["BTC-USD"])(), {
      what: "reconnect after a heartbeat cutoff",
    });
    server.trade("BTC-USD", "1");
    await waitFor(() => out.length === 1, { what: "ticks again" });
  });

  it("names products Coinbase refuses and still streams the others", async function () {
    server = await startServer({ invalidProducts: ["NOPE-USD"] });
    const { ev, out } = await load(server, { symbols: "BTC-USD NOPE-USD" });
    const err = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "invalid_product"), { what: "the refusal" });
    assert.deepStrictEqual(err.payload.symbols, ["NOPE-USD"]);
    assert.match(err.payload.message, /not a valid product/);
    await waitFor(subscribedTo(server, ["BTC-USD"]), { what: "the rest subscribed" });
    server.trade("BTC-USD", "1");
    await waitFor(() => out.length === 1, { what: "a tick" });
    // After a reconnect the refused product is not asked for again (the rest still is).
    server.dropAll();
    await waitFor(() => server.totalConnections === 2 && subscribedTo(server, ["BTC-USD"])(), { what: "resubscribed" });
    const asked = server.sent((m) => m.channel === "market_trades" && m.type === "subscribe");
    assert.deepStrictEqual(
      asked.map((m) => m.product_ids),
      [["BTC-USD", "NOPE-USD"], ["BTC-USD"], ["BTC-USD"]],
    );
  });

  it("signs its messages with a CDP key (JWT, ES256) and streams", async function () {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    server = await startServer({ publicKey, keyName: KEY_NAME });
    const secret = privateKey.export({ type: "sec1", format: "pem" });
    const { out } = await load(server, { symbols: "BTC-USD", credentials: { apiKey: KEY_NAME, apiSecret: secret } });
    await waitFor(subscribedTo(server, ["BTC-USD"]), { what: "subscribed" });
    assert.ok(server.validJwts >= 2, "both messages carried a valid JWT");
    server.trade("BTC-USD", "1");
    await waitFor(() => out.length === 1, { what: "a tick" });
  });

  it("a wrong private key: red status, catchable error, no reconnect storm, secret never logged", async function () {
    const { publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const other = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "sec1", format: "pem" });
    server = await startServer({ publicKey, keyName: KEY_NAME });
    const { caught } = await load(server, { credentials: { apiKey: KEY_NAME, apiSecret: other } });
    await authFailed("s1", caught);
    assert.strictEqual(server.totalConnections, 1);
    assert.ok(server.authFailures >= 1);
    const logged = JSON.stringify(helper.log().args) + JSON.stringify(caught.map((m) => m.error));
    assert.ok(!logged.includes(other.split("\n")[1]), "the private key is never logged");
  });

  it("an upgrade refused with HTTP 401 stops like a bad key", async function () {
    server = await startServer();
    server.rejectStatus = 401;
    await load(server);
    await waitFor(redStatus("s1", /auth-failed/), { what: "red auth status" });
    assert.strictEqual(server.upgrades, 1);
  });

  it("an upgrade refused with HTTP 429 (connections per second per IP) waits seconds, not a minute", async function () {
    server = await startServer();
    server.rejectStatus = 429;
    server.once("refused", () => {
      server.rejectStatus = null;
    });
    const { ev } = await load(server, { symbols: "BTC-USD" });
    const w = await waitFor(() => ev.find((m) => m.topic === "reconnecting" && m.payload.cause === "http_429"), { what: "the 429 wait" });
    assert.ok(w.payload.in >= 5000 && w.payload.in < 60000, `waits ${w.payload.in} ms`);
    assert.strictEqual(server.upgrades, 1);
  });

  it("server closes (1000, 1011) and an abrupt drop each reconnect and resubscribe", async function () {
    server = await startServer();
    const { out } = await load(server, { symbols: "BTC-USD ETH-USD" });
    await waitFor(subscribedTo(server, ["BTC-USD", "ETH-USD"]), { what: "subscribed" });
    for (const drop of [() => server.closeAll(1000, "bye"), () => server.closeAll(1011, "internal error"), () => server.dropAll()]) {
      const before = server.totalConnections;
      drop();
      await waitFor(() => server.totalConnections > before && subscribedTo(server, ["BTC-USD", "ETH-USD"])(), {
        what: `a connection after #${before}, resubscribed`,
      });
    }
    server.trade("ETH-USD", "1");
    await waitFor(() => out.length === 1, { what: "ticks again" });
  });

  it("a rate-limit error is named and waits before reconnecting", async function () {
    server = await startServer({ maxMsgsPerSec: 1 });
    const { ev } = await load(server, { options: { messagesPerSecond: "50" } });
    const waitEv = await waitFor(() => ev.find((m) => m.topic === "reconnecting" && m.payload.cause === "rate_limited"), {
      what: "the rate-limit reconnect",
    });
    assert.ok(waitEv.payload.in >= 5000, `waits ${waitEv.payload.in} ms`);
    assert.ok(ev.some((m) => m.topic === "error" && m.payload.code === "rate_limited"));
    assert.strictEqual(server.totalConnections, 1, "no immediate reconnect");
  });

  it("reports sequence_num gaps as warnings and keeps streaming", async function () {
    server = await startServer();
    const { ev, out } = await load(server, { symbols: "BTC-USD" });
    await waitFor(subscribedTo(server, ["BTC-USD"]), { what: "subscribed" });
    server.skipSequence(4);
    server.trade("BTC-USD", "1");
    const w = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "sequence_gap"), { what: "the gap warning" });
    assert.strictEqual(w.payload.severity, "warning");
    await waitFor(() => out.length === 1, { what: "the tick" });
    assert.strictEqual(server.totalConnections, 1);
  });
});
