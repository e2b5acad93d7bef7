"use strict";
const assert = require("assert");
const { Deduplicator } = require("../../dist/lib/dedup");

describe("Deduplicator", function () {
  it("recognizes a key seen before for the same symbol only", function () {
    const d = new Deduplicator();
    assert.strictEqual(d.seen("AAPL", "1", 1), false);
    assert.strictEqual(d.seen("AAPL", "1", 2), true);
    assert.strictEqual(d.seen("MSFT", "1", 2), false);
    assert.strictEqual(d.duplicates, 1);
  });

  it("forgets the oldest keys beyond the per-symbol cap (FIFO, duplicates do not refresh)", function () {
    const d = new Deduplicator({ perSymbol: 3, maxKeys: 1000, horizonUs: 0 });
    for (const k of ["a", "b", "c"]) d.seen("S", k, 1);
    assert.strictEqual(d.seen("S", "a", 1), true); // duplicate: does not move "a" to the back
    d.seen("S", "d", 1); // evicts "a"
    assert.strictEqual(d.seen("S", "a", 1), false, "a was evicted");
    assert.strictEqual(d.size, 3);
  });

  it("forgets keys older than the event-time horizon", function () {
    const d = new Deduplicator({ perSymbol: 100, maxKeys: 1000, horizonUs: 1000 });
    d.seen("S", "old", 0);
    d.seen("S", "mid", 600);
    d.seen("S", "new", 1500); // cutoff 500: "old" goes
    assert.strictEqual(d.size, 2);
    assert.strictEqual(d.seen("S", "old", 1500), false);
    assert.strictEqual(d.seen("S", "mid", 1500), true);
  });

  it("stays within the global budget whatever the number of symbols", function () {
    const d = new Deduplicator({ perSymbol: 10_000, maxKeys: 5_000, horizonUs: 0 });
    for (let i = 0; i < 100_000; i++) d.seen("S" + (i % 10), String(i), i);
    assert.ok(d.size <= 5_000 + 10 * 64, `size ${d.size}`);
    // the most recent keys are still known
    assert.strictEqual(d.seen("S9", "99999", 100_000), true);
  });

  it("grows each symbol's ring gradually (10,000 quiet symbols stay small)", function () {
    const d = new Deduplicator();
    for (let i = 0; i < 10_000; i++) d.seen("SYM" + i, "1", 1);
    assert.strictEqual(d.symbolCount, 10_000);
    assert.strictEqual(d.size, 10_000);
    d.forget("SYM1");
    assert.strictEqual(d.size, 9_999);
    assert.strictEqual(d.seen("SYM1", "1", 1), false);
  });

  it("behaves like an unbounded set within its window (randomized check)", function () {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const d = new Deduplicator({ perSymbol: 50, maxKeys: 1_000_000, horizonUs: 0 });
    const history = new Map(); // symbol -> keys in insertion order (unique)
    for (let i = 0; i < 20_000; i++) {
      const sym = "S" + Math.floor(rnd() * 5);
      const key = String(Math.floor(rnd() * 80));
      const h = history.get(sym) || [];
      const expected = h.slice(-50).includes(key);
      assert.strictEqual(d.seen(sym, key, i), expected, `step ${i}`);
      if (!expected) {
        h.push(key);
        history.set(sym, h);
      }
    }
  });
});
