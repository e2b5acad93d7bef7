"use strict";
/**
 * tick-indicator and tick-alert through a real Node-RED runtime: ticks from a real local
 * WebSocket server (generic protocol) -> tick-subscribe -> tick-aggregate (1-minute bars) ->
 * tick-indicator -> tick-alert, with exact values; then the message shapes a user sees
 * (provisional values, arrays, the aggregate's close output, reset, warm-up), bad input and
 * bad configuration.
 */
const assert = require("assert");
const { helper } = require("../support/runtime");
const { mockEachTest, collect, loadIntoHelper, catchNodes, caughtBySource, statusesOf } = require("../support/flow");
const { genericSource, eventBars } = require("../support/provider-flow");
const { waitFor } = require("../support/wait");
const { GenericServer } = require("../mocks/generic-server");
const NODES = ["tick-feed", "tick-subscribe", "tick-aggregate", "tick-indicator", "tick-alert"].map((n) =>
  require(`../../dist/nodes/${n}/${n}.js`),
);

const MIN = 60_000_000;
const us = (iso) => Date.parse(iso) * 1000;
const T0 = us("2026-11-24T10:00:00-05:00"); // a Tuesday, regular session
const bar = (symbol, i, close, extra = {}) => ({
  symbol,
  interval: "1min",
  start: T0 + i * MIN,
  end: T0 + (i + 1) * MIN,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume: 100,
  vwap: close,
  count: 1,
  firstTs: T0 + i * MIN,
  lastTs: T0 + i * MIN,
  final: true,
  partial: false,
  synthetic: false,
  revision: 0,
  ...extra,
});

describe("tick-indicator + tick-alert (runtime)", function () {
  afterEach(async function () {
    await helper.unload();
  });

  describe("fed by tick-subscribe -> tick-aggregate", function () {
    const server = mockEachTest(() => new GenericServer());

    it("1-minute bars -> EMA(3) equal to the definition -> 'close crosses its EMA' alerts at the right bars", async function () {
      await helper.load(NODES, [
        ...genericSource(server.url, { symbols: "AAPL", wires: [["agg"], []] }),
        eventBars({ id: "agg", wires: [["ind"], []] }),
        { id: "ind", type: "tick-indicator", indicator: "ema", period: 3, wires: [["values", "alert"]] },
        { id: "alert", type: "tick-alert", rule: "cross", property: "bar.close", levelProperty: "payload", wires: [["alerts"]] },
        { id: "values", type: "helper" },
        { id: "alerts", type: "helper" },
      ]);
      const values = collect("values");
      const alerts = collect("alerts");
      await waitFor(() => server.received.length > 0, { what: "a subscribe request" });
      const closes = [10, 11, 12, 13, 12, 11, 10, 11, 12];
      // One trade at :30 of each minute, plus one in the next minute so the last bar closes.
      const ticks = [...closes, 99].map((p, i) => ({
        symbol: "AAPL",
        id: String(i + 1),
        time: (T0 + i * MIN + 30_000_000) / 1000,
        price: p,
        size: 100,
      }));
      server.send(ticks);
      await waitFor(() => values.length === 7 && alerts.length === 2, { what: "7 EMA values and 2 alerts" });
      // EMA(3), k = 0.5, seeded with the SMA of the first three closes.
      const ema = [11, 12, 12, 11.5, 10.75, 10.875, 11.4375];
      assert.deepStrictEqual(
        values.map((m) => m.payload),
        ema,
      );
      for (const [j, m] of values.entries()) {
        assert.strictEqual(m.topic, "AAPL");
        assert.deepStrictEqual(m.indicator, { name: "ema", params: { period: 3 }, symbol: "AAPL", ts: T0 + (j + 2) * MIN, final: true });
        assert.strictEqual(m.bar.close, closes[j + 2]);
        assert.strictEqual(m.bar.final, true);
      }
      // close vs EMA: 12>11, 13>12, 12=12 (touch), 11<11.5 cross below, 10<10.75, 11>10.875 cross above
      assert.deepStrictEqual(
        alerts.map((m) => [m.alert.direction, m.alert.value, m.alert.level, m.alert.ts]),
        [
          ["down", 11, 11.5, T0 + 5 * MIN],
          ["up", 11, 10.875, T0 + 7 * MIN],
        ],
      );
      assert.strictEqual(alerts[0].topic, "AAPL");
      assert.strictEqual(alerts[0].alert.rule, "cross");
      assert.strictEqual(alerts[0].alert.symbol, "AAPL");
      assert.strictEqual(typeof alerts[0].payload, "string");
      assert.strictEqual(alerts[0].indicator.name, "ema");
    });

    it("ticks straight into an indicator and an alert (RSI(2) on trade prices, crosses above 70)", async function () {
      await helper.load(NODES, [
        ...genericSource(server.url, { symbols: "BTC-USD", wires: [["ind"], []] }),
        { id: "ind", type: "tick-indicator", indicator: "rsi", period: 2, source: "price", wires: [["values", "alert"]] },
        { id: "alert", type: "tick-alert", rule: "crossAbove", level: 70, wires: [["alerts"]] },
        { id: "values", type: "helper" },
        { id: "alerts", type: "helper" },
      ]);
      const values = collect("values");
      const alerts = collect("alerts");
      await waitFor(() => server.received.length > 0, { what: "a subscribe request" });
      const prices = [100, 99, 98, 99, 101, 102];
      server.send(prices.map((p, i) => ({ symbol: "BTC-USD", id: String(i + 1), time: T0 / 1000 + i * 1000, price: p, size: 1 })));
      await waitFor(() => values.length === 4 && alerts.length === 1, { what: "4 RSI values, 1 alert" });
      // changes -1,-1,+1,+2,+1: seed gain 0 loss 1 -> RSI 0; then gain .5 loss .5 -> 50; gain 1.25 loss .25 -> 83.33; gain 1.125 loss .125 -> 90
      const expected = [0, 50, (100 * 1.25) / 1.5, (100 * 1.125) / 1.25];
      values.forEach((m, i) => assert.ok(Math.abs(m.payload - expected[i]) < 1e-9, `RSI ${i}: ${m.payload}`));
      assert.ok(values.every((m) => m.tick && m.tick.type === "trade" && m.indicator.final === true));
      assert.strictEqual(alerts[0].alert.value, values[2].payload);
      assert.strictEqual(alerts[0].alert.direction, "up");
    });
  });

  describe("messages", function () {
    it("an in-progress bar gives a provisional value (final: false) that moves nothing", async function () {
      const { node: ind, out } = await loadIntoHelper(NODES, { id: "ind", type: "tick-indicator", indicator: "sma", period: 3 });
      [1, 2, 3].forEach((c, i) => ind.receive({ payload: bar("X", i, c) }));
      ind.receive({ payload: bar("X", 3, 6, { final: false }) });
      ind.receive({ payload: bar("X", 3, 7, { final: false }) });
      ind.receive({ payload: bar("X", 3, 4) });
      ind.receive({ payload: bar("X", 3, 100) }); // the same bar again (a revision): ignored
      await waitFor(() => out.length === 4, { what: "4 values" });
      assert.deepStrictEqual(
        out.map((m) => [m.payload, m.indicator.final]),
        [
          [2, true],
          [11 / 3, false],
          [4, false],
          [3, true],
        ],
      );
      await waitFor(() => statusesOf("ind").some((s) => /skipped/.test(s.text)), { what: "the skipped revision in the status" });
    });

    it("arrays (batch mode) give one message per value; the aggregate's close output (number + msg.bar) works too", async function () {
      const { node: ind, out } = await loadIntoHelper(NODES, {
        id: "ind",
        type: "tick-indicator",
        indicator: "bollinger",
        period: 2,
        k: 1,
      });
      ind.receive({ payload: [bar("A", 0, 10), bar("B", 0, 20), bar("A", 1, 12), bar("B", 1, 20)] });
      await waitFor(() => out.length === 2, { what: "two messages from the array" });
      assert.deepStrictEqual(
        out.map((m) => [m.topic, m.payload]),
        [
          ["A", { upper: 12, middle: 11, lower: 10 }],
          ["B", { upper: 20, middle: 20, lower: 20 }],
        ],
      );
      ind.receive({ topic: "A", payload: 14, bar: bar("A", 2, 14) });
      await waitFor(() => out.length === 3, { what: "a value from payload + msg.bar" });
      assert.deepStrictEqual(out[2].payload, { upper: 14, middle: 13, lower: 12 });
      assert.strictEqual(out[2].bar.close, 14);
    });

    it("warm-up: nothing by default, null payloads with emitWarmup; msg.reset starts a symbol over", async function () {
      await helper.load(NODES, [
        { id: "ind", type: "tick-indicator", indicator: "macd", fast: 2, slow: 3, signal: 2, emitWarmup: true, wires: [["out"]] },
        { id: "ind2", type: "tick-indicator", indicator: "ema", period: 2, wires: [["out2"]] },
        { id: "out", type: "helper" },
        { id: "out2", type: "helper" },
      ]);
      const out = collect("out");
      const out2 = collect("out2");
      const ind = helper.getNode("ind");
      [1, 2, 3, 5].forEach((c, i) => ind.receive({ payload: bar("X", i, c) }));
      await waitFor(() => out.length === 4, { what: "4 messages" });
      assert.deepStrictEqual(
        out.slice(0, 3).map((m) => m.payload),
        [null, null, null],
      );
      assert.ok(out[3].payload && typeof out[3].payload.histogram === "number");
      const ind2 = helper.getNode("ind2");
      ind2.receive({ payload: bar("X", 0, 1) });
      ind2.receive({ payload: bar("X", 1, 3) });
      ind2.receive({ reset: "X" });
      ind2.receive({ payload: bar("X", 2, 10) });
      ind2.receive({ payload: bar("X", 3, 20) });
      await waitFor(() => out2.length === 2, { what: "2 EMA values" });
      assert.deepStrictEqual(
        out2.map((m) => m.payload),
        [2, 15],
      );
    });

    it("two series of one symbol without code: EMA(3) -> EMA(2) chained, fast crosses slow via msg.indicators", async function () {
      await helper.load(NODES, [
        { id: "slow", type: "tick-indicator", indicator: "ema", period: 3, emitWarmup: true, wires: [["fast"]] },
        { id: "fast", type: "tick-indicator", indicator: "ema", period: 2, wires: [["vals", "al"]] },
        { id: "al", type: "tick-alert", rule: "cross", levelProperty: "indicators.ema3", wires: [["alerts"]] },
        { id: "vals", type: "helper" },
        { id: "alerts", type: "helper" },
      ]);
      const vals = collect("vals");
      const alerts = collect("alerts");
      const closes = [10, 10, 10, 13, 13, 7, 7];
      closes.forEach((c, i) => helper.getNode("slow").receive({ payload: bar("X", i, c) }));
      await waitFor(() => vals.length === 6, { what: "6 EMA(2) values" });
      // EMA(2) is computed from the bars (not from the EMA(3) values): seed mean(10,10) = 10, k = 2/3.
      const ema2 = [10, 10, 12, 12 + (13 - 12) * (2 / 3), null, null];
      ema2[4] = ema2[3] + (7 - ema2[3]) * (2 / 3);
      ema2[5] = ema2[4] + (7 - ema2[4]) * (2 / 3);
      vals.forEach((m, i) => assert.ok(Math.abs(m.payload - ema2[i]) < 1e-12, `ema2[${i}] ${m.payload}`));
      assert.deepStrictEqual(Object.keys(vals[2].indicators), ["ema3", "ema2"]);
      assert.strictEqual(vals[0].indicators.ema3, null, "EMA(3) still warming up at the first EMA(2) value");
      // EMA(3): 10 (bar 2), 11.5, 12.25, 9.625, 8.3125; fast - slow: 0 (equal: a touch, so bar 3
      // going above is not a cross), +0.5, +0.42, -0.74 (crosses below at bar 5), -0.68.
      await waitFor(() => alerts.length === 1, { what: "1 cross" });
      assert.deepStrictEqual(
        alerts.map((m) => [m.alert.direction, m.alert.ts, m.alert.level]),
        [["down", T0 + 5 * MIN, 9.625]],
      );
      helper.getNode("slow").receive({ payload: bar("X", 7, 20) });
      await waitFor(() => alerts.length === 2, { what: "the cross back up" });
      assert.strictEqual(alerts[1].alert.direction, "up");
    });

    it("alert: a sentence and msg.alert per alert; only final values unless provisional is on; cooldown; reset", async function () {
      const { node: al, out } = await loadIntoHelper(NODES, { id: "al", type: "tick-alert", rule: "above", level: 100, cooldown: 60 });
      al.receive({ payload: bar("X", 0, 101, { final: false }) }); // provisional: ignored
      al.receive({ payload: bar("X", 0, 101) });
      al.receive({ payload: bar("X", 1, 99) });
      al.receive({ payload: bar("X", 2, 102) }); // re-armed, and the 60 s cooldown has passed (2 min later)
      al.receive({ payload: bar("Y", 0, 150) });
      al.receive({ reset: true });
      al.receive({ payload: bar("Y", 1, 151) });
      await waitFor(() => out.length === 4, { what: "4 alerts" });
      assert.deepStrictEqual(
        out.map((m) => [m.topic, m.alert.value, m.alert.ts]),
        [
          ["X", 101, T0],
          ["X", 102, T0 + 2 * MIN],
          ["Y", 150, T0],
          ["Y", 151, T0 + MIN],
        ],
      );
      assert.deepStrictEqual(Object.keys(out[0].alert).slice(0, 6), ["symbol", "rule", "value", "level", "direction", "ts"]);
      assert.strictEqual(out[0].payload, "tick-alert.sentence.above"); // the test helper's RED._ gives keys; texts: settings unit test
      assert.strictEqual(out[0].bar.close, 101);
    });

    it("bad input is a catchable error with a red status; a bad configuration says what to change", async function () {
      await helper.load(NODES, [
        { id: "ind", type: "tick-indicator", indicator: "rsi", wires: [[]] },
        { id: "al", type: "tick-alert", rule: "above", level: 1, wires: [[]] },
        { id: "badInd", type: "tick-indicator", indicator: "rsi", period: 0, wires: [[]] },
        { id: "badAl", type: "tick-alert", rule: "above", wires: [[]] },
        ...catchNodes(),
      ]);
      const caught = collect("caught");
      helper.getNode("ind").receive({ payload: "AAPL 1.23" });
      helper.getNode("al").receive({ payload: "AAPL 1.23" });
      helper.getNode("badInd").receive({ payload: bar("X", 0, 1) });
      helper.getNode("badAl").receive({ payload: 5 });
      assert.deepStrictEqual(await caughtBySource(caught, 4), {
        ind: "Error: tick-indicator.errors.bad-payload",
        al: "Error: tick-alert.errors.no-value",
        badInd: "Error: tick-indicator.errors.config",
        badAl: "Error: tick-alert.errors.config",
      });
      await waitFor(() => statusesOf("ind").some((s) => s.fill === "red"), { what: "red status on bad input" });
      await waitFor(() => statusesOf("badAl").some((s) => s.fill === "red" && /config/.test(s.text)), { what: "red config status" });
    });
  });
});
