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
 *
 * REST trade history (`GET /v3/trades/{ticker}`, providers-rest.md section 1) on the same port:
 *   trade(sym, spec)      records a trade in the history and sends it on the socket (if anyone
 *                         is subscribed): spec { i, ns (BigInt SIP ns), x, p, s, c, q, z }
 *   history               sym -> rows as the REST API returns them
 *   pageSize              most rows per page whatever `limit` asks (pagination tests)
 *   nextHost              host written into next_url (default https://api.polygon.io, as the real
 *                         API does: the client must put its own base back)
 *   Auth: `Authorization: Bearer KEY` or `apiKey=KEY`; else 401 {"status":"ERROR","error":"Unknown API Key"}.
 *   + failRest / restDown / restLog from MockServer.
 */
const { MockServer, encode } = require("./mock-base");

class PolygonServer extends MockServer {
  constructor(opts = {}) {
    super({ wsPath: "/stocks", ...opts });
    this.validKey = opts.validKey ?? "good-key";
    this.maxConnections = opts.maxConnections ?? 1;
    this.noWebsocketPlan = opts.noWebsocketPlan ?? false;
    this.authTimeoutMs = opts.authTimeoutMs ?? 0;
    this.batch = opts.batch ?? Infinity;
    this.evictions = 0;
    this.history = new Map();
    this.pageSize = opts.pageSize ?? 50000;
    this.nextHost = opts.nextHost ?? "https://api.polygon.io";
  }

  /** Records a trade (REST history) and streams it (socket). */
  trade(sym, spec) {
    const ns = BigInt(spec.ns);
    const row = {
      sip_timestamp: ns,
      participant_timestamp: ns - 1234n,
      price: spec.p ?? 114.125,
      size: spec.s ?? 100,
      exchange: spec.x ?? 4,
      conditions: spec.c ?? [0, 12],
      id: String(spec.i),
      sequence_number: spec.q ?? 1000 + Number(spec.i),
      tape: spec.z ?? 3,
    };
    if (spec.trfi !== undefined) {
      row.trf_id = spec.trfi;
      row.trf_timestamp = ns - 5000n;
    }
    if (!this.history.has(sym)) this.history.set(sym, []);
    this.history.get(sym).push(row);
    const ev = {
      ev: "T",
      sym,
      x: row.exchange,
      i: row.id,
      z: row.tape,
      p: row.price,
      s: row.size,
      c: row.conditions,
      t: Number(ns / 1000000n),
      q: row.sequence_number,
    };
    if (row.trf_id !== undefined) {
      ev.trfi = row.trf_id;
      ev.trft = Number(row.trf_timestamp / 1000000n);
    }
    this.send([ev]);
    return ev;
  }

  onHttp(req, url, q) {
    const m = /^\/v3\/trades\/([^/]+)$/.exec(url.pathname);
    if (m === null) return undefined;
    const auth = req.headers.authorization || "";
    const key = auth.startsWith("Bearer ") ? auth.slice(7) : q.apiKey;
    if (key === undefined) return { status: 401, body: { status: "ERROR", request_id: "r", error: "API Key was not provided" } };
    if (key !== this.validKey) return { status: 401, body: { status: "ERROR", request_id: "r", error: "Unknown API Key" } };
    const sym = decodeURIComponent(m[1]);
    let p = q;
    let offset = 0;
    if (q.cursor) {
      p = JSON.parse(Buffer.from(q.cursor, "base64url").toString());
      offset = p.offset;
    }
    const big = (v) => (v === undefined ? undefined : BigInt(v));
    const gte = big(p["timestamp.gte"]),
      lte = big(p["timestamp.lte"]),
      gt = big(p["timestamp.gt"]),
      lt = big(p["timestamp.lt"]);
    const rows = (this.history.get(sym) || []).filter(
      (r) =>
        (gte === undefined || r.sip_timestamp >= gte) &&
        (lte === undefined || r.sip_timestamp <= lte) &&
        (gt === undefined || r.sip_timestamp > gt) &&
        (lt === undefined || r.sip_timestamp < lt),
    );
    rows.sort((a, b) => (a.sip_timestamp < b.sip_timestamp ? -1 : a.sip_timestamp > b.sip_timestamp ? 1 : 0));
    if ((p.order || "desc") === "desc") rows.reverse();
    const limit = Math.min(Number(p.limit || 1000), this.pageSize);
    const page = rows.slice(offset, offset + limit);
    const body = { status: "OK", request_id: "r" + this.restLog.length, results: page };
    if (offset + limit < rows.length) {
      const { cursor: _c, ...rest } = p;
      const cursor = Buffer.from(JSON.stringify({ ...rest, offset: offset + limit })).toString("base64url");
      body.next_url = `${this.nextHost}/v3/trades/${encodeURIComponent(sym)}?cursor=${cursor}`;
    }
    return { status: 200, body: encode(body) };
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
    const topics = String(msg.params || "")
      .split(",")
      .filter(Boolean);
    if (msg.action === "subscribe") {
      for (const t of topics) conn.topics.add(t);
      this.sendTo(
        conn,
        topics.map((t) => ({ ev: "status", status: "success", message: "subscribed to: " + t })),
      );
    } else if (msg.action === "unsubscribe") {
      for (const t of topics) conn.topics.delete(t);
      this.sendTo(
        conn,
        topics.map((t) => ({ ev: "status", status: "success", message: "unsubscribed to: " + t })),
      );
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
      this.sendTo(older, [
        {
          ev: "status",
          status: "max_connections",
          message: "Maximum number of websocket connections exceeded. You have reached the connection limit for your account.",
        },
      ]);
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

const T = (sym, i, x = 4, extra = {}) => ({
  ev: "T",
  sym,
  x,
  i: String(i),
  z: 3,
  p: 114.125,
  s: 100,
  c: [0, 12],
  t: 1536036818784,
  q: 3681328 + Number(i),
  ...extra,
});

module.exports = { PolygonServer, T };
