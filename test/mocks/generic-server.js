"use strict";
/**
 * A local WebSocket server speaking the contract's generic JSON protocol, with knobs for the
 * failures a real relay shows: dropped connections, silent stalls, malformed frames, duplicate
 * replays, HTTP rejection of the upgrade, and ignoring the close handshake.
 *
 *   client -> {"action":"subscribe","symbols":[...]} / {"action":"unsubscribe",...}
 *   server -> {"symbol":"AAPL","price":1,"size":1,"time":<ms>,"id":"1"} or an array of them
 */
const http = require("http");
const { EventEmitter } = require("events");
const { WebSocketServer, WebSocket } = require("ws");

class GenericServer extends EventEmitter {
  constructor() {
    super();
    this.connections = new Set(); // live sockets
    this.totalConnections = 0;
    this.received = []; // {conn, msg}
    this.upgradeStatus = 0; // reply to upgrades with this HTTP status (0 = accept)
    this.stalled = false; // when true, send() drops data frames silently (pings still answered)
    this.ignoreClose = false; // when true, never answers a client's close frame
  }

  async start() {
    this.http = http.createServer((req, res) => {
      res.writeHead(404);
      res.end();
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on("upgrade", (req, socket, head) => {
      this.upgrades = (this.upgrades || 0) + 1;
      this.emit("upgrade", req);
      if (this.upgradeStatus) {
        socket.end(`HTTP/1.1 ${this.upgradeStatus} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
    });
    await new Promise((resolve) => this.http.listen(0, "127.0.0.1", resolve));
    this.port = this.http.address().port;
    this.url = `ws://127.0.0.1:${this.port}/feed`;
    return this.url;
  }

  onConnection(ws, req) {
    const conn = { ws, id: ++this.totalConnections, symbols: new Set(), url: req.url, headers: req.headers, openedAt: Date.now() };
    this.connections.add(conn);
    if (this.ignoreClose) {
      // Swallow the client's close frame: the client must give up by itself (terminate).
      ws._receiver.removeAllListeners("conclude");
      ws._receiver.on("conclude", () => {});
    }
    ws.on("message", (data) => {
      let msg;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        msg = { raw: data.toString() };
      }
      this.received.push({ conn: conn.id, msg, at: Date.now() });
      if (msg.action === "subscribe" && Array.isArray(msg.symbols)) for (const s of msg.symbols) conn.symbols.add(s);
      if (msg.action === "unsubscribe" && Array.isArray(msg.symbols)) for (const s of msg.symbols) conn.symbols.delete(s);
      this.emit("message", msg, conn);
    });
    ws.on("close", () => {
      this.connections.delete(conn);
      this.emit("disconnect", conn);
    });
    ws.on("error", () => {});
    this.emit("connection", conn);
  }

  /** Sends a frame (object/array is JSON-encoded, string raw) to every live connection. */
  send(frame) {
    if (this.stalled) return 0;
    const text = typeof frame === "string" ? frame : JSON.stringify(frame);
    let n = 0;
    for (const c of this.connections) {
      if (c.ws.readyState === WebSocket.OPEN) {
        c.ws.send(text);
        n++;
      }
    }
    return n;
  }

  /** Messages received with this action (across all connections). */
  actions(action) {
    return this.received.filter((r) => r.msg.action === action);
  }

  /** Symbols subscribed on the live connections. */
  subscribed() {
    const out = new Set();
    for (const c of this.connections) for (const s of c.symbols) out.add(s);
    return out;
  }

  /** Drops every connection abruptly (like a network failure, close code 1006 on the client). */
  dropAll() {
    for (const c of this.connections) c.ws.terminate();
  }

  async close() {
    for (const c of this.connections) c.ws.terminate();
    this.connections.clear();
    if (this.wss) this.wss.close();
    if (this.http) {
      this.http.closeAllConnections?.();
      await new Promise((resolve) => this.http.close(() => resolve()));
    }
  }
}

/** A trade in the generic default shape. */
function trade(symbol, id, price = 100, size = 100, time = Date.now()) {
  return { symbol, price, size, time, id: String(id) };
}

module.exports = { GenericServer, trade };
