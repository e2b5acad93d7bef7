"use strict";
/**
 * Trust at every edge, values half (issue 8), through a real Node-RED runtime against a real
 * local WebSocket server: hostile frame elements are dropped and reported while the rest of the
 * frame arrives in the fixed Tick shape; ids above 2^53 stay exact; one huge trade cannot hang
 * tick-aggregate; tick-filter value modes keep messages whole; `unsubscribed` reaches the node
 * that unsubscribed.
 */
const assert = require("assert");
const { helper } = require("../support/runtime");
const { mockEachTest, collect, catchNodes } = require("../support/flow");
const { genericSource } = require("../support/provider-flow");
const feedNode = require("../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../dist/nodes/tick-subscribe/tick-subscribe.js");
const filterNode = require("../../dist/nodes/tick-filter/tick-filter.js");
const aggNode = require("../../dist/nodes/tick-aggregate/tick-aggregate.js");
const { GenericServer } = require("../mocks/generic-server");
const { waitFor } = require("../support/wait");
const { TICK_KEYS } = require("../../dist/lib/ticknorm");

const NODES = [feedNode, subNode, filterNode, aggNode];

describe("values at the edges (runtime)", function () {
  const server = mockEachTest(() => new GenericServer());

  it("drops hostile elements of a frame (counted, reported, catchable) and delivers the rest in the fixed shape", async function () {
    await helper.load(NODES, [
      ...genericSource(server.url, { symbols: "AAPL", wires: [["out"], ["ev"]] }),
      { id: "out", type: "helper" },
      { id: "ev", type: "helper" },
      ...catchNodes(),
    ]);
    const out = collect("out");
    const ev = collect("ev");
    const caught = collect("caught");
    await waitFor(() => server.received.length > 0, { what: "a subscribe request" });
    const now = Date.now();
    const deep = "[".repeat(10000) + "]".repeat(10000);
    const good = (id, extra = "") => `{"symbol":"AAPL","price":101.5,"size":100,"time":${now},"id":"${id}"${extra}}`;
    // One frame: a good tick, then every hostile value of issue 8, then good ticks (one with an id above 2^53, as a bare number).
    const frame =
      "[" +
      [
        good("a1", ',"conditions":["@",12]'),
        `{"symbol":"AAPL","price":1e400,"size":1,"time":${now},"id":"b1"}`,
        `{"symbol":"AAPL","price":0,"size":1,"time":${now},"id":"b2"}`,
        `{"symbol":"AAPL","price":-5,"size":1,"time":${now},"id":"b3"}`,
        `{"symbol":"AAPL","price":" ","size":1,"time":${now},"id":"b4"}`,
        `{"symbol":"AAPL","price":"0x10","size":1,"time":${now},"id":"b5"}`,
        `{"symbol":"AAPL","price":"","size":1,"time":${now},"id":"b6"}`,
        `{"symbol":"AAPL","price":10,"size":"NaN","time":${now},"id":"b7"}`,
        `{"symbol":"AAPL","price":10,"size":1,"time":1e23,"id":"b8"}`,
        `{"symbol":"AAPL","price":10,"size":1,"time":9e18,"id":"b9"}`,
        `{"symbol":"AAPL","price":10,"size":1,"time":1e305,"id":"b10"}`,
        `{"symbol":"AAPL","price":10,"size":1,"time":${now},"id":"b11","conditions":${deep}}`,
        `{"symbol":"AAPL","price":10,"size":1,"time":${now},"id":"b12","conditions":[${deep}]}`,
        good("a2"),
        `{"symbol":"AAPL","price":102,"size":5,"time":${now},"id":9007199254740993}`,
      ].join(",") +
      "]";
    server.send(frame);
    await waitFor(() => out.length === 3, { what: "the 3 good ticks" });
    assert.deepStrictEqual(
      out.map((m) => m.payload.id),
      ["a1", "a2", "9007199254740993"],
      "the id above 2^53 stays exact",
    );
    for (const m of out) {
      assert.deepStrictEqual(Object.keys(m.payload), TICK_KEYS);
      assert.strictEqual(m.topic, "AAPL");
    }
    assert.deepStrictEqual(out[0].payload, {
      symbol: "AAPL",
      type: "trade",
      price: 101.5,
      size: 100,
      bid: null,
      bidSize: null,
      ask: null,
      askSize: null,
      ts: now * 1000,
      recvTs: out[0].payload.recvTs,
      exchange: null,
      conditions: ["@", 12],
      id: "a1",
      seq: null,
      provider: "generic",
      backfill: false,
      extra: null,
    });
    // Each bad element is counted; the report is rate-limited (the first at once, the rest summed later).
    assert.strictEqual(helper.getNode("f1").core.stats.malformed, 12);
    const report = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "malformed"), {
      what: "a malformed event",
    });
    assert.ok(report.payload.count >= 1 && typeof report.payload.reason === "string", JSON.stringify(report.payload));
    await waitFor(() => caught.length > 0, { what: "a catchable error" });
    // Later frames still flow.
    server.send(good("a3"));
    await waitFor(() => out.length === 4, { what: "the next frame" });
  });

  it("a 1e12-share trade into volume bars with split trades finishes promptly with bounded bars", async function () {
    await helper.load(NODES, [
      ...genericSource(server.url, { symbols: "AAPL", wires: [["agg"], []] }),
      { id: "agg", type: "tick-aggregate", barType: "volume", threshold: 100, splitLargeTrades: true, wires: [["bars"], []] },
      { id: "bars", type: "helper" },
    ]);
    const bars = collect("bars");
    await waitFor(() => server.received.length > 0, { what: "a subscribe request" });
    const t0 = Date.now();
    server.send([
      { symbol: "AAPL", price: 10, size: 1e12, time: Date.now(), id: "big" },
      { symbol: "AAPL", price: 10, size: 50, time: Date.now(), id: "next" },
    ]);
    await waitFor(() => bars.length === 1001, { timeout: 10000, what: "1000 full bars and one oversized" });
    const last = bars[1000].payload;
    assert.deepStrictEqual([last.oversized, last.volume, last.final], [true, 1e12 - 100000, true]);
    assert.ok(bars.slice(0, 1000).every((m) => m.payload.volume === 100));
    // Node-RED stays responsive: the next trade is in an open bar, nothing more was made.
    await new Promise((r) => setImmediate(r));
    assert.strictEqual(bars.length, 1001);
    assert.ok(Date.now() - t0 < 10000);
  });

  it("tick-filter deadband on an array: rejects keep the message's properties, the array is not split", async function () {
    await helper.load(NODES, [
      { id: "flt", type: "tick-filter", valueMode: "deadband", gap: 1, gapUnit: "abs", outputs: 2, wires: [["pass"], ["rej"]] },
      { id: "pass", type: "helper" },
      { id: "rej", type: "helper" },
    ]);
    const pass = collect("pass");
    const rej = collect("rej");
    const ts = Date.parse("2026-11-24T10:00:00-05:00") * 1000;
    const t = (price, i) => ({ symbol: "AAPL", type: "trade", price, size: 1, ts: ts + i, recvTs: ts + i, provider: "simulator" });
    helper.getNode("flt").receive({ payload: [t(10, 0), t(10.5, 1), t(12, 2), t(12.2, 3)], custom: "kept" });
    await waitFor(() => pass.length === 1 && rej.length === 1, { what: "one message per output" });
    assert.deepStrictEqual(
      pass[0].payload.map((x) => x.price),
      [10, 12],
    );
    assert.deepStrictEqual(
      rej[0].payload.map((x) => x.price),
      [10.5, 12.2],
    );
    assert.deepStrictEqual([pass[0].custom, rej[0].custom], ["kept", "kept"]);
    assert.deepStrictEqual(rej[0].reasons, ["unchanged", "unchanged"]);
    // A single-tick message: the reject is that message, with its properties.
    helper.getNode("flt").receive({ payload: t(12.1, 4), custom: "single" });
    await waitFor(() => rej.length === 2, { what: "the single reject" });
    assert.deepStrictEqual([rej[1].custom, rej[1].payload.price, rej[1].reason], ["single", 12.1, "unchanged"]);
  });

  it("`unsubscribed` reaches the node that unsubscribed (shared symbol and sole holder), once", async function () {
    await helper.load(NODES, [
      ...genericSource(server.url, { symbols: "AAPL MSFT", wires: [[], ["ev1"]] }),
      { id: "s2", type: "tick-subscribe", feed: "f1", symbols: "AAPL", wires: [[], ["ev2"]] },
      { id: "ev1", type: "helper" },
      { id: "ev2", type: "helper" },
    ]);
    const ev1 = collect("ev1");
    const ev2 = collect("ev2");
    await waitFor(() => ev1.some((m) => m.topic === "subscribed"), { what: "subscribed" });
    helper.getNode("s1").receive({ action: "unsubscribe", payload: "AAPL" }); // s2 still holds AAPL
    const a = await waitFor(() => ev1.find((m) => m.topic === "unsubscribed"), { what: "unsubscribed AAPL on s1" });
    assert.deepStrictEqual(a.payload.symbols, ["AAPL"]);
    helper.getNode("s1").receive({ action: "unsubscribe", payload: "MSFT" }); // the last holder: upstream unsubscribe too
    await waitFor(() => ev1.filter((m) => m.topic === "unsubscribed").length === 2, { what: "unsubscribed MSFT on s1" });
    await waitFor(() => server.actions("unsubscribe").length > 0, { what: "the upstream unsubscribe" });
    // The generic provider reports the upstream unsubscribe when it sends it, so by now that report has been dispatched: no second event.
    assert.deepStrictEqual(
      ev1.filter((m) => m.topic === "unsubscribed").map((m) => m.payload.symbols),
      [["AAPL"], ["MSFT"]],
    );
    assert.ok(!ev2.some((m) => m.topic === "unsubscribed"), "s2 still holds AAPL");
  });
});
