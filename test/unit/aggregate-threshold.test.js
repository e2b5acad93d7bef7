"use strict";
/**
 * Threshold bars (tick, volume, value): a bar closes on its Nth counted trade, share or notional
 * instead of on the time grid. Time bars: aggregate.test.js.
 */
const assert = require("assert");
const { OPEN, trade, make } = require("../support/aggregator-rig");

describe("bar aggregation (pure core)", function () {
  describe("threshold bars", function () {
    it("tick bars close on the Nth counted trade; start/end are the first/last tick", function () {
      const { agg, bars } = make({ kind: "tick", threshold: 3 });
      for (let i = 0; i < 7; i++) agg.push(trade("X", OPEN + i, 10 + i, 1));
      assert.deepStrictEqual(
        bars().map((b) => [b.start - OPEN, b.end - OPEN, b.open, b.close, b.count]),
        [
          [0, 2, 10, 12, 3],
          [3, 5, 13, 15, 3],
        ],
      );
      agg.flush();
      assert.deepStrictEqual([bars()[2].count, bars()[2].partial], [1, true]);
    });
    it("volume bars overshoot by default and split exactly with splitLargeTrades", function () {
      const plain = make({ kind: "volume", threshold: 100 });
      plain.agg.push(trade("X", OPEN, 10, 60));
      plain.agg.push(trade("X", OPEN + 1, 11, 70, [37])); // odd lot counts toward volume
      assert.deepStrictEqual(
        plain.bars().map((b) => b.volume),
        [130],
      );
      const split = make({ kind: "volume", threshold: 100, splitLargeTrades: true });
      split.agg.push(trade("X", OPEN, 10, 60));
      split.agg.push(trade("X", OPEN + 1, 11, 250));
      // 60 + 250 = 310 shares: three bars of exactly 100 (the first mixes both trades), 10 left open.
      assert.deepStrictEqual(
        split.bars().map((b) => [b.volume, b.open, b.close]),
        [
          [100, 10, 11],
          [100, 11, 11],
          [100, 11, 11],
        ],
      );
      split.agg.flush();
      assert.deepStrictEqual([split.bars()[3].volume, split.bars()[3].partial], [10, true]);
    });
    it("value bars close on notional", function () {
      const { agg, bars } = make({ kind: "value", threshold: 1000 });
      agg.push(trade("X", OPEN, 10, 50)); // 500
      agg.push(trade("X", OPEN + 1, 10, 50)); // 1000
      assert.deepStrictEqual(
        bars().map((b) => [b.volume, b.interval]),
        [[100, "1000value"]],
      );
    });
  });
});
