"use strict";
/** Polygon / Massive end to end: tick-feed + tick-subscribe in a real runtime against the local mock. */
const assert = require("assert");
const { helper } = require("../../support/runtime");
const { mockEachTest, collect } = require("../../support/flow");
const { multiFeedFlow, loadFlow, redStatus, limitRefusal, waitsOutConnectionLimit, authFailed } = require("../../support/provider-flow");
const { PolygonServer, T } = require("../../mocks/polygon-server");
const { WebSocket } = require("ws");
const { waitFor, once } = require("../../support/wait");

const ALL4 = ["T.AAPL", "T.MSFT", "Q.AAPL", "Q.MSFT"];

function flow(url, { feeds = ["f1"], symbols = "AAPL MSFT", channels = "both", options = {}, feed = {} } = {}) {
  return multiFeedFlow("polygon", url, { feeds, symbols, channels, options, feed });
}

describe("polygon provider (runtime, local mock)", function () {
  const server = mockEachTest(() => new PolygonServer({ validKey: "good-key" }));

  it("authenticates, subscribes trades and quotes, and streams unique normalized ticks across a reconnect", async function () {
    await loadFlow(flow(server.url), { f1: { apiKey: "good-key" } });
    const out = collect("out_f1");
    await waitFor(() => ["T.AAPL", "T.MSFT", "Q.AAPL", "Q.MSFT"].every((t) => server.topics().has(t)), { what: "4 topics" });
    assert.deepStrictEqual(server.received[0].msg, { action: "auth", params: "good-key" });
    server.send([
      T("AAPL", 1, 4),
      T("AAPL", 1, 4),
      T("AAPL", 1, 12),
      { ev: "Q", sym: "MSFT", bp: 1, bs: 2, ap: 1.01, as: 3, t: 1536036818784, q: 1 },
    ]);
    await waitFor(() => out.length === 3, { what: "3 unique ticks" });
    assert.deepStrictEqual(
      out.map((m) => `${m.payload.type}:${m.payload.exchange ?? ""}:${m.payload.id ?? ""}`),
      ["trade:4:1", "trade:12:1", "quote::"],
    );
    assert.strictEqual(out[0].payload.ts, 1536036818784000);
    assert.strictEqual(out[2].payload.bidSize, 200);
    server.dropAll();
    await waitFor(() => server.totalConnections === 2 && server.topics().size === 4, { what: "re-auth and resubscribe" });
    server.send([T("AAPL", 1, 4), T("MSFT", 2, 4)]); // a replay and a new trade
    await waitFor(() => out.length === 4, { what: "only the new trade" });
    assert.strictEqual(out[3].payload.symbol, "MSFT");
  });

  it("stops on a bad key: red status, catchable error, no retries", async function () {
    const { caught } = await loadFlow(flow(server.url), { f1: { apiKey: "bad-key" } });
    await authFailed("s_f1", caught);
    assert.strictEqual(server.totalConnections, 1);
  });

  it("says so when the plan has no websocket access", async function () {
    server.noWebsocketPlan = true;
    await loadFlow(flow(server.url), { f1: { apiKey: "good-key" } });
    await waitFor(redStatus("s_f1", /plan/), { what: "red plan status" });
    assert.strictEqual(server.totalConnections, 1);
  });

  it("an evicted session waits a minute instead of fighting the newer one", async function () {
    await loadFlow(flow(server.url, { feeds: ["f1", "f2"] }), { f1: { apiKey: "good-key" }, f2: { apiKey: "good-key" } });
    await waitsOutConnectionLimit(server, "an eviction");
    assert.strictEqual([...server.connections].filter((c) => c.authed).length, 1);
  });

  it("batched frames with repeats, a late TRF print and out-of-order times: each trade once, in arrival order, nothing reordered or lost", async function () {
    server.batch = 2;
    await loadFlow(flow(server.url, { channels: "trades" }), { f1: { apiKey: "good-key" } });
    const out = collect("out_f1");
    await waitFor(() => server.topics().has("T.AAPL") && server.topics().has("T.MSFT"), { what: "trades subscribed" });
    server.send([
      T("AAPL", 10, 4, { t: 1536036818790 }),
      T("AAPL", 10, 4, { t: 1536036818790 }), // exact repeat in the same frame (#56)
      T("AAPL", 9, 4, { t: 1536036818700, q: 3681300 }), // older time, q going backwards (#241)
      T("AAPL", 10, 4, { t: 1536036818790 }), // repeat in a later frame
      T("AAPL", 10, 4, { trfi: 201, trft: 1536036000000, t: 1536036000100 }), // same id via a TRF, minutes late (#86)
      T("MSFT", 11, 4, { q: 3681339 }), // same q as AAPL #10 (q is per ticker)
      { ev: "status", status: "success", message: "subscribed to: T.AAPL" }, // a status mixed with data
    ]);
    await waitFor(() => out.length === 4, { what: "4 unique trades" });
    assert.deepStrictEqual(
      out.map((m) => `${m.payload.symbol}:${m.payload.id}:${m.payload.ts}`),
      ["AAPL:10:1536036818790000", "AAPL:9:1536036818700000", "AAPL:10:1536036000100000", "MSFT:11:1536036818784000"],
    );
    assert.strictEqual(out[2].payload.extra.trfi, 201);
    server.send([T("AAPL", 12, 4)]);
    await waitFor(() => out.length === 5, { what: "a marker trade after the repeats" });
    assert.strictEqual(out[4].payload.id, "12", "no repeat slipped in before the marker");
  });

  it("a silent stall (socket open, pings answered, no data) reconnects after stallSec and resubscribes; replays are not repeated", async function () {
    await loadFlow(flow(server.url, { options: { stallSec: "0.4", stallHours: "always" } }), { f1: { apiKey: "good-key" } });
    const out = collect("out_f1");
    const ev = collect("ev_f1");
    await waitFor(() => ALL4.every((t) => server.topics().has(t)), { what: "4 topics" });
    server.send([T("AAPL", 1)]);
    await waitFor(() => out.length === 1, { what: "a first trade" });
    server.once("close", () => server.stall(false));
    server.stall();
    await waitFor(() => server.totalConnections === 2 && server.authed() === 1 && ALL4.every((t) => server.topics().has(t)), {
      what: "reconnect + re-auth + resubscribe",
    });
    assert.ok(
      ev.some((m) => m.topic === "reconnecting" && m.payload.cause === "stale"),
      "the data watchdog ended it",
    );
    server.send([T("AAPL", 1), T("AAPL", 2)]);
    await waitFor(() => out.length === 2, { what: "only the new trade" });
    assert.strictEqual(out[1].payload.id, "2");
  });

  for (const [name, act] of [
    ["a slow-consumer close (1008)", (s) => s.slowConsumer()],
    ["a server close 1011 (keepalive ping timeout)", (s) => s.closeAll(1011, "keepalive ping timeout")],
    ["a normal server close (1000)", (s) => s.closeAll(1000, "bye")],
  ]) {
    it(`${name} is an ordinary reconnect: re-auth, resubscribe, ticks again`, async function () {
      await loadFlow(flow(server.url), { f1: { apiKey: "good-key" } });
      const out = collect("out_f1");
      await waitFor(() => ALL4.every((t) => server.topics().has(t)), { what: "subscribed" });
      act(server);
      await waitFor(() => server.totalConnections === 2 && ALL4.every((t) => server.topics().has(t)), { what: "back and resubscribed" });
      server.send([T("MSFT", 7)]);
      await waitFor(() => out.length === 1, { what: "ticks again" });
      assert.notStrictEqual(helper.getNode("f1").core.status().state, "failed");
      assert.strictEqual(server.evictions, 0);
    });
  }

  it("evicted by another instance of the app: names it, waits limitRetryMs (not a storm), then recovers with the whole subscription once the other is gone", async function () {
    await loadFlow(flow(server.url, { options: { limitRetryMs: "600" } }), { f1: { apiKey: "good-key" } });
    const out = collect("out_f1");
    const ev = collect("ev_f1");
    await waitFor(() => ALL4.every((t) => server.topics().has(t)), { what: "subscribed" });
    // Another app with the same key logs in: ours is the older session and gets evicted.
    const other = new WebSocket(server.url);
    other.on("open", () => other.send(JSON.stringify({ action: "auth", params: "good-key" })));
    await waitFor(() => server.evictions === 1, { what: "the eviction" });
    const evicted = await waitFor(limitRefusal(ev), { what: "a named eviction" });
    assert.ok(evicted.payload.in >= 600, `waits ${evicted.payload.in} ms`);
    assert.strictEqual(server.totalConnections, 2, "no immediate reconnect to fight the other session");
    other.close();
    await once(server, "close", { filter: (c) => c.id === 2 });
    await waitFor(() => server.authed() === 1 && ALL4.every((t) => server.topics().has(t)), { timeout: 5000, what: "back after the wait" });
    assert.strictEqual(server.totalConnections, 3, "exactly one retry");
    server.send([T("AAPL", 5)]);
    await waitFor(() => out.length === 1, { what: "ticks again" });
  });

  it("an upgrade refused with HTTP 401 (a proxy or a future server) stops like a bad key", async function () {
    server.rejectStatus = 401;
    await loadFlow(flow(server.url), { f1: { apiKey: "good-key" } });
    await authFailed("s_f1");
    assert.strictEqual(server.upgrades, 1);
  });
});
