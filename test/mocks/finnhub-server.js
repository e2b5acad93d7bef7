"use strict";
/**
 * A local Finnhub trades WebSocket (providers.md section 4): token in the URL (a wrong one gets
 * HTTP 401 on the upgrade, the observed behaviour), one symbol per subscribe message without
 * acknowledgement, trade messages with arrays of prints (several symbols, not time-ordered),
 * {"type":"ping"} keepalives, and {"type":"error","msg":"Subscribing to too many symbols"} for
 * each subscribe past `maxSymbols` (the symbol then stays silent).
 *
 * Knobs:
 *   token                 the good token
 *   maxSymbols            symbols per connection (default 50, the measured free-tier cap)
 *   maxConnections        connections per token (default 1); past it `connectionPolicy` applies:
 *                         "dropBoth" (a report: both sockets dropped, 1006) | "dropOld" (the older one)
 *   pingMs                server {"type":"ping"} period (default 0 = only on ping(); real: ~60 s)
 *   + the MockServer knobs (stall, dropAll, closeAll(code), rejectStatus, autoPong)
 *
 * Duplicate / out-of-order injection: trades() sends any prints in any order; repeat a call to
 * repeat a message.
 */
const { MockServer } = require("./mock-base");

class FinnhubServer extends MockServer {
  constructor(opts = {}) {
    super(opts);
    this.token = opts.token ?? "good-token";
    this.maxSymbols = opts.maxSymbols ?? 50;
    this.maxConnections = opts.maxConnections ?? 1;
    this.connectionPolicy = opts.connectionPolicy ?? "dropBoth";
    this.pingMs = opts.pingMs ?? 0;
    this.errorsSent = 0;
    this.limitDrops = 0;
    this.pingsSent = 0;
  }

  checkUpgrade(req, url) {
    return url.searchParams.get("token") === this.token ? 0 : 401;
  }

  onOpen(conn) {
    conn.symbols = new Set();
    if (this.pingMs > 0)
      conn.pinger = setInterval(() => {
        this.pingsSent++;
        this.sendTo(conn, { type: "ping" });
      }, this.pingMs);
    if (this.connections.size > this.maxConnections) {
      const victims =
        this.connectionPolicy === "dropBoth"
          ? [...this.connections]
          : [...this.connections].slice(0, this.connections.size - this.maxConnections);
      this.limitDrops += victims.length;
      // Defer so the newcomer's socket is fully open before it is cut.
      setImmediate(() => victims.forEach((c) => c.ws.terminate()));
    }
  }

  onClose(conn) {
    clearInterval(conn.pinger);
  }

  onMessage(conn, msg) {
    if (msg === undefined || typeof msg !== "object") return;
    if (msg.type === "subscribe") {
      if (conn.symbols.has(msg.symbol)) return;
      if (conn.symbols.size >= this.maxSymbols) {
        this.errorsSent++;
        return this.sendTo(conn, { type: "error", msg: "Subscribing to too many symbols" });
      }
      conn.symbols.add(msg.symbol);
    } else if (msg.type === "unsubscribe") conn.symbols.delete(msg.symbol);
  }

  /** Sends one trade message to every connection, with only the prints of symbols it subscribed. */
  trades(prints) {
    for (const c of this.connections) {
      const mine = prints.filter((p) => c.symbols.has(p.s));
      if (mine.length > 0) this.sendTo(c, { type: "trade", data: mine });
    }
  }

  ping() {
    for (const c of this.connections) this.sendTo(c, { type: "ping" });
  }

  symbols() {
    const out = new Set();
    for (const c of this.connections) for (const s of c.symbols) out.add(s);
    return out;
  }

  /** Subscribe messages received, in order (symbols). */
  subscribes() {
    return this.sent((m) => m.type === "subscribe").map((m) => m.symbol);
  }
}

module.exports = { FinnhubServer };
