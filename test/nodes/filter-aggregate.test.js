"use strict";
/**
 * subscribe -> filter -> aggregate through a real Node-RED runtime, fed by a real local
 * WebSocket server (generic protocol): exact bars, rejected ticks with reasons, wall-clock
 * closing of a quiet symbol, InfluxDB output, bad input and bad configuration.
 */
const assert = require("assert");
const { helper } = require("../support/runtime");
const { mockEachTest, collect, catchNodes, caughtBySource, statusesOf } = require("../support/flow");
const { genericSource, eventBars } = require("../support/provider-flow");
const feedNode = require("../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../dist/nodes/tick-subscribe/tick-subscribe.js");
const filterNode = require("../../dist/nodes/tick-filter/tick-filter.js");
const aggNode = require("../../dist/nodes/tick-aggregate/tick-aggregate.js");
const { GenericServer } = require("../mocks/generic-server");
const { waitFor } = require("../support/wait");

const NODES = [feedNode, subNode, filterNode, aggNode];
const ms = (iso) => Date.parse(iso);
const us = (iso) => Date.parse(iso) * 1000;

describe("tick-filter + tick-aggregate (runtime)", function () {
  const server = mockEachTest(() => new GenericServer());

  it("subscribe -> filter (regular session, no odd lots) -> 1-minute bars that match the definitions exactly", async function () {
    await helper.load(NODES, [
      ...genericSource(server.url, { symbols: "AAPL MSFT", wires: [["flt"], []] }),
      {
        id: "flt",
        type: "tick-filter",
        sessions: "regular",
        conditionMode: "excludeOddLots",
        conditionDialect: "polygon",
        outputs: 2,
        wires: [["agg"], ["rejected"]],
      },
      eventBars({ id: "agg", conditionDialect: "polygon", wires: [["bars"], ["late"]] }),
      { id: "bars", type: "helper" },
      { id: "rejected", type: "helper" },
      { id: "late", type: "helper" },
    ]);
    const bars = collect("bars");
    const rejected = collect("rejected");
    const late = collect("late");
    await waitFor(() => server.received.length > 0, { what: "a subscribe request" });
    // Monday 2026-11-23, New York time (EST).
    const t = (symbol, id, iso, price, size, conditions) => ({ symbol, id: String(id), time: ms(iso), price, size, conditions });
    server.send([
      t("AAPL", 1, "2026-11-23T09:29:59.999-05:00", 99, 100, [0]), // pre-market: filtered out
      t("AAPL", 2, "2026-11-23T09:30:00.000-05:00", 100, 100, [0]), // exactly on the open: opens the 09:30 bar
      t("AAPL", 3, "2026-11-23T09:30:10.000-05:00", 101, 50, [37]), // odd lot: filtered out
      t("AAPL", 4, "2026-11-23T09:30:30.000-05:00", 102, 200, [14]),
      t("MSFT", 5, "2026-11-23T09:30:40.000-05:00", 300, 10, [0]),
      t("AAPL", 6, "2026-11-23T09:30:59.999-05:00", 101.5, 100, [0]),
      t("AAPL", 7, "2026-11-23T09:31:00.000-05:00", 103, 100, [0]), // on the boundary: opens 09:31, closes 09:30
      t("AAPL", 8, "2026-11-23T09:30:20.000-05:00", 150, 100, [0]), // late for the closed bar
    ]);
    await waitFor(() => bars.length === 2 && late.length === 1 && rejected.length === 2, { what: "2 bars, 1 late tick, 2 rejected" });
    const aapl = bars.find((m) => m.topic === "AAPL");
    const start = us("2026-11-23T09:30:00-05:00");
    const { emittedAt, ...bar } = aapl.payload;
    assert.strictEqual(typeof emittedAt, "number");
    assert.deepStrictEqual(bar, {
      symbol: "AAPL",
      interval: "1min",
      start,
      end: start + 60e6,
      open: 100,
      high: 102,
      low: 100,
      close: 101.5,
      volume: 400,
      vwap: (100 * 100 + 102 * 200 + 101.5 * 100) / 400,
      count: 3,
      firstTs: start,
      lastTs: us("2026-11-23T09:30:59.999-05:00"),
      final: true,
      partial: false,
      synthetic: false,
      revision: 0,
      session: "regular",
    });
    assert.strictEqual(aapl.timestamp, start / 1000, "msg.timestamp = bar start in ms");
    const msft = bars.find((m) => m.topic === "MSFT").payload;
    assert.deepStrictEqual(
      [msft.open, msft.volume, msft.partial],
      [300, 10, true],
      "MSFT's first bar started before its first tick: partial",
    );
    assert.deepStrictEqual(
      rejected.map((m) => [m.payload.id, m.reason, m.session]),
      [
        ["1", "session", "pre"],
        ["3", "condition", "regular"],
      ],
    );
    assert.deepStrictEqual([late[0].payload.id, late[0].reason], ["8", "late"]);
    // End of the replay: flush closes the open 09:31 bar, cut short, so partial.
    helper.getNode("agg").receive({ flush: true });
    await waitFor(() => bars.length === 3, { what: "the flushed bar" });
    assert.deepStrictEqual([bars[2].payload.open, bars[2].payload.start, bars[2].payload.partial], [103, start + 60e6, true]);
  });

  it("closes a quiet symbol's bar on the wall clock, with no further tick", async function () {
    await helper.load(NODES, [
      ...genericSource(server.url, { symbols: "QUIET", wires: [["agg"], []] }),
      { id: "agg", type: "tick-aggregate", interval: 1, unit: "s", closeDelay: 100, wires: [["bars"], []] },
      { id: "bars", type: "helper" },
    ]);
    const bars = collect("bars");
    await waitFor(() => server.received.length > 0, { what: "a subscribe request" });
    const now = Date.now();
    server.send({ symbol: "QUIET", id: "1", time: now, price: 5, size: 10 });
    await waitFor(() => bars.length === 1, { timeout: 3000, what: "the bar, closed by the clock" });
    const b = bars[0].payload;
    assert.deepStrictEqual([b.open, b.close, b.volume, b.final], [5, 5, 10, true]);
    // Closed at end + closeDelay + the learned feed delay (here about 0, within the millisecond of
    // the tick's ms time stamp, hence the 2 ms tolerance).
    assert.ok(b.emittedAt >= b.end + 100e3 - 2e3, `sent after end + closeDelay (${b.emittedAt - b.end} µs after the end)`);
    assert.ok(b.emittedAt < b.end + 1.5e6, "and promptly");
  });

  it("shapes bars for InfluxDB without a function node", async function () {
    await helper.load(NODES, [
      {
        id: "agg",
        type: "tick-aggregate",
        interval: 1,
        unit: "min",
        clock: "event",
        output: "influx",
        measurement: "ohlc",
        wires: [["bars"], []],
      },
      { id: "bars", type: "helper" },
    ]);
    const bars = collect("bars");
    const start = us("2026-11-23T10:00:00-05:00");
    helper
      .getNode("agg")
      .receive({ payload: [{ symbol: "X", type: "trade", price: 1, size: 2, ts: start, recvTs: start, provider: "binance" }] });
    helper.getNode("agg").receive({ flush: true });
    await waitFor(() => bars.length === 1, { what: "an influx bar" });
    const [fields, tags] = bars[0].payload;
    assert.strictEqual(bars[0].measurement, "ohlc");
    assert.deepStrictEqual(tags, { symbol: "X", interval: "1min", session: "regular" });
    // partial: the first bar after deploy; count and revision as integer fields.
    assert.deepStrictEqual(
      { ...fields, time: fields.time.getTime() },
      {
        open: 1,
        high: 1,
        low: 1,
        close: 1,
        volume: 2,
        vwap: 1,
        count: "1i",
        final: true,
        partial: true,
        synthetic: false,
        revision: "0i",
        time: start / 1000,
      },
    );
  });

  it("sends the close price for charts, one series per symbol", async function () {
    await helper.load(NODES, [
      { id: "agg", type: "tick-aggregate", interval: 1, unit: "min", clock: "event", output: "close", wires: [["bars"], []] },
      { id: "bars", type: "helper" },
    ]);
    const bars = collect("bars");
    const start = us("2026-11-23T10:00:00-05:00");
    const t = (price, ts) => ({ symbol: "X", type: "trade", price, size: 1, ts, recvTs: ts, provider: "binance" });
    helper.getNode("agg").receive({ payload: [t(1, start), t(2, start + 1), t(3, start + 60e6)] });
    await waitFor(() => bars.length === 1, { what: "a close" });
    assert.deepStrictEqual([bars[0].topic, bars[0].payload, bars[0].timestamp, bars[0].bar.open], ["X", 2, start / 1000, 1]);
  });

  it("an array payload: elements that are not ticks go to output 2 as invalid, the ticks around them are aggregated", async function () {
    await helper.load(NODES, [
      { id: "agg", type: "tick-aggregate", interval: 1, unit: "min", clock: "event", closeDelay: 0, wires: [["bars"], ["rej"]] },
      { id: "bars", type: "helper" },
      { id: "rej", type: "helper" },
    ]);
    const bars = collect("bars");
    const rej = collect("rej");
    const start = us("2026-11-23T10:00:00-05:00");
    const t = (price, ts) => ({ symbol: "X", type: "trade", price, size: 1, ts, recvTs: ts, provider: "binance" });
    helper
      .getNode("agg")
      .receive({ payload: [t(1, start), null, 42, { price: 3 }, { symbol: "X", ts: "later" }, t(2, start + 1), t(5, start + 60e6)] });
    await waitFor(() => bars.length === 1 && rej.length === 4, { what: "one bar and four rejected elements" });
    assert.deepStrictEqual(
      rej.map((m) => [m.payload, m.reason]),
      [
        [null, "invalid"],
        [42, "invalid"],
        [{ price: 3 }, "invalid"],
        [{ symbol: "X", ts: "later" }, "invalid"],
      ],
    );
    assert.deepStrictEqual([bars[0].payload.open, bars[0].payload.close, bars[0].payload.count], [1, 2, 2]);
  });

  it("rejects bad input with a catchable error and a red status; a bad configuration says what to change", async function () {
    await helper.load(NODES, [
      { id: "agg", type: "tick-aggregate", interval: 1, unit: "min", wires: [[], []] },
      { id: "flt", type: "tick-filter", wires: [[]] },
      { id: "bad", type: "tick-aggregate", interval: 7, unit: "min", wires: [[], []] },
      ...catchNodes(),
    ]);
    const caught = collect("caught");
    helper.getNode("agg").receive({ payload: "AAPL 1.23" });
    helper.getNode("flt").receive({ payload: 42 });
    helper.getNode("bad").receive({ payload: {} });
    // (The test helper's RED._ returns catalog keys; the texts themselves are checked in the settings unit tests.)
    assert.deepStrictEqual(await caughtBySource(caught, 3), {
      agg: "Error: tick-aggregate.errors.bad-payload",
      flt: "Error: tick-filter.errors.bad-payload",
      bad: "Error: tick-aggregate.errors.config",
    });
    await waitFor(() => statusesOf("agg").some((s) => s.fill === "red"), { what: "red status on bad input" });
    await waitFor(() => statusesOf("bad").some((s) => s.fill === "red" && /config/.test(s.text)), { what: "red config status" });
  });

  it("filter: the per-symbol rate limit passes the first tick at once and the latest at the period's end", async function () {
    await helper.load(NODES, [
      { id: "flt", type: "tick-filter", rate: 200, outputs: 2, wires: [["out"], ["rej"]] },
      { id: "out", type: "helper" },
      { id: "rej", type: "helper" },
    ]);
    const out = collect("out");
    const rej = collect("rej");
    const now = Date.now() * 1000;
    const tick = (price) => ({
      payload: { symbol: "A", type: "trade", price, size: 1, ts: now, recvTs: now, provider: "binance" },
      keep: price,
    });
    const f = helper.getNode("flt");
    for (const p of [1, 2, 3]) f.receive(tick(p));
    await waitFor(() => out.length === 2, { timeout: 2000, what: "leading and trailing ticks" });
    assert.deepStrictEqual(
      out.map((m) => [m.payload.price, m.keep, m.session !== undefined]),
      [
        [1, 1, true],
        [3, 3, true],
      ],
      "the original messages travel on",
    );
    assert.deepStrictEqual(
      rej.map((m) => [m.payload.price, m.reason]),
      [[2, "rate"]],
    );
  });

  it("leaves no timer behind when the flow is stopped (open bars, waiting rate-limited ticks)", async function () {
    const flow = [
      { id: "agg", type: "tick-aggregate", interval: 1, unit: "min", wires: [[], []] },
      { id: "flt", type: "tick-filter", rate: 60000, wires: [[]] },
    ];
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    // The runtime keeps a timer of its own after its first start: measure after one start/stop.
    await helper.load(NODES, flow);
    await helper.unload();
    const before = timers();
    await helper.load(NODES, flow);
    const now = Date.now() * 1000;
    const t = { symbol: "A", type: "trade", price: 1, size: 1, ts: now, recvTs: now, provider: "binance" };
    helper.getNode("agg").receive({ payload: t }); // an open bar: its close timer is armed
    helper.getNode("flt").receive({ payload: t });
    helper.getNode("flt").receive({ payload: { ...t, price: 2 } }); // waits for the end of its rate period
    await waitFor(() => timers() >= before + 4, { what: "two status timers, the bar close timer and the rate timer" });
    await helper.unload();
    assert.strictEqual(timers(), before);
  });
});
