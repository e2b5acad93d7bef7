"use strict";
/**
 * A local AllTick WebSocket (providers.md section 1): token in the URL; cmd_id envelopes with
 * seq_id/trace echoed in replies; 22004/22002 replace the whole trade/depth list of the
 * connection; 22006 cancels; 22000 heartbeats answered with 22001; pushes 22998 (trade) and
 * 22999 (depth).
 *
 * Knobs:
 *   token, badTokenMode   "http" (refuse the upgrade with 401) | "frame" (accept, send ret 401, close)
 *   maxConnections        excess connections are accepted and closed at once (1008)
 *   symbolsPerConnection  codes past it are ignored silently (symbolLimitMode "silent", the docs)
 *                         or the request is answered ret 603 ("error")
 *   requestWindowMs       one 22004 and one 22002 per window per connection (default 1000); a
 *                         second one is answered 606 and the socket closed (rateLimitMode "close")
 *                         or answered 429 and ignored ("reject")
 *   heartbeatTimeoutMs    drop the socket after this long without a 22000 (default 30000; 0 = off)
 *   unauthorized          codes answered ret 604 (code unauthorized)
 *   seqType / timeType    "int" | "string" for pushes; timeUnit "ms" | "s"
 *   + the MockServer knobs (stall, dropAll, closeAll, rejectStatus, autoPong)
 */
const { MockServer } = require("./mock-base");

class AllTickServer extends MockServer {
  constructor(opts = {}) {
    super({ wsPath: "/quote-stock-b-ws-api", ...opts });
    this.knobs(opts, {
      token: "good-token",
      badTokenMode: "http",
      maxConnections: 1,
      symbolsPerConnection: 5,
      symbolLimitMode: "silent",
      requestWindowMs: 1000,
      rateLimitMode: "close",
      heartbeatTimeoutMs: 30000,
      seqType: "int",
      timeType: "int",
      timeUnit: "ms",
    });
    this.unauthorized = new Set(opts.unauthorized ?? []);
    this.rateViolations = 0;
    this.heartbeatDrops = 0;
    this.limitDrops = 0;
  }

  checkUpgrade(req, url) {
    if (url.searchParams.get("token") !== this.token && this.badTokenMode === "http") return 401;
    return 0;
  }

  onOpen(conn) {
    conn.trades = [];
    conn.depth = [];
    conn.lastRequest = { 22004: 0, 22002: 0 };
    conn.lastHeartbeat = Date.now();
    if (conn.url.searchParams.get("token") !== this.token) {
      conn.ws.send(JSON.stringify({ ret: 401, msg: "token invalid", cmd_id: 0, seq_id: 0, trace: "", data: {} }));
      conn.ws.close(1008, "token invalid");
      return;
    }
    const live = [...this.connections].filter((c) => c !== conn && !c.closing);
    if (live.length >= this.maxConnections) {
      // "Excess connections are disconnected immediately."
      this.limitDrops++;
      conn.closing = true;
      conn.ws.close(1008, "connection limit");
      return;
    }
    this.watchHeartbeats(conn);
  }

  reply(conn, req, cmd, ret = 200, msg = "ok") {
    this.sendTo(conn, { ret, msg, cmd_id: cmd, seq_id: req.seq_id, trace: req.trace, data: {} });
  }

  onMessage(conn, req) {
    if (req === undefined || typeof req.cmd_id !== "number") {
      this.sendTo(conn, { ret: 400, msg: "request header param invalid", cmd_id: 0, seq_id: 0, trace: "", data: {} });
      return;
    }
    switch (req.cmd_id) {
      case 22000:
        conn.lastHeartbeat = Date.now();
        return this.reply(conn, req, 22001);
      case 22004:
      case 22002: {
        const now = Date.now();
        if (now - conn.lastRequest[req.cmd_id] < this.requestWindowMs) {
          this.rateViolations++;
          if (this.rateLimitMode === "close") {
            this.reply(conn, req, req.cmd_id + 1, 606, "too many requests and connection will be closed");
            conn.ws.close(1008, "too many requests");
          } else {
            this.reply(conn, req, req.cmd_id + 1, 429, "rate limit");
          }
          return;
        }
        conn.lastRequest[req.cmd_id] = now;
        const list = req.data && Array.isArray(req.data.symbol_list) ? req.data.symbol_list.map((e) => e.code) : null;
        if (list === null || list.length === 0) return this.reply(conn, req, req.cmd_id + 1, 400, "request data param invalid");
        const bad = list.find((c) => this.unauthorized.has(c));
        if (bad) return this.reply(conn, req, req.cmd_id + 1, 604, "code unauthorized: " + bad);
        if (list.length > this.symbolsPerConnection && this.symbolLimitMode === "error") {
          return this.reply(conn, req, req.cmd_id + 1, 603, "token level not enough");
        }
        // Replace the whole list; past the plan's limit codes are silently ignored.
        conn[req.cmd_id === 22004 ? "trades" : "depth"] = list.slice(0, this.symbolsPerConnection);
        return this.reply(conn, req, req.cmd_id + 1);
      }
      case 22006: {
        const t = req.data ? req.data.cancel_type : undefined;
        if (t === 0 || t === 2) conn.trades = [];
        if (t === 0 || t === 1) conn.depth = [];
        return this.reply(conn, req, 22007);
      }
      default:
        return this.reply(conn, req, req.cmd_id + 1, 400, "request header param invalid");
    }
  }

  fmtSeq(seq) {
    return this.seqType === "string" ? String(seq) : seq;
  }

  fmtTime(ms) {
    const v = this.timeUnit === "s" ? Math.floor(ms / 1000) : ms;
    return this.timeType === "string" ? String(v) : v;
  }

  /** The wire text of a trade push (seq may be a digit string to write it as a raw JSON integer). */
  tradeFrame(code, seq, { price = "651.12", volume = "300", timeMs = 1605509068000, direction = 1 } = {}) {
    const seqText = this.seqType === "string" ? JSON.stringify(String(seq)) : String(seq);
    const timeText = JSON.stringify(this.fmtTime(timeMs));
    return `{"cmd_id":22998,"data":{"code":${JSON.stringify(code)},"seq":${seqText},"tick_time":${timeText},"price":"${price}","volume":"${volume}","turnover":"195336.0","trade_direction":${direction}}}`;
  }

  /** Sends a trade push to every connection that has `code` in its trade list. */
  trade(code, seq, fields) {
    const text = this.tradeFrame(code, seq, fields);
    for (const c of this.connections) if (c.trades && c.trades.includes(code)) this.sendTo(c, text);
  }

  depthPush(
    code,
    seq,
    { bids = [{ price: "9.12", volume: "100" }], asks = [{ price: "9.13", volume: "200" }], timeMs = 1605509068000 } = {},
  ) {
    const frame = { cmd_id: 22999, data: { code, seq: this.fmtSeq(seq), tick_time: this.fmtTime(timeMs), bids, asks } };
    for (const c of this.connections) if (c.depth && c.depth.includes(code)) this.sendTo(c, frame);
  }

  /** Sends raw text to every connection. */
  raw(text) {
    for (const c of this.connections) this.sendTo(c, text);
  }

  /** Per connection: its trade list. */
  lists() {
    return [...this.connections].filter((c) => c.trades).map((c) => c.trades);
  }
}

module.exports = { AllTickServer };
