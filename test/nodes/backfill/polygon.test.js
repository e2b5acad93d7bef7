"use strict";
/**
 * Backfill end to end with Polygon / Massive: tick-feed + tick-subscribe in a real runtime against
 * the local mock serving both the socket and the REST trade history. The socket is dropped while
 * trades happen; after the reconnect every trade must arrive exactly once, the missed ones with
 * `backfill: true`.
 */
const assert = require("assert");
const { helper } = require("../../support/runtime");
const { started, unloadAndClose, collect } = require("../../support/flow");
const { loadFlow, eventBars } = require("../../support/provider-flow");
const { waitFor } = require("../../support/wait");
const feedNode = require("../../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../../dist/nodes/tick-subscribe/tick-subscribe.js");
const aggNode = require("../../../dist/nodes/tick-aggregate/tick-aggregate.js");
const { PolygonServer } = require("../../mocks/polygon-server");
const { backfillFlow, outage, backfillEvents } = require("../../support/backfill");

const NODES = [feedNode, subNode];

/** The backfill flow of these tests: polygon trades of AAPL; `feed` adds tick-feed properties. */
const flow = (server, feed = {}) => backfillFlow("polygon", server, "AAPL", feed);

/** SIP ns for "ms milliseconds ago" plus `extraNs`. */
const agoNs = (ms, extraNs = 0n) => BigInt(Date.now() - ms) * 1000000n + extraNs;

describe("backfill: polygon (runtime, socket + REST mock)", function () {
  this.timeout(15000);
  let server;
  beforeEach(async () => (server = await started(new PolygonServer({ validKey: "good-key" }))));
  afterEach(() => unloadAndClose(server));

  it("delivers every trade of an outage exactly once, the missed ones flagged backfill, the key out of URLs and events", async function () {
    const { out, ev } = await loadFlow(flow(server), { f1: { apiKey: "good-key" } });
    await waitFor(() => server.topics().has("T.AAPL"), { what: "subscribed" });
    const base = agoNs(60_000);
    const at = (k, sub = 0n) => base + BigInt(k) * 1000000n + sub;
    for (let i = 1; i <= 5; i++) server.trade("AAPL", { i, ns: at(i) });
    await waitFor(() => out.length === 5, { what: "5 live trades" });
    const resume = await outage(server);
    // Trade 6 shares trade 5's millisecond (the socket has ms times): the REST range must include it.
    server.trade("AAPL", { i: 6, ns: at(5, 400n) });
    for (let i = 7; i <= 15; i++) server.trade("AAPL", { i, ns: at(i) });
    resume();
    await waitFor(() => server.topics().has("T.AAPL"), { what: "resubscribed" });
    for (let i = 16; i <= 18; i++) server.trade("AAPL", { i, ns: at(i) });
    await waitFor(() => backfillEvents(ev, "done").length === 1, { what: "backfill done" });
    await waitFor(() => out.length === 18, { what: "18 trades" });
    const ids = out.map((m) => m.payload.id);
    assert.deepStrictEqual(
      [...ids].sort((a, b) => a - b),
      Array.from({ length: 18 }, (_, k) => String(k + 1)),
    );
    for (const m of out)
      assert.strictEqual(m.payload.backfill === true, Number(m.payload.id) >= 6 && Number(m.payload.id) <= 15, `flag of ${m.payload.id}`);
    // In time order within the backfill.
    const bf = out.filter((m) => m.payload.backfill).map((m) => m.payload.ts);
    assert.deepStrictEqual(
      bf,
      [...bf].sort((a, b) => a - b),
    );
    const done = backfillEvents(ev, "done")[0].payload;
    assert.strictEqual(done.delivered, 10);
    assert.strictEqual(done.truncated, false);
    assert.deepStrictEqual(done.symbols, ["AAPL"]);
    assert.strictEqual(backfillEvents(ev, "start").length, 1);
    // The key travels in a header, never in a URL; no event carries it.
    assert.ok(server.restLog.every((r) => r.headers.authorization === "Bearer good-key" && !JSON.stringify(r.query).includes("good-key")));
    assert.ok(!JSON.stringify(ev.map((m) => m.payload)).includes("good-key"));
    // A backfilled tick equals what the socket makes of the same trade (ts truncated to the ms like the socket's t).
    const t10 = out.find((m) => m.payload.id === "10").payload;
    assert.strictEqual(t10.ts, Number(at(10) / 1000000n) * 1000);
    assert.deepStrictEqual(t10.conditions, [0, 12]);
    assert.strictEqual(t10.exchange, 4);
    assert.strictEqual(t10.seq, 1010);
  });

  /** Live trades 1..3, an outage with trades 4..(3+n), a live trade after it; resolves when the backfill ended. */
  async function scenario({
    n = 10,
    beforeResume = () => {},
    atNs = (k) => agoNs(60_000) + BigInt(k) * 1000000n,
    expectBackfill = true,
  } = {}) {
    const out = collect("out");
    const ev = collect("ev");
    await waitFor(() => server.topics().has("T.AAPL"), { what: "subscribed" });
    for (let i = 1; i <= 3; i++) server.trade("AAPL", { i, ns: atNs(i) });
    await waitFor(() => out.length === 3, { what: "3 live trades" });
    const resume = await outage(server);
    for (let i = 4; i <= 3 + n; i++) server.trade("AAPL", { i, ns: atNs(i) });
    beforeResume();
    resume();
    await waitFor(() => server.topics().has("T.AAPL"), { what: "resubscribed" });
    server.trade("AAPL", { i: 4 + n, ns: atNs(4 + n) });
    if (expectBackfill) await waitFor(() => backfillEvents(ev).some((m) => m.payload.state !== "start"), { what: "backfill ended" });
    else await waitFor(() => out.length === 4, { what: "the live trade after the outage" });
    return { out, ev };
  }

  it("follows next_url page by page on the configured base (the real host in next_url is replaced)", async function () {
    server.pageSize = 4;
    await helper.load(NODES, flow(server), { f1: { apiKey: "good-key" } });
    const { out, ev } = await scenario({ n: 10 });
    await waitFor(() => out.length === 14, { what: "14 trades" });
    const calls = server.restLog.filter((r) => r.path === "/v3/trades/AAPL");
    assert.strictEqual(calls.length, 3, "4 + 4 + 4 rows (boundary trades included)");
    assert.strictEqual(calls[0].query.order, "asc");
    assert.ok(calls.slice(1).every((r) => typeof r.query.cursor === "string" && r.query.apiKey === undefined));
    const done = backfillEvents(ev, "done")[0].payload;
    assert.strictEqual(done.pages, 3);
    assert.strictEqual(done.delivered, 10);
    assert.strictEqual(done.duplicates, 2, "the last live trade before and the first after the outage");
  });

  it("waits out a 429's Retry-After, then completes", async function () {
    await helper.load(NODES, flow(server), { f1: { apiKey: "good-key" } });
    server.failRest([
      {
        status: 429,
        headers: { "retry-after": "1" },
        body: { status: "ERROR", request_id: "x", error: "You've exceeded the maximum requests per minute" },
      },
    ]);
    const { out, ev } = await scenario({ n: 5 });
    await waitFor(() => out.length === 9, { what: "9 trades" });
    const calls = server.restLog.filter((r) => r.path === "/v3/trades/AAPL");
    assert.strictEqual(calls.length, 2);
    assert.ok(calls[1].at - calls[0].at >= 990, `retried after ${calls[1].at - calls[0].at} ms`);
    const done = backfillEvents(ev, "done")[0].payload;
    assert.strictEqual(done.rateLimited, 1);
    assert.strictEqual(done.delivered, 5);
  });

  it("a REST failure ends the backfill with a 'failed' event and the reason; the live stream goes on", async function () {
    await helper.load(NODES, flow(server), { f1: { apiKey: "good-key" } });
    server.failRest([
      {
        status: 403,
        body: {
          status: "NOT_AUTHORIZED",
          request_id: "x",
          message: "You are not entitled to this data. Please upgrade your plan at https://massive.com/pricing",
        },
      },
    ]);
    const { out, ev } = await scenario({ n: 5 });
    const failed = backfillEvents(ev, "failed")[0].payload;
    assert.strictEqual(failed.status, 403);
    assert.match(failed.reason, /not entitled/);
    assert.strictEqual(failed.code, "not_authorized");
    assert.deepStrictEqual(failed.symbols, ["AAPL"]);
    await waitFor(() => out.length === 4, { what: "the live trade after the outage" });
    for (let i = 20; i < 23; i++) server.trade("AAPL", { i, ns: agoNs(1000) + BigInt(i) });
    await waitFor(() => out.length === 7, { what: "live trades after the failure" });
    assert.ok(out.every((m) => m.payload.backfill !== true));
    assert.strictEqual(helper.getNode("f1").core.status().state, "open");
  });

  it("retries a 5xx after a backoff", async function () {
    await helper.load(NODES, flow(server), { f1: { apiKey: "good-key" } });
    server.failRest([{ status: 503, body: { message: "busy" } }]);
    const { out, ev } = await scenario({ n: 3 });
    await waitFor(() => out.length === 7, { what: "7 trades" });
    assert.strictEqual(backfillEvents(ev, "done")[0].payload.requests, 2);
  });

  it("reports a gap longer than the age cap as truncated (the missing range), and fills the rest", async function () {
    await helper.load(NODES, flow(server, { backfillMinutes: 15 }), { f1: { apiKey: "good-key" } });
    const min = 60_000;
    // Live before the drop 20 minutes ago; the outage's trades at -18 min (beyond the cap) and -5 min.
    const times = { 1: 21 * min, 2: 20.5 * min, 3: 20 * min, 4: 18 * min, 5: 17 * min, 6: 5 * min, 7: 4 * min, 8: 1000 };
    const { out, ev } = await scenario({ n: 4, atNs: (k) => agoNs(times[k]) });
    await waitFor(() => out.length === 6, { what: "6 trades" });
    const done = backfillEvents(ev, "done")[0].payload;
    assert.strictEqual(done.truncated.reason, "age");
    assert.strictEqual(done.truncated.from, out.find((m) => m.payload.id === "3").payload.ts);
    assert.ok(Math.abs(done.truncated.to - (Date.now() - 15 * min) * 1000) < 10_000_000, "up to 15 minutes ago");
    assert.match(done.truncated.message, /15 min/);
    assert.deepStrictEqual(
      out.filter((m) => m.payload.backfill).map((m) => m.payload.id),
      ["6", "7"],
    );
  });

  it("caps the trades per gap and reports the rest as truncated", async function () {
    await helper.load(NODES, flow(server, { backfillTrades: 4 }), { f1: { apiKey: "good-key" } });
    const { out, ev } = await scenario({ n: 10 });
    const done = backfillEvents(ev, "done")[0].payload;
    assert.strictEqual(done.truncated.reason, "count");
    assert.strictEqual(done.delivered, 4, "trades 4..7 (the boundary trade is known as live and does not count)");
    const row8 = server.history.get("AAPL").find((r) => r.id === "8");
    assert.strictEqual(
      done.truncated.from,
      Number(row8.sip_timestamp / 1000000n) * 1000,
      "the missing range starts at the first trade not fetched",
    );
    await waitFor(() => out.length === 8, { what: "3 + 4 + 1" });
    assert.deepStrictEqual(
      out.filter((m) => m.payload.backfill).map((m) => m.payload.id),
      ["4", "5", "6", "7"],
    );
    assert.strictEqual(done.truncated.to, out.find((m) => m.payload.id === "14").payload.ts);
  });

  it("an outage longer than the dedup window repeats none of the live trades sharing the last millisecond before it", async function () {
    await helper.load(NODES, flow(server), { f1: { apiKey: "good-key" } });
    const ms = (k) => agoNs(k * 60_000);
    // Trades 1..3 share the last live millisecond (5 minutes ago); the outage lasts minutes, longer
    // than the feed's 60 s dedup window, whose horizon moves on with the first trade after it.
    const times = { 1: ms(5), 2: ms(5) + 300n, 3: ms(5) + 600n, 4: ms(4), 5: ms(3), 6: ms(2), 7: agoNs(500) };
    const { out, ev } = await scenario({ n: 3, atNs: (k) => times[k] });
    await waitFor(() => out.length >= 7, { what: "7 trades" });
    await new Promise((r) => setImmediate(r));
    assert.deepStrictEqual(out.map((m) => m.payload.id).sort(), ["1", "2", "3", "4", "5", "6", "7"]);
    const done = backfillEvents(ev, "done")[0].payload;
    assert.strictEqual(done.delivered, 3);
    assert.strictEqual(done.duplicates, 4, "the 3 trades of the last live millisecond and the first after the outage");
  });

  it("fills a quiet symbol's gap up to now when no live trade follows the reconnect", async function () {
    const { out, ev } = await loadFlow(flow(server, { backfillQuietMs: 200 }), { f1: { apiKey: "good-key" } });
    await waitFor(() => server.topics().has("T.AAPL"), { what: "subscribed" });
    server.trade("AAPL", { i: 1, ns: agoNs(5000) });
    await waitFor(() => out.length === 1, { what: "live" });
    const resume = await outage(server);
    server.trade("AAPL", { i: 2, ns: agoNs(3000) });
    server.trade("AAPL", { i: 3, ns: agoNs(2000) });
    resume();
    await waitFor(() => backfillEvents(ev, "done").length === 1, { what: "backfill to now" });
    await waitFor(() => out.length === 3, { what: "3 trades" });
    assert.deepStrictEqual(
      out.map((m) => [m.payload.id, m.payload.backfill === true]),
      [
        ["1", false],
        ["2", true],
        ["3", true],
      ],
    );
  });

  it("is off by default: nothing is fetched", async function () {
    await helper.load(NODES, flow(server, { backfill: "off" }), { f1: { apiKey: "good-key" } });
    const { ev } = await scenario({ n: 2, expectBackfill: false });
    assert.strictEqual(server.restLog.length, 0);
    assert.strictEqual(backfillEvents(ev).length, 0);
  });

  it("tick-aggregate with revise ends with the bars of an uninterrupted run", async function () {
    this.timeout(30000);
    const base = (agoNs(180_000) / 1000000000n) * 1000000000n; // a whole second, three minutes ago
    const at = (i) => base + BigInt(i) * 700_000_000n + BigInt(i % 3) * 1000n;
    const price = (i) => 100 + ((i * 37) % 23) / 10;
    const N = 60;
    const aggFlow = () =>
      [
        ...flow(server),
        eventBars({
          id: "agg",
          interval: 5,
          unit: "s",
          latePolicy: "revise",
          reviseWindow: 900,
          conditionDialect: "polygon",
          wires: [["bars"], ["late"]],
        }),
        { id: "bars", type: "helper" },
        { id: "late", type: "helper" },
      ].map((n) => (n.id === "s1" ? { ...n, wires: [["out", "agg"], ["ev"]] } : n));
    const lastBars = (bars) => {
      const m = new Map();
      for (const b of bars.map((x) => x.payload)) m.set(b.start, b);
      return m;
    };
    const finish = async (out, bars) => {
      await waitFor(() => out.length === N, { what: `${N} ticks` });
      helper.getNode("agg").receive({ flush: true });
      const lastStart = Math.floor(Number(at(N) / 1000n) / 5_000_000) * 5_000_000;
      await waitFor(() => bars.some((b) => b.payload.start === lastStart), { what: "the last bar" });
      return lastBars(bars);
    };
    // Uninterrupted.
    await helper.load([...NODES, aggNode], aggFlow(), { f1: { apiKey: "good-key" } });
    let out = collect("out");
    let bars = collect("bars");
    await waitFor(() => server.topics().has("T.AAPL"), { what: "subscribed" });
    for (let i = 1; i <= N; i++) server.trade("AAPL", { i, ns: at(i), p: price(i), s: 10 * i });
    const ref = await finish(out, bars);
    await helper.unload();
    await server.close();
    // The same trades with an outage over trades 20..40, filled by backfill.
    server = new PolygonServer({ validKey: "good-key" });
    await server.start();
    await helper.load([...NODES, aggNode], aggFlow(), { f1: { apiKey: "good-key" } });
    out = collect("out");
    bars = collect("bars");
    const late = collect("late");
    const ev = collect("ev");
    await waitFor(() => server.topics().has("T.AAPL"), { what: "subscribed" });
    for (let i = 1; i < 20; i++) server.trade("AAPL", { i, ns: at(i), p: price(i), s: 10 * i });
    await waitFor(() => out.length === 19, { what: "19 live" });
    const resume = await outage(server);
    for (let i = 20; i <= 40; i++) server.trade("AAPL", { i, ns: at(i), p: price(i), s: 10 * i });
    resume();
    await waitFor(() => server.topics().has("T.AAPL"), { what: "resubscribed" });
    for (let i = 41; i <= N; i++) server.trade("AAPL", { i, ns: at(i), p: price(i), s: 10 * i });
    await waitFor(() => backfillEvents(ev, "done").length === 1, { what: "backfill done" });
    const got = await finish(out, bars);
    assert.strictEqual(late.length, 0, "no backfilled tick was dropped as late");
    assert.deepStrictEqual([...got.keys()].sort(), [...ref.keys()].sort());
    const strip = ({ emittedAt, revision, ...rest }) => rest;
    for (const [start, b] of ref) assert.deepStrictEqual(strip(got.get(start)), strip(b), `bar at ${start}`);
    assert.ok(
      bars.some((b) => b.payload.revision > 0),
      "closed bars were revised",
    );
  });
});
