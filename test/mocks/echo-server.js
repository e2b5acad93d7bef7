"use strict";
/**
 * A hostile server that quotes the client back: for each provider it speaks just enough of the
 * protocol to get the client's auth and subscribe requests, and echoes the request (and the
 * URL and headers it was opened with) in the provider's own error frames, in invalid frames
 * (malformed samples), and in a close reason. Used to check that no key ever leaves the package.
 *
 *   connection 1: hello; error + invalid frame quoting the URL and headers; per request: error +
 *                 invalid frame quoting it (auth success where the protocol needs one); after the
 *                 subscribe request, closes with a reason quoting the most secret text seen.
 *   connection 2+: same, but the subscribe (or auth) request is answered with an auth failure
 *                 quoting it (where the provider has one), so the feed ends up failed.
 */
const { MockServer } = require("./mock-base");

/** Per provider: hello frames, an error frame quoting `text`, an auth-failure frame, and which request needs an auth OK. */
const PROFILES = {
  generic: { error: (t) => ({ error: t }), authFail: null },
  alltick: {
    error: (t, m) => ({ ret: 603, msg: t, cmd_id: 22005, seq_id: m && m.seq_id, trace: "", data: {} }),
    authFail: (t) => ({ ret: 401, msg: "token invalid: " + t, cmd_id: 0, seq_id: 0, trace: "", data: {} }),
  },
  polygon: {
    hello: [[{ ev: "status", status: "connected", message: "Connected Successfully" }]],
    error: (t) => [{ ev: "status", status: "error", message: t }],
    authOk: (m) => m && m.action === "auth" && [{ ev: "status", status: "auth_success", message: "authenticated" }],
    authFail: (t) => [{ ev: "status", status: "auth_failed", message: "authentication failed: " + t }],
  },
  alpaca: {
    hello: [[{ T: "success", msg: "connected" }]],
    error: (t) => [{ T: "error", code: 400, msg: t }],
    authOk: (m) => m && m.action === "auth" && [{ T: "success", msg: "authenticated" }],
    authFail: (t) => [{ T: "error", code: 402, msg: "auth failed " + t }],
  },
  finnhub: { error: (t) => ({ type: "error", msg: t }), authFail: null },
  twelvedata: {
    error: (t) => ({ event: "error", status: "error", messages: [t] }),
    authFail: (t) => ({ event: "subscribe-status", status: "error", code: 401, messages: ["Invalid api key: " + t] }),
  },
  tiingo: {
    quietOpen: true, // an error before the first subscribe is answered ends the session
    error: (t) => ({ messageType: "E", response: { code: 400, message: t } }),
    authFail: (t) => ({ messageType: "E", response: { code: 401, message: "Authorization failed: " + t } }),
  },
  binance: { error: (t, m) => ({ error: { code: 2, msg: t }, id: m && m.id !== undefined ? m.id : null }), authFail: null },
  coinbase: {
    error: (t) => ({ type: "error", message: "Failed to parse", reason: t }),
    authFail: (t) => ({ type: "error", message: "authentication failure", reason: t }),
  },
};

class EchoServer extends MockServer {
  /** `secrets`: the strings the client must never let out (used only to pick what to quote in a close reason). */
  constructor(provider, secrets) {
    super();
    this.profile = PROFILES[provider];
    if (!this.profile) throw new Error("no echo profile for " + provider);
    this.secrets = secrets.filter((s) => s);
    this.echoed = 0; // frames sent that quote a secret
    this.seen = []; // every text the client sent (to find derived secrets such as JWTs)
  }

  quote(conn, text, msg, native = true) {
    if (this.secrets.some((s) => text.includes(s))) this.echoed++;
    if (native) this.sendTo(conn, this.profile.error(text, msg));
    if (conn.ws.readyState === 1) conn.ws.send("<<not json>> you sent: " + text);
  }

  onOpen(conn) {
    for (const h of this.profile.hello || []) this.sendTo(conn, h);
    // Before an auth handshake a native error would end the connection early: only an invalid frame then.
    this.quote(
      conn,
      `GET ${conn.url.pathname}${conn.url.search} ${JSON.stringify(conn.headers)}`,
      undefined,
      !this.profile.authOk && !this.profile.quietOpen,
    );
  }

  onMessage(conn, msg, text) {
    this.seen.push(text);
    // Credentials derived from the key (Coinbase signs a JWT per message) count as secrets too.
    for (const m of text.matchAll(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g)) this.secrets.push(m[0]);
    const p = this.profile;
    const ok = p.authOk ? p.authOk(msg) : null;
    if (ok) {
      if (conn.id === 1) {
        this.sendTo(conn, ok);
        this.quote(conn, text, msg);
      } else {
        this.quote(conn, text, msg, false);
        this.failAuth(conn, text);
      }
      return;
    }
    this.quote(conn, text, msg);
    if (conn.id === 1 || !p.authFail) {
      const withSecret = [...this.seen, conn.url.search].find((t) => this.secrets.some((s) => t.includes(s))) || text;
      const s = this.secrets.find((x) => withSecret.includes(x));
      const at = s ? Math.max(0, withSecret.indexOf(s) - 10) : 0;
      let reason = withSecret.slice(at);
      while (Buffer.byteLength(reason) > 120) reason = reason.slice(0, -1);
      if (this.secrets.some((x) => reason.includes(x))) this.echoed++;
      setImmediate(() => conn.ws.readyState === 1 && conn.ws.close(4000, reason));
    } else {
      this.failAuth(conn, text);
    }
  }

  failAuth(conn, text) {
    this.sendTo(conn, this.profile.authFail(text));
    if (this.secrets.some((s) => text.includes(s))) this.echoed++;
  }
}

module.exports = { EchoServer };
