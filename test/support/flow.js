"use strict";
/**
 * Helpers for runtime tests: the mock-server lifecycle around a test, what a helper node received,
 * a node's status history, list equality.
 */
const { helper } = require("./runtime");
const { waitFor } = require("./wait");

/** Collects every message a (helper) node receives from now on. */
function collect(id) {
  const msgs = [];
  helper.getNode(id).on("input", (m) => msgs.push(m));
  return msgs;
}

/** Loads node `props` (it needs an id) wired to a helper node "out"; resolves with the node and what "out" receives. */
async function loadIntoHelper(nodes, props) {
  await helper.load(nodes, [
    { ...props, wires: [["out"]] },
    { id: "out", type: "helper" },
  ]);
  return { node: helper.getNode(props.id), out: collect("out") };
}

/** A catch node c1 (of the nodes in `scope`, ids; of all when left out) wired to a helper node "caught". */
function catchNodes(scope) {
  return [
    { id: "c1", type: "catch", ...(scope ? { scope } : {}), wires: [["caught"]] },
    { id: "caught", type: "helper" },
  ];
}

/** Once `n` errors are in `caught` (what "caught" collected): each error's message by the id of the node that threw it. */
async function caughtBySource(caught, n) {
  await waitFor(() => caught.length === n, { what: `${n} caught errors` });
  return Object.fromEntries(caught.map((m) => [m.error.source.id, m.error.message]));
}

/** Every status the node has set (the test helper spies on node.status). */
function statusesOf(nodeId) {
  const node = helper.getNode(nodeId);
  return node.status
    .getCalls()
    .filter((c) => c.thisValue.id === nodeId)
    .map((c) => c.args[0]);
}

/** Waits until the node has shown a status matching `pred`. */
async function waitForStatus(nodeId, pred, what, timeout = 5000) {
  return waitFor(() => statusesOf(nodeId).find(pred), { timeout, what: `${nodeId} status ${what}` });
}

/** Starts a mock server (anything with `start()`) and resolves with it: `server = await started(new X())`. */
async function started(server) {
  await server.start();
  return server;
}

/** Test teardown: stops the flow (awaited, as the test helper requires), then closes the mock if one was started. */
async function unloadAndClose(server) {
  await helper.unload();
  if (server) await server.close();
}

/**
 * For suites whose tests each start their own mock: returns `start(opts)`, which builds
 * `make(opts)` (by default `opts` is the mock itself: `start(new X())`), starts it and resolves
 * with it; after each test the flow is unloaded and that mock closed. Call it inside the `describe`.
 */
function mockPerTest(make = (server) => server) {
  let server = null;
  afterEach(async function () {
    await unloadAndClose(server);
    server = null;
  });
  return async (opts = {}) => (server = await started(make(opts)));
}

/**
 * For suites whose every test talks to a fresh mock of one kind: `make()` is started before each
 * test; after it the flow is unloaded and the mock closed. Returns a stand-in that forwards every
 * property read and write to the current test's mock (`server.url`, `server.send(...)`), so the
 * suite reads as if it held the mock itself. Call it inside the `describe`.
 */
function mockEachTest(make) {
  let current = null;
  beforeEach(async function () {
    current = await started(make());
  });
  afterEach(async function () {
    await unloadAndClose(current);
    current = null;
  });
  const live = (key) => {
    if (!current) throw new Error(`no mock server outside a test (reading .${String(key)})`);
    return current;
  };
  return new Proxy(
    {},
    {
      get: (_, key) => {
        const server = live(key);
        const value = server[key];
        return typeof value === "function" ? value.bind(server) : value;
      },
      set: (_, key, value) => {
        live(key)[key] = value;
        return true;
      },
    },
  );
}

/** Same members, any order. */
const sameList = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

module.exports = {
  started,
  unloadAndClose,
  mockPerTest,
  mockEachTest,
  collect,
  loadIntoHelper,
  catchNodes,
  caughtBySource,
  statusesOf,
  waitForStatus,
  sameList,
};
