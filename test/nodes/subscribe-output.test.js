"use strict";
/**
 * tick-subscribe output settings in a real runtime: format influxdb (one message per tick and
 * batch), the topic template with {partition}, and refused settings.
 */
const assert = require("assert");
const { helper } = require("../support/runtime");
const { mockEachTest, statusesOf, waitForStatus } = require("../support/flow");
const { genericFeed, loadFlow } = require("../support/provider-flow");
const { GenericServer, trade } = require("../mocks/generic-server");
const { waitFor } = require("../support/wait");

const sub = (extra) => ({
  id: "s1",
  type: "tick-subscribe",
  feed: "f1",
  symbols: "AAPL NVDA",
  channels: "trades",
  wires: [["out"], ["ev"]],
  ...extra,
});
const SINKS = [
  { id: "out", type: "helper" },
  { id: "ev", type: "helper" },
];

describe("tick-subscribe output: format and topic (runtime)", function () {
  const server = mockEachTest(() => new GenericServer());

  it("format influxdb: [fields, tags], measurement, precision n, same-microsecond trades kept apart", async function () {
    const { out } = await loadFlow([
      genericFeed(server.url),
      sub({ format: "influxdb", measurement: "trades", topic: "ticks/{partition}/{symbol}", partitions: "4" }),
      ...SINKS,
    ]);
    await waitFor(() => server.subscribed().has("AAPL") && server.subscribed().has("NVDA"), { what: "subscribe" });
    const us = 1795446000123456;
    server.send([
      { ...trade("AAPL", 1, 10, 5, us), conditions: ["@", "T"], exchange: 4 },
      { ...trade("AAPL", 2, 10.5, 7, us) },
      trade("NVDA", 3, 20, 1, us),
    ]);
    await waitFor(() => out.length === 3, { what: "three ticks" });
    assert.deepStrictEqual(
      out.map((m) => m.topic),
      ["ticks/3/AAPL", "ticks/3/AAPL", "ticks/2/NVDA"],
    );
    for (const m of out) {
      assert.strictEqual(m.measurement, "trades");
      assert.strictEqual(m.precision, "n");
      assert.ok(Array.isArray(m.payload) && m.payload.length === 2);
      for (const v of Object.values(m.payload[0])) assert.ok(["number", "string", "boolean"].includes(typeof v), "no null/array field");
    }
    assert.deepStrictEqual(out[0].payload[1], { symbol: "AAPL", type: "trade", provider: "generic", exchange: "4" });
    assert.strictEqual(out[0].payload[0].conditions, "@,T");
    assert.deepStrictEqual(
      out.map((m) => m.payload[0].time),
      [us + "000", us + "001", us + "000"],
    );
    assert.deepStrictEqual(
      out.map((m) => [m.payload[0].price, m.payload[0].size]),
      [
        [10, 5],
        [10.5, 7],
        [20, 1],
      ],
    );
  });

  it("batch + influxdb: an array of influxdb batch points", async function () {
    const { out } = await loadFlow([genericFeed(server.url), sub({ format: "influxdb", output: "batch" }), ...SINKS]);
    await waitFor(() => server.subscribed().has("AAPL"), { what: "subscribe" });
    const us = 1795446000000001;
    server.send([trade("AAPL", 1, 10, 5, us), trade("AAPL", 2, 11, 5, us)]);
    await waitFor(() => out.length === 1, { what: "a batch" });
    assert.strictEqual(out[0].topic, "ticks");
    assert.strictEqual(out[0].precision, "n");
    assert.deepStrictEqual(
      out[0].payload.map((p) => [p.measurement, p.tags.symbol, p.fields.price, p.timestamp]),
      [
        ["ticks", "AAPL", 10, us + "000"],
        ["ticks", "AAPL", 11, us + "001"],
      ],
    );
  });

  it("default output is unchanged: topic = symbol, payload = the Tick", async function () {
    const { out } = await loadFlow([genericFeed(server.url), sub({}), ...SINKS]);
    await waitFor(() => server.subscribed().has("AAPL"), { what: "subscribe" });
    server.send(trade("AAPL", 1, 10, 5));
    await waitFor(() => out.length === 1, { what: "a tick" });
    assert.strictEqual(out[0].topic, "AAPL");
    assert.strictEqual(out[0].payload.symbol, "AAPL");
    assert.strictEqual(out[0].precision, undefined);
  });

  it("a bad topic template or partition count: red status, catchable error, no subscription", async function () {
    await loadFlow([genericFeed(server.url), sub({ topic: "ticks/{sym}" }), ...SINKS]);
    await waitForStatus("s1", (s) => s.fill === "red", "red");
    // (The test runtime loads no catalogs: the log shows the message key.)
    assert.ok(JSON.stringify(helper.log().args).includes("tick-subscribe.errors.output-config"), "the error is logged");
    await helper.unload();
    await loadFlow([genericFeed(server.url), sub({ partitions: "0", topic: "{partition}" }), ...SINKS]);
    await waitForStatus("s1", (s) => s.fill === "red", "red");
    const node = helper.getNode("s1");
    const errors = () =>
      node.error
        .getCalls()
        .filter((c) => c.thisValue.id === "s1")
        .map((c) => String(c.args[0] && c.args[0].message ? c.args[0].message : c.args[0]));
    node.receive({ action: "subscribe", payload: "X" });
    await waitFor(() => errors().filter((e) => e.includes("tick-subscribe.errors.output-config")).length === 2, {
      what: "the input refused with the deploy error",
    });
    assert.ok(statusesOf("s1").every((s) => s.fill === "red"));
    assert.strictEqual(server.subscribed().size, 0);
  });
});
