"use strict";
/**
 * A local Coinbase Advanced Trade market-data WebSocket (providers.md section 8): one channel per
 * subscribe/unsubscribe message; every message from the server in the envelope
 * {"channel","client_id","timestamp","sequence_num","events"} with sequence_num counted per
 * connection over all channels; a `subscriptions` message (the connection's whole list) answers
 * every (un)subscribe; a `snapshot` of recent trades follows every market_trades subscribe, then
 * `update`s (newest trade first); `heartbeats` every second to subscribers; errors
 * {"type":"error","message","reason"}.
 *
 * Knobs:
 *   invalidProducts       ids answered "Failed to subscribe" / "<ID> is not a valid product"; the whole
 *                         request is then ignored (as the Exchange feed does)
 *   publicKey             a KeyObject: a message with a `jwt` must carry a valid one (ES256 / EdDSA,
 *                         kid = sub = keyName, unexpired) or gets "authentication failure" and a close
 *                         (badJwtMode "close") or is served as unauthenticated (badJwtMode "ignore")
 *   keyName               expected kid/sub (default any)
 *   maxMsgsPerSec         unauthenticated client messages per second per IP (default 8): the one over it
 *                         gets {"type":"error","message":"rate limit exceeded"} and the socket is closed
 *   subscribeDeadlineMs   close (1008) a connection that sent no subscribe in time (default 5000; 0 = off)
 *   idleCloseMs           close a connection that was sent nothing for this long (default 60000; 0 = off);
 *                         subscribing to heartbeats prevents it
 *   heartbeatMs           heartbeat period (default 1000); heartbeatsOn = false cuts them off
 *   snapshotSize          recent trades per product replayed in a snapshot (default 3)
 *   usdcAlias             -USDC subscriptions receive the -USD product's trades (default true)
 *   tradeIdType           "string" (default) | "int" (written as a raw JSON integer)
 *   timePrecision         "us" (default) | "ms" | "ns" | "s"
 *   + the MockServer knobs (stall, dropAll, closeAll, rejectStatus, autoPong)
 */
const crypto = require("crypto");
const { MockServer } = require("./mock-base");

const PRODUCT_RE = /^[A-Z0-9]+-[A-Z0-9]+$/;

/** RFC 3339 UTC from integer µs, with the fraction cut to `precision`. */
function rfc3339(us, precision = "us") {
  const ms = Math.floor(us / 1000);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac6 = String(us % 1000000).padStart(6, "0");
  switch (precision) {
    case "s":
      return base + "Z";
    case "ms":
      return base + "." + frac6.slice(0, 3) + "Z";
    case "ns":
      return base + "." + frac6 + "123Z";
    default:
      return base + "." + frac6 + "Z";
  }
}

class CoinbaseServer extends MockServer {
  constructor(opts = {}) {
    super(opts);
    this.invalidProducts = new Set(opts.invalidProducts ?? []);
    this.publicKey = opts.publicKey ?? null;
    this.keyName = opts.keyName ?? null;
    this.badJwtMode = opts.badJwtMode ?? "close";
    this.maxMsgsPerSec = opts.maxMsgsPerSec ?? 8;
    this.subscribeDeadlineMs = opts.subscribeDeadlineMs ?? 5000;
    this.idleCloseMs = opts.idleCloseMs ?? 60000;
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.heartbeatsOn = opts.heartbeatsOn ?? true;
    this.snapshotSize = opts.snapshotSize ?? 3;
    this.usdcAlias = opts.usdcAlias ?? true;
    this.tradeIdType = opts.tradeIdType ?? "string";
    this.timePrecision = opts.timePrecision ?? "us";
    this.history = new Map(); // product -> trades, oldest first
    this.stamps = []; // unauthenticated message times (per IP: every client here is 127.0.0.1)
    this.rateViolations = 0;
    this.authFailures = 0;
    this.deadlineDrops = 0;
    this.idleDrops = 0;
    this.validJwts = 0;
    this.restLimitMax = opts.restLimitMax ?? 1000;
  }

  /**
   * REST: GET /api/v3/brokerage/market/products/{product}/ticker?limit&start&end (unix seconds),
   * public. Returns the newest `limit` trades of [start, end] (seconds, inclusive), newest first,
   * at most `restLimitMax`; an unknown product gets 404.
   */
  onHttp(req, url, q) {
    const m = /^\/api\/v3\/brokerage\/market\/products\/([^/]+)\/ticker$/.exec(url.pathname);
    if (m === null) return undefined;
    const product = decodeURIComponent(m[1]);
    if (this.invalidProducts.has(product))
      return { status: 404, body: { error: "NOT_FOUND", error_details: "ProductID is invalid", message: "ProductID is invalid" } };
    if (q.limit === undefined) return { status: 400, body: { error: "INVALID_ARGUMENT", message: "limit is required" } };
    const wire = this.wireOf(product);
    const startUs = q.start !== undefined ? Number(q.start) * 1e6 : -Infinity;
    const endUs = q.end !== undefined ? Number(q.end) * 1e6 + 999999 : Infinity;
    const rows = (this.history.get(wire) || []).filter((t) => t.us >= startUs && t.us <= endUs).sort((a, b) => b.us - a.us);
    const limit = Math.min(Number(q.limit), this.restLimitMax);
    return {
      status: 200,
      body: { trades: rows.slice(0, limit).map((t) => ({ ...this.wireTrade(t), exchange: "" })), best_bid: "1", best_ask: "2" },
    };
  }

  onOpen(conn) {
    conn.seq = 0;
    conn.products = new Set();
    conn.heartbeats = false;
    conn.subscribedOnce = false;
    conn.lastSentAt = Date.now();
    conn.counter = 0;
    conn.timer = setInterval(() => this.tick(conn), Math.max(5, Math.min(this.heartbeatMs, 50)));
    conn.lastBeatAt = Date.now();
  }

  onClose(conn) {
    clearInterval(conn.timer);
  }

  /** Per-connection housekeeping: heartbeats, the subscribe deadline, the idle close. */
  tick(conn) {
    const now = Date.now();
    if (this.subscribeDeadlineMs > 0 && !conn.subscribedOnce && now - conn.openedAt >= this.subscribeDeadlineMs) {
      this.deadlineDrops++;
      clearInterval(conn.timer);
      conn.ws.close(1008, "subscribe timeout");
      return;
    }
    if (conn.heartbeats && this.heartbeatsOn && now - conn.lastBeatAt >= this.heartbeatMs) {
      conn.lastBeatAt = now;
      this.envelope(conn, "heartbeats", [{ current_time: new Date().toISOString(), heartbeat_counter: ++conn.counter }]);
    }
    if (this.idleCloseMs > 0 && now - conn.lastSentAt >= this.idleCloseMs) {
      this.idleDrops++;
      clearInterval(conn.timer);
      conn.ws.close(1000, "idle");
    }
  }

  /** Sends one enveloped message, numbering it on its connection. */
  envelope(conn, channel, events) {
    if (this.stalled) return;
    conn.lastSentAt = Date.now();
    const text = JSON.stringify({ channel, client_id: "", timestamp: rfc3339(Date.now() * 1000, "ns"), sequence_num: conn.seq++, events });
    // tradeIdType "int": trade ids as raw JSON integers (big ones stay exact on the wire).
    this.sendTo(conn, this.tradeIdType === "int" ? text.replace(/"trade_id":"(\d+)"/g, '"trade_id":$1') : text);
  }

  /** Makes the next message on every connection skip `n` sequence numbers (a dropped-message gap). */
  skipSequence(n = 1) {
    for (const c of this.connections) c.seq += n;
  }

  error(conn, message, reason) {
    conn.lastSentAt = Date.now();
    this.sendTo(conn, reason === undefined ? { type: "error", message } : { type: "error", message, reason });
  }

  /** undefined = no jwt; true = valid; false = invalid. */
  checkJwt(token) {
    if (token === undefined) return undefined;
    if (typeof token !== "string" || this.publicKey === null) return false;
    const parts = token.split(".");
    if (parts.length !== 3) return false;
    try {
      const header = JSON.parse(Buffer.from(parts[0], "base64url").toString());
      const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString());
      const data = Buffer.from(parts[0] + "." + parts[1]);
      const sig = Buffer.from(parts[2], "base64url");
      const ok =
        header.alg === "ES256"
          ? crypto.verify("sha256", data, { key: this.publicKey, dsaEncoding: "ieee-p1363" }, sig)
          : header.alg === "EdDSA"
            ? crypto.verify(null, data, this.publicKey, sig)
            : false;
      const now = Math.floor(Date.now() / 1000);
      if (!ok || payload.iss !== "cdp" || !(payload.exp > now) || payload.nbf > now + 5 || typeof header.nonce !== "string") return false;
      if (this.keyName !== null && (header.kid !== this.keyName || payload.sub !== this.keyName)) return false;
      return true;
    } catch {
      return false;
    }
  }

  onMessage(conn, msg) {
    const jwt = this.checkJwt(msg && msg.jwt);
    if (jwt === false) {
      this.authFailures++;
      if (this.badJwtMode === "close") {
        this.error(conn, "authentication failure");
        conn.ws.close(1008, "authentication failure");
        return;
      }
    }
    if (jwt === true) this.validJwts++;
    else {
      const now = Date.now();
      this.stamps = this.stamps.filter((t) => now - t < 1000);
      this.stamps.push(now);
      if (this.stamps.length > this.maxMsgsPerSec) {
        this.rateViolations++;
        this.error(conn, "rate limit exceeded");
        conn.ws.close(1008, "rate limit exceeded");
        return;
      }
    }
    if (msg === undefined || (msg.type !== "subscribe" && msg.type !== "unsubscribe")) {
      this.error(conn, "Failed to parse", "message type must be subscribe or unsubscribe");
      return;
    }
    if (msg.channel === "heartbeats") {
      conn.subscribedOnce = true;
      conn.heartbeats = msg.type === "subscribe";
      this.ack(conn);
      return;
    }
    if (msg.channel !== "market_trades") {
      this.error(conn, "Failed to subscribe", "unsupported channel " + String(msg.channel));
      return;
    }
    const ids = Array.isArray(msg.product_ids) ? msg.product_ids : [];
    if (msg.type === "subscribe") {
      const bad = ids.find((p) => typeof p !== "string" || !PRODUCT_RE.test(p) || this.invalidProducts.has(p));
      if (bad !== undefined) {
        this.error(conn, "Failed to subscribe", `${bad} is not a valid product`);
        return;
      }
      if (ids.length === 0) {
        this.error(conn, "Failed to subscribe", "No product ids provided");
        return;
      }
      conn.subscribedOnce = true;
      const fresh = ids.filter((p) => !conn.products.has(p));
      for (const p of ids) conn.products.add(p);
      this.ack(conn);
      const snap = [];
      for (const p of fresh) {
        const wire = this.wireOf(p);
        const h = this.history.get(wire) || [];
        snap.push(...h.slice(-this.snapshotSize));
      }
      snap.sort((a, b) => b.us - a.us);
      this.envelope(conn, "market_trades", [{ type: "snapshot", trades: snap.map((t) => this.wireTrade(t)) }]);
      return;
    }
    for (const p of ids) conn.products.delete(p);
    this.ack(conn);
  }

  ack(conn) {
    const subscriptions = {};
    if (conn.products.size > 0) subscriptions.market_trades = [...conn.products];
    if (conn.heartbeats) subscriptions.heartbeats = ["heartbeats"];
    this.envelope(conn, "subscriptions", [{ subscriptions }]);
  }

  /** The product whose data a subscription gets (-USDC -> -USD on public channels). */
  wireOf(p) {
    return this.usdcAlias && p.endsWith("-USDC") ? p.slice(0, -1) : p;
  }

  wireTrade(t) {
    return {
      trade_id: String(t.id),
      product_id: t.product,
      price: t.price,
      size: t.size,
      side: t.side,
      time: rfc3339(t.us, this.timePrecision),
    };
  }

  /** Records trades (each {product, id, price?, size?, side?, us?}) and sends them as ONE update per connection. */
  update(trades, { record = true } = {}) {
    const full = trades.map((t, i) => ({
      price: "42000.01",
      size: "0.015",
      side: "BUY",
      us: 1700000000000000 + Number(t.id) * 1000 + i,
      ...t,
    }));
    if (record) {
      for (const t of full) {
        if (!this.history.has(t.product)) this.history.set(t.product, []);
        this.history.get(t.product).push(t);
      }
    }
    for (const c of this.connections) {
      const mine = full.filter((t) => [...c.products].some((p) => this.wireOf(p) === t.product));
      if (mine.length === 0) continue;
      // Newest first, like Coinbase's batches.
      const wire = [...mine].sort((a, b) => b.us - a.us).map((t) => this.wireTrade(t));
      this.envelope(c, "market_trades", [{ type: "update", trades: wire }]);
    }
  }

  /** One trade in its own update. */
  trade(product, id, fields = {}) {
    this.update([{ product, id, ...fields }]);
  }

  /** Per connection: its market_trades products, sorted. */
  lists() {
    return [...this.connections].map((c) => [...c.products].sort());
  }
}

module.exports = { CoinbaseServer, rfc3339 };
