"use strict";
/**
 * Builders for the provider runtime tests (test/nodes/providers/): tick-feed + tick-subscribe
 * against a local mock, helper nodes on both subscribe outputs, and a catch node; and the
 * tick-aggregate the runtime tests put after them.
 */
const assert = require("assert");
const { helper } = require("./runtime");
const { waitFor } = require("./wait");
const { collect, catchNodes, statusesOf, sameList } = require("./flow");
const feedNode = require("../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../dist/nodes/tick-subscribe/tick-subscribe.js");

/** The node modules a provider flow needs. */
const FEED_NODES = [feedNode, subNode];
/** Reconnect within a fraction of a second. */
const TEST_BACKOFF = { backoffMin: 50, backoffMax: 200 };

/** `{ key: value }` for each defined value (a property left out stays absent, as in an editor export). */
function defined(props) {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
}

/** f1: a tick-feed of the generic protocol at `url` that reconnects quickly; `extra` adds properties. */
function genericFeed(url, extra = {}) {
  return { id: "f1", type: "tick-feed", provider: "generic", url, ...TEST_BACKOFF, ...extra };
}

/** f1 (a genericFeed at `url`) and s1, a tick-subscribe of f1 with `props` (symbols, wires, ...). */
function genericSource(url, props) {
  return [genericFeed(url), { id: "s1", type: "tick-subscribe", feed: "f1", ...props }];
}

/**
 * A tick-aggregate of time bars on the event clock that closes each bar as soon as a tick of the
 * next one arrives (no close delay); 1-minute bars unless `props` (id, wires, ...) say otherwise.
 */
function eventBars(props) {
  return { type: "tick-aggregate", barType: "time", interval: 1, unit: "min", clock: "event", closeDelay: 0, ...props };
}

/**
 * One feed: f1 (tick-feed of `provider` at `url`), s1 (tick-subscribe), out and ev (its two
 * outputs), and c1 -> caught (catch). `feed` adds tick-feed properties; `catchErrors: false` leaves
 * the catch node out; `extra` appends nodes.
 */
function singleFeedFlow(provider, url, { symbols, channels, options, feed = {}, catchErrors = true, extra = [] } = {}) {
  return [
    { id: "f1", type: "tick-feed", provider, url, ...defined({ options }), ...TEST_BACKOFF, ...feed },
    { id: "s1", type: "tick-subscribe", feed: "f1", symbols, ...defined({ channels }), wires: [["out"], ["ev"]] },
    { id: "out", type: "helper" },
    { id: "ev", type: "helper" },
    ...(catchErrors ? catchNodes() : []),
    ...extra,
  ];
}

/**
 * One tick-feed per id in `feeds` (f1, f2, ...), each with its subscribe node s_<feed> wired to
 * out_<feed> and ev_<feed>; one catch node -> caught.
 */
function multiFeedFlow(provider, url, { feeds = ["f1"], symbols, channels, options, feed = {} } = {}) {
  const nodes = [];
  for (const f of feeds) {
    nodes.push({ id: f, type: "tick-feed", provider, url, ...defined({ options }), ...TEST_BACKOFF, ...feed });
    nodes.push({ id: "s_" + f, type: "tick-subscribe", feed: f, symbols, channels, wires: [["out_" + f], ["ev_" + f]] });
    nodes.push({ id: "out_" + f, type: "helper" }, { id: "ev_" + f, type: "helper" });
  }
  nodes.push(...catchNodes());
  return nodes;
}

/**
 * Loads a provider flow (`credentials` by feed id) and resolves with what each of its helper nodes
 * receives from then on, by node id: `const { out, ev } = await loadFlow(...)`.
 */
async function loadFlow(flow, credentials = {}) {
  await helper.load(FEED_NODES, flow, credentials);
  return Object.fromEntries(flow.filter((n) => n.type === "helper").map((n) => [n.id, collect(n.id)]));
}

/** The same credentials for each feed id. */
function credsFor(feeds, creds) {
  return Object.fromEntries(feeds.map((f) => [f, creds]));
}

/** A waitFor predicate: node `id` has shown a red status whose text matches `re`. */
const redStatus = (id, re) => () => statusesOf(id).some((s) => s.fill === "red" && re.test(s.text));

/** A waitFor predicate: the mock holds exactly one subscription list, with these members. */
const subscribedTo = (server, list) => () => server.lists().length === 1 && sameList(server.lists()[0], list);

/** A waitFor predicate: the mock holds exactly one subscription list, of `n` symbols. */
const oneList = (server, n) => () => server.lists().length === 1 && server.lists()[0].length === n;

/** A waitFor predicate: the reconnecting event, among collected output-2 messages `evs`, of a session over the connection limit. */
const limitRefusal =
  (...evs) =>
  () =>
    evs.flat().find((m) => m.topic === "reconnecting" && m.payload.cause === "max_connections");

/**
 * With feeds f1 and f2 on one account (multiFeedFlow) over the provider's connection limit: waits
 * until one reports the limit and asserts it waits a minute instead of reconnecting at once.
 */
async function waitsOutConnectionLimit(server, what) {
  const evs = [collect("ev_f1"), collect("ev_f2")];
  const refused = await waitFor(limitRefusal(...evs), { what });
  assert.ok(refused.payload.in >= 60000, `waits ${refused.payload.in} ms`);
  assert.strictEqual(server.totalConnections, 2, "no immediate reconnect");
}

/**
 * The failure a user sees for a refused key: subscribe node `subId` red with auth-failed, a
 * catchable error (when `caught`, a collected catch output, is given), and feed f1 given up.
 */
async function authFailed(subId, caught) {
  await waitFor(redStatus(subId, /auth-failed/), { what: "red auth status" });
  if (caught) await waitFor(() => caught.length >= 1, { what: "catchable error" });
  assert.strictEqual(helper.getNode("f1").core.status().state, "failed");
}

/**
 * Once the mock holds one list of `n` symbols: lets three of its heartbeat cutoffs pass and asserts
 * the client kept its one socket all along.
 */
async function heartbeatsHold(server, n) {
  await waitFor(oneList(server, n), { what: "subscribed" });
  const t0 = Date.now();
  await waitFor(() => Date.now() - t0 > 3 * server.heartbeatTimeoutMs, { timeout: 3000, what: "three cutoff periods" });
  assert.strictEqual(server.heartbeatDrops, 0);
  assert.strictEqual(server.totalConnections, 1);
}

/**
 * Stalls the mock (the socket stays open and silent) until the client gives that socket up;
 * resolves when a second connection holds one subscription list of `n` symbols again.
 */
async function stallUntilResubscribed(server, n) {
  server.once("close", () => server.stall(false));
  server.stall();
  await waitFor(() => server.totalConnections === 2 && oneList(server, n)(), { what: "reconnect + whole list" });
}

/** Every member of `list` is in `set`. */
const hasAll = (set, list) => list.every((s) => set.has(s));

module.exports = {
  FEED_NODES,
  TEST_BACKOFF,
  genericFeed,
  genericSource,
  eventBars,
  singleFeedFlow,
  multiFeedFlow,
  loadFlow,
  credsFor,
  redStatus,
  subscribedTo,
  oneList,
  limitRefusal,
  waitsOutConnectionLimit,
  authFailed,
  heartbeatsHold,
  stallUntilResubscribed,
  hasAll,
};
