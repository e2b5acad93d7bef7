"use strict";
/**
 * Shared plumbing of the provider mock servers: an HTTP server on 127.0.0.1 (ephemeral port)
 * that can refuse the WebSocket upgrade with an HTTP status, connection bookkeeping, a log of
 * every client message, and the knobs every provider mock has:
 *
 *   rejectStatus  HTTP status to refuse every upgrade with (401, 429, ...; null = accept)
 *   stall()       socket stays open, WebSocket pings are still answered, but nothing else is sent
 *   dropAll()     abrupt drop (the client sees 1006)
 *   closeAll(code, reason)  a server-initiated close with a code (1000, 1008, 1011, ...)
 *   autoPong      false: WebSocket pings go unanswered (a half-dead connection)
 *
 * A provider mock extends it and implements `onOpen(conn)` and `onMessage(conn, msg, text)`
 * (msg = parsed JSON or undefined), and may override `checkUpgrade(req, url)` to return an HTTP
 * status that refuses that upgrade. `watchHeartbeats(conn)` (with `heartbeatTimeoutMs` set and
 * `conn.lastHeartbeat` updated by the mock) drops a client that stops heartbeating, counted in
 * `heartbeatDrops`.
 *
 * REST (trade history for backfill) on the same port, `restBase` = http://127.0.0.1:<port>:
 * a mock implements `onHttp(req, url)` returning `{ status, body, headers }` (body: object or
 * text) or undefined (404). Knobs shared by every provider:
 *   restLog            every request: { path, query (object), headers, at }
 *   failRest(list)     answer the next requests with these instead, in order, e.g.
 *                      { status: 429, headers: { "retry-after": "1" }, body: {...} } or { status: 500 }
 *                      or { hang: true } (never answers: a timeout)
 *   restDown           true: every REST request gets 503
 */
const http = require("http");
const { EventEmitter } = require("events");
const { WebSocketServer, WebSocket } = require("ws");

/** JSON with BigInt values written as exact bare integers (what a provider's wire carries). */
function encode(value) {
  return JSON.stringify(value, (k, v) => (typeof v === "bigint" ? `__big__${v}__` : v)).replace(/"__big__(-?\d+)__"/g, "$1");
}

const REASONS = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
  500: "Internal Server Error",
};

class MockServer extends EventEmitter {
  /** `wsPath`: the provider's WebSocket path, where start() listens unless told otherwise. */
  constructor({ autoPong = true, wsPath = "/" } = {}) {
    super();
    this.autoPong = autoPong;
    this.wsPath = wsPath;
    this.rejectStatus = null;
    this.connections = new Set();
    this.totalConnections = 0;
    this.upgrades = 0;
    this.received = [];
    this.stalled = false;
    this.restLog = [];
    this.restFaults = [];
    this.restDown = false;
    this.hanging = [];
  }

  /** Sets each knob of `defaults` from `opts`, or to its default where `opts` leaves it out (undefined or null). */
  knobs(opts, defaults) {
    for (const [name, value] of Object.entries(defaults)) this[name] = opts[name] ?? value;
  }

  /** Queues canned answers for the next REST requests (see the header). */
  failRest(list) {
    this.restFaults.push(...list);
  }

  onHttp() {
    return undefined;
  }

  handleHttp(req, res) {
    const url = new URL(req.url, "http://127.0.0.1");
    const query = Object.fromEntries(url.searchParams.entries());
    this.restLog.push({ path: url.pathname, query, headers: req.headers, at: Date.now() });
    this.emit("rest", url.pathname, query);
    let answer;
    if (this.restFaults.length > 0) answer = this.restFaults.shift();
    else if (this.restDown) answer = { status: 503, body: { message: "service unavailable" } };
    else {
      try {
        answer = this.onHttp(req, url, query);
      } catch (err) {
        answer = { status: 500, body: { message: String(err && err.stack) } };
      }
    }
    if (answer && answer.hang) {
      this.hanging.push(res);
      return;
    }
    if (answer === undefined) answer = { status: 404, body: { message: "not found" } };
    const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? {});
    res.writeHead(answer.status ?? 200, { "content-type": "application/json", ...(answer.headers || {}) });
    res.end(text);
  }

  /** Starts listening; resolves with ws://127.0.0.1:<port><path>. */
  async start(path = this.wsPath) {
    this.wss = new WebSocketServer({ noServer: true, autoPong: this.autoPong });
    this.http = http.createServer((req, res) => this.handleHttp(req, res));
    this.http.on("upgrade", (req, socket, head) => {
      this.upgrades++;
      const url = new URL(req.url, "http://127.0.0.1");
      const status = this.rejectStatus ?? this.checkUpgrade(req, url);
      if (status) {
        socket.end(`HTTP/1.1 ${status} ${REASONS[status] || "Refused"}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        this.emit("refused", status);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, url));
    });
    await new Promise((resolve) => this.http.listen(0, "127.0.0.1", resolve));
    this.base = `ws://127.0.0.1:${this.http.address().port}`;
    this.restBase = `http://127.0.0.1:${this.http.address().port}`;
    this.url = this.base + path;
    return this.url;
  }

  /** HTTP status to refuse this upgrade with, or 0 to accept. */
  checkUpgrade() {
    return 0;
  }

  accept(ws, req, url) {
    const conn = { ws, id: ++this.totalConnections, url, headers: req.headers, openedAt: Date.now() };
    this.connections.add(conn);
    ws.on("error", () => {});
    ws.on("close", (code) => {
      this.connections.delete(conn);
      this.onClose(conn, code);
      this.emit("close", conn, code);
    });
    ws.on("message", (data) => {
      const text = data.toString();
      let msg;
      try {
        msg = JSON.parse(text);
      } catch {
        msg = undefined;
      }
      this.received.push({ conn: conn.id, msg, at: Date.now() });
      this.emit("message", msg, conn);
      this.onMessage(conn, msg, text);
    });
    this.onOpen(conn);
    this.emit("connection", conn);
  }

  onOpen() {}
  onMessage() {}
  onClose() {}

  /** Terminates `conn` (counted in heartbeatDrops) once no heartbeat came for heartbeatTimeoutMs; off when that is 0. */
  watchHeartbeats(conn) {
    if (!(this.heartbeatTimeoutMs > 0)) return;
    const timer = setInterval(
      () => {
        if (Date.now() - conn.lastHeartbeat >= this.heartbeatTimeoutMs) {
          this.heartbeatDrops++;
          clearInterval(timer);
          conn.ws.terminate();
        }
      },
      Math.max(5, Math.floor(this.heartbeatTimeoutMs / 10)),
    );
    conn.ws.once("close", () => clearInterval(timer));
  }

  /** Sends a frame (an object is JSON-encoded) unless stalled or closed. */
  sendTo(conn, frame) {
    if (this.stalled || conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The client messages of one kind, in order. */
  sent(filter = () => true) {
    return this.received.map((r) => r.msg).filter((m) => m !== undefined && filter(m));
  }

  stall(on = true) {
    this.stalled = on;
  }

  dropAll() {
    for (const c of this.connections) c.ws.terminate();
  }

  closeAll(code = 1000, reason = "") {
    for (const c of this.connections) c.ws.close(code, reason);
  }

  async close() {
    for (const res of this.hanging) res.destroy();
    for (const c of this.connections) c.ws.terminate();
    this.wss.close();
    this.http.closeAllConnections?.();
    await new Promise((resolve) => this.http.close(() => resolve()));
  }
}

module.exports = { MockServer, encode };
