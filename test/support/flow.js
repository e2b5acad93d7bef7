"use strict";
/** Helpers for runtime tests: what a helper node received, a node's status history, list equality. */
const { helper } = require("./runtime");
const { waitFor } = require("./wait");

/** Collects every message a (helper) node receives from now on. */
function collect(id) {
  const msgs = [];
  helper.getNode(id).on("input", (m) => msgs.push(m));
  return msgs;
}

/** Every status the node has set (the test helper spies on node.status). */
function statusesOf(nodeId) {
  const node = helper.getNode(nodeId);
  return node.status.getCalls().filter((c) => c.thisValue.id === nodeId).map((c) => c.args[0]);
}

/** Waits until the node has shown a status matching `pred`. */
async function waitForStatus(nodeId, pred, what, timeout = 5000) {
  return waitFor(() => statusesOf(nodeId).find(pred), { timeout, what: `${nodeId} status ${what}` });
}

/** Same members, any order. */
const sameList = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

module.exports = { collect, statusesOf, waitForStatus, sameList };
