"use strict";
/**
 * A local Finnhub trades WebSocket (providers.md section 4): token in the URL (a wrong one gets
 * HTTP 401 on the upgrade), one symbol per subscribe message without acknowledgement, trade
 * messages with arrays of prints, {"type":"ping"} keepalives, and the
 * "Subscribing to too many symbols" error past `maxSymbols`.
 */
const http = require("http");
const { WebSocketServer, WebSocket } = require("ws");

class FinnhubServer {
  constructor({ token = "good-token", maxSymbols = 50 } = {}) {
    this.token = token;
    this.maxSymbols = maxSymbols;
    this.connections = new Set();
    this.upgrades = 0;
    this.received = [];
  }

  async start() {
    this.wss = new WebSocketServer({ noServer: true });
    this.http = http.createServer((req, res) => res.writeHead(404).end());
    this.http.on("upgrade", (req, socket, head) => {
      this.upgrades++;
      const token = new URL(req.url, "http://x").searchParams.get("token");
      if (token !== this.token) {
        socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
    await new Promise((r) => this.http.listen(0, "127.0.0.1", r));
    this.url = `ws://127.0.0.1:${this.http.address().port}/`;
    return this.url;
  }

  onConnection(ws) {
    const conn = { ws, symbols: new Set() };
    this.connections.add(conn);
    ws.on("close", () => this.connections.delete(conn));
    ws.on("error", () => {});
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString());
      this.received.push(msg);
      if (msg.type === "subscribe") {
        if (conn.symbols.size >= this.maxSymbols) return ws.send(JSON.stringify({ type: "error", msg: "Subscribing to too many symbols" }));
        conn.symbols.add(msg.symbol);
      } else if (msg.type === "unsubscribe") conn.symbols.delete(msg.symbol);
    });
  }

  /** Sends one trade message (an array of prints) to every connection. */
  trades(prints) {
    const text = JSON.stringify({ type: "trade", data: prints });
    for (const c of this.connections) if (c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
  }

  ping() {
    for (const c of this.connections) c.ws.send(JSON.stringify({ type: "ping" }));
  }

  symbols() {
    const out = new Set();
    for (const c of this.connections) for (const s of c.symbols) out.add(s);
    return out;
  }

  async close() {
    for (const c of this.connections) c.ws.terminate();
    this.wss.close();
    this.http.closeAllConnections?.();
    await new Promise((r) => this.http.close(() => r()));
  }
}

module.exports = { FinnhubServer };
