"use strict";
/**
 * A local Alpaca market data stream v2 (providers.md section 3): `[{"T":"success","msg":"connected"}]`
 * on open; `{"action":"auth","key","secret"}` within `authTimeoutMs` answered "authenticated" or an
 * error; additive subscribe / subtractive unsubscribe, each answered with the FULL current state
 * (`corrections`/`cancelErrors` mirror `trades`); control messages alone in an array, data batched.
 * Errors are `[{"T":"error","code":N,"msg":...}]` with Alpaca's codes.
 *
 * Knobs:
 *   key, secret            the valid pair
 *   badKeyMode             "frame" (402 auth failed in band, socket stays open: the real server)
 *                          | "http" (refuse the upgrade with 401 when the APCA-API-* headers are wrong)
 *   crypto                 true: v1beta3 crypto state (orderbooks, no corrections/statuses/lulds)
 *   maxConnections         authenticated sessions per key; more get 406 at auth, then close
 *   lingerMs               after dropAll({ linger: true }) the dropped sessions still count for this long
 *                          (Alpaca holds "partially dead" connections ~90 s)
 *   symbolLimit            distinct symbols over trades + quotes; a request past it gets 405 and
 *                          changes nothing
 *   entitled               false: 409 insufficient subscription at auth (feed not in the plan)
 *   noQuotes               true: a subscribe with quotes gets 410
 *   authTimeoutMs          404 auth timeout, then close (default 10000)
 *   batch                  data messages per frame in send() (default: all in one)
 *   + the MockServer knobs (stall, dropAll, closeAll, rejectStatus (e.g. 429), autoPong)
 *
 * Integers given as BigInt (or as digit strings in `raw*` helpers) are written as bare JSON
 * integers, as Alpaca writes crypto trade ids above 2^53.
 *
 * REST trade history on the same port (providers-rest.md section 2):
 *   GET /v2/stocks/{symbol}/trades?start&end&limit&feed&sort&page_token   (APCA-API-* headers, else 403)
 *   GET /v1beta3/crypto/us/trades?symbols=BTC/USD&...                      (no key needed)
 *   trade(ev)     records a trade message (as trade()/cryptoTrade() make) and streams it
 *   history       symbol -> trade messages;  pageSize: most rows per page
 *   + failRest / restDown / restLog from MockServer.
 */
const { MockServer, encode } = require("./mock-base");

/** RFC 3339 -> BigInt ns (undefined when it is not one). */
function isoNs(text) {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(String(text));
  if (m === null) return undefined;
  const ms = Date.parse(m[1] + "Z");
  if (!Number.isFinite(ms)) return undefined;
  return BigInt(ms) * 1000000n + BigInt(((m[2] || "") + "000000000").slice(0, 9));
}

class AlpacaServer extends MockServer {
  constructor(opts = {}) {
    super(opts);
    this.key = opts.key ?? "good-key";
    this.secret = opts.secret ?? "good-secret";
    this.badKeyMode = opts.badKeyMode ?? "frame";
    this.crypto = opts.crypto ?? false;
    this.maxConnections = opts.maxConnections ?? 1;
    this.lingerMs = opts.lingerMs ?? 90000;
    this.symbolLimit = opts.symbolLimit ?? Infinity;
    this.entitled = opts.entitled ?? true;
    this.noQuotes = opts.noQuotes ?? false;
    this.authTimeoutMs = opts.authTimeoutMs ?? 10000;
    this.batch = opts.batch ?? Infinity;
    this.ghosts = []; // expiry times of dropped sessions the server still counts
    this.errorsSent = [];
    this.history = new Map();
    this.pageSize = opts.pageSize ?? 10000;
  }

  /** Records a trade message in the REST history and streams it to the subscribed sessions. */
  trade(ev) {
    if (!this.history.has(ev.S)) this.history.set(ev.S, []);
    this.history.get(ev.S).push(ev);
    this.send([ev]);
  }

  onHttp(req, url, q) {
    const stock = /^\/v2\/stocks\/([^/]+)\/trades$/.exec(url.pathname);
    const crypto = url.pathname === "/v1beta3/crypto/us/trades";
    if (!stock && !crypto) return undefined;
    const id = req.headers["apca-api-key-id"];
    const secret = req.headers["apca-api-secret-key"];
    if (stock && (id !== this.key || secret !== this.secret)) return { status: 403, body: { message: "forbidden." } };
    if (crypto && id !== undefined && (id !== this.key || secret !== this.secret))
      return { status: 401, body: { message: "unauthorized." } };
    const symbols = stock
      ? [decodeURIComponent(stock[1])]
      : String(q.symbols || "")
          .split(",")
          .filter(Boolean);
    if (symbols.length === 0) return { status: 400, body: { code: 40010001, message: "invalid symbols" } };
    const start = q.start ? isoNs(q.start) : 0n;
    const end = q.end ? isoNs(q.end) : BigInt(Date.now()) * 1000000n;
    if (start === undefined || end === undefined) return { status: 400, body: { code: 42210000, message: "invalid start or end" } };
    const all = [];
    for (const sym of symbols) {
      for (const ev of this.history.get(sym) || []) {
        const ns = isoNs(ev.t);
        if (ns >= start && ns <= end) all.push({ sym, ns, ev });
      }
    }
    all.sort((a, b) => (a.sym < b.sym ? -1 : a.sym > b.sym ? 1 : a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
    if (q.sort === "desc") all.reverse();
    const offset = q.page_token ? Number(Buffer.from(q.page_token, "base64").toString().split("|")[1]) : 0;
    const limit = Math.min(Number(q.limit || 1000), this.pageSize);
    const page = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? Buffer.from(`${symbols[0]}|${offset + limit}`).toString("base64") : null;
    const row = ({ T: _t, S: _s, ...rest }) => rest;
    if (stock) return { status: 200, body: encode({ trades: page.map((x) => row(x.ev)), symbol: symbols[0], next_page_token: next }) };
    const bySym = {};
    for (const x of page) (bySym[x.sym] = bySym[x.sym] || []).push(row(x.ev));
    return { status: 200, body: encode({ trades: bySym, next_page_token: next }) };
  }

  start(path) {
    return super.start(path ?? (this.crypto ? "/v1beta3/crypto/us" : "/v2/iex"));
  }

  checkUpgrade(req) {
    if (this.badKeyMode !== "http") return 0;
    const id = req.headers["apca-api-key-id"];
    const secret = req.headers["apca-api-secret-key"];
    if (id === undefined && secret === undefined) return 0; // message auth follows
    return id === this.key && secret === this.secret ? 0 : 401;
  }

  onOpen(conn) {
    conn.authed = false;
    conn.trades = new Set();
    conn.quotes = new Set();
    this.control(conn, { T: "success", msg: "connected" });
    if (conn.headers["apca-api-key-id"] !== undefined) {
      this.login(conn);
      return;
    }
    if (this.authTimeoutMs > 0) {
      conn.authTimer = setTimeout(() => {
        if (conn.authed) return;
        this.error(conn, 404, "auth timeout");
        conn.ws.close(1008, "auth timeout");
      }, this.authTimeoutMs);
    }
  }

  onClose(conn) {
    clearTimeout(conn.authTimer);
  }

  control(conn, message) {
    this.sendTo(conn, encode([message]));
  }

  error(conn, code, msg) {
    this.errorsSent.push(code);
    this.control(conn, { T: "error", code, msg });
  }

  liveSessions(except) {
    const now = Date.now();
    this.ghosts = this.ghosts.filter((t) => t > now);
    return [...this.connections].filter((c) => c !== except && c.authed).length + this.ghosts.length;
  }

  /** Header auth (already checked at the upgrade) or a good auth message. */
  login(conn) {
    clearTimeout(conn.authTimer);
    if (!this.entitled) return this.error(conn, 409, "insufficient subscription");
    if (this.liveSessions(conn) >= this.maxConnections) {
      this.error(conn, 406, "connection limit exceeded");
      conn.ws.close(1008, "connection limit exceeded");
      return;
    }
    conn.authed = true;
    this.control(conn, { T: "success", msg: "authenticated" });
  }

  onMessage(conn, msg) {
    if (msg === undefined || msg === null || typeof msg !== "object" || typeof msg.action !== "string") {
      return this.error(conn, 400, "invalid syntax");
    }
    if (msg.action === "auth") {
      if (conn.authed) return this.error(conn, 403, "already authenticated");
      if (msg.key !== this.key || msg.secret !== this.secret) return this.error(conn, 402, "auth failed");
      return this.login(conn);
    }
    if (msg.action !== "subscribe" && msg.action !== "unsubscribe") return this.error(conn, 400, "invalid syntax");
    if (!conn.authed) return this.error(conn, 401, "not authenticated");
    const trades = Array.isArray(msg.trades) ? msg.trades : [];
    const quotes = Array.isArray(msg.quotes) ? msg.quotes : [];
    if (msg.action === "subscribe") {
      if (quotes.length > 0 && this.noQuotes) return this.error(conn, 410, "invalid subscribe action for this feed");
      const all = new Set([...conn.trades, ...conn.quotes, ...trades, ...quotes]);
      if (all.size > this.symbolLimit) return this.error(conn, 405, "symbol limit exceeded");
      for (const s of trades) conn.trades.add(s);
      for (const s of quotes) conn.quotes.add(s);
    } else {
      for (const s of trades) conn.trades.delete(s);
      for (const s of quotes) conn.quotes.delete(s);
    }
    this.control(conn, this.state(conn));
  }

  state(conn) {
    const trades = [...conn.trades];
    const quotes = [...conn.quotes];
    if (this.crypto) return { T: "subscription", trades, quotes, orderbooks: [], bars: [], updatedBars: [], dailyBars: [] };
    return {
      T: "subscription",
      trades,
      quotes,
      bars: [],
      updatedBars: [],
      dailyBars: [],
      statuses: [],
      lulds: [],
      corrections: trades,
      cancelErrors: trades,
    };
  }

  /**
   * Sends data messages to every authenticated connection, each only the ones for its
   * subscriptions (`T` "t"/"c"/"x" follow trades, "q" quotes, others go to all), in frames of
   * `batch` messages.
   */
  send(events) {
    for (const c of this.connections) {
      if (!c.authed) continue;
      const mine = events.filter((e) =>
        e.T === "q" ? c.quotes.has(e.S) : e.T === "t" || e.T === "c" || e.T === "x" ? c.trades.has(e.S) : true,
      );
      for (let i = 0; i < mine.length; i += this.batch === Infinity ? mine.length : this.batch) {
        this.sendTo(c, encode(mine.slice(i, i + (this.batch === Infinity ? mine.length : this.batch))));
      }
    }
  }

  /** Raw text to every connection. */
  raw(text) {
    for (const c of this.connections) this.sendTo(c, text);
  }

  /** Sends 407 slow client and closes, as the server does when its buffer for a client is full. */
  slowClient() {
    for (const c of this.connections) {
      this.error(c, 407, "slow client");
      c.ws.close(1008, "slow client");
    }
  }

  /** Abrupt drop; with `linger` the server keeps counting the dropped sessions for `lingerMs`. */
  dropAll({ linger = false } = {}) {
    if (linger) for (const c of this.connections) if (c.authed) this.ghosts.push(Date.now() + this.lingerMs);
    super.dropAll();
  }

  /** Union of subscriptions per channel over all connections. */
  subs(channel = "trades") {
    const out = new Set();
    for (const c of this.connections) if (c.authed) for (const s of c[channel]) out.add(s);
    return out;
  }

  authed() {
    return [...this.connections].filter((c) => c.authed).length;
  }
}

/** A stock trade as Alpaca sends it. */
const trade = (S, i, x = "V", extra = {}) => ({
  T: "t",
  S,
  i,
  x,
  p: 126.55,
  s: 100,
  c: ["@", "I"],
  t: "2021-02-22T15:51:44.208123456Z",
  z: "C",
  ...extra,
});
/** A stock quote. */
const quote = (S, extra = {}) => ({
  T: "q",
  S,
  bx: "U",
  bp: 87.66,
  bs: 1,
  ax: "Q",
  ap: 87.68,
  as: 4,
  c: ["R"],
  t: "2021-02-22T15:51:45.335689322Z",
  z: "C",
  ...extra,
});
/** A crypto trade; give `i` as a BigInt to write it above 2^53. */
const cryptoTrade = (S, i, extra = {}) => ({
  T: "t",
  S,
  p: 47.299,
  s: 29.205707815,
  t: "2024-03-12T10:27:48.858228144Z",
  i,
  tks: "S",
  ...extra,
});

module.exports = { AlpacaServer, trade, quote, cryptoTrade, encode, isoNs };
