"use strict";
/**
 * A local Binance spot combined-stream server (providers.md section 7): SUBSCRIBE /
 * UNSUBSCRIBE / LIST_SUBSCRIPTIONS with ids, {"result":null,"id"} acks and nested errors,
 * data wrapped as {"stream","data"}. Enforces the 5 incoming messages per second rule (close
 * 1008 "Too many requests") and a streams-per-connection cap (error code 2).
 */
const { EventEmitter } = require("events");
const { WebSocketServer, WebSocket } = require("ws");

const STREAM_RE = /^[a-z0-9]+@(trade|aggTrade|bookTicker)$/;

class BinanceServer extends EventEmitter {
  constructor({ maxStreams = 1024, maxMsgsPerSec = 5 } = {}) {
    super();
    this.maxStreams = maxStreams;
    this.maxMsgsPerSec = maxMsgsPerSec;
    this.connections = new Set();
    this.totalConnections = 0;
    this.received = [];
    this.rateViolations = 0;
  }

  start() {
    return new Promise((resolve) => {
      this.wss = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => {
        this.url = `ws://127.0.0.1:${this.wss.address().port}/stream`;
        resolve(this.url);
      });
      this.wss.on("connection", (ws) => this.onConnection(ws));
    });
  }

  onConnection(ws) {
    const conn = { ws, id: ++this.totalConnections, streams: new Set(), stamps: [] };
    this.connections.add(conn);
    ws.on("close", () => this.connections.delete(conn));
    ws.on("error", () => {});
    ws.on("message", (data) => {
      const now = Date.now();
      conn.stamps = conn.stamps.filter((t) => now - t < 1000);
      conn.stamps.push(now);
      if (conn.stamps.length > this.maxMsgsPerSec) {
        this.rateViolations++;
        ws.close(1008, "Too many requests");
        return;
      }
      let msg;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return this.reply(conn, { error: { code: 3, msg: "Invalid JSON" }, id: null });
      }
      this.received.push({ conn: conn.id, msg });
      const params = Array.isArray(msg.params) ? msg.params : [];
      if (msg.method === "SUBSCRIBE") {
        const bad = params.find((p) => !STREAM_RE.test(p));
        if (bad) return this.reply(conn, { error: { code: 2, msg: "Invalid request: invalid stream " + bad }, id: msg.id });
        if (conn.streams.size + params.filter((p) => !conn.streams.has(p)).length > this.maxStreams) {
          return this.reply(conn, { error: { code: 2, msg: "Invalid request: too many streams" }, id: msg.id });
        }
        for (const p of params) conn.streams.add(p);
        return this.reply(conn, { result: null, id: msg.id });
      }
      if (msg.method === "UNSUBSCRIBE") {
        for (const p of params) conn.streams.delete(p);
        return this.reply(conn, { result: null, id: msg.id });
      }
      if (msg.method === "LIST_SUBSCRIPTIONS") return this.reply(conn, { result: [...conn.streams], id: msg.id });
      return this.reply(conn, { error: { code: 2, msg: "Invalid request: unknown method" }, id: msg.id ?? null });
    });
  }

  reply(conn, obj) {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify(obj));
  }

  /** Sends a trade to every connection subscribed to its stream. */
  trade(symbol, id, price = "42000.10", qty = "0.5", time = 1672515782136) {
    const stream = symbol.toLowerCase() + "@trade";
    const data = { e: "trade", E: time, s: symbol.toUpperCase(), t: id, p: price, q: qty, T: time, m: true, M: true };
    for (const c of this.connections) if (c.streams.has(stream)) this.reply(c, { stream, data });
  }

  shutdownNotice() {
    for (const c of this.connections) this.reply(c, { stream: "!serverShutdown", data: { e: "serverShutdown", E: Date.now() } });
  }

  streams() {
    return [...this.connections].map((c) => [...c.streams].sort());
  }

  close() {
    for (const c of this.connections) c.ws.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

module.exports = { BinanceServer };
