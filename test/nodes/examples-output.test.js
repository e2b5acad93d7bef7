"use strict";
/**
 * Every example under examples/ (Import > Examples) shows something within 60 s of a deploy,
 * whatever the time of day (a Saturday night too): every debug node and every sink fed by a main
 * output (port 1 of a node, through at most core change nodes, or any port of tick-subscribe:
 * its feed events) receives a message. Second outputs (rejected or late ticks) may stay quiet.
 * New example files are picked up automatically. Sinks of other palettes (and debug nodes)
 * become helper nodes; sources of other palettes (e.g. mqtt in) and their config nodes are
 * left out (test/nodes/examples.test.js checks the shapes, the integration tier the servers).
 *
 * All examples run side by side in one runtime (ids prefixed per file), so the whole check takes
 * as long as the slowest example, not their sum.
 */
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const { helper } = require("../support/runtime");
const pkg = require("../../package.json");
const { waitFor } = require("../support/wait");

const changeNode = require("@node-red/nodes/core/function/15-change.js");
const NODES = Object.values(pkg["node-red"].nodes)
  .map((main) => require(path.join("..", "..", main)))
  .concat([changeNode]);
const dir = path.join(__dirname, "..", "..", "examples");
/** Node types that run for real besides ours. */
const RUN = new Set(["tab", "change"]);
/** Node types that are left out: no output of their own within a flow test. */
const DROP = new Set(["inject", "comment", "mqtt in", "mqtt-broker"]);
// 60 s, plus the 250 ms close delay and some slack for a loaded machine: a live-clock 1-minute bar
// (e.g. the sink examples' bars) closes at the next minute boundary after a deploy, which may be
// 60 s away. Session-clock and second bars come within seconds.
const DEADLINE_MS = 63000;
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort();

/** The example's nodes with every id (and every reference to one) prefixed, so examples can share a runtime. */
function prefixed(flow, prefix) {
  const ids = new Set(flow.map((n) => n.id));
  const map = (v) => (typeof v === "string" && ids.has(v) ? prefix + v : Array.isArray(v) ? v.map(map) : v);
  return flow.map((n) => Object.fromEntries(Object.entries(n).map(([k, v]) => [k, map(v)])));
}

/** The flow as run here: ours and core change nodes for real; debug nodes and other palettes' sinks as helpers; sources and config nodes of other palettes left out. */
function runnable(flow, ours) {
  const out = [];
  for (const n of flow) {
    if (DROP.has(n.type)) continue;
    if (ours.has(n.type) || RUN.has(n.type)) out.push(n);
    else if (n.type === "debug" || n.wires !== undefined) out.push({ id: n.id, z: n.z, type: "helper", wires: [] });
    // else: a config node of another palette (no wires): not needed by a helper
  }
  return out;
}

/**
 * Output nodes (helpers) that must show output: reached from a tick-subscribe node (the source of
 * every stream here) over main edges: port 1 of a node, through core change nodes, or any port
 * of tick-subscribe (its feed events). Nodes fed only by left-out sources (mqtt in) are not required.
 */
function requiredOutputs(run) {
  const byId = new Map(run.map((n) => [n.id, n]));
  const need = new Set();
  const reached = new Set();
  const queue = run.filter((n) => n.type === "tick-subscribe").map((n) => n.id);
  while (queue.length > 0) {
    const id = queue.shift();
    if (reached.has(id)) continue;
    reached.add(id);
    const n = byId.get(id);
    if (n === undefined) continue;
    if (n.type === "helper") {
      need.add(id);
      continue;
    }
    (n.wires || []).forEach((targets, port) => {
      if (port === 0 || n.type === "tick-subscribe" || n.type === "change") for (const t of targets) queue.push(t);
    });
  }
  return [...need];
}

describe("examples: output within 60 s at any hour", function () {
  this.timeout(DEADLINE_MS + 30000);
  const seen = new Map(); // output (helper) id -> messages
  const flows = new Map(); // file -> prefixed flow
  const runs = new Map(); // file -> what runs
  let loadError = null;
  let waited = 0;

  before(async function () {
    const all = [];
    const ours = new Set(Object.keys(pkg["node-red"].nodes));
    files.forEach((file, i) => {
      const flow = prefixed(JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")), `x${i}_`);
      flows.set(file, flow);
      const run = runnable(flow, ours);
      runs.set(file, run);
      all.push(...run);
    });
    try {
      await helper.load(NODES, all);
    } catch (err) {
      loadError = err;
      return;
    }
    const started = Date.now();
    for (const run of runs.values()) {
      for (const n of run.filter((x) => x.type === "helper")) {
        const list = [];
        seen.set(n.id, list);
        helper.getNode(n.id).on("input", (m) => list.push(m));
      }
    }
    const required = [...runs.values()].flatMap(requiredOutputs);
    await waitFor(() => required.every((id) => seen.get(id).length > 0), {
      timeout: DEADLINE_MS,
      everyMs: 50,
      what: "every example's output",
    }).catch(() => undefined);
    waited = Date.now() - started;
  });

  after(async function () {
    await helper.unload();
  });

  it("finds the examples", function () {
    assert.ok(files.length >= 3, files.join(", "));
  });

  for (const file of files) {
    it(`"${file}" shows output on its debug and sink nodes within a minute of a deploy`, function () {
      const flow = flows.get(file);
      const run = runs.get(file);
      const ours = new Set(Object.keys(pkg["node-red"].nodes));
      assert.ifError(loadError);
      for (const n of flow.filter((x) => ours.has(x.type))) assert.ok(helper.getNode(n.id), `${file}: ${n.id} started`);
      const required = requiredOutputs(run);
      assert.ok(required.length > 0, `${file} has a debug or sink node fed by a main output`);
      const quiet = required
        .filter((id) => seen.get(id).length === 0)
        .map((id) => flow.find((n) => n.id === id).name || flow.find((n) => n.id === id).type);
      assert.deepStrictEqual(quiet, [], `${file}: no output after ${waited} ms`);
      // Whatever the time of day, every tick through a filter is tagged with its session.
      for (const filter of flow.filter((n) => n.type === "tick-filter")) {
        for (const id of filter.wires.flat())
          if (seen.has(id))
            assert.ok(
              seen.get(id).every((m) => typeof m.session === "string"),
              "every tick is tagged with its session",
            );
      }
    });
  }

  it("session-shaped examples yield regular-session bars at any hour", function () {
    const file = "Clean ticks to 1-minute bars.json";
    const flow = flows.get(file);
    assert.ok(flow, `${file} exists`);
    const agg = flow.find((n) => n.type === "tick-aggregate");
    const bars = agg.wires[0].filter((id) => seen.has(id)).flatMap((id) => seen.get(id));
    assert.ok(bars.length > 0, "bars");
    assert.ok(
      bars.every((m) => m.payload.session === "regular"),
      JSON.stringify(bars.map((m) => m.payload.session)),
    );
  });
});
