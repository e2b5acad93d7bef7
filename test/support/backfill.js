"use strict";
/** Helpers for backfill runtime tests: a controlled outage and the backfill events of output 2. */
const { waitFor } = require("./wait");

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

module.exports = { outage, backfillEvents, idCounts };
