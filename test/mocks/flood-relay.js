"use strict";
/**
 * A generic-protocol relay in its own process, so that it writes independently of the client's
 * event loop. On the first subscribe it sends TOTAL trades of AAPL in frames of PER_FRAME,
 * as fast as its socket accepts them, pausing only while its send buffer is over HIGH_WATER.
 * Prints {"port":N} when listening and {"done":true,"waits":W,"maxBuffered":B} when all is sent.
 */
const { WebSocketServer } = require("ws");

const TOTAL = Number(process.argv[2] || 200000);
const PER_FRAME = Number(process.argv[3] || 50);
const HIGH_WATER = 1024 * 1024;

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => {
  process.stdout.write(JSON.stringify({ port: wss.address().port }) + "\n");
});
wss.on("connection", (ws) => {
  let started = false;
  ws.on("message", () => {
    if (started) return;
    started = true;
    let sent = 0;
    let waits = 0;
    let maxBuffered = 0;
    const pump = () => {
      while (sent < TOTAL) {
        if (ws.bufferedAmount > HIGH_WATER) {
          waits++;
          setTimeout(pump, 2);
          return;
        }
        const frame = [];
        for (let i = 0; i < PER_FRAME && sent < TOTAL; i++) {
          sent++;
          frame.push({ symbol: "AAPL", price: 100 + (sent % 7), size: 100, time: 1700000000000 + sent, id: String(sent) });
        }
        ws.send(JSON.stringify(frame));
        if (ws.bufferedAmount > maxBuffered) maxBuffered = ws.bufferedAmount;
      }
      process.stdout.write(JSON.stringify({ done: true, waits, maxBuffered }) + "\n");
    };
    pump();
  });
});
process.on("SIGTERM", () => process.exit(0));
