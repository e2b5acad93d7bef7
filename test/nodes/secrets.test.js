"use strict";
/**
 * No key leaves the package: for every provider, a server that quotes the client's URL,
 * headers, auth and subscribe requests back (in its error frames, in invalid frames, in a close
 * reason, in an auth failure) through a real Node-RED runtime. Everything a user can see is
 * collected: the runtime log, output 2 (what a debug node shows), Catch-node messages, statuses.
 * The key, the secret and derived credentials (JWTs, Basic auth) must occur 0 times.
 */
const assert = require("assert");
const util = require("util");
const crypto = require("crypto");
const { helper } = require("../support/runtime");
const { mockPerTest, collect, catchNodes, statusesOf } = require("../support/flow");
const { waitFor } = require("../support/wait");
const { EchoServer } = require("../mocks/echo-server");
const feedNode = require("../../dist/nodes/tick-feed/tick-feed.js");
const subModule = require("../../dist/nodes/tick-subscribe/tick-subscribe.js");
const feedModule = feedNode;

/** The test helper's RED._ returns the bare catalog key; render the parameters too, so error texts carry what a real runtime would show. */
function rendering(mod) {
  return function (RED) {
    RED._ = (key, params) => (params ? `${key} ${JSON.stringify(params)}` : key);
    return mod(RED);
  };
}
const subNode = rendering(subModule);

const KEY = "LEAKCHECK-key-7Hq2ZrX9";
const SECRET = "LEAKCHECK+secret/5mW=q";

function ecPem() {
  return crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "sec1", format: "pem" });
}

/** Per provider: credentials, symbols, url suffix, options. */
function cases() {
  const pem = ecPem();
  return [
    {
      provider: "generic",
      symbols: "AAPL",
      secret: SECRET,
      path: "/feed?token=URLTOKEN-abc123&x=1",
      extra: ["URLTOKEN-abc123"],
      options: {
        authTemplate: '{"action":"auth","key":"$key","secret":"$secret"}',
        subscribeTemplate: '{"action":"subscribe","symbols":"$symbols","apiKey":"$key"}',
      },
    },
    {
      provider: "generic",
      label: "generic (user:pass in the URL)",
      symbols: "AAPL",
      path: "/feed",
      userinfo: "bob:pw-URLPASS-99",
      extra: ["pw-URLPASS-99", Buffer.from("bob:pw-URLPASS-99").toString("base64")],
      options: {},
    },
    { provider: "alltick", symbols: "AAPL.US", path: "/quote-stock-b-ws-api" },
    { provider: "polygon", symbols: "AAPL", path: "/stocks" },
    { provider: "alpaca", symbols: "AAPL", secret: SECRET, path: "/v2/iex" },
    { provider: "finnhub", symbols: "AAPL", path: "/" },
    { provider: "twelvedata", symbols: "AAPL", path: "/v1/quotes/price" },
    { provider: "tiingo", symbols: "AAPL", path: "/iex" },
    { provider: "binance", symbols: "btcusdt", key: "", path: "/stream?apiKey=URLKEY-binance-55", extra: ["URLKEY-binance-55"] },
    { provider: "coinbase", symbols: "BTC-USD", key: "organizations/LEAKCHECK-org/apiKeys/LEAKCHECK-kid", secret: pem, path: "/" },
  ];
}

function texts(items) {
  return items.map((x) => (typeof x === "string" ? x : util.inspect(x, { depth: 8, breakLength: Infinity })));
}

describe("secrets never leave the package (echoing server per provider, real runtime)", function () {
  this.timeout(30000);
  let server;
  const start = mockPerTest();

  for (const c of cases()) {
    it(`${c.label || c.provider}: 0 occurrences of key/secret in log, output 2, Catch and statuses`, async function () {
      const key = c.key ?? KEY;
      const secret = c.secret ?? "";
      const secrets = [key, secret, ...(c.extra || [])].filter((s) => s);
      server = await start(new EchoServer(c.provider, secrets));
      let url = server.base + c.path;
      if (c.userinfo) url = url.replace("ws://", `ws://${c.userinfo}@`);
      const flow = [
        { id: "f1", type: "tick-feed", provider: c.provider, url, options: c.options || {}, backoffMin: 20, backoffMax: 60 },
        { id: "s1", type: "tick-subscribe", feed: "f1", symbols: c.symbols, channels: "trades", wires: [["out"], ["ev"]] },
        { id: "out", type: "helper" },
        { id: "ev", type: "helper" },
        ...catchNodes(),
      ];
      await helper.load([rendering(feedModule), subNode], flow, { f1: { apiKey: key, apiSecret: secret } });
      const ev = collect("ev");
      const caught = collect("caught");
      const everything = () =>
        [...texts(helper.log().args.map((a) => a[0])), ...texts(ev), ...texts(caught), ...texts(statusesOf("s1"))].join("\n");
      // The server quoted secrets on at least two connections, and the client has reported what it heard.
      const failed = () => helper.getNode("f1").core.status().state === "failed";
      await waitFor(() => server.echoed >= 1 && (server.totalConnections >= 2 || failed()), {
        timeout: 15000,
        what: "echoes over two connections (or a failed feed)",
      });
      await waitFor(() => ev.some((m) => m.topic === "error" && m.payload.code === "malformed"), {
        timeout: 15000,
        what: "a malformed report",
      });
      await waitFor(() => ev.some((m) => m.topic === "disconnected"), { timeout: 15000, what: "a disconnect" });
      const leaked = () => secrets.some((x) => everything().includes(x));
      await waitFor(() => everything().split("***").length > 2 || leaked(), { timeout: 15000, what: "the echoes in the outputs" });
      // Derived credentials the server saw (Coinbase JWTs): these must not come out either.
      const derived = [];
      for (const t of server.seen) for (const m of t.matchAll(/eyJ[\w-]+\.[\w-]+\.([\w-]+)/g)) derived.push(m[0], m[1]);
      const all = everything();
      for (const s of [...secrets, ...derived]) {
        const lines = String(s)
          .split(/\r?\n/)
          .filter((l) => l.length >= 16);
        for (const needle of [s, ...lines]) {
          const n = all.split(needle).length - 1;
          assert.strictEqual(n, 0, `${c.provider}: "${needle.slice(0, 24)}..." occurs ${n} time(s)`);
        }
      }
      if (process.env.SHOW_ECHO) console.log(all);
      assert.ok(all.includes("***"), "the echoes reached the outputs (masked)");
      assert.ok(ev.length > 0 && helper.log().args.length > 0);
    });
  }
});
