"use strict";
/** tick-filter value modes hand back the caller's ref (its message) with every result, rejects included. */
const assert = require("assert");
const { TickFilter, DEFAULT_FILTER } = require("../../dist/lib/filter");

const REG = Date.parse("2026-11-24T10:00:00-05:00") * 1000;
const trade = (price, i) => ({ symbol: "AAPL", type: "trade", price, size: 100, ts: REG + i, recvTs: REG + i, provider: "simulator" });

describe("tick filter: value modes keep the caller's ref", function () {
  for (const [value, prices, reason] of [
    ["rbe", [10, 10], "unchanged"],
    ["deadband", [10, 10.001], "unchanged"],
    ["narrowband", [10, 20], "band"],
  ]) {
    it(`${value}: the reject carries the message that came in, not the last value`, function () {
      const out = [];
      const f = new TickFilter({ ...DEFAULT_FILTER, value, gap: 1, gapUnit: "abs" }, { now: () => REG, emit: (o) => out.push(o) });
      const refs = prices.map((p, i) => ({ _msgid: "m" + i, topic: "AAPL", custom: i }));
      prices.forEach((p, i) => f.push(trade(p, i), refs[i]));
      assert.deepStrictEqual(
        out.map((o) => o.type),
        ["pass", "reject"],
      );
      assert.strictEqual(out[1].reason, reason);
      assert.strictEqual(out[1].ref, refs[1], "the second tick's own message");
      assert.strictEqual(out[0].ref, refs[0]);
    });
  }
});
