"use strict";
/**
 * Backfill end to end for Alpaca (stocks and crypto), Binance (trade and aggTrade streams) and
 * Coinbase: each mock serves the socket and the REST history of the same trades. The socket is
 * dropped while trades happen; every trade must then arrive exactly once, the missed ones with
 * `backfill: true` (Coinbase: or in the snapshot its socket replays on subscribe).
 */
const assert = require("assert");
const { mockPerTest } = require("../../support/flow");
const { loadFlow } = require("../../support/provider-flow");
const { waitFor } = require("../../support/wait");
const { backfillFlow, outage, backfillEvents, idCounts } = require("../../support/backfill");
const { AlpacaServer, trade: alpacaTrade, cryptoTrade } = require("../../mocks/alpaca-server");
const { BinanceServer } = require("../../mocks/binance-server");
const { CoinbaseServer, rfc3339 } = require("../../mocks/coinbase-server");
const { FinnhubServer } = require("../../mocks/finnhub-server");

/** Every id exactly once; ids in `missed` flagged backfill, the others not. */
function assertExactlyOnce(out, all, missed) {
  const counts = idCounts(out);
  for (const id of all) assert.strictEqual(counts.get(id), 1, `trade ${id} delivered ${counts.get(id) || 0} times`);
  assert.strictEqual(out.length, all.length);
  for (const m of out) assert.strictEqual(m.payload.backfill === true, missed.includes(m.payload.id), `backfill flag of ${m.payload.id}`);
}

describe("backfill: alpaca, binance, coinbase (runtime, socket + REST mocks)", function () {
  this.timeout(15000);
  let server;
  const start = mockPerTest();

  it("alpaca stocks: the outage's trades come from /v2/stocks/{symbol}/trades with the live feed and keys", async function () {
    server = await start(new AlpacaServer({ pageSize: 4 }));
    const { out, ev } = await loadFlow(backfillFlow("alpaca", server, "AAPL", { options: { feed: "iex" } }), {
      f1: { apiKey: "good-key", apiSecret: "good-secret" },
    });
    await waitFor(() => server.subs("trades").has("AAPL"), { what: "subscribed" });
    const t0 = (Date.now() - 30_000) * 1000;
    const t = (k) => rfc3339(t0 + k * 1000, "ns");
    for (let i = 1; i <= 3; i++) server.trade(alpacaTrade("AAPL", i, "V", { t: t(i) }));
    await waitFor(() => out.length === 3, { what: "3 live" });
    const resume = await outage(server);
    for (let i = 4; i <= 12; i++) server.trade(alpacaTrade("AAPL", i, i % 2 ? "V" : "Q", { t: t(i) }));
    resume();
    await waitFor(() => server.subs("trades").has("AAPL"), { what: "resubscribed" });
    for (let i = 13; i <= 14; i++) server.trade(alpacaTrade("AAPL", i, "V", { t: t(i) }));
    await waitFor(() => backfillEvents(ev, "done").length === 1, { what: "backfill done" });
    await waitFor(() => out.length >= 14, { what: "14 trades" });
    const ids = Array.from({ length: 14 }, (_, k) => String(k + 1));
    assertExactlyOnce(out, ids, ids.slice(3, 12));
    const rest = server.restLog.filter((r) => r.path === "/v2/stocks/AAPL/trades");
    assert.ok(rest.length >= 3, "paged (4 per page)");
    assert.ok(rest.every((r) => r.query.feed === "iex" && r.query.sort === "asc" && r.headers["apca-api-key-id"] === "good-key"));
    assert.ok(rest.slice(1).every((r) => typeof r.query.page_token === "string"));
    const live = out.find((m) => m.payload.id === "2").payload;
    const filled = out.find((m) => m.payload.id === "5").payload;
    assert.deepStrictEqual(
      Object.keys(filled).filter((k) => k !== "backfill"),
      Object.keys(live).filter((k) => k !== "backfill"),
    );
    assert.strictEqual(filled.ts, t0 + 5000);
    assert.deepStrictEqual(filled.extra, { tape: "C", nanos: 123 });
    assert.strictEqual(backfillEvents(ev, "done")[0].payload.delivered, 9);
  });

  it("alpaca crypto: ids above 2^53 stay exact and dedup the boundary", async function () {
    server = await start(new AlpacaServer({ crypto: true }));
    const { out, ev } = await loadFlow(backfillFlow("alpaca", server, "BTC/USD", { options: { feed: "crypto" } }), {
      f1: { apiKey: "good-key", apiSecret: "good-secret" },
    });
    await waitFor(() => server.subs("trades").has("BTC/USD"), { what: "subscribed" });
    const t0 = (Date.now() - 20_000) * 1000;
    const big = 9007199254740993n; // 2^53 + 1
    const tr = (k) => cryptoTrade("BTC/USD", big + BigInt(k), { t: rfc3339(t0 + k * 1000, "ns") });
    server.trade(tr(1));
    await waitFor(() => out.length === 1, { what: "live" });
    const resume = await outage(server);
    for (let k = 2; k <= 5; k++) server.trade(tr(k));
    resume();
    await waitFor(() => server.subs("trades").has("BTC/USD"), { what: "resubscribed" });
    server.trade(tr(6));
    await waitFor(() => backfillEvents(ev, "done").length === 1 && out.length >= 6, { what: "backfill done" });
    const ids = [1, 2, 3, 4, 5, 6].map((k) => String(big + BigInt(k)));
    assertExactlyOnce(out, ids, ids.slice(1, 5));
    assert.ok(server.restLog.some((r) => r.path === "/v1beta3/crypto/us/trades" && r.query.symbols === "BTC/USD"));
  });

  for (const stream of ["trade", "aggTrade"]) {
    it(`binance (${stream} stream): ids make the gap exact, ${stream === "trade" ? "historicalTrades" : "aggTrades"} with fromId, paged`, async function () {
      server = await start(new BinanceServer({ pageSize: 3 }));
      const { out, ev } = await loadFlow(backfillFlow("binance", server, "btcusdt", { options: { stream } }), {});
      const name = "btcusdt@" + stream;
      await waitFor(() => server.streams().some((l) => l.includes(name)), { what: "subscribed" });
      const now = Date.now() - 10_000;
      const send = (id) => {
        const time = now + id;
        server.record("btcusdt", { id, price: "42000.1", qty: "0.5", time, m: id % 2 === 0 });
        const data =
          stream === "trade"
            ? { e: "trade", E: time, s: "BTCUSDT", t: id, p: "42000.1", q: "0.5", T: time, m: id % 2 === 0, M: true }
            : {
                e: "aggTrade",
                E: time,
                s: "BTCUSDT",
                a: id + 100000,
                p: "42000.1",
                q: "0.5",
                f: id,
                l: id,
                T: time,
                m: id % 2 === 0,
                M: true,
              };
        for (const c of server.connections) if (c.streams.has(name)) server.reply(c, { stream: name, data });
      };
      for (let id = 1; id <= 3; id++) send(id);
      await waitFor(() => out.length === 3, { what: "3 live" });
      const resume = await outage(server);
      for (let id = 4; id <= 11; id++) send(id);
      resume();
      await waitFor(() => server.streams().some((l) => l.includes(name)), { what: "resubscribed" });
      send(12);
      send(13);
      await waitFor(() => backfillEvents(ev, "done").length === 1 && out.length >= 13, { what: "backfill done" });
      const idOf = (id) => String(stream === "trade" ? id : id + 100000);
      const ids = Array.from({ length: 13 }, (_, k) => idOf(k + 1));
      assertExactlyOnce(out, ids, ids.slice(3, 11));
      const path = stream === "trade" ? "/api/v3/historicalTrades" : "/api/v3/aggTrades";
      const calls = server.restLog.filter((r) => r.path === path);
      assert.strictEqual(calls[0].query.fromId, idOf(4));
      assert.strictEqual(calls[0].query.symbol, "BTCUSDT");
      assert.ok(calls.length >= 3, "paged by fromId");
      const filled = out.find((m) => m.payload.id === idOf(6)).payload;
      assert.strictEqual(filled.ts, (now + 6) * 1000);
      assert.deepStrictEqual(filled.extra, { buyerIsMaker: true });
      assert.strictEqual(filled.symbol, "btcusdt");
    });
  }

  it("coinbase: a window that comes back full is split; snapshot and backfill together miss nothing and repeat nothing", async function () {
    server = await start(new CoinbaseServer({ restLimitMax: 5, snapshotSize: 2 }));
    const { out, ev } = await loadFlow(backfillFlow("coinbase", server, "BTC-USD", { options: { restLimit: 5 } }), {});
    await waitFor(() => server.lists().some((l) => l.includes("BTC-USD")), { what: "subscribed" });
    const t0 = (Date.now() - 40_000) * 1000;
    const tr = (id) => ({ product: "BTC-USD", id, us: t0 + id * 700_000 });
    server.update([tr(1), tr(2)]);
    await waitFor(() => out.length === 2, { what: "2 live" });
    const resume = await outage(server);
    for (let id = 3; id <= 20; id++) server.update([tr(id)]);
    resume();
    await waitFor(() => server.lists().some((l) => l.includes("BTC-USD")), { what: "resubscribed" });
    server.update([tr(21)]);
    await waitFor(() => backfillEvents(ev, "done").length === 1 && out.length >= 21, { what: "backfill done" });
    const counts = idCounts(out);
    for (let id = 1; id <= 21; id++) assert.strictEqual(counts.get(String(id)), 1, `trade ${id}`);
    assert.strictEqual(out.length, 21);
    for (const m of out) {
      const id = Number(m.payload.id);
      const missed = id >= 3 && id <= 20;
      assert.strictEqual(missed, m.payload.backfill === true || (m.payload.extra && m.payload.extra.snapshot === true), `trade ${id}`);
      if (!missed) assert.notStrictEqual(m.payload.backfill, true);
    }
    const bf = out.filter((m) => m.payload.backfill);
    assert.ok(bf.length >= 16, "most of the outage came from REST");
    assert.deepStrictEqual(
      bf.map((m) => m.payload.ts),
      bf.map((m) => m.payload.ts).sort((a, b) => a - b),
    );
    assert.ok(server.restLog.length >= 3, "the full window was split");
    assert.strictEqual(backfillEvents(ev, "done")[0].payload.truncated, false);
  });

  it("finnhub (no trade history): each gap is still reported, as failed / unsupported with the reason and the blind range", async function () {
    server = await start(new FinnhubServer());
    const { out, ev } = await loadFlow(backfillFlow("finnhub", server, "AAPL"), { f1: { apiKey: "good-token" } });
    await waitFor(() => server.symbols().has("AAPL"), { what: "subscribed" });
    const t0 = Date.now() - 5000;
    server.trades([{ s: "AAPL", p: 100, v: 1, t: t0, c: ["1"] }]);
    await waitFor(() => out.length === 1, { what: "live" });
    const resume = await outage(server);
    resume();
    await waitFor(() => server.symbols().has("AAPL"), { what: "resubscribed" });
    server.trades([{ s: "AAPL", p: 101, v: 1, t: t0 + 3000, c: ["1"] }]);
    await waitFor(() => backfillEvents(ev, "failed").length === 1, { what: "failed event" });
    const f = backfillEvents(ev, "failed")[0].payload;
    assert.strictEqual(f.code, "unsupported");
    assert.match(f.reason, /Finnhub/);
    assert.strictEqual(f.from, t0 * 1000);
    assert.strictEqual(f.to, (t0 + 3000) * 1000);
    assert.strictEqual(server.restLog.length, 0);
    assert.strictEqual(out.length, 2);
  });
});
