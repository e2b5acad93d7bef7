"use strict";
/**
 * A local Polygon / Massive stocks WebSocket (providers.md section 2): "connected" on open,
 * auth with {"action":"auth","params":KEY}, subscribe/unsubscribe with "T.SYM,Q.SYM" params
 * acknowledged per topic, frames as arrays of events. Knobs: validKey, noWebsocketPlan (auth
 * fails with the plan message), maxConnections (a newer authenticated session evicts the
 * older: max_connections status, then close 1008).
 */
const { EventEmitter } = require("events");
const { WebSocketServer, WebSocket } = require("ws");

class PolygonServer extends EventEmitter {
  constructor({ validKey = "good-key", maxConnections = 1 } = {}) {
    super();
    this.validKey = validKey;
    this.maxConnections = maxConnections;
    this.noWebsocketPlan = false;
    this.connections = new Set();
    this.totalConnections = 0;
    this.received = [];
  }

  start() {
    return new Promise((resolve) => {
      this.wss = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => {
        this.url = `ws://127.0.0.1:${this.wss.address().port}/stocks`;
        resolve(this.url);
      });
      this.wss.on("connection", (ws) => this.onConnection(ws));
    });
  }

  onConnection(ws) {
    const conn = { ws, id: ++this.totalConnections, authed: false, topics: new Set() };
    this.connections.add(conn);
    ws.on("close", () => this.connections.delete(conn));
    ws.on("error", () => {});
    ws.on("message", (data) => {
      let msg;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        this.sendTo(conn, [{ ev: "status", status: "error", message: "invalid JSON" }]);
        return;
      }
      this.received.push({ conn: conn.id, msg });
      this.emit("message", msg, conn);
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
    });
    this.sendTo(conn, [{ ev: "status", status: "connected", message: "Connected Successfully" }]);
  }

  auth(conn, key) {
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
      this.sendTo(older, [{ ev: "status", status: "max_connections", message: "Maximum number of websocket connections exceeded. You have reached the connection limit for your account." }]);
      older.ws.close(1008, "max_connections");
    }
  }

  sendTo(conn, events) {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify(events));
  }

  /** Sends events to every authenticated connection subscribed to their topic (status events to all). */
  send(events) {
    for (const c of this.connections) {
      if (!c.authed) continue;
      const mine = events.filter((e) => e.ev === "status" || c.topics.has(e.ev + "." + e.sym));
      if (mine.length > 0) this.sendTo(c, mine);
    }
  }

  topics() {
    const out = new Set();
    for (const c of this.connections) for (const t of c.topics) out.add(t);
    return out;
  }

  dropAll() {
    for (const c of this.connections) c.ws.terminate();
  }

  close() {
    for (const c of this.connections) c.ws.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

const T = (sym, i, x = 4, extra = {}) => ({ ev: "T", sym, x, i: String(i), z: 3, p: 114.125, s: 100, c: [0, 12], t: 1536036818784, q: 3681328 + Number(i), ...extra });

module.exports = { PolygonServer, T };
