"use strict";
// npm run test:integration: real servers (InfluxDB, Redis, Mosquitto, PostgreSQL), real palette
// nodes, headless Chromium. Not part of npm test.
module.exports = {
  spec: ["test/integration/*.int.js"],
  timeout: 120000,
  exit: false,
  reporter: "spec",
};
