"use strict";
const assert = require("assert");
const { resolveAggregate, influxPayload } = require("../../dist/nodes/tick-aggregate/settings");
const { resolveFilter } = require("../../dist/nodes/tick-filter/settings");
const { parseSessions } = require("../../dist/lib/calendar");
const { minuteBar } = require("../support/bars");

describe("tick-aggregate / tick-filter settings", function () {
  it("gives working defaults for a node with no properties", function () {
    const a = resolveAggregate({});
    assert.deepStrictEqual(
      [a.kind, a.step, a.unit, a.clock, a.closeDelayUs, a.latePolicy, a.emptyBars, a.sessions],
      ["time", 1, "min", "wall", 250000, "drop", "none", null],
    );
    const f = resolveFilter({});
    assert.deepStrictEqual([f.include, f.exclude.size, f.types, f.value, f.rateUs, f.sessions], [null, 0, "both", "off", 0, null]);
  });

  it("converts editor units (ms, s) to microseconds and strings to numbers", function () {
    const a = resolveAggregate({
      interval: "5",
      unit: "s",
      closeDelay: "2000",
      reviseWindow: "10",
      updates: "throttle",
      updatesInterval: 500,
      latePolicy: "revise",
    });
    assert.deepStrictEqual([a.step, a.closeDelayUs, a.reviseWindowUs, a.updatesUs], [5, 2e6, 10e6, 5e5]);
    const f = resolveFilter({
      include: "AAPL, MSFT",
      priceMin: "1.5",
      priceMax: "",
      rate: "250",
      maxAge: 1000,
      outlierWindow: "21",
      sessions: "regular,post",
    });
    assert.deepStrictEqual(
      [[...f.include], f.priceMin, f.priceMax, f.rateUs, f.maxAgeUs, f.outlierWindow, [...f.sessions]],
      [["AAPL", "MSFT"], 1.5, null, 250000, 1e6, 21, ["regular", "post"]],
    );
  });

  it("says what to change for bad settings", function () {
    const bad = [
      [() => resolveAggregate({ interval: 7, unit: "min" }), /must be one of 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30/],
      [() => resolveAggregate({ unit: "week" }), /Invalid interval unit "week": use s, min, h, day/],
      [() => resolveAggregate({ barType: "volume", threshold: "lots" }), /threshold must be a number/],
      [() => resolveAggregate({ conditionOverrides: "37" }), /code=flags/],
      [() => resolveAggregate({ sessions: "lunch" }), /Unknown session "lunch"/],
      [() => resolveFilter({ include: "AAPL ???" }), /\?\?\?/],
      [() => resolveFilter({ priceMin: 10, priceMax: 1 }), /minimum price is above/],
      [() => resolveFilter({ valueMode: "smooth" }), /Invalid value filter "smooth"/],
    ];
    for (const [fn, re] of bad) assert.throws(fn, re);
  });

  it("parses session lists: empty or all four mean all, 'extended' = pre + regular + post", function () {
    assert.strictEqual(parseSessions(""), null);
    assert.strictEqual(parseSessions("pre,regular,post,closed"), null);
    assert.deepStrictEqual([...parseSessions("extended")], ["pre", "regular", "post"]);
  });

  it("shapes a bar as InfluxDB [fields, tags] without nulls", function () {
    // No prices (an empty bar carried on), and none of the fields added later (partial, revision).
    const noPrices = { open: null, high: null, low: null, close: null };
    const bar = minuteBar({
      ...noPrices,
      volume: 5,
      vwap: 2,
      count: 1,
      lastTs: 61e6,
      synthetic: true,
      partial: undefined,
      revision: undefined,
    });
    const [fields, tags] = influxPayload(bar, "end");
    assert.deepStrictEqual(
      { ...fields, time: fields.time.getTime() },
      { volume: 5, vwap: 2, count: "1i", final: true, partial: false, synthetic: true, revision: "0i", time: 120000 },
    );
    assert.deepStrictEqual(tags, { symbol: "X", interval: "1min" });
  });
});
