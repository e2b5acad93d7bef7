"use strict";
const assert = require("assert");
const { InfluxTickFormatter, microsToNanoString, barFieldsAndTags, tickFieldsAndTags, INFLUX_PRECISION } = require("../../dist/lib/influx");
const { minuteBar } = require("../support/bars");

const tick = (o = {}) => ({
  symbol: "AAPL",
  type: "trade",
  price: 189.23,
  size: 100,
  bid: null,
  bidSize: null,
  ask: null,
  askSize: null,
  ts: 1732377600123456,
  recvTs: 1732377600124001,
  exchange: "Q",
  conditions: ["@", "I"],
  id: "98765432109876543210",
  seq: 12,
  provider: "polygon",
  backfill: false,
  ...o,
});

describe("InfluxDB formatter", function () {
  it("shapes a tick as [fields, tags]: no nulls, no arrays, symbol/type/provider/exchange as tags", function () {
    const f = new InfluxTickFormatter();
    const [fields, tags] = f.outPayload(tick());
    assert.deepStrictEqual(fields, {
      price: 189.23,
      size: 100,
      conditions: "@,I",
      id: "98765432109876543210",
      seq: "12",
      recvTs: 1732377600124001,
      time: "1732377600123456000",
    });
    assert.deepStrictEqual(tags, { symbol: "AAPL", type: "trade", provider: "polygon", exchange: "Q" });
    assert.strictEqual(INFLUX_PRECISION, "n");
    assert.strictEqual(f.measurement, "ticks");
  });

  it("tolerates ticks with missing keys (older shape) and quotes", function () {
    const [fields, tags] = tickFieldsAndTags({
      symbol: "X",
      type: "quote",
      bid: 1.5,
      bidSize: 3,
      ask: 1.6,
      askSize: 0,
      ts: 5,
      recvTs: 6,
      provider: "binance",
    });
    assert.deepStrictEqual(fields, { bid: 1.5, bidSize: 3, ask: 1.6, askSize: 0, recvTs: 6 });
    assert.deepStrictEqual(tags, { symbol: "X", type: "quote", provider: "binance" });
    const [f2] = tickFieldsAndTags(tick({ conditions: [], exchange: null, id: null, seq: null, backfill: true, price: NaN }));
    assert.deepStrictEqual(Object.keys(f2).sort(), ["backfill", "recvTs", "size"]);
    for (const v of Object.values(f2)) assert.ok(["number", "string", "boolean"].includes(typeof v));
  });

  it("keeps ticks of one symbol in the same microsecond apart by a nanosecond, other symbols untouched", function () {
    const f = new InfluxTickFormatter("trades");
    const ts = 1732377600123456;
    const times = [tick({ ts }), tick({ ts }), tick({ ts, symbol: "MSFT" }), tick({ ts: ts + 1 }), tick({ ts }), tick({ ts: ts - 7 })].map(
      (t) => f.outPayload(t)[0].time,
    );
    assert.deepStrictEqual(times, [
      "1732377600123456000",
      "1732377600123456001",
      "1732377600123456000",
      "1732377600123457000",
      "1732377600123456002",
      "1732377600123449000",
    ]);
    // Every time still reads back as the exact microsecond.
    for (const t of times) assert.ok(/^17323776001234(5[67]|49)\d{3}$/.test(t));
  });

  it("writes the exact nanoseconds as a decimal string (beyond 2^53)", function () {
    assert.strictEqual(microsToNanoString(1732377600123456), "1732377600123456000");
    assert.strictEqual(microsToNanoString(1732377600123456, 7), "1732377600123456007");
    assert.strictEqual(microsToNanoString(1732377600123456, 1234), "1732377600123457234");
    assert.strictEqual(microsToNanoString(0, 0), "0000");
    assert.strictEqual(BigInt(microsToNanoString(0, 0)), 0n);
  });

  it("makes influxdb batch points {measurement, fields, tags, timestamp}", function () {
    const f = new InfluxTickFormatter("q");
    const p = f.batchPoint(tick({ type: "quote", price: null, size: null, bid: 1, bidSize: 2, ask: 1.1, askSize: 3, conditions: [] }));
    assert.deepStrictEqual(p, {
      measurement: "q",
      fields: { bid: 1, bidSize: 2, ask: 1.1, askSize: 3, id: "98765432109876543210", seq: "12", recvTs: 1732377600124001 },
      tags: { symbol: "AAPL", type: "quote", provider: "polygon", exchange: "Q" },
      timestamp: "1732377600123456000",
    });
  });

  it("shapes bars with final/partial/synthetic/revision and integer count, revision (and volume on request)", function () {
    const bar = minuteBar({ partial: true, session: "regular" });
    const [fields, tags] = barFieldsAndTags(bar, "start");
    assert.deepStrictEqual(
      { ...fields, time: fields.time.getTime() },
      {
        open: 1,
        high: 2,
        low: 0.5,
        close: 1.5,
        vwap: 1.2,
        volume: 300,
        count: "7i",
        final: true,
        partial: true,
        synthetic: false,
        revision: "0i",
        time: 60000,
      },
    );
    assert.deepStrictEqual(tags, { symbol: "X", interval: "1min", session: "regular" });
    const [f2] = barFieldsAndTags({ ...bar, volume: 300.4, revision: 2, final: false, partial: undefined }, "end", { intVolume: true });
    assert.deepStrictEqual([f2.volume, f2.revision, f2.final, f2.partial, f2.time.getTime()], ["300i", "2i", false, false, 120000]);
  });
});
