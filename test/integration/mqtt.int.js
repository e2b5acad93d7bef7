"use strict";
/**
 * examples/MQTT ingest and partitioned consumers.json against a real Mosquitto with the core mqtt
 * nodes. The ingest tab runs in the test runtime; each consumer tab runs in its own real
 * node-red process (as the example says to deploy it), with a core file node added after its
 * `mqtt in` to record what it receives. Together the consumers receive every tick exactly once,
 * each only the symbols of its partition.
 */
const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { startMosquitto, suiteServer, waitFor } = require("./support/servers");
const { startNodeRed } = require("./support/nodered");
const { helper, example, byId, loadTapped, unsubscribeAll, loggedErrors } = require("./support/flows");
const { partitionOf } = require("../../dist/lib/topic");

const P = "exmqtt";
const NAME = "MQTT ingest and partitioned consumers";

describe("MQTT (real mosquitto, core mqtt nodes, consumers in their own node-red processes)", function () {
  this.timeout(240000);
  // The suite's clients of the broker: the consumer node-red processes the test starts.
  const live = suiteServer(startMosquitto, { open: async () => [], close: (consumers) => Promise.all(consumers.map((c) => c.stop())) });
  let broker, consumers, dir;
  before(async function () {
    ({ server: broker, client: consumers } = live);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tickstream-it-mqttout-"));
  });
  after(async function () {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Consumer n's tab from the example, as its own flow, recording what its mqtt in receives. */
  function consumerFlow(n) {
    const all = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "examples", NAME + ".json"), "utf8"));
    const tab = P + "_tab_c" + n;
    const flow = all.filter((x) => x.z === tab || x.id === tab || x.id === P + "_broker_c" + n);
    byId(flow, P + "_broker_c" + n).port = String(broker.port);
    const file = path.join(dir, `consumer${n}.jsonl`);
    flow.push({
      id: "record" + n,
      type: "file",
      z: tab,
      name: "",
      filename: file,
      filenameType: "str",
      appendNewline: true,
      createDir: true,
      overwriteFile: "false",
      encoding: "none",
      wires: [[]],
    });
    byId(flow, P + "_in" + n).wires[0].push("record" + n);
    return { flow, file };
  }
  const lines = (file) =>
    fs.existsSync(file)
      ? fs
          .readFileSync(file, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];

  it("consumers by partition together receive every tick exactly once, each only its partition", async function () {
    const parts = [0, 1].map(consumerFlow);
    consumers.push(...(await Promise.all(parts.map((p, n) => startNodeRed(p.flow, { name: "consumer" + n })))));

    const flow = example(NAME).filter((n) => !String(n.z || n.id).startsWith(P + "_tab_c") && !n.id.startsWith(P + "_broker_c"));
    byId(flow, P + "_broker").port = String(broker.port);
    byId(flow, P + "_feed").options.ratePerSymbol = "30";
    const symbols = byId(flow, P + "_sub").symbols;
    byId(flow, P + "_sub").symbols = ""; // publish only once the consumers are subscribed (a broker keeps nothing for late subscribers)
    const { sent } = await loadTapped(flow, { sent: P + "_sub" });
    const connected = (id) =>
      helper
        .getNode(id)
        .status.getCalls()
        .some((c) => c.thisValue.id === id && c.args[0].fill === "green");
    await waitFor(() => connected(P + "_out"), { timeout: 20000, what: "the ingest's broker connection" });

    // Probe both partitions from a separate client until each consumer has recorded a probe.
    const mqtt = require("mqtt"); // the client library of Node-RED's own mqtt nodes
    const probe = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
    try {
      await waitFor(
        () => {
          if (parts.every((p) => lines(p.file).some((t) => t.symbol === "PROBE"))) return true;
          for (const n of [0, 1])
            probe.publish(
              `ticks/${n}/PROBE`,
              JSON.stringify({
                symbol: "PROBE",
                type: "trade",
                price: 1,
                size: 1,
                ts: Date.now() * 1000,
                recvTs: Date.now() * 1000,
                provider: "simulator",
                id: "probe",
              }),
            );
          return false;
        },
        { timeout: 60000, everyMs: 250, what: "both consumers subscribed" },
      );
    } finally {
      await probe.endAsync();
    }

    helper.getNode(P + "_sub").receive({ action: "replace", payload: symbols });
    await waitFor(() => sent.length >= 400, { timeout: 60000, what: "400 ticks published" });
    unsubscribeAll(P + "_sub");
    const real = (n) => lines(parts[n].file).filter((t) => t.symbol !== "PROBE");
    await waitFor(() => real(0).length + real(1).length >= sent.length, {
      timeout: 60000,
      everyMs: 100,
      what: "the consumers to record what was published",
    });
    const got = [real(0), real(1)];
    const id = (t) => `${t.symbol}|${t.ts}|${t.id}`;
    assert.deepStrictEqual(
      [...got[0], ...got[1]].map(id).sort(),
      sent.map((m) => id(m.payload)).sort(),
      "every tick once across the consumers, exact ts",
    );
    for (const n of [0, 1]) {
      assert.ok(got[n].length > 0, `consumer ${n} got ticks`);
      assert.ok(
        got[n].every((t) => partitionOf(t.symbol, 2) === n),
        `consumer ${n} got only partition ${n}`,
      );
      assert.ok(!/\[error\]/.test(consumers[n].output), consumers[n].output);
    }
    assert.deepStrictEqual(
      sent.map((m) => m.topic),
      sent.map((m) => `ticks/${partitionOf(m.payload.symbol, 2)}/${m.payload.symbol}`),
    );
    assert.deepStrictEqual(loggedErrors(), []);
    this.test.title += ` [${sent.length} published, ${got[0].length} + ${got[1].length} consumed in two processes]`;
  });
});
