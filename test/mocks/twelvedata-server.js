"use strict";
/**
 * A local Twelve Data WebSocket (providers.md section 5): `?apikey=` on the URL; additive
 * `subscribe` / `unsubscribe` with a comma list ("AAPL,RY:TSX,EUR/USD") or the extended form
 * ([{symbol, exchange | mic_code, type}]); `reset`; `heartbeat` answered with
 * {"event":"heartbeat","status":"ok"}. Each subscribe is answered by one `subscribe-status`
 * (status ok | warning when some failed | error when none succeeded, with success[] and fails[]);
 * unparseable messages by {"event":"subscribe-status","status":"error","messages":["Cant parse message"]}.
 * Prices: {"event":"price","symbol","currency","exchange","type","timestamp":<s>,"price","day_volume"}
 * (+ bid/ask for forex), one event per frame.
 *
 * Knobs:
 *   apikey, badKeyMode  "http" (refuse the upgrade with 401) | "frame" (accept, send a REST-style
 *                       {"code":401,"message":"...apikey...","status":"error"} and close 1008)
 *   maxConnections      3: a newer connection closes the oldest (evictCode 1008 "connection limit")
 *   symbolLimit         symbols per connection past which subscribes fail ("limit of N symbols")
 *   unauthorized        symbols that fail with "You are not authorized to access ... data."
 *   unknown             symbols that fail with "Symbol not found"
 *   eventLimit, eventWindowMs  client events allowed per window (default 100 per 60 s); past it
 *                       the socket is closed 1008 (counted in eventViolations)
 *   maxMessageBytes     1 MB: a larger client message is refused (counted in oversize)
 *   heartbeatTimeoutMs  drop the socket after this long without a heartbeat (0 = off; undocumented)
 *   heartbeatReply      false: heartbeats go unanswered
 *   priceType           "number" | "string" (decimal strings) for price/bid/ask/day_volume
 *   + the MockServer knobs (stall, dropAll, closeAll, rejectStatus, autoPong)
 */
const { MockServer } = require("./mock-base");

const exchangeOf = (symbol) => (symbol.includes("/") ? "PHYSICAL CURRENCY" : "NASDAQ");

class TwelveDataServer extends MockServer {
  constructor(opts = {}) {
    super({ wsPath: "/v1/quotes/price", ...opts });
    this.knobs(opts, {
      apikey: "good-key",
      badKeyMode: "http",
      maxConnections: 3,
      evictCode: 1008,
      symbolLimit: Infinity,
      eventLimit: 100,
      eventWindowMs: 60_000,
      maxMessageBytes: 1024 * 1024,
      heartbeatTimeoutMs: 0,
      heartbeatReply: true,
      priceType: "number",
    });
    this.unauthorized = new Set(opts.unauthorized ?? []);
    this.unknown = new Set(opts.unknown ?? []);
    this.evictions = 0;
    this.eventViolations = 0;
    this.oversize = 0;
    this.heartbeatDrops = 0;
  }

  checkUpgrade(req, url) {
    return url.searchParams.get("apikey") !== this.apikey && this.badKeyMode === "http" ? 401 : 0;
  }

  onOpen(conn) {
    conn.subs = new Map(); // requested text -> { symbol, exchange }
    conn.events = [];
    conn.lastHeartbeat = Date.now();
    if (conn.url.searchParams.get("apikey") !== this.apikey) {
      conn.ws.send(
        JSON.stringify({
          code: 401,
          message:
            "**apikey** parameter is incorrect or not specified. You can get your free API key instantly following this link: https://twelvedata.com/apikey",
          status: "error",
        }),
      );
      conn.ws.close(1008, "unauthorized");
      return;
    }
    // "Opening more connections closes the previous ones": the oldest live one goes.
    const live = [...this.connections].filter((c) => c !== conn && !c.closing && c.subs);
    if (live.length >= this.maxConnections) {
      const oldest = live.sort((a, b) => a.id - b.id)[0];
      this.evictions++;
      oldest.closing = true;
      oldest.ws.close(this.evictCode, "connection limit");
    }
    this.watchHeartbeats(conn);
  }

  onMessage(conn, msg, text) {
    if (!conn.subs || conn.closing) return;
    const now = Date.now();
    conn.events = conn.events.filter((t) => now - t < this.eventWindowMs);
    conn.events.push(now);
    if (conn.events.length > this.eventLimit) {
      this.eventViolations++;
      conn.closing = true;
      conn.ws.close(1008, "too many events");
      return;
    }
    if (Buffer.byteLength(text) > this.maxMessageBytes) {
      this.oversize++;
      this.sendTo(conn, { event: "subscribe-status", status: "error", messages: ["Message is too big"] });
      return;
    }
    if (msg === undefined || msg === null || typeof msg !== "object") {
      this.sendTo(conn, { event: "subscribe-status", status: "error", messages: ["Cant parse message"] });
      return;
    }
    switch (msg.action) {
      case "heartbeat":
        conn.lastHeartbeat = now;
        if (this.heartbeatReply) this.sendTo(conn, { event: "heartbeat", status: "ok" });
        return;
      case "subscribe":
        return this.subscribe(conn, msg);
      case "unsubscribe":
        return this.unsubscribe(conn, msg);
      case "reset":
        conn.subs.clear();
        this.sendTo(conn, { event: "reset-status", status: "ok" });
        return;
      default:
        this.sendTo(conn, { event: "subscribe-status", status: "error", messages: ["Cant parse message"] });
    }
  }

  /** The requested entries of a subscribe/unsubscribe: [{ key, symbol, exchange }] or null. */
  entries(msg) {
    const p = msg.params && msg.params.symbols;
    if (typeof p === "string") {
      return p
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map((key) => {
          const [symbol, exchange] = key.split(":");
          return { key, symbol, exchange: exchange || null };
        });
    }
    if (Array.isArray(p)) {
      return p
        .filter((e) => e && typeof e.symbol === "string")
        .map((e) => {
          const exchange = e.exchange || e.mic_code || null;
          return { key: exchange ? `${e.symbol}:${exchange}` : e.symbol, symbol: e.symbol, exchange };
        });
    }
    return null;
  }

  subscribe(conn, msg) {
    const list = this.entries(msg);
    if (list === null || list.length === 0) {
      this.sendTo(conn, { event: "subscribe-status", status: "error", messages: ["Cant parse message"] });
      return;
    }
    const success = [];
    const fails = [];
    for (const e of list) {
      if (this.unauthorized.has(e.key) || this.unauthorized.has(e.symbol)) {
        fails.push({ symbol: e.symbol, message: `You are not authorized to access ${e.exchange || "XHKG"} data.` });
      } else if (this.unknown.has(e.key) || this.unknown.has(e.symbol)) {
        fails.push({ symbol: e.symbol, message: "Symbol not found" });
      } else if (!conn.subs.has(e.key) && conn.subs.size >= this.symbolLimit) {
        fails.push({ symbol: e.symbol, message: `You have reached the limit of ${this.symbolLimit} simultaneous symbols for your plan.` });
      } else {
        conn.subs.set(e.key, { symbol: e.symbol, exchange: e.exchange });
        success.push({
          symbol: e.symbol,
          exchange: e.exchange || exchangeOf(e.symbol),
          country: "United States",
          type: e.symbol.includes("/") ? "Physical Currency" : "Common Stock",
        });
      }
    }
    const status = fails.length === 0 ? "ok" : success.length === 0 ? "error" : "warning";
    this.sendTo(conn, { event: "subscribe-status", status, success, fails });
  }

  unsubscribe(conn, msg) {
    const list = this.entries(msg) || [];
    const success = [];
    for (const e of list) if (conn.subs.delete(e.key)) success.push({ symbol: e.symbol, exchange: e.exchange || exchangeOf(e.symbol) });
    this.sendTo(conn, { event: "unsubscribe-status", status: "ok", success, fails: [] });
  }

  fmt(v) {
    return this.priceType === "string" && typeof v === "number" ? String(v) : v;
  }

  /** The price event of `symbol` (exchange defaults by symbol kind). */
  priceEvent(symbol, { price = 342.0157, timestamp = 1592249566, dayVolume = 27631112, exchange, bid, ask } = {}) {
    const fx = symbol.includes("/");
    const e = {
      event: "price",
      symbol,
      currency: fx ? undefined : "USD",
      exchange: exchange || exchangeOf(symbol),
      type: fx ? "Physical Currency" : "Common Stock",
      timestamp,
      price: this.fmt(price),
    };
    if (fx) {
      const [base, quote] = symbol.split("/");
      e.currency_base = base;
      e.currency_quote = quote;
    } else if (dayVolume !== null) e.day_volume = this.fmt(dayVolume);
    if (bid !== undefined) e.bid = this.fmt(bid);
    if (ask !== undefined) e.ask = this.fmt(ask);
    return e;
  }

  /** Sends a price event to every connection subscribed to it (by symbol, and exchange when qualified). */
  price(symbol, fields = {}) {
    const e = this.priceEvent(symbol, fields);
    for (const c of this.connections) {
      if (!c.subs || c.closing) continue;
      const hit = [...c.subs.values()].some((s) => s.symbol === symbol && (s.exchange === null || s.exchange === e.exchange));
      if (hit) this.sendTo(c, e);
    }
  }

  /** Sends raw text (or an object) to every connection. */
  raw(frame) {
    for (const c of this.connections) this.sendTo(c, frame);
  }

  /** Per open connection: its subscribed keys. */
  lists() {
    return [...this.connections].filter((c) => c.subs && !c.closing).map((c) => [...c.subs.keys()]);
  }
}

module.exports = { TwelveDataServer };
