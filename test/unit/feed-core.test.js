"use strict";
/** FeedCore with the generic provider against a real local server: placement over connections. */
const assert = require("assert");
const { WebSocket } = require("ws");
const { FeedCore, DEFAULT_FEED_OPTIONS } = require("../../dist/lib/feed");
const { createGeneric } = require("../../dist/lib/providers/generic");
const { GenericServer, trade } = require("../mocks/generic-server");
const { waitFor } = require("../support/wait");

function user(id) {
  const u = { id, ticks: [], events: [], statuses: [] };
  u.onTicks = (t) => u.ticks.push(...t);
  u.onEvent = (topic, payload) => u.events.push({ topic, payload });
  u.onStatus = (s) => u.statuses.push(s);
  return u;
}

describe("FeedCore: several connections within plan limits", function () {
  let server;
  let core;
  beforeEach(async function () {
    server = new GenericServer();
    await server.start();
  });
  afterEach(async function () {
    if (core) await core.close();
    core = null;
    await server.close();
  });

  function start(opts) {
    const provider = createGeneric({ provider: "generic", url: server.url, apiKey: "", apiSecret: "", options: {} });
    core = new FeedCore(provider, { ...DEFAULT_FEED_OPTIONS, lingerMs: 0, ...opts });
    return core;
  }

  it("spreads symbols over connections, names the ones that do not fit, and places them when room frees up", async function () {
    start({ symbolsPerConnection: 2, maxConnections: 2 });
    const a = user("a");
    core.register(a);
    const refused = core.setSymbols(a, { trades: ["S1", "S2", "S3", "S4", "S5"], quotes: [] });
    assert.deepStrictEqual(refused, ["S5"]);
    await waitFor(() => server.connections.size === 2 && server.subscribed().size === 4, { what: "2 connections, 4 symbols" });
    const perConn = [...server.connections].map((c) => [...c.symbols].sort());
    assert.deepStrictEqual(
      perConn.map((s) => s.length),
      [2, 2],
    );
    await waitFor(() => a.events.some((e) => e.topic === "error" && e.payload.code === "symbol_limit"), { what: "symbol_limit event" });
    assert.deepStrictEqual(a.events.find((e) => e.payload.code === "symbol_limit").payload.symbols, ["S5"]);
    assert.strictEqual(core.status().unplaced, 1);

    // Ticks of a symbol that stays keep flowing exactly once while the set changes.
    server.send(trade("S1", 1));
    await waitFor(() => a.ticks.length === 1, { what: "S1 tick" });
    core.setSymbols(a, { trades: ["S1", "S2", "S4", "S5"], quotes: [] });
    await waitFor(() => server.subscribed().has("S5") && !server.subscribed().has("S3"), { what: "S5 placed in S3's room" });
    assert.strictEqual(server.totalConnections, 2, "no reconnect to rebalance");
    const s1Subscribes = server.actions("subscribe").filter((r) => r.msg.symbols.includes("S1")).length;
    assert.strictEqual(s1Subscribes, 1, "S1 is never re-subscribed");
    server.send([trade("S1", 1), trade("S1", 2), trade("S5", 1)]);
    await waitFor(() => a.ticks.length === 3, { what: "S1 #2 and S5 #1" });
    assert.deepStrictEqual(
      a.ticks.map((t) => t.symbol + t.id),
      ["S11", "S12", "S51"],
    );
    assert.strictEqual(core.status().unplaced, 0);
  });

  it("connects lazily and disconnects when the last user leaves", async function () {
    start({});
    assert.strictEqual(server.totalConnections, 0);
    const a = user("a");
    core.register(a);
    await waitFor(() => server.connections.size === 1, { what: "lazy connect" });
    core.deregister(a);
    await waitFor(() => server.connections.size === 0, { what: "disconnect after the last user" });
    assert.deepStrictEqual(
      core.describe().map((s) => s.state),
      ["idle"],
    );
  });

  it("sends queued messages in order within the rate limit and replaces superseded ones", async function () {
    const provider = createGeneric({
      provider: "generic",
      url: server.url,
      apiKey: "",
      apiSecret: "",
      options: { messagesPerSecond: 20, subscribeTemplate: '{"action":"subscribe","symbols":"$symbol"}' },
    });
    // The pace is read where it is made, at the sending socket: the mock's receipt times also carry
    // its own event-loop delays (a loaded machine can read two frames in one go).
    const sentAt = [];
    const socket = (url, options) => {
      const ws = new WebSocket(url, options);
      const send = ws.send.bind(ws);
      ws.send = (text) => {
        sentAt.push(Date.now());
        send(text);
      };
      return ws;
    };
    core = new FeedCore(provider, { ...DEFAULT_FEED_OPTIONS, lingerMs: 0 }, undefined, { socket });
    const a = user("a");
    core.register(a);
    core.setSymbols(a, { trades: ["A", "B", "C", "D"], quotes: [] });
    await waitFor(() => server.actions("subscribe").length === 4, { what: "4 subscribes" });
    const got = server.received.filter((r) => r.msg.action === "subscribe");
    assert.deepStrictEqual(
      got.map((r) => r.msg.symbols[0]),
      ["A", "B", "C", "D"],
    );
    assert.strictEqual(sentAt.length, 4, "one frame per subscribe");
    for (let i = 1; i < sentAt.length; i++) {
      // 20 messages/s = one per 50 ms: a lower bound only (a loaded machine may be slower, never faster)
      assert.ok(sentAt[i] - sentAt[i - 1] >= 49, `gap ${sentAt[i] - sentAt[i - 1]} ms`);
    }
  });
});
