"use strict";
/**
 * tick-feed + tick-subscribe through a real Node-RED runtime (node-red-node-test-helper)
 * against a real local WebSocket server speaking the generic protocol.
 */
const assert = require("assert");
const { helper } = require("../support/runtime");
const { mockEachTest, collect, catchNodes, statusesOf, waitForStatus } = require("../support/flow");
const { genericFeed, loadFlow } = require("../support/provider-flow");
const feedNode = require("../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../dist/nodes/tick-subscribe/tick-subscribe.js");
const { GenericServer, trade } = require("../mocks/generic-server");
const { waitFor, once } = require("../support/wait");

const NODES = [feedNode, subNode];

function sub(id, symbols, extra = {}) {
  return { id, type: "tick-subscribe", feed: "f1", symbols, channels: "trades", wires: [["out_" + id], ["ev_" + id]], ...extra };
}

function sinks(...ids) {
  return ids.flatMap((id) => [
    { id: "out_" + id, type: "helper" },
    { id: "ev_" + id, type: "helper" },
  ]);
}

describe("tick-feed + tick-subscribe (runtime)", function () {
  const server = mockEachTest(() => new GenericServer());

  it("uses the API key for auth and never shows it in status, messages or logs", async function () {
    const SECRET = "SECRET-KEY-9f8e7d";
    const flow = [
      genericFeed(server.url, { options: { authTemplate: '{"action":"auth","key":"$key"}' } }),
      sub("s1", "AAPL"),
      ...sinks("s1"),
    ];
    await helper.load(NODES, flow, { f1: { apiKey: SECRET } });
    const out = collect("out_s1");
    const ev = collect("ev_s1");
    await waitFor(() => server.actions("auth").length === 1, { what: "auth message" });
    assert.strictEqual(server.actions("auth")[0].msg.key, SECRET, "the key reaches the provider");
    await waitFor(() => server.subscribed().has("AAPL"), { what: "subscribe" });
    server.send(trade("AAPL", 1));
    await waitFor(() => out.length === 1, { what: "a tick" });
    // An error path that reports things: the server refuses the next connection attempt.
    server.upgradeStatus = 500;
    server.dropAll();
    await waitFor(() => ev.some((m) => m.topic === "reconnecting"), { what: "reconnecting event" });
    const seen = JSON.stringify([statusesOf("s1"), out, ev, helper.log().args]);
    assert.ok(!seen.includes(SECRET), "the key must not appear anywhere visible");
  });

  it("opens one socket for two subscribe nodes and delivers overlapping symbols to each", async function () {
    const flow = [genericFeed(server.url), sub("s1", "AAPL MSFT"), sub("s2", "MSFT,TSLA"), ...sinks("s1", "s2")];
    await helper.load(NODES, flow);
    const a = collect("out_s1");
    const b = collect("out_s2");
    await waitFor(() => ["AAPL", "MSFT", "TSLA"].every((s) => server.subscribed().has(s)), { what: "all symbols subscribed" });
    assert.strictEqual(server.totalConnections, 1, "one socket for both nodes");
    const subs = server.actions("subscribe").flatMap((r) => r.msg.symbols);
    assert.deepStrictEqual(subs.slice().sort(), ["AAPL", "MSFT", "TSLA"], "each symbol subscribed upstream exactly once");
    server.send([trade("AAPL", 1), trade("MSFT", 2), trade("TSLA", 3), trade("IBM", 4)]);
    await waitFor(() => a.length === 2 && b.length === 2, { what: "ticks on both nodes" });
    assert.deepStrictEqual(
      a.map((m) => m.topic),
      ["AAPL", "MSFT"],
    );
    assert.deepStrictEqual(
      b.map((m) => m.topic),
      ["MSFT", "TSLA"],
    );
    const tick = a[0].payload;
    assert.strictEqual(tick.symbol, "AAPL");
    assert.strictEqual(tick.type, "trade");
    assert.strictEqual(tick.provider, "generic");
    assert.ok(Number.isInteger(tick.ts) && Number.isInteger(tick.recvTs), "integer µs times");
    assert.strictEqual(tick.id, "1");
    assert.notStrictEqual(a[1].payload, b[0].payload, "two flows never share one tick object");
    const ids = [...a, ...b].map((m) => m._msgid);
    assert.strictEqual(new Set(ids).size, ids.length, "every tick is its own message (unique _msgid)");
  });

  it("partial deploy: removing a node unsubscribes only its own symbols, without reconnecting", async function () {
    const flow = [genericFeed(server.url), sub("s1", "AAPL MSFT"), sub("s2", "MSFT TSLA"), ...sinks("s1", "s2")];
    await helper.load(NODES, flow);
    await waitFor(() => server.subscribed().size === 3, { what: "3 symbols" });
    const without = [genericFeed(server.url), sub("s2", "MSFT TSLA"), ...sinks("s2")];
    await helper.setFlows(without, "nodes");
    await waitFor(() => server.actions("unsubscribe").length >= 1, { what: "an unsubscribe" });
    const unsubscribed = server.actions("unsubscribe").flatMap((r) => r.msg.symbols);
    assert.deepStrictEqual(unsubscribed, ["AAPL"], "MSFT stays: s2 still uses it");
    assert.deepStrictEqual([...server.subscribed()].sort(), ["MSFT", "TSLA"]);
    assert.strictEqual(server.totalConnections, 1, "no reconnect");
    // A node added by a partial deploy shows the feed's current state at once.
    const more = [...without, sub("s3", "TSLA"), ...sinks("s3")];
    await helper.setFlows(more, "nodes");
    await waitForStatus("s3", (s) => s.fill === "green", "green");
    assert.strictEqual(server.totalConnections, 1);
  });

  it("full redeploy closes the old socket before opening the new one and leaves nothing behind", async function () {
    await new Promise((resolve) => setImmediate(resolve)); // after mocha has armed its own test timer
    const handlesBefore = countHandles();
    const order = [];
    server.on("connection", (c) => order.push("open " + c.id));
    server.on("disconnect", (c) => order.push("close " + c.id));
    const flow = [genericFeed(server.url), sub("s1", "AAPL"), ...sinks("s1")];
    await helper.load(NODES, flow);
    await waitFor(() => server.subscribed().has("AAPL"), { what: "subscribe" });
    await helper.setFlows([genericFeed(server.url, { name: "changed" }), sub("s1", "AAPL"), ...sinks("s1")], "full");
    await waitFor(() => order.length === 3, { what: "second connection" });
    assert.deepStrictEqual(order, ["open 1", "close 1", "open 2"]);
    assert.strictEqual(server.connections.size, 1, "exactly one live socket");
    await helper.unload();
    await waitFor(() => server.connections.size === 0, { what: "server sees no live socket" });
    await server.close();
    await waitFor(
      () => {
        const now = countHandles();
        return now.TCPSocketWrap <= handlesBefore.TCPSocketWrap && now.Timeout <= handlesBefore.Timeout;
      },
      { what: "no leftover sockets or timers: " + JSON.stringify(handlesBefore) + " now " + JSON.stringify(countHandles()) },
    );
  });

  it("reconnects with backoff after the server drops the connection, resubscribes and skips replayed duplicates", async function () {
    const flow = [genericFeed(server.url), sub("s1", "AAPL MSFT"), ...sinks("s1")];
    await helper.load(NODES, flow);
    const out = collect("out_s1");
    const ev = collect("ev_s1");
    await waitFor(() => server.subscribed().size === 2, { what: "subscribed" });
    server.send([trade("AAPL", 1), trade("AAPL", 2), trade("MSFT", 1)]);
    await waitFor(() => out.length === 3, { what: "3 ticks" });
    server.dropAll();
    await waitFor(() => server.totalConnections === 2 && server.subscribed().size === 2, { what: "reconnected and resubscribed" });
    const topics = ev.map((m) => m.topic);
    assert.ok(
      topics.includes("disconnected") &&
        topics.includes("reconnecting") &&
        topics.lastIndexOf("connected") > topics.indexOf("reconnecting"),
    );
    const wait = ev.find((m) => m.topic === "reconnecting").payload.in;
    assert.ok(wait >= 1 && wait <= 200, `backoff wait within bounds, got ${wait}`);
    // The relay replays the last ticks after the reconnect: only the new one comes out.
    server.send([trade("AAPL", 1), trade("AAPL", 2), trade("MSFT", 1), trade("AAPL", 3)]);
    await waitFor(() => out.length === 4, { what: "the new tick" });
    server.send([trade("MSFT", 2)]);
    await waitFor(() => out.length === 5, { what: "a later tick" });
    assert.deepStrictEqual(
      out.map((m) => m.topic + m.payload.id),
      ["AAPL1", "AAPL2", "MSFT1", "AAPL3", "MSFT2"],
    );
  });

  it("detects a silent stall and reconnects", async function () {
    const flow = [genericFeed(server.url, { staleTimeout: 0.3 }), sub("s1", "AAPL"), ...sinks("s1")];
    await helper.load(NODES, flow);
    const ev = collect("ev_s1");
    await waitFor(() => server.subscribed().has("AAPL"), { what: "subscribed" });
    server.stalled = true; // socket stays open and answers pings, but no data
    await waitFor(() => server.totalConnections === 2, { what: "reconnect after the stall" });
    const err = ev.find((m) => m.topic === "error");
    assert.ok(err && err.payload.code === "stale", "the stall is reported as an error event");
  });

  it("counts and reports malformed frames without crashing, and keeps streaming", async function () {
    const flow = [genericFeed(server.url), sub("s1", "AAPL"), ...sinks("s1"), ...catchNodes()];
    await helper.load(NODES, flow);
    const out = collect("out_s1");
    const ev = collect("ev_s1");
    const caught = collect("caught");
    await waitFor(() => server.subscribed().has("AAPL"), { what: "subscribed" });
    server.send("{not json");
    server.send({ symbol: "AAPL", price: "abc", time: Date.now() });
    server.send(trade("AAPL", 7));
    await waitFor(() => out.length === 1, { what: "the good tick" });
    await waitFor(() => ev.some((m) => m.topic === "error" && m.payload.code === "malformed"), { what: "malformed event" });
    const report = ev.find((m) => m.payload.code === "malformed").payload;
    assert.ok(report.count >= 1 && typeof report.reason === "string");
    assert.ok(helper.getNode("f1").core.stats.malformed === 2, "both bad frames counted");
    await waitFor(() => caught.length >= 1, { what: "a catchable error" });
    assert.strictEqual(server.totalConnections, 1, "a bad frame does not cost the connection");
  });

  it("handles msg.action subscribe, unsubscribe, replace and getSubscriptions, and rejects bad input", async function () {
    const flow = [genericFeed(server.url), sub("s1", "AAPL"), ...sinks("s1"), ...catchNodes(["s1"])];
    await helper.load(NODES, flow);
    const s1 = helper.getNode("s1");
    const ev = collect("ev_s1");
    const caught = collect("caught");
    await waitFor(() => server.subscribed().has("AAPL"), { what: "AAPL" });

    s1.receive({ action: "subscribe", payload: ["MSFT", "TSLA"] });
    await waitFor(() => server.subscribed().size === 3, { what: "MSFT and TSLA" });
    s1.receive({ action: "unsubscribe", payload: "AAPL" });
    await waitFor(() => !server.subscribed().has("AAPL"), { what: "AAPL removed" });
    s1.receive({ action: "replace", payload: "NVDA, AMD" });
    await waitFor(() => server.subscribed().size === 2 && server.subscribed().has("NVDA"), { what: "replaced" });
    s1.receive({ action: "getSubscriptions" });
    const list = await waitFor(() => ev.find((m) => m.topic === "subscriptions"), { what: "subscriptions" });
    assert.deepStrictEqual(list.payload.symbols, ["NVDA", "AMD"]);

    s1.receive({ action: "explode", payload: "X" });
    s1.receive({ action: "subscribe", payload: ["GOOD", "bad<sym>"] });
    s1.receive({ action: "subscribe", payload: 42 });
    await waitFor(() => caught.length === 3, { what: "three caught errors" });
    assert.match(caught[0].error.message, /bad-action|explode/);
    assert.match(caught[1].error.message, /bad-symbols/); // RED._ is identity in the helper: the key
    assert.strictEqual(server.subscribed().has("GOOD"), false, "a bad message changes nothing");
    assert.deepStrictEqual(helper.getNode("f1").core.getSymbols(s1).trades, ["NVDA", "AMD"]);
    await waitForStatus("s1", (s) => s.fill === "red", "red after bad input");
  });

  it("stops on an authentication failure: red status, catchable error, no retry storm", async function () {
    server.upgradeStatus = 401;
    const flow = [genericFeed(server.url), sub("s1", "AAPL"), ...sinks("s1"), ...catchNodes()];
    const { caught } = await loadFlow(flow, { f1: { apiKey: "wrong" } });
    await waitForStatus("s1", (s) => s.fill === "red" && /auth-failed/.test(s.text), "auth failed");
    await waitFor(() => caught.length >= 1, { what: "catchable auth error" });
    const core = helper.getNode("f1").core;
    assert.strictEqual(core.status().state, "failed");
    assert.strictEqual(core.describe()[0].state, "failed", "no reconnect is scheduled");
    assert.strictEqual(server.upgrades, 1);
  });

  it("closes within the bound even when the server ignores the close handshake", async function () {
    server.ignoreClose = true;
    const flow = [genericFeed(server.url), sub("s1", "AAPL"), ...sinks("s1")];
    await helper.load(NODES, flow);
    await waitFor(() => server.subscribed().has("AAPL"), { what: "subscribed" });
    const started = Date.now();
    await helper.unload();
    const took = Date.now() - started;
    assert.ok(took < 4000, `close finished in ${took} ms`);
    await waitFor(() => server.connections.size === 0, { what: "socket gone" });
  });

  it("keeps identical real prints within one frame but drops a replayed frame", async function () {
    const flow = [
      { id: "f1", type: "tick-feed", provider: "generic", url: server.url },
      { id: "s1", type: "tick-subscribe", feed: "f1", symbols: "AAPL", wires: [["out"], []] },
      { id: "out", type: "helper" },
    ];
    const { out } = await loadFlow(flow);
    await waitFor(() => server.subscribed().has("AAPL"), { what: "subscribed" });
    const print = { symbol: "AAPL", price: 10, size: 100, time: 1700000000000 };
    const frame = [print, print, { ...print, price: 10.01 }];
    server.send(frame); // a sweep: two identical prints in one frame are two real trades
    await waitFor(() => out.length === 3, { what: "3 prints" });
    server.send(frame); // the same frame replayed (e.g. after a reconnect)
    server.send([{ ...print, time: 1700000000001 }]);
    await waitFor(() => out.length === 4, { what: "only the new print" });
    assert.deepStrictEqual(
      out.map((m) => m.payload.price),
      [10, 10, 10.01, 10],
    );
  });

  it("reports a feed configuration error (a bad URL, a missing key, an unknown provider) as a red status", async function () {
    const flow = [
      { id: "f1", type: "tick-feed", provider: "generic", url: "http://not-a-websocket" },
      { id: "s1", type: "tick-subscribe", feed: "f1", symbols: "AAPL", wires: [[], []] },
    ];
    await helper.load(NODES, flow);
    await waitForStatus("s1", (s) => s.fill === "red" && /feed-config/.test(s.text), "feed-config");
    assert.match(helper.getNode("f1").configError, /ws:\/\//);
    await helper.setFlows([{ ...flow[0], provider: "polygon", url: "" }, flow[1]], "full");
    await waitFor(() => /needs an API key/.test(helper.getNode("f1").configError || ""), { what: "missing key" });
    await waitForStatus("s1", (s) => s.fill === "red" && /feed-config/.test(s.text), "feed-config after the missing key");
    await helper.setFlows([{ ...flow[0], provider: "nosuch", url: "" }, flow[1]], "full");
    await waitFor(() => /Unknown provider "nosuch"/.test(helper.getNode("f1").configError || ""), { what: "unknown provider" });
  });

  it("reports a missing feed as a red status and a done(err) on input", async function () {
    const flow = [{ id: "s1", type: "tick-subscribe", feed: "", symbols: "AAPL", wires: [[], []] }, ...catchNodes()];
    const { caught } = await loadFlow(flow);
    await waitForStatus("s1", (s) => s.fill === "red", "red");
    helper.getNode("s1").receive({ action: "subscribe", payload: "AAPL" });
    await waitFor(() => caught.length === 1, { what: "caught error" });
  });
});

describe("tick-feed simulator (runtime)", function () {
  afterEach(async function () {
    await helper.unload();
  });

  it("streams the requested symbols with trades and quotes from its own local server", async function () {
    const flow = [
      { id: "f1", type: "tick-feed", provider: "simulator", options: { ratePerSymbol: 40 } },
      { id: "s1", type: "tick-subscribe", feed: "f1", symbols: "AAPL, MSFT", channels: "both", wires: [["out"], ["ev"]] },
      { id: "out", type: "helper" },
      { id: "ev", type: "helper" },
    ];
    const { out } = await loadFlow(flow);
    await waitFor(
      () => {
        const kinds = new Set(out.map((m) => m.topic + ":" + m.payload.type));
        return ["AAPL:trade", "MSFT:trade", "AAPL:quote", "MSFT:quote"].every((k) => kinds.has(k));
      },
      { timeout: 8000, what: "trades and quotes for both symbols" },
    );
    for (const m of out) {
      assert.ok(["AAPL", "MSFT"].includes(m.payload.symbol));
      assert.ok(Number.isInteger(m.payload.ts));
      assert.strictEqual(m.payload.provider, "simulator");
    }
    const ids = out.filter((m) => m.payload.type === "trade").map((m) => m.payload.symbol + m.payload.id);
    assert.strictEqual(new Set(ids).size, ids.length, "no trade twice");
    await waitForStatus("s1", (s) => s.fill === "green" && s.shape === "dot", "streaming");
  });

  it("emits arrays of ticks in batch mode", async function () {
    const flow = [
      { id: "f1", type: "tick-feed", provider: "simulator", options: { ratePerSymbol: 50 } },
      { id: "s1", type: "tick-subscribe", feed: "f1", symbols: "AAPL MSFT TSLA", output: "batch", wires: [["out"], []] },
      { id: "out", type: "helper" },
    ];
    await helper.load(NODES, flow);
    const [msg] = await once(helper.getNode("out"), "input", { timeout: 5000 });
    assert.ok(Array.isArray(msg.payload) && msg.payload.length >= 1);
    assert.ok(msg.payload.every((t) => ["AAPL", "MSFT", "TSLA"].includes(t.symbol) && t.type === "trade"));
  });
});

function countHandles() {
  const counts = { TCPSocketWrap: 0, Timeout: 0, TCPServerWrap: 0 };
  for (const r of process.getActiveResourcesInfo()) if (r in counts) counts[r]++;
  return counts;
}
