"use strict";
/** The per-symbol indicator bank: what counts as a bar or a tick, sources, the symbol cap, late inputs. */
const assert = require("assert");
const { IndicatorBank, kindOf, pointFromBar, pointFromTick, SOURCES } = require("../../dist/lib/indicators/bank");

const bar = (o) => ({
  symbol: "X",
  interval: "1min",
  start: 0,
  end: 60e6,
  open: 10,
  high: 14,
  low: 8,
  close: 12,
  volume: 500,
  vwap: 11.5,
  count: 3,
  final: true,
  ...o,
});
const pt = () => ({ value: 0, high: 0, low: 0, close: 0, volume: 0 });

describe("indicator bank", function () {
  it("tells bars from ticks; anything else is neither", function () {
    assert.strictEqual(kindOf(bar({})), "bar");
    assert.strictEqual(kindOf({ symbol: "X", type: "trade", price: 1, ts: 5 }), "tick");
    assert.strictEqual(kindOf({ symbol: "X", type: "quote", bid: 1, ask: 2, ts: 5 }), "tick");
    for (const x of [null, 5, "X", {}, { symbol: "X" }, { symbol: "", close: 1, start: 0 }, { symbol: "X", type: "trade" }])
      assert.strictEqual(kindOf(x), undefined, JSON.stringify(x));
  });

  it("every source of a bar", function () {
    const expected = { close: 12, open: 10, high: 14, low: 8, hl2: 11, hlc3: 34 / 3, ohlc4: 11, price: 12, vwap: 11.5 };
    for (const s of SOURCES) {
      const p = pt();
      assert.ok(pointFromBar(bar({}), s, p));
      assert.strictEqual(p.value, expected[s], s);
      assert.deepStrictEqual([p.high, p.low, p.close, p.volume], [14, 8, 12, 500]);
    }
  });

  it("a bar without a price (no trade yet) or without VWAP (no volume) is skipped", function () {
    assert.strictEqual(pointFromBar(bar({ open: null, high: null, low: null, close: null }), "close", pt()), false);
    assert.strictEqual(pointFromBar(bar({ vwap: null }), "vwap", pt()), false);
    assert.strictEqual(pointFromBar(bar({ vwap: null }), "close", pt()), true);
  });

  it("a trade's price and size; a quote's midpoint with no volume; nothing without a price", function () {
    const p = pt();
    assert.ok(pointFromTick({ symbol: "X", type: "trade", price: 5, size: 7, ts: 1 }, p));
    assert.deepStrictEqual(p, { value: 5, high: 5, low: 5, close: 5, volume: 7 });
    assert.ok(pointFromTick({ symbol: "X", type: "quote", bid: 4, ask: 6, ts: 1 }, p));
    assert.deepStrictEqual(p, { value: 5, high: 5, low: 5, close: 5, volume: 0 });
    assert.strictEqual(pointFromTick({ symbol: "X", type: "quote", bid: 4, ask: null, ts: 1 }, pt()), false);
  });

  it("bars must start after the last final bar (revisions and late bars are 'old'); ticks may share a time", function () {
    const b = new IndicatorBank("sma", { period: 1 }, 10);
    const p = { value: 1, high: 1, low: 1, close: 1, volume: 0 };
    assert.strictEqual(b.update("X", 100, p, true, true), 1);
    assert.strictEqual(b.update("X", 100, p, true, true), "old");
    assert.strictEqual(b.update("X", 50, p, false, true), "old");
    const t = new IndicatorBank("sma", { period: 1 }, 10);
    assert.strictEqual(t.update("X", 100, p, true, false), 1);
    assert.strictEqual(t.update("X", 100, p, true, false), 1);
    assert.strictEqual(t.update("X", 99, p, true, false), "old");
    assert.strictEqual(t.old, 1);
  });

  it("keeps at most maxSymbols, forgetting the least recently updated", function () {
    const b = new IndicatorBank("sma", { period: 2 }, 2);
    const p = (v) => ({ value: v, high: v, low: v, close: v, volume: 0 });
    b.update("A", 1, p(1), true, true);
    b.update("B", 1, p(1), true, true);
    b.update("A", 2, p(3), true, true); // A is now the most recent: 2
    b.update("C", 1, p(1), true, true); // evicts B
    assert.strictEqual(b.symbols, 2);
    assert.strictEqual(b.evicted, 1);
    assert.strictEqual(b.update("A", 3, p(5), true, true), 4, "A kept its history");
    assert.strictEqual(b.update("B", 2, p(1), true, true), null, "B warms up again");
    b.reset("A");
    assert.strictEqual(b.update("A", 4, p(1), true, true), null);
    b.reset();
    assert.strictEqual(b.symbols, 0);
  });
});
