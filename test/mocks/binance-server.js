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

/*
 * REST trade history on the same port (providers-rest.md section 3), public:
 *   GET /api/v3/aggTrades?symbol&fromId&startTime&endTime&limit   (max 1000)
 *   GET /api/v3/historicalTrades?symbol&fromId&limit               (max 1000)
 *   record(symbol, trade)  a raw trade { id, price, qty, time, m } in the history (trade() records too)
 *   aggOf(trade)           the aggregate of a raw trade: here one aggregate per trade, a = id + 100000
 *   pageSize               most rows per page;  429s carry Retry-After in seconds, -1003 bodies
 *   + failRest / restDown / restLog from MockServer.
 */

const STREAM_RE = /^[a-z0-9]+@(trade|aggTrade|bookTicker)$/;

class BinanceServer extends MockServer {
  constructor(opts = {}) {
    super({ wsPath: "/stream", ...opts });
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
    this.history = new Map();
    this.pageSize = opts.pageSize ?? 1000;
  }

  record(symbol, t) {
    const sym = symbol.toUpperCase();
    if (!this.history.has(sym)) this.history.set(sym, []);
    this.history.get(sym).push(t);
  }

  static aggOf(t) {
    return { a: t.id + 100000, p: t.price, q: t.qty, f: t.id, l: t.id, T: t.time, m: t.m, M: true };
  }

  onHttp(req, url, q) {
    if (url.pathname !== "/api/v3/aggTrades" && url.pathname !== "/api/v3/historicalTrades") return undefined;
    const rows = this.history.get(String(q.symbol || ""));
    if (q.symbol === undefined)
      return { status: 400, body: { code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." } };
    if (rows === undefined) return { status: 400, body: { code: -1121, msg: "Invalid symbol." } };
    const limit = Math.min(Number(q.limit || 500), 1000, this.pageSize);
    if (url.pathname === "/api/v3/historicalTrades") {
      const from = q.fromId !== undefined ? Number(q.fromId) : Math.max(0, rows.length - limit);
      const page = rows.filter((t) => t.id >= from).slice(0, limit);
      return {
        status: 200,
        body: page.map((t) => ({
          id: t.id,
          price: t.price,
          qty: t.qty,
          quoteQty: "0",
          time: t.time,
          isBuyerMaker: t.m,
          isBestMatch: true,
        })),
      };
    }
    let aggs = rows.map(BinanceServer.aggOf);
    if (q.fromId !== undefined) aggs = aggs.filter((a) => a.a >= Number(q.fromId));
    else if (q.startTime !== undefined) aggs = aggs.filter((a) => a.T >= Number(q.startTime));
    if (q.endTime !== undefined) aggs = aggs.filter((a) => a.T <= Number(q.endTime));
    return { status: 200, body: aggs.slice(0, limit) };
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
    this.record(symbol, { id, price, qty, time, m: true });
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
