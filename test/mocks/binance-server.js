"use strict";
/**
 * A local Binance spot combined-stream server (providers.md section 7): SUBSCRIBE /
 * UNSUBSCRIBE / LIST_SUBSCRIPTIONS with ids, {"result":null,"id"} acks (never wrapped) and nested
 * errors {"error":{"code","msg"},"id"} (id null for unparsable requests), data wrapped as
 * {"stream","data"}, {"e":"serverShutdown"} notices.
 *
 * Knobs:
 *   maxStreams        streams per connection (default 1024); past it the SUBSCRIBE gets error code 2
 *   maxMsgsPerSec     incoming messages per second per connection (default 5); the one over it
 *                     closes the socket 1008 "Too many requests" (counted in rateViolations)
 *   pingMs            server WebSocket ping frame period (default 0 = off; real: 20000)
 *   pongTimeoutMs     no pong for this long after a ping: terminate (real: 60000)
 *   lifetimeMs        forced disconnect after this long (the 24 h rule; default 0 = off), close 1000
 *   silent            stream names acknowledged but never fed (the "ACK then nothing" reports)
 *   + the MockServer knobs (stall, dropAll, closeAll(code), rejectStatus (e.g. 429), autoPong)
 *
 * Duplicate / out-of-order injection: trade() sends any id, in any order, as often as called.
 */
const { MockServer } = require("./mock-base");

const STREAM_RE = /^[a-z0-9]+@(trade|aggTrade|bookTicker)$/;

class BinanceServer extends MockServer {
  constructor(opts = {}) {
    super(opts);
    this.maxStreams = opts.maxStreams ?? 1024;
    this.maxMsgsPerSec = opts.maxMsgsPerSec ?? 5;
    this.pingMs = opts.pingMs ?? 0;
    this.pongTimeoutMs = opts.pongTimeoutMs ?? 60000;
    this.lifetimeMs = opts.lifetimeMs ?? 0;
    this.silent = new Set(opts.silent ?? []);
    this.rateViolations = 0;
    this.pongs = 0;
    this.pingTimeouts = 0;
    this.lifetimeCloses = 0;
  }

  start(path = "/stream") {
    return super.start(path);
  }

  onOpen(conn) {
    conn.streams = new Set();
    conn.stamps = [];
    if (this.pingMs > 0) {
      conn.lastPong = Date.now();
      conn.ws.on("pong", () => {
        this.pongs++;
        conn.lastPong = Date.now();
      });
      conn.pinger = setInterval(() => {
        if (Date.now() - conn.lastPong > this.pongTimeoutMs) {
          this.pingTimeouts++;
          conn.ws.terminate();
          return;
        }
        conn.ws.ping("binance");
      }, this.pingMs);
    }
    if (this.lifetimeMs > 0) {
      conn.lifetime = setTimeout(() => {
        this.lifetimeCloses++;
        conn.ws.close(1000, "connection lifetime exceeded");
      }, this.lifetimeMs);
    }
  }

  onClose(conn) {
    clearInterval(conn.pinger);
    clearTimeout(conn.lifetime);
  }

  onMessage(conn, msg) {
    const now = Date.now();
    conn.stamps = conn.stamps.filter((t) => now - t < 1000);
    conn.stamps.push(now);
    if (conn.stamps.length > this.maxMsgsPerSec) {
      this.rateViolations++;
      conn.ws.close(1008, "Too many requests");
      return;
    }
    if (msg === undefined) return this.reply(conn, { error: { code: 3, msg: "Invalid JSON" }, id: null });
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
  }

  reply(conn, obj) {
    this.sendTo(conn, obj);
  }

  /** Sends a trade to every connection subscribed to its stream (unless the stream is `silent`). */
  trade(symbol, id, price = "42000.10", qty = "0.5", time = 1672515782136) {
    const stream = symbol.toLowerCase() + "@trade";
    if (this.silent.has(stream)) return;
    const data = { e: "trade", E: time, s: symbol.toUpperCase(), t: id, p: price, q: qty, T: time, m: true, M: true };
    for (const c of this.connections) if (c.streams.has(stream)) this.reply(c, { stream, data });
  }

  shutdownNotice() {
    for (const c of this.connections) this.reply(c, { stream: "!serverShutdown", data: { e: "serverShutdown", E: Date.now() } });
  }

  streams() {
    return [...this.connections].map((c) => [...c.streams].sort());
  }
}

module.exports = { BinanceServer };
