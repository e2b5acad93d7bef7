"use strict";
/** Polygon / Massive end to end: tick-feed + tick-subscribe in a real runtime against the local mock. */
const assert = require("assert");
const { helper } = require("../../support/runtime");
const feedNode = require("../../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../../dist/nodes/tick-subscribe/tick-subscribe.js");
const { PolygonServer, T } = require("../../mocks/polygon-server");
const { waitFor } = require("../../support/wait");

const NODES = [feedNode, subNode];

function flow(url, { feeds = ["f1"], symbols = "AAPL MSFT", channels = "both" } = {}) {
  const nodes = [];
  for (const f of feeds) {
    nodes.push({ id: f, type: "tick-feed", provider: "polygon", url, backoffMin: 50, backoffMax: 200 });
    nodes.push({ id: "s_" + f, type: "tick-subscribe", feed: f, symbols, channels, wires: [["out_" + f], ["ev_" + f]] });
    nodes.push({ id: "out_" + f, type: "helper" }, { id: "ev_" + f, type: "helper" });
  }
  nodes.push({ id: "c1", type: "catch", wires: [["caught"]] }, { id: "caught", type: "helper" });
  return nodes;
}

function collect(id) {
  const msgs = [];
  helper.getNode(id).on("input", (m) => msgs.push(m));
  return msgs;
}

function statuses(id) {
  return helper.getNode(id).status.getCalls().filter((c) => c.thisValue.id === id).map((c) => c.args[0]);
}

describe("polygon provider (runtime, local mock)", function () {
  let server;
  beforeEach(async function () {
    server = new PolygonServer({ validKey: "good-key" });
    await server.start();
  });
  afterEach(async function () {
    await helper.unload();
    await server.close();
  });

  it("authenticates, subscribes trades and quotes, and streams unique normalized ticks across a reconnect", async function () {
    await helper.load(NODES, flow(server.url), { f1: { apiKey: "good-key" } });
    const out = collect("out_f1");
    await waitFor(() => ["T.AAPL", "T.MSFT", "Q.AAPL", "Q.MSFT"].every((t) => server.topics().has(t)), { what: "4 topics" });
    assert.deepStrictEqual(server.received[0].msg, { action: "auth", params: "good-key" });
    server.send([T("AAPL", 1, 4), T("AAPL", 1, 4), T("AAPL", 1, 12), { ev: "Q", sym: "MSFT", bp: 1, bs: 2, ap: 1.01, as: 3, t: 1536036818784, q: 1 }]);
    await waitFor(() => out.length === 3, { what: "3 unique ticks" });
    assert.deepStrictEqual(out.map((m) => `${m.payload.type}:${m.payload.exchange ?? ""}:${m.payload.id ?? ""}`), ["trade:4:1", "trade:12:1", "quote::"]);
    assert.strictEqual(out[0].payload.ts, 1536036818784000);
    assert.strictEqual(out[2].payload.bidSize, 200);
    server.dropAll();
    await waitFor(() => server.totalConnections === 2 && server.topics().size === 4, { what: "re-auth and resubscribe" });
    server.send([T("AAPL", 1, 4), T("MSFT", 2, 4)]); // a replay and a new trade
    await waitFor(() => out.length === 4, { what: "only the new trade" });
    assert.strictEqual(out[3].payload.symbol, "MSFT");
  });

  it("stops on a bad key: red status, catchable error, no retries", async function () {
    await helper.load(NODES, flow(server.url), { f1: { apiKey: "bad-key" } });
    const caught = collect("caught");
    await waitFor(() => statuses("s_f1").some((s) => s.fill === "red" && /auth-failed/.test(s.text)), { what: "red auth status" });
    await waitFor(() => caught.length >= 1, { what: "catchable error" });
    assert.strictEqual(helper.getNode("f1").core.status().state, "failed");
    assert.strictEqual(server.totalConnections, 1);
  });

  it("says so when the plan has no websocket access", async function () {
    server.noWebsocketPlan = true;
    await helper.load(NODES, flow(server.url), { f1: { apiKey: "good-key" } });
    await waitFor(() => statuses("s_f1").some((s) => s.fill === "red" && /plan/.test(s.text)), { what: "red plan status" });
    assert.strictEqual(server.totalConnections, 1);
  });

  it("an evicted session waits a minute instead of fighting the newer one", async function () {
    await helper.load(NODES, flow(server.url, { feeds: ["f1", "f2"] }), { f1: { apiKey: "good-key" }, f2: { apiKey: "good-key" } });
    const ev1 = collect("ev_f1");
    const ev2 = collect("ev_f2");
    const evicted = await waitFor(
      () => [...ev1, ...ev2].find((m) => m.topic === "reconnecting" && m.payload.cause === "max_connections"),
      { what: "an eviction" },
    );
    assert.ok(evicted.payload.in >= 60000, `waits ${evicted.payload.in} ms`);
    assert.strictEqual(server.totalConnections, 2, "no immediate reconnect");
    assert.strictEqual([...server.connections].filter((c) => c.authed).length, 1);
  });
});
