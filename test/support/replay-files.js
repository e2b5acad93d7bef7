"use strict";
/** Writes replay test files (JSON lines, CSV, gzip) into a temp directory. */
const fs = require("fs");
const os = require("os");
const path = require("path");
const zlib = require("zlib");

function tmpDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tickstream-replay-"));
}

/** `n` trades every `stepUs` from `startUs`, symbols round-robin, recvTs 1 ms after ts. */
function trades(n, { startUs = Date.UTC(2026, 10, 17, 15, 0) * 1000, stepUs = 100_000, symbols = ["AAPL", "MSFT"] } = {}) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const ts = startUs + i * stepUs;
    out.push({
      symbol: symbols[i % symbols.length],
      type: "trade",
      price: 100 + (i % 50) / 100,
      size: 100,
      ts,
      recvTs: ts + 1000,
      exchange: "Q",
      conditions: ["@"],
      id: String(i + 1),
      provider: "simulator",
    });
  }
  return out;
}

function writeJsonl(file, ticks, { gzip = false, extraLines = [] } = {}) {
  const text = [...ticks.map((t) => JSON.stringify(t)), ...extraLines].join("\n") + "\n";
  fs.writeFileSync(file, gzip ? zlib.gzipSync(text) : text);
  return file;
}

module.exports = { tmpDir, trades, writeJsonl };
