"use strict";
/**
 * A local Polygon / Massive stocks WebSocket (providers.md section 2): "connected" on open,
 * auth with {"action":"auth","params":KEY}, subscribe/unsubscribe with "T.SYM,Q.SYM" params
 * acknowledged per topic, frames as arrays of events (status and data may be mixed).
 *
 * Knobs:
 *   validKey              the good key; anything else gets auth_failed ("authentication failed")
 *   noWebsocketPlan       auth fails with "Your plan doesn't include websocket access."
 *   maxConnections        authenticated sessions per key (default 1): a newer session evicts the
 *                         older one (max_connections status, then close 1008)
 *   authTimeoutMs         auth_timeout status + close 1008 when no auth arrives in time (0 = off, default)
 *   batch                 events per frame in send() (default: all in one frame)
 *   slowConsumer()        close 1008 as the server does when its buffer for a client fills up
 *   + the MockServer knobs (stall, dropAll, closeAll(code), rejectStatus, autoPong)
 *
 * Duplicate / out-of-order injection: send() takes any events in any order, repeats included.
 */
const { MockServer } = require("./mock-base");

class PolygonServer extends MockServer {
  constructor(opts = {}) {
    super(opts);
    this.validKey = opts.validKey ?? "good-key";
    this.maxConnections = opts.maxConnections ?? 1;
    this.noWebsocketPlan = opts.noWebsocketPlan ?? false;
    this.authTimeoutMs = opts.authTimeoutMs ?? 0;
    this.batch = opts.batch ?? Infinity;
    this.evictions = 0;
  }

  start(path = "/stocks") {
    return super.start(path);
  }

  onOpen(conn) {
    conn.authed = false;
    conn.topics = new Set();
    this.sendTo(conn, [{ ev: "status", status: "connected", message: "Connected Successfully" }]);
    if (this.authTimeoutMs > 0) {
      conn.authTimer = setTimeout(() => {
        if (conn.authed) return;
        this.sendTo(conn, [{ ev: "status", status: "auth_timeout", message: "No authentication request received." }]);
        conn.ws.close(1008, "auth timeout");
      }, this.authTimeoutMs);
    }
  }

  onClose(conn) {
    clearTimeout(conn.authTimer);
  }

  onMessage(conn, msg) {
    if (msg === undefined) return this.sendTo(conn, [{ ev: "status", status: "error", message: "invalid JSON" }]);
    if (msg.action === "auth") return this.auth(conn, msg.params);
    if (!conn.authed) return this.sendTo(conn, [{ ev: "status", status: "error", message: "not authorized" }]);
    const topics = String(msg.params || "").split(",").filter(Boolean);
    if (msg.action === "subscribe") {
      for (const t of topics) conn.topics.add(t);
      this.sendTo(conn, topics.map((t) => ({ ev: "status", status: "success", message: "subscribed to: " + t })));
    } else if (msg.action === "unsubscribe") {
      for (const t of topics) conn.topics.delete(t);
      this.sendTo(conn, topics.map((t) => ({ ev: "status", status: "success", message: "unsubscribed to: " + t })));
    }
  }

  auth(conn, key) {
    clearTimeout(conn.authTimer);
    if (this.noWebsocketPlan) {
      this.sendTo(conn, [{ ev: "status", status: "auth_failed", message: "Your plan doesn't include websocket access." }]);
      return;
    }
    if (key !== this.validKey) {
      this.sendTo(conn, [{ ev: "status", status: "auth_failed", message: "authentication failed" }]);
      return;
    }
    conn.authed = true;
    this.sendTo(conn, [{ ev: "status", status: "auth_success", message: "authenticated" }]);
    const authed = [...this.connections].filter((c) => c.authed);
    if (authed.length > this.maxConnections) {
      const older = authed[0];
      this.evictions++;
      older.authed = false;
      this.sendTo(older, [{ ev: "status", status: "max_connections", message: "Maximum number of websocket connections exceeded. You have reached the connection limit for your account." }]);
      older.ws.close(1008, "max_connections");
    }
  }

  /** Sends events to every authenticated connection subscribed to their topic (status events to all), `batch` per frame. */
  send(events) {
    for (const c of this.connections) {
      if (!c.authed) continue;
      const mine = events.filter((e) => e.ev === "status" || c.topics.has(e.ev + "." + e.sym));
      const n = this.batch === Infinity ? mine.length : this.batch;
      for (let i = 0; i < mine.length; i += n) this.sendTo(c, mine.slice(i, i + n));
    }
  }

  /** The server's slow-consumer kill: close 1008 without a status. */
  slowConsumer() {
    this.closeAll(1008, "slow consumer");
  }

  topics() {
    const out = new Set();
    for (const c of this.connections) if (c.authed) for (const t of c.topics) out.add(t);
    return out;
  }

  authed() {
    return [...this.connections].filter((c) => c.authed).length;
  }
}

const T = (sym, i, x = 4, extra = {}) => ({ ev: "T", sym, x, i: String(i), z: 3, p: 114.125, s: 100, c: [0, 12], t: 1536036818784, q: 3681328 + Number(i), ...extra });

module.exports = { PolygonServer, T };
