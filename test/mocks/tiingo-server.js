"use strict";
/**
 * A local Tiingo IEX WebSocket (providers.md section 6): the token rides in every subscribe
 * message; the first subscribe (no subscriptionId) opens a subscription and is answered with an
 * `I` carrying the new subscriptionId, then an `I` with the whole ticker list; later subscribes
 * and unsubscribes reference that id and are answered with the whole list again. The server sends
 * `H` heartbeats; data arrives as `A` messages (16-field arrays, or [dateISO, ticker, price] at
 * thresholdLevel 6). Tickers are lowercase on the wire.
 *
 * Knobs:
 *   token, badTokenMode   "error" (an `E` with code 401; the default) | "info" (a non-200 `I`);
 *                         closeOnError closes the socket after an in-band error. The token is not in
 *                         the URL, so an upgrade refusal (rejectStatus = 401, from the base) is the
 *                         only HTTP-level variant.
 *   entitledLevels        thresholdLevels the account may use (default 0, 5, 6); others get the
 *                         documented `E` 400 "thresholdLevel not valid for your subscription tier"
 *   heartbeatMs           server `H` period (default 30000; 0 = none)
 *   maxConnections        connections past it get an `E` 429 and a 1008 close ([?] not documented)
 *   maxTickers            tickers past it per subscription are left out and named in an `E` 400
 *                         ([?] not documented)
 *   referenceService      `service` of level-6 data messages (default "iex"; unconfirmed)
 *   + the MockServer knobs (stall, dropAll, closeAll, rejectStatus, autoPong)
 */
const { MockServer } = require("./mock-base");

const NY_OFFSET = "-05:00";

/** Epoch ns (BigInt or digit string) -> ISO 8601 with 9 fraction digits at a fixed offset, as Tiingo writes it. */
function nsToIso(ns, offset = NY_OFFSET) {
  const n = BigInt(ns);
  const sec = n / 1000000000n;
  const frac = (n % 1000000000n).toString().padStart(9, "0");
  const sign = offset[0] === "-" ? -1 : 1;
  const offMin = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(Number(sec) * 1000 + offMin * 60000).toISOString().slice(0, 19);
  return `${local}.${frac}${offset}`;
}

class TiingoServer extends MockServer {
  constructor(opts = {}) {
    super({ wsPath: "/iex", ...opts });
    this.token = opts.token ?? "good-token";
    this.badTokenMode = opts.badTokenMode ?? "error";
    this.closeOnError = opts.closeOnError ?? false;
    this.entitledLevels = opts.entitledLevels ?? [0, 5, 6];
    this.heartbeatMs = opts.heartbeatMs ?? 30000;
    this.maxConnections = opts.maxConnections ?? Infinity;
    this.maxTickers = opts.maxTickers ?? Infinity;
    this.referenceService = opts.referenceService ?? "iex";
    this.nextId = 2563367;
    this.limitDrops = 0;
  }

  onOpen(conn) {
    conn.subs = new Map(); // subscriptionId -> { level, tickers: Set }
    const live = [...this.connections].filter((c) => c !== conn && !c.closing);
    if (live.length >= this.maxConnections) {
      this.limitDrops++;
      conn.closing = true;
      conn.ws.send(JSON.stringify({ messageType: "E", response: { code: 429, message: "Too many connections for this API token." } }));
      conn.ws.close(1008, "connection limit");
      return;
    }
    if (this.heartbeatMs > 0) {
      conn.hbTimer = setInterval(
        () => this.sendTo(conn, { messageType: "H", response: { code: 200, message: "HeartBeat" } }),
        this.heartbeatMs,
      );
    }
  }

  onClose(conn) {
    if (conn.hbTimer) clearInterval(conn.hbTimer);
  }

  error(conn, code, message) {
    this.sendTo(conn, { messageType: "E", response: { code, message } });
    if (this.closeOnError) conn.ws.close(1008, message.slice(0, 100));
  }

  info(conn, data) {
    this.sendTo(conn, { messageType: "I", data, response: { code: 200, message: "Success" } });
  }

  onMessage(conn, msg) {
    if (msg === undefined || typeof msg !== "object") return this.error(conn, 400, "Invalid JSON");
    if (msg.authorization !== this.token) {
      if (this.badTokenMode === "info") {
        this.sendTo(conn, { messageType: "I", response: { code: 401, message: "Invalid API token" } });
        if (this.closeOnError) conn.ws.close(1008, "auth");
        return;
      }
      return this.error(conn, 401, "Authorization failed: invalid API token");
    }
    const ed = msg.eventData || {};
    const tickers = Array.isArray(ed.tickers) ? ed.tickers.map((t) => String(t).toLowerCase()) : [];
    if (msg.eventName === "subscribe") {
      let id = ed.subscriptionId;
      let sub = id === undefined ? undefined : conn.subs.get(id);
      if (id !== undefined && sub === undefined) return this.error(conn, 400, "subscriptionId not found");
      if (sub === undefined) {
        const level = Number(ed.thresholdLevel ?? 5);
        if (!this.entitledLevels.includes(level)) {
          return this.error(
            conn,
            400,
            "thresholdLevel not valid for your subscription tier. Please contact support@tiingo.com for an IEX market data agreement.",
          );
        }
        id = this.nextId++;
        sub = { level, tickers: new Set() };
        conn.subs.set(id, sub);
        this.info(conn, { subscriptionId: id });
      }
      const refused = [];
      for (const t of tickers) {
        if (sub.tickers.has(t) || sub.tickers.size < this.maxTickers) sub.tickers.add(t);
        else refused.push(t);
      }
      if (refused.length > 0) this.error(conn, 400, `Ticker limit of ${this.maxTickers} reached; not subscribed: ${refused.join(", ")}`);
      return this.info(conn, { tickers: [...sub.tickers], thresholdLevel: String(sub.level) });
    }
    if (msg.eventName === "unsubscribe") {
      const sub = conn.subs.get(ed.subscriptionId);
      if (sub === undefined) return this.error(conn, 400, "subscriptionId not found");
      for (const t of tickers) sub.tickers.delete(t);
      return this.info(conn, { tickers: [...sub.tickers], thresholdLevel: String(sub.level) });
    }
    return this.error(conn, 400, "eventName not valid");
  }

  /** Connections (and the level they subscribed at) that carry `ticker`. */
  carriers(ticker) {
    const t = ticker.toLowerCase();
    const out = [];
    for (const c of this.connections) {
      if (!c.subs) continue;
      for (const sub of c.subs.values()) if (sub.tickers.has(t) || sub.tickers.has("*")) out.push([c, sub.level]);
    }
    return out;
  }

  /** The wire text of a 16-field data message; `ns` is a BigInt/digit string, written as a raw JSON integer. */
  iexFrame(fields) {
    const ns = String(fields[2]);
    const parts = fields.map((v, i) => (i === 2 ? ns : JSON.stringify(v === undefined ? null : v)));
    return `{"messageType":"A","service":"iex","data":[${parts.join(",")}]}`;
  }

  /** A trade: [T, iso, ns, ticker, null x5, price, size, halted, afterHours, iso, oddlot, nms611]. */
  tradeFrame(ticker, { price = 50.285, size = 200, ns = 1548873225594808294n, flags = [null, 0, 0, 0, 0], type = "T" } = {}) {
    return this.iexFrame([type, nsToIso(ns), ns, ticker.toLowerCase(), null, null, null, null, null, price, size, ...flags]);
  }

  quoteFrame(
    ticker,
    { bidSize = 100, bid = 81.58, ask = 81.59, askSize = 100, ns = 1548873225383129126n, flags = [0, 0, null, null, null] } = {},
  ) {
    const mid = Math.round(((bid + ask) / 2) * 1e6) / 1e6;
    return this.iexFrame(["Q", nsToIso(ns), ns, ticker.toLowerCase(), bidSize, bid, mid, ask, askSize, null, null, ...flags]);
  }

  referenceFrame(ticker, { price = 150.12, ns = 1548873225594808294n } = {}) {
    return JSON.stringify({ messageType: "A", service: this.referenceService, data: [nsToIso(ns), ticker.toLowerCase(), price] });
  }

  /** Sends a trade to every connection that subscribed the ticker (a level-6 one gets a reference price instead). */
  trade(ticker, fields = {}) {
    for (const [c, level] of this.carriers(ticker)) {
      this.sendTo(c, level === 6 ? this.referenceFrame(ticker, fields) : this.tradeFrame(ticker, fields));
    }
  }

  quote(ticker, fields = {}) {
    for (const [c, level] of this.carriers(ticker)) if (level !== 6) this.sendTo(c, this.quoteFrame(ticker, fields));
  }

  tradeBreak(ticker, fields = {}) {
    for (const [c, level] of this.carriers(ticker)) if (level !== 6) this.sendTo(c, this.tradeFrame(ticker, { ...fields, type: "B" }));
  }

  heartbeat() {
    for (const c of this.connections) this.sendTo(c, { messageType: "H", response: { code: 200, message: "HeartBeat" } });
  }

  raw(text) {
    for (const c of this.connections) this.sendTo(c, text);
  }

  /** Per live connection: the union of its subscriptions' tickers. */
  lists() {
    return [...this.connections]
      .filter((c) => c.subs && !c.closing)
      .map((c) => {
        const all = new Set();
        for (const s of c.subs.values()) for (const t of s.tickers) all.add(t);
        return [...all];
      });
  }
}

module.exports = { TiingoServer, nsToIso };
