"use strict";
/**
 * REST history clients: the request each sends, pagination, and the central promise: a trade
 * read from the REST history is the same Tick (and dedup key) as the live socket makes of it.
 */
const assert = require("assert");
const { RestSession, DEFAULT_REST_OPTIONS } = require("../../dist/lib/backfill/http");
const { PolygonHistory } = require("../../dist/lib/backfill/polygon");
const { AlpacaHistory, rfc3339Micros } = require("../../dist/lib/backfill/alpaca");
const { BinanceHistory } = require("../../dist/lib/backfill/binance");
const { CoinbaseHistory } = require("../../dist/lib/backfill/coinbase");
const { createHistoryClient } = require("../../dist/lib/backfill");
const { PolygonSession, polygonDedupKey } = require("../../dist/lib/providers/polygon");
const { AlpacaSession, alpacaDedupKey } = require("../../dist/lib/providers/alpaca");
const { BinanceSession } = require("../../dist/lib/providers/binance");
const { CoinbaseSession } = require("../../dist/lib/providers/coinbase");
const { defaultDedupKey } = require("../../dist/lib/providers/common");
const { fakeCtx, feed, change } = require("../support/session-ctx");

/** A RestSession over canned answers (by call order); records URLs and headers. */
function rest(answers) {
  const calls = [];
  const get = async (url, headers) => {
    calls.push({ url, headers });
    const a = typeof answers === "function" ? answers(url) : answers.shift();
    return { status: a.status ?? 200, headers: {}, body: typeof a.body === "string" ? a.body : JSON.stringify(a.body) };
  };
  const session = new RestSession(
    get,
    async () => undefined,
    () => 0,
    { ...DEFAULT_REST_OPTIONS, minIntervalMs: 0 },
    [],
  );
  return { session, calls };
}

async function collectPages(client, gap, r, info = {}) {
  const pages = [];
  for await (const p of client.pages(gap, r.session, new AbortController().signal, info)) pages.push(p);
  return pages;
}

const settings = (provider, options = {}, apiKey = "KEY1", apiSecret = "SEC1") => ({ provider, url: "", apiKey, apiSecret, options });
const strip = ({ recvTs: _r, backfill: _b, ...others }) => others;

describe("backfill REST clients", function () {
  describe("polygon /v3/trades", function () {
    const rowText =
      '{"status":"OK","request_id":"a","results":[' +
      '{"conditions":[12,41],"exchange":11,"id":"71675577320245","participant_timestamp":1517562000015577000,"price":171.55,"sequence_number":1063,"sip_timestamp":1517562000016036581,"size":100,"tape":3},' +
      '{"conditions":[37],"exchange":4,"id":"5","participant_timestamp":1517562000017000000,"price":171.5,"sequence_number":1064,"sip_timestamp":1517562000017999999,"size":7,"tape":3,"trf_id":201,"trf_timestamp":1517562000017500000}' +
      '],"next_url":"https://api.polygon.io/v3/trades/AAPL?cursor=YWJj"}';

    it("asks for the gap in ascending SIP-ns order with the key in a header, and follows next_url on its own base", async function () {
      const c = new PolygonHistory(settings("polygon"), "http://127.0.0.1:9/");
      const r = rest([{ body: rowText }, { body: { status: "OK", results: [] } }]);
      const pages = await collectPages(c, { symbol: "AAPL", fromTs: 1517562000016036, toTs: 1517562000018000 }, r);
      const u = new URL(r.calls[0].url);
      assert.strictEqual(u.origin + u.pathname, "http://127.0.0.1:9/v3/trades/AAPL");
      assert.strictEqual(u.searchParams.get("timestamp.gte"), "1517562000016000000", "from the start of the last live millisecond");
      assert.strictEqual(u.searchParams.get("timestamp.lte"), "1517562000018999999", "to the end of the first live millisecond");
      assert.strictEqual(u.searchParams.get("order"), "asc");
      assert.strictEqual(u.searchParams.get("limit"), "50000");
      assert.strictEqual(r.calls[0].headers.Authorization, "Bearer KEY1");
      assert.ok(!r.calls[0].url.includes("KEY1"));
      assert.strictEqual(r.calls[1].url, "http://127.0.0.1:9/v3/trades/AAPL?cursor=YWJj");
      assert.strictEqual(pages[0].length, 2);
    });

    it("makes the same Tick and dedup key as the socket (ns read exactly, ts to the socket's millisecond)", async function () {
      const c = new PolygonHistory(settings("polygon"), "");
      const r = rest([{ body: rowText.replace(/,"next_url":"[^"]*"/, "") }]);
      const [page] = await collectPages(c, { symbol: "AAPL", fromTs: 0, toTs: 2e15 }, r);
      const ctx = fakeCtx({ provider: "polygon", upstream: { trades: ["AAPL"] } });
      const live = new PolygonSession(ctx);
      feed(live, [
        { ev: "T", sym: "AAPL", x: 11, i: "71675577320245", z: 3, p: 171.55, s: 100, c: [12, 41], t: 1517562000016, q: 1063 },
        { ev: "T", sym: "AAPL", x: 4, i: "5", z: 3, p: 171.5, s: 7, c: [37], t: 1517562000017, q: 1064, trfi: 201, trft: 1517562000017 },
      ]);
      assert.deepStrictEqual(page.map(strip), ctx.ticks.map(strip));
      assert.deepStrictEqual(page.map(polygonDedupKey), ctx.ticks.map(polygonDedupKey));
    });

    it("is stocks-only", function () {
      assert.ok("unsupported" in createHistoryClient(settings("polygon", { cluster: "crypto" }), ""));
    });
  });

  describe("alpaca trades", function () {
    it("stocks: /v2/stocks/{symbol}/trades with the live feed, inclusive µs bounds, page_token; same Tick as the socket", async function () {
      const c = new AlpacaHistory(settings("alpaca", { feed: "sip" }), "");
      const row = { t: "2022-04-11T14:30:00.008348123Z", x: "D", p: 166.48, s: 1, c: ["@", "I"], i: 50688, z: "C" };
      const r = rest([
        { body: { trades: [row], symbol: "AAPL", next_page_token: "TOK" } },
        { body: { trades: [], symbol: "AAPL", next_page_token: null } },
      ]);
      const pages = await collectPages(c, { symbol: "AAPL", fromTs: 1649687400008348, toTs: 1649687401000000 }, r);
      const u = new URL(r.calls[0].url);
      assert.strictEqual(u.origin + u.pathname, "https://data.alpaca.markets/v2/stocks/AAPL/trades");
      assert.strictEqual(u.searchParams.get("start"), "2022-04-11T14:30:00.008348Z");
      assert.strictEqual(u.searchParams.get("end"), "2022-04-11T14:30:01.000000999Z");
      assert.strictEqual(u.searchParams.get("feed"), "sip");
      assert.strictEqual(new URL(r.calls[1].url).searchParams.get("page_token"), "TOK");
      assert.strictEqual(r.calls[0].headers["APCA-API-KEY-ID"], "KEY1");
      assert.strictEqual(r.calls[0].headers["APCA-API-SECRET-KEY"], "SEC1");
      const ctx = fakeCtx({ provider: "alpaca", upstream: { trades: ["AAPL"] } });
      const live = new AlpacaSession(ctx, { limitRetryMs: 1, stallMs: 0, stallHours: "never", delayMs: 0 });
      feed(live, [{ T: "t", S: "AAPL", ...row }]);
      assert.deepStrictEqual(pages[0].map(strip), ctx.ticks.map(strip));
      assert.deepStrictEqual(pages[0].map(alpacaDedupKey), ctx.ticks.map(alpacaDedupKey));
    });

    it("crypto: /v1beta3/crypto/us/trades?symbols=, ids above 2^53 exact", async function () {
      const c = new AlpacaHistory(settings("alpaca", { feed: "crypto" }, "", ""), "");
      const text =
        '{"trades":{"BTC/USD":[{"t":"2024-03-12T10:27:48.858228144Z","p":47.299,"s":0.5,"tks":"S","i":9007199254740993}]},"next_page_token":null}';
      const r = rest([{ body: text }]);
      const [page] = await collectPages(c, { symbol: "BTC/USD", fromTs: 0, toTs: 2e15 }, r);
      const u = new URL(r.calls[0].url);
      assert.strictEqual(u.pathname, "/v1beta3/crypto/us/trades");
      assert.strictEqual(u.searchParams.get("symbols"), "BTC/USD");
      assert.strictEqual(r.calls[0].headers["APCA-API-KEY-ID"], undefined, "no key: none sent");
      assert.strictEqual(page[0].id, "9007199254740993");
      const ctx = fakeCtx({ provider: "alpaca", upstream: { trades: ["BTC/USD"] } });
      const live = new AlpacaSession(ctx, { limitRetryMs: 1, stallMs: 0, stallHours: "never", delayMs: 0 });
      live.message(
        Buffer.from('[{"T":"t","S":"BTC/USD","t":"2024-03-12T10:27:48.858228144Z","p":47.299,"s":0.5,"tks":"S","i":9007199254740993}]'),
      );
      assert.deepStrictEqual(page.map(strip), ctx.ticks.map(strip));
    });

    it("the test feed has no history; RFC 3339 keeps the microseconds", function () {
      assert.ok("unsupported" in createHistoryClient(settings("alpaca", { feed: "test" }), ""));
      assert.strictEqual(rfc3339Micros(1700000000000001), "2023-11-14T22:13:20.000001Z");
    });
  });

  describe("binance", function () {
    it("aggTrades: fromId after the last live id, pages by id until the first live id after the reconnect; same Tick as the socket", async function () {
      const c = new BinanceHistory(settings("binance", { stream: "aggTrade" }), "");
      const page1 = Array.from({ length: 1000 }, (_, k) => ({
        a: 101 + k,
        p: "1.5",
        q: "2",
        f: 1,
        l: 1,
        T: 1700000000000 + k,
        m: true,
        M: true,
      }));
      const page2 = [
        { a: 1101, p: "1.5", q: "2", f: 1, l: 1, T: 1700000000999, m: false, M: true },
        { a: 1102, p: "1.6", q: "1", f: 1, l: 1, T: 1700000001000, m: false, M: true },
      ];
      const r = rest([{ body: page1 }, { body: page2 }]);
      const pages = await collectPages(c, { symbol: "btcusdt", fromTs: 0, fromId: "100", toTs: 1700000001000000, toId: "1102" }, r);
      assert.match(r.calls[0].url, /^https:\/\/api\.binance\.com\/api\/v3\/aggTrades\?symbol=BTCUSDT&fromId=101&limit=1000$/);
      assert.match(r.calls[1].url, /fromId=1101/);
      assert.strictEqual(r.calls.length, 2);
      assert.strictEqual(pages[1].length, 2, "up to and including the first live id (dedup drops it)");
      const ctx = fakeCtx({ provider: "binance", upstream: { trades: ["btcusdt"] } });
      const live = new BinanceSession(ctx, "aggTrade", false);
      live.subscribe(change({ trades: ["btcusdt"] }));
      feed(live, {
        stream: "btcusdt@aggTrade",
        data: { e: "aggTrade", E: 1, s: "BTCUSDT", a: 1101, p: "1.5", q: "2", f: 1, l: 1, T: 1700000000999, m: false, M: true },
      });
      assert.deepStrictEqual(strip(pages[1][0]), strip(ctx.ticks[0]));
      assert.strictEqual(defaultDedupKey(pages[1][0]), defaultDedupKey(ctx.ticks[0]));
    });

    it("historicalTrades for the trade stream; without a live id the first id comes from aggTrades?startTime; µs on request", async function () {
      const c = new BinanceHistory(settings("binance", { timeUnit: "us" }), "http://mirror:1");
      const r = rest([
        { body: [{ a: 7, f: 500, l: 501, p: "1", q: "1", T: 1700000000000000, m: true }] },
        { body: [{ id: 500, price: "1", qty: "1", quoteQty: "1", time: 1700000000000123, isBuyerMaker: true, isBestMatch: true }] },
      ]);
      const pages = await collectPages(c, { symbol: "ETHUSDT", fromTs: 1700000000000000, toTs: 1700000000000500 }, r);
      assert.match(r.calls[0].url, /^http:\/\/mirror:1\/api\/v3\/aggTrades\?symbol=ETHUSDT&startTime=1700000000000&limit=1$/);
      assert.match(r.calls[1].url, /historicalTrades\?symbol=ETHUSDT&fromId=500&limit=1000$/);
      assert.strictEqual(r.calls[1].headers["X-MBX-TIME-UNIT"], "MICROSECOND");
      const ctx = fakeCtx({ provider: "binance", upstream: { trades: ["ETHUSDT"] } });
      const live = new BinanceSession(ctx, "trade", true);
      feed(live, {
        stream: "ethusdt@trade",
        data: { e: "trade", E: 1, s: "ETHUSDT", t: 500, p: "1", q: "1", T: 1700000000000123, m: true, M: true },
      });
      assert.deepStrictEqual(pages[0].map(strip), ctx.ticks.map(strip));
    });
  });

  describe("coinbase market trades", function () {
    const trade = (id, us) => ({
      trade_id: String(id),
      product_id: "BTC-USD",
      price: "28208.1",
      size: "0.0065",
      time: new Date(Math.floor(us / 1000)).toISOString().replace("Z", String(us % 1000).padStart(3, "0") + "Z"),
      side: "BUY",
      bid: "",
      ask: "",
    });

    it("splits a full window until each part fits, sorts, de-duplicates; same Tick as the socket", async function () {
      const c = new CoinbaseHistory(settings("coinbase", { restLimit: 3 }, "", ""), "");
      const t0 = 1700000000000000;
      const all = Array.from({ length: 7 }, (_, k) => trade(k + 1, t0 + k * 2_000_000 + 123));
      const r = rest((url) => {
        const q = new URL(url).searchParams;
        const s = Number(q.get("start")) * 1e6;
        const e = Number(q.get("end")) * 1e6 + 999999;
        const hit = all.filter((t) => {
          const us = Date.parse(t.time) * 1000;
          return us >= s - 1000 && us <= e;
        });
        return { body: { trades: hit.reverse().slice(0, 3) } };
      });
      const info = {};
      const pages = await collectPages(c, { symbol: "BTC-USD", fromTs: t0, toTs: t0 + 13_000_000 }, r, info);
      const ticks = pages.flat();
      assert.deepStrictEqual(
        ticks.map((t) => t.id),
        ["1", "2", "3", "4", "5", "6", "7"],
      );
      assert.ok(r.calls.length > 1);
      assert.strictEqual(info.incomplete, undefined);
      assert.match(
        r.calls[0].url,
        /^https:\/\/api\.coinbase\.com\/api\/v3\/brokerage\/market\/products\/BTC-USD\/ticker\?limit=3&start=\d+&end=\d+$/,
      );
      const ctx = fakeCtx({ provider: "coinbase" });
      const live = new CoinbaseSession(ctx, undefined, { invalid: new Set(), newest: new Map() }, true);
      live.subscribe(change({ trades: ["BTC-USD"] }));
      feed(live, {
        channel: "market_trades",
        client_id: "",
        timestamp: "x",
        sequence_num: 0,
        events: [{ type: "update", trades: [trade(4, t0 + 6_000_123)] }],
      });
      assert.deepStrictEqual(strip(ticks[3]), strip(ctx.ticks[0]));
      assert.strictEqual(defaultDedupKey(ticks[3]), defaultDedupKey(ctx.ticks[0]));
    });

    it("reports a second with more trades than one answer holds as incomplete", async function () {
      const c = new CoinbaseHistory(settings("coinbase", { restLimit: 2 }, "", ""), "");
      const t0 = 1700000000000000;
      const r = rest(() => ({ body: { trades: [trade(1, t0 + 1), trade(2, t0 + 2)] } }));
      const info = {};
      await collectPages(c, { symbol: "BTC-USD", fromTs: t0, toTs: t0 + 10 }, r, info);
      assert.match(info.incomplete, /more than 2 trades in one second/);
    });
  });

  it("providers without a REST trade history say why", function () {
    for (const p of ["finnhub", "twelvedata", "tiingo", "alltick", "generic", "simulator"]) {
      const c = createHistoryClient(settings(p), "");
      assert.ok("unsupported" in c && c.unsupported.length > 10, p);
    }
  });
});
