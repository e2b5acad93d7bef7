"use strict";
/**
 * Builders for the provider runtime tests (test/nodes/providers/): tick-feed + tick-subscribe
 * against a local mock, helper nodes on both subscribe outputs, and a catch node.
 */
const { helper } = require("./runtime");
const { statusesOf, sameList } = require("./flow");
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

const catchNodes = () => [
  { id: "c1", type: "catch", wires: [["caught"]] },
  { id: "caught", type: "helper" },
];

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

/** Loads a provider flow; `credentials` by feed id. */
function loadFlow(flow, credentials = {}) {
  return helper.load(FEED_NODES, flow, credentials);
}

/** The same credentials for each feed id. */
function credsFor(feeds, creds) {
  return Object.fromEntries(feeds.map((f) => [f, creds]));
}

/** Test teardown: stops the flow, then closes the mock (if one was started). */
async function unloadAndClose(server) {
  await helper.unload();
  if (server) await server.close();
}

/** A waitFor predicate: node `id` has shown a red status whose text matches `re`. */
const redStatus = (id, re) => () => statusesOf(id).some((s) => s.fill === "red" && re.test(s.text));

/** A waitFor predicate: the mock holds exactly one subscription list, with these members. */
const subscribedTo = (server, list) => () => server.lists().length === 1 && sameList(server.lists()[0], list);

/** Every member of `list` is in `set`. */
const hasAll = (set, list) => list.every((s) => set.has(s));

module.exports = { FEED_NODES, TEST_BACKOFF, singleFeedFlow, multiFeedFlow, loadFlow, credsFor, unloadAndClose, redStatus, subscribedTo, hasAll };
