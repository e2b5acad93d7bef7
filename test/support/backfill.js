"use strict";
/** Helpers for backfill runtime tests: the flow, a controlled outage and the backfill events of output 2. */
const { waitFor } = require("./wait");
const { singleFeedFlow } = require("./provider-flow");

/**
 * A singleFeedFlow (no catch node) of `provider` against `server`'s socket and REST history: f1
 * backfills after a quiet 300 ms and reconnects within 100 ms, `feed` adds properties; s1 takes
 * the trades of `symbols` to out and its events to ev.
 */
function backfillFlow(provider, server, symbols, feed = {}) {
  return singleFeedFlow(provider, server.url, {
    symbols,
    channels: "trades",
    catchErrors: false,
    feed: { restUrl: server.restBase, backfill: "on", backfillQuietMs: 300, backoffMin: 30, backoffMax: 100, ...feed },
  });
}

/** Drops every socket and refuses reconnects (HTTP 503 on upgrade) until the returned `resume()`. */
async function outage(server) {
  server.rejectStatus = 503;
  server.dropAll();
  await waitFor(() => server.connections.size === 0, { what: "socket down" });
  return () => {
    server.rejectStatus = null;
  };
}

/** The `backfill` events among collected output-2 messages (optionally of one state). */
function backfillEvents(ev, state) {
  return ev.filter((m) => m.topic === "backfill" && (state === undefined || m.payload.state === state));
}

/** Asserts-friendly: each id's count. */
function idCounts(out) {
  const counts = new Map();
  for (const m of out) counts.set(m.payload.id, (counts.get(m.payload.id) || 0) + 1);
  return counts;
}

module.exports = { backfillFlow, outage, backfillEvents, idCounts };
