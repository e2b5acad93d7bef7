"use strict";
/**
 * Every example under examples/ (Import > Examples) deploys in a real runtime and produces what it
 * promises. Sink nodes from other palettes (InfluxDB, Redis, PostgreSQL, MQTT, Dashboard 2) become
 * helper nodes here, so this stays fast and needs no server: the integration tier
 * (npm run test:integration) runs the same examples against real servers. Core change nodes run
 * for real, so their expressions are checked too.
 */
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const os = require("os");
const { helper, runtimePath } = require("../support/runtime");
const changeNode = require("@node-red/nodes/core/function/15-change.js");
// The core file node (the "Record ticks to a file" example), from the runtime under test.
const fileNode = require(require.resolve("@node-red/nodes/core/storage/10-file.js", { paths: [path.dirname(runtimePath)] }));
const NODES = Object.keys(require("../../package.json")["node-red"].nodes)
  .map((n) => require(`../../dist/nodes/${n}/${n}.js`))
  .concat([changeNode, fileNode]);
const pkg = require("../../package.json");
const { waitFor } = require("../support/wait");

const dir = path.join(__dirname, "..", "..", "examples");
const CORE = new Set(["tab", "comment", "debug", "inject", "change", "file", "mqtt out", "mqtt in", "mqtt-broker"]);
/** Palette node types an example may use, and the package the example must name for them. */
const PALETTE = {
  influxdb: "node-red-contrib-influxdb",
  "influxdb out": "node-red-contrib-influxdb",
  "influxdb batch": "node-red-contrib-influxdb",
  "redis-config": "node-red-contrib-redis",
  "redis-out": "node-red-contrib-redis",
  "redis-command": "node-red-contrib-redis",
  postgresql: "node-red-contrib-postgresql",
  postgreSQLConfig: "node-red-contrib-postgresql",
  "ui-base": "@flowfuse/node-red-dashboard",
  "ui-page": "@flowfuse/node-red-dashboard",
  "ui-group": "@flowfuse/node-red-dashboard",
  "ui-theme": "@flowfuse/node-red-dashboard",
  "ui-chart": "@flowfuse/node-red-dashboard",
  "ui-table": "@flowfuse/node-red-dashboard",
  "ui-template": "@flowfuse/node-red-dashboard",
};
const examples = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));

/** The flow as the test runs it: sinks and debug nodes become helpers; sources, inject, comments and config nodes of other palettes go; a file node writes into `tmp`. */
function runnable(flow, tmp) {
  const out = [];
  for (const n of flow) {
    if (n.type === "inject" || n.type === "comment" || n.type === "mqtt in" || n.type === "mqtt-broker") continue;
    if (PALETTE[n.type] && n.wires === undefined) continue; // a config node (no wires)
    if (n.type === "debug" || n.type === "mqtt out" || PALETTE[n.type]) out.push({ id: n.id, z: n.z, type: "helper", wires: [] });
    else if (n.type === "file") out.push({ ...n, filename: path.join(tmp, n.filename) });
    else out.push(n);
  }
  return out;
}

describe("examples", function () {
  const tmpDirs = [];
  afterEach(async function () {
    await helper.unload();
    for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it("are there: one per sink next to the simulator examples", function () {
    for (const name of [
      "InfluxDB ticks and 1-minute bars",
      "Redis list, latest price and stream",
      "PostgreSQL and TimescaleDB ticks and bars",
      "MQTT ingest and partitioned consumers",
      "Dashboard 2 prices, quotes and candles",
    ]) {
      assert.ok(examples.includes(name + ".json"), name);
    }
  });

  for (const file of examples) {
    it(`"${file}" uses known node types, names the palette it needs, and deploys without errors`, async function () {
      const flow = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
      const ours = new Set(Object.keys(pkg["node-red"].nodes));
      const ids = flow.map((n) => n.id);
      assert.deepStrictEqual(
        ids.filter((id, i) => ids.indexOf(id) !== i),
        [],
        `${file}: node ids are unique`,
      );
      const comments = flow
        .filter((n) => n.type === "comment")
        .map((n) => n.name + "\n" + (n.info || ""))
        .join("\n");
      for (const n of flow) {
        assert.ok(ours.has(n.type) || CORE.has(n.type) || PALETTE[n.type], `${file}: unknown node type ${n.type}`);
        if (PALETTE[n.type]) assert.ok(comments.includes(PALETTE[n.type]), `${file}: a comment names ${PALETTE[n.type]}`);
      }
      // Our promise: no node between our nodes and the sinks, except at most one change node on a path.
      for (const c of flow.filter((n) => n.type === "change")) {
        assert.ok(
          flow.some((n) => n.wires && n.wires.flat().includes(c.id) && ours.has(n.type)),
          `${file}: ${c.name} is fed by our node`,
        );
        assert.ok(
          c.wires.flat().every((id) => {
            const t = flow.find((n) => n.id === id);
            return t && PALETTE[t.type];
          }),
          `${file}: ${c.name} feeds the sink directly`,
        );
      }
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tickstream-example-"));
      tmpDirs.push(tmp);
      await helper.load(NODES, runnable(flow, tmp));
      for (const n of flow.filter((x) => ours.has(x.type))) assert.ok(helper.getNode(n.id), `${file}: ${n.id} started`);
      // Every subscribe node's ticks reach what it is wired to (sinks directly, or their one change node).
      const received = new Map();
      for (const sub of flow.filter((n) => n.type === "tick-subscribe")) {
        for (const target of sub.wires[0]) {
          const t = flow.find((n) => n.id === target);
          const sinkIds = t.type === "change" ? t.wires.flat() : [target];
          for (const id of sinkIds) {
            if (!received.has(id)) {
              received.set(id, []);
              helper.getNode(id).on("input", (m) => received.get(id).push(m));
            }
          }
        }
      }
      const direct = [...received.keys()];
      await waitFor(() => direct.every((id) => received.get(id).length > 0), {
        timeout: 15000,
        what: `${file}: ticks at ${direct.join(", ")}`,
      }).catch((err) => {
        throw new Error(err.message + ": got " + direct.map((id) => id + "=" + received.get(id).length).join(", "));
      });
      const checked = checkShapes(file, flow, received);
      const sinks = flow.filter(
        (n) => received.has(n.id) && (PALETTE[n.type] || n.type === "mqtt out") && n.type !== "ui-chart" && n.type !== "ui-template",
      ).length;
      assert.ok(checked >= sinks, `${file}: ${checked} sink messages checked`);
      // A file node (recording) writes one Tick per line.
      for (const f of flow.filter((n) => n.type === "file")) {
        const written = path.join(tmp, f.filename);
        await waitFor(() => fs.existsSync(written) && fs.readFileSync(written, "utf8").includes("\n"), {
          what: `${file}: a line in ${f.filename}`,
        });
        assert.strictEqual(typeof JSON.parse(fs.readFileSync(written, "utf8").split("\n")[0]).ts, "number", "a Tick as JSON");
      }
      // A replay (shipped sample data) makes event-clock bars within seconds, at any hour.
      const agg = flow.find((n) => n.type === "tick-aggregate");
      if (agg && flow.some((n) => n.type === "tick-feed" && n.provider === "replay")) {
        const bars = [];
        helper.getNode(agg.wires[0][0]).on("input", (m) => bars.push(m));
        await waitFor(() => bars.length > 0, { timeout: 20000, what: `${file}: bars` });
        assert.ok(bars[0].payload.final === true && bars[0].payload.volume > 0, "a final bar: " + JSON.stringify(bars[0].payload));
      }
      const filter = flow.find((n) => n.type === "tick-filter");
      if (filter) {
        // Whatever the time of day, every tick is either passed or rejected with a reason (second output).
        const seen = [];
        for (const w of filter.wires.flat()) helper.getNode(w).on("input", (m) => seen.push(m));
        await waitFor(() => seen.length > 0, { timeout: 10000, what: `${file}: the filter's outputs` });
        assert.ok(
          seen.every((m) => typeof m.session === "string"),
          "every tick is tagged with its session",
        );
      }
    });
  }

  it("the signal examples (indicators, alerts, dashboard) show values and alerts within a minute, all deployed together", async function () {
    this.timeout(70000);
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")));
    const flows = files.filter((flow) => flow.some((n) => n.type === "tick-indicator" || n.type === "tick-alert"));
    assert.strictEqual(flows.length, 4, "RSI, EMA cross, Bollinger, price alert");
    const all = flows.flatMap(runnable);
    await helper.load(NODES, all);
    // What reaches the helper (debug / chart) nodes wired after each indicator, and the price alert's outputs.
    const got = new Map();
    for (const n of all.filter((x) => x.type === "helper")) {
      got.set(n.id, []);
      helper.getNode(n.id).on("input", (m) => got.get(n.id).push(m));
    }
    const first = (id) => got.get(id)[0];
    const waitOn = (ids, what) => waitFor(() => ids.every((id) => got.get(id).length > 0), { timeout: 60000, what });
    await waitOn(
      ["exr_dbg_rsi", "exe_dbg_ema", "exb_chart", "exb_dbg", "exp_dbg_mail"],
      "values from every indicator example and a price alert",
    );
    const rsi = first("exr_dbg_rsi");
    assert.ok(rsi.payload >= 0 && rsi.payload <= 100 && rsi.indicator.name === "rsi" && typeof rsi.topic === "string");
    const ema = first("exe_dbg_ema");
    assert.ok(typeof ema.payload === "number" && "ema21" in ema.indicators && typeof ema.indicators.ema9 === "number");
    assert.deepStrictEqual(Object.keys(first("exb_dbg").payload).sort(), ["lower", "middle", "upper"]);
    const chart = first("exb_chart");
    assert.deepStrictEqual(Object.keys(chart.payload).sort(), ["close", "lower", "middle", "upper"]);
    assert.strictEqual(chart.topic, "AAPL");
    assert.ok(chart.payload.lower <= chart.payload.middle && chart.payload.middle <= chart.payload.upper);
    const mail = first("exp_dbg_mail");
    assert.ok(typeof mail.topic === "string" && typeof mail.payload === "string" && mail.alert.rule === "change");
  });
});

/** What each sink would be handed, checked against the contract of that palette node (shared/spec/sinks.md). */
function checkShapes(file, flow, received) {
  let checked = 0;
  const byType = (type) =>
    flow.filter((n) => n.type === type && received.has(n.id)).flatMap((n) => received.get(n.id).map((m) => (checked++, { node: n, m })));
  for (const { m } of byType("influxdb out")) {
    assert.ok(Array.isArray(m.payload) && m.payload.length === 2 && !Array.isArray(m.payload[0]), `${file}: [fields, tags]`);
    for (const v of Object.values(m.payload[0]))
      assert.ok(["number", "string", "boolean"].includes(typeof v), `${file}: field values are numbers, strings, booleans`);
    assert.strictEqual(m.precision, "n");
    assert.ok(/^\d{19}$/.test(m.payload[0].time), "time in ns");
  }
  for (const { node, m } of byType("redis-out")) {
    assert.ok(/^ticks:[A-Z]+$/.test(m.topic), `${file}: list key ${m.topic}`);
    assert.strictEqual(node.topic, "", "redis out takes msg.topic");
  }
  for (const { node, m } of byType("redis-command")) {
    assert.ok(
      Array.isArray(m.payload) && m.payload.every((a) => typeof a === "string" || typeof a === "number"),
      `${file}: ${node.command} gets a flat list of strings and numbers: ${JSON.stringify(m.payload)}`,
    );
    if (node.command === "HSET") assert.ok(/^last:[A-Z]+$/.test(m.topic) && m.payload.length % 2 === 0);
    if (node.command === "XADD")
      assert.deepStrictEqual([m.topic, ...m.payload.slice(0, 6)], ["ticks", "MAXLEN", "~", "100000", "*", "symbol", m.payload[5]]);
  }
  for (const { node, m } of byType("postgresql")) {
    const names = new Set([...node.query.matchAll(/(?<=\$)[a-zA-Z][a-zA-Z0-9_]*\b/g)].map((x) => x[0]));
    for (const name of names)
      assert.ok(Object.prototype.hasOwnProperty.call(m.queryParameters, name), `${file}: $${name} is in msg.queryParameters`);
  }
  for (const { m } of byType("mqtt out")) {
    assert.ok(/^ticks\/[01]\/[A-Z]+$/.test(m.topic), `${file}: MQTT topic ${m.topic}`);
    assert.strictEqual(m.action, undefined, "mqtt out refuses msg.action");
  }
  for (const { m } of byType("ui-table")) {
    assert.ok(
      Array.isArray(m.payload) &&
        m.payload.length >= 1 &&
        m.payload.every((r) => typeof r.symbol === "string" && typeof r.bid === "number"),
      `${file}: table rows`,
    );
  }
  return checked;
}
