"use strict";
/**
 * The benchmark's market: frames generated once, up front, in the generic protocol shape
 * {"symbol","price","size","time","id"}; 5% of ticks are replays of a recent tick (duplicates).
 * A ws server on 127.0.0.1:0 sends them as fast as the socket accepts (it waits while its send
 * buffer is above a high-water mark), or paced at a given rate with send-time stamps.
 */
const { WebSocketServer } = require("ws");
const { prng } = require("../dist/lib/simulator/server");

const SYMBOLS = Array.from({ length: 100 }, (_, i) => "S" + String(i).padStart(3, "0"));

/** Returns {frames: string[], total, unique} for `n` ticks over `symbols`, `perFrame` per frame. */
function makeFrames(n, perFrame, symbols = SYMBOLS, dupRate = 0.05, seed = 42) {
  const rnd = prng(seed);
  const ids = new Map(symbols.map((s) => [s, 0]));
  const recent = [];
  const ticks = [];
  let unique = 0;
  const t0 = 1732377600000;
  for (let i = 0; i < n; i++) {
    if (recent.length > 100 && rnd() < dupRate) {
      ticks.push(recent[Math.floor(rnd() * recent.length)]);
      continue;
    }
    const symbol = symbols[Math.floor(rnd() * symbols.length)];
    const id = ids.get(symbol) + 1;
    ids.set(symbol, id);
    const tick = {
      symbol,
      price: Math.round((100 + rnd() * 50) * 100) / 100,
      size: 100 * (1 + Math.floor(rnd() * 5)),
      time: t0 + i,
      id: String(id),
    };
    unique++;
    ticks.push(tick);
    recent.push(tick);
    if (recent.length > 1000) recent.shift();
  }
  const frames = [];
  for (let i = 0; i < ticks.length; i += perFrame) {
    const chunk = ticks.slice(i, i + perFrame);
    frames.push(JSON.stringify(perFrame === 1 ? chunk[0] : chunk));
  }
  return { frames, total: n, unique };
}

/** Encodes one server-to-client WebSocket text frame (unmasked), RFC 6455 section 5.2. */
function encodeFrame(text) {
  const payload = Buffer.from(text, "utf8");
  const n = payload.length;
  let header;
  if (n < 126) header = Buffer.from([0x81, n]);
  else if (n < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(n, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Pre-encodes frames into ~256 KB chunks of raw WebSocket frames, so the server costs ~nothing per frame. */
function encodeChunks(frames) {
  const chunks = [];
  let parts = [];
  let size = 0;
  for (const f of frames) {
    const b = encodeFrame(f);
    parts.push(b);
    size += b.length;
    if (size >= 256 * 1024) {
      chunks.push(Buffer.concat(parts));
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) chunks.push(Buffer.concat(parts));
  return chunks;
}

/**
 * Serves `frames` to each client when it connects (startOn "connect") or after its first
 * message (startOn "message", e.g. a subscribe). The frames are pre-encoded and written to the
 * TCP socket directly, waiting for 'drain' whenever the socket's buffer is full (backpressure).
 * Resolves to {url, close()}.
 */
function serve(frames, { startOn = "connect" } = {}) {
  const chunks = encodeChunks(frames);
  return listen(startOn, (ws) => {
    const socket = ws._socket; // ws keeps the net.Socket here; we write raw frames to it
    let i = 0;
    const pump = () => {
      while (i < chunks.length) {
        if (ws.readyState !== ws.OPEN) return;
        if (!socket.write(chunks[i++])) {
          socket.once("drain", pump);
          return;
        }
      }
    };
    pump();
  });
}

/**
 * A ws server on 127.0.0.1:0 that calls `stream(ws)` once per client: when it connects
 * (startOn "connect") or after its first message (startOn "message", e.g. a subscribe).
 * Resolves to {url, close()}.
 */
function listen(startOn, stream) {
  return new Promise((resolve) => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => {
      resolve({
        url: `ws://127.0.0.1:${wss.address().port}/`,
        close: () =>
          new Promise((r) => {
            for (const c of wss.clients) c.terminate();
            wss.close(() => r());
          }),
      });
    });
    wss.on("connection", (ws) => {
      let started = false;
      const start = () => {
        if (started) return;
        started = true;
        stream(ws);
      };
      ws.on("error", () => {});
      if (startOn === "connect") setImmediate(start);
      else ws.once("message", () => setTimeout(start, 50));
    });
  });
}

/**
 * Paced feed for latency: `count` ticks at `rate` per second, one per frame, each stamped with
 * its send time in µs (`sent`). The time field is the send time too.
 */
function servePaced({ rate = 5000, count = 25000, startOn = "connect", symbols = SYMBOLS } = {}) {
  const { nowMicros } = require("../dist/lib/time");
  return listen(startOn, (ws) => {
    let sent = 0;
    const t0 = Date.now();
    const tick = () => {
      if (ws.readyState !== ws.OPEN) return;
      const due = Math.min(count, Math.floor(((Date.now() - t0) * rate) / 1000));
      while (sent < due) {
        sent++;
        const us = nowMicros();
        ws.send(JSON.stringify({ symbol: symbols[sent % symbols.length], price: 100, size: 100, time: us, id: String(sent), sent: us }));
      }
      if (sent < count) setTimeout(tick, 1);
    };
    tick();
  });
}

module.exports = { SYMBOLS, makeFrames, serve, servePaced };
