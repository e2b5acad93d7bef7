"use strict";
/** Loading an example into the test runtime, with the sink nodes of the real palettes. */
const fs = require("fs");
const path = require("path");
const { helper } = require("../../support/runtime");
const { collect } = require("../../support/flow");

const root = path.join(__dirname, "..", "..", "..");
const OURS = ["tick-feed", "tick-subscribe", "tick-filter", "tick-aggregate"].map((n) =>
  require(path.join(root, "dist", "nodes", n, n + ".js")),
);
const NODES = [
  ...OURS,
  require("@node-red/nodes/core/function/15-change.js"),
  require("@node-red/nodes/core/network/10-mqtt.js"),
  require("node-red-contrib-influxdb/influxdb.js"),
  require("node-red-contrib-redis/redis.js"),
  require("./postgresql-node.js"),
];

/** The example's nodes (a deep copy), comments dropped, debug nodes as helper nodes. */
function example(name) {
  const flow = JSON.parse(fs.readFileSync(path.join(root, "examples", name + ".json"), "utf8"));
  return flow.filter((n) => n.type !== "comment").map((n) => (n.type === "debug" ? { id: n.id, z: n.z, type: "helper", wires: [] } : n));
}

const byId = (flow, id) => {
  const n = flow.find((x) => x.id === id);
  if (!n) throw new Error("no node " + id);
  return n;
};

/** Adds a helper node wired from output `port` of `fromId`; returns its id. */
function tap(flow, fromId, port = 0) {
  const id = "tap_" + fromId + "_" + port;
  const from = byId(flow, fromId);
  flow.push({ id, z: from.z, type: "helper", wires: [] });
  from.wires[port] = [...(from.wires[port] || []), id];
  return id;
}

/**
 * Taps the outputs named in `taps` ({ name: nodeId, or [nodeId, port] }), loads the flow and
 * resolves with what each tap receives from then on, by name, and the deploy window in µs since
 * the epoch: `deployedUs` just before the load, `startedUs` just after it.
 */
async function loadTapped(flow, taps, credentials) {
  const ids = Object.entries(taps).map(([name, from]) => [name, tap(flow, ...[].concat(from))]);
  const deployedUs = Date.now() * 1000;
  await helper.load(NODES, flow, credentials);
  const startedUs = Date.now() * 1000;
  return { ...Object.fromEntries(ids.map(([name, id]) => [name, collect(id)])), deployedUs, startedUs };
}

/** Empties the subscription of each tick-subscribe node in `ids`: no tick comes after this. */
function unsubscribeAll(...ids) {
  for (const id of ids) helper.getNode(id).receive({ action: "replace", payload: [] });
}

/** Errors the runtime logged (level error), e.g. a sink node's done(err). */
function loggedErrors() {
  return helper
    .log()
    .args.map((a) => a[0])
    .filter((e) => e && e.level === 20);
}

module.exports = { helper, NODES, example, byId, tap, collect, loadTapped, unsubscribeAll, loggedErrors, root };
