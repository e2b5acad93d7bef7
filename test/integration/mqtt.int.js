"use strict";
/**
 * examples/MQTT ingest and partitioned consumers.json against a real Mosquitto with the core mqtt
 * nodes: the ingest publishes ticks/{partition}/{symbol}; two consumers (each with its own
 * broker connection, as separate instances would have) together receive every tick exactly once.
 */
const assert = require("assert");
const { startMosquitto, stop, waitFor } = require("./support/servers");
const { helper, NODES, example, byId, tap, collect, loggedErrors } = require("./support/flows");
const { partitionOf } = require("../../dist/lib/topic");

const P = "exmqtt";

describe("MQTT (real mosquitto, core mqtt nodes)", function () {
  this.timeout(120000);
  let broker;
  before(async function () {
    broker = await startMosquitto();
  });
  after(async function () {
    await helper.unload();
    await stop(broker);
  });

  it("consumers by partition together receive every tick exactly once, each only its partition", async function () {
    const flow = example("MQTT ingest and partitioned consumers");
    for (const n of flow.filter((x) => x.type === "mqtt-broker")) n.port = String(broker.port);
    byId(flow, P + "_feed").options.ratePerSymbol = "30";
    const symbols = byId(flow, P + "_sub").symbols;
    byId(flow, P + "_sub").symbols = ""; // start publishing once every client is connected (a broker keeps nothing for late subscribers)
    const tSent = tap(flow, P + "_sub");
    const tIn = [tap(flow, P + "_in0"), tap(flow, P + "_in1")];
    await helper.load(NODES, flow);
    const sent = collect(tSent);
    const got = tIn.map(collect);
    const connected = (id) => helper.getNode(id).status.getCalls().some((c) => c.thisValue.id === id && /connected/.test(c.args[0].text || "") && c.args[0].fill === "green");
    await waitFor(() => [P + "_out", P + "_in0", P + "_in1"].every(connected), { timeout: 20000, what: "three broker connections" });
    // mqtt in subscribes just after it connects: probe both partitions from a separate client until
    // each consumer has a probe, so no published tick can beat a subscription.
    const mqtt = require("mqtt"); // the client library of Node-RED's own mqtt nodes
    const probe = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
    try {
      const probes = () => got.map((g) => g.filter((m) => m.payload && m.payload.symbol === "PROBE").length);
      await waitFor(() => {
        if (probes().every((n) => n > 0)) return true;
        for (const p of [0, 1]) probe.publish(`ticks/${p}/PROBE`, JSON.stringify({ symbol: "PROBE", type: "trade", price: 1, size: 1, ts: Date.now() * 1000, recvTs: Date.now() * 1000, provider: "simulator" }));
        return false;
      }, { timeout: 20000, everyMs: 200, what: "both consumers subscribed" });
    } finally {
      await probe.endAsync();
    }
    for (const g of got) g.splice(0, g.length);
    helper.getNode(P + "_sub").receive({ action: "replace", payload: symbols });
    await waitFor(() => sent.length >= 400, { timeout: 60000, what: "400 ticks published" });
    helper.getNode(P + "_sub").receive({ action: "replace", payload: [] });
    const real = (g) => g.filter((m) => m.payload.symbol !== "PROBE");
    await waitFor(() => real(got[0]).length + real(got[1]).length >= sent.length, { timeout: 30000, what: "the consumers to receive what was published" });
    const id = (t) => `${t.symbol}|${t.ts}|${t.id}`;
    got[0] = real(got[0]);
    got[1] = real(got[1]);
    const all = [...got[0], ...got[1]].map((m) => id(m.payload)).sort();
    assert.deepStrictEqual(all, sent.map((m) => id(m.payload)).sort(), "every tick once across the consumers");
    for (const p of [0, 1]) {
      assert.ok(got[p].length > 0, `consumer ${p} got ticks`);
      assert.ok(got[p].every((m) => partitionOf(m.payload.symbol, 2) === p && m.topic === `ticks/${p}/${m.payload.symbol}`), `consumer ${p} got only partition ${p}`);
      assert.strictEqual(typeof got[p][0].payload.ts, "number", "the Tick arrives as an object (auto-detect)");
    }
    assert.deepStrictEqual(loggedErrors(), []);
    this.test.title += ` [${sent.length} published, ${got[0].length} + ${got[1].length} consumed]`;
  });
});
