"use strict";
/**
 * A generic-protocol relay in its own process that trades SYMBOLS symbols at RATE trades/s in
 * frames of PER_FRAME (every symbol in turn; ids increase per symbol), from the first subscribe
 * until it is stopped. It never buffers more than HIGH_WATER bytes for a client: when the client
 * reads slowly it waits (TCP pushback), and reports how often.
 * Prints {"port":N}; on SIGTERM prints {"sent":S,"waits":W} and exits.
 */
const { WebSocketServer } = require("ws");

const RATE = Number(process.argv[2] || 20000);
const SYMBOLS = Number(process.argv[3] || 50);
const PER_FRAME = Number(process.argv[4] || 50);
const HIGH_WATER = 1024 * 1024;
let sent = 0;
let waits = 0;

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => {
  process.stdout.write(JSON.stringify({ port: wss.address().port }) + "\n");
});
const ids = new Array(SYMBOLS).fill(0);
wss.on("connection", (ws) => {
  let started = false;
  ws.on("error", () => {});
  ws.on("message", () => {
    if (started) return;
    started = true;
    const t0 = Date.now();
    let k = 0;
    const pump = () => {
      if (ws.readyState !== 1) return;
      const due = Math.floor(((Date.now() - t0) * RATE) / 1000);
      while (sent < due) {
        if (ws.bufferedAmount > HIGH_WATER) {
          waits++;
          break;
        }
        const frame = [];
        for (let i = 0; i < PER_FRAME; i++) {
          const s = k++ % SYMBOLS;
          frame.push({ symbol: "S" + s, price: 100 + (ids[s] % 10) / 10, size: 1, time: Date.now(), id: String(++ids[s]) });
        }
        sent += PER_FRAME;
        ws.send(JSON.stringify(frame));
      }
      setTimeout(pump, 5);
    };
    pump();
  });
});
process.on("SIGTERM", () => {
  process.stdout.write(JSON.stringify({ sent, waits }) + "\n");
  process.exit(0);
});
