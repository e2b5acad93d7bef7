"use strict";
// npm run test:integration: real servers (InfluxDB, Redis, Mosquitto, PostgreSQL), real palette
// nodes, headless Chromium. Not part of npm test.
module.exports = {
  spec: ["test/integration/*.int.js"],
  timeout: 120000,
  // One retry per test: this tier runs third-party palette nodes against real servers. In one
  // full CI rehearsal (2026-11-28) a single InfluxDB write of 300 was lost in the same-microsecond
  // test (199 of 200 AAPL points stored); it did not happen in 7 reruns and our formatter is
  // deterministic, so the loss is on the write path (suspected: an HTTP keep-alive reset in the
  // influxdb node's client). A test that fails twice still fails the tier.
  retries: 1,
  exit: false,
  reporter: "spec",
};
