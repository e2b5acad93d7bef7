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
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
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

  it("follows the reference policy exactly: count cap, event-time horizon, global budget with a floor (randomized)", function () {
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const opts = { perSymbol: 40, maxKeys: 150, horizonUs: 500 };
    const d = new Deduplicator(opts);
    // Reference: plain arrays, the policy written out.
    const ref = new Map();
    let total = 0;
    const FLOOR = 64;
    function refSeen(sym, key, ts) {
      let w = ref.get(sym);
      if (!w) ref.set(sym, (w = { keys: [], maxTs: -Infinity }));
      else if (w.keys.some((e) => e.key === key)) return true;
      if (ts > w.maxTs) {
        w.maxTs = ts;
        while (w.keys.length > 0 && w.keys[0].ts < ts - opts.horizonUs) {
          w.keys.shift();
          total--;
        }
      }
      if (w.keys.length === opts.perSymbol) {
        w.keys.shift();
        total--;
      }
      if (total >= opts.maxKeys && w.keys.length >= Math.min(FLOOR, opts.perSymbol)) {
        w.keys.shift();
        total--;
      }
      w.keys.push({ key, ts });
      total++;
      return false;
    }
    let ts = 0;
    for (let i = 0; i < 50_000; i++) {
      ts += Math.floor(rnd() * 3) - (rnd() < 0.1 ? 20 : 0); // mostly forward, sometimes back
      const sym = "S" + Math.floor(rnd() * 7);
      const key = sym + ":" + Math.floor(rnd() * 120);
      assert.strictEqual(d.seen(sym, key, ts), refSeen(sym, key, ts), `step ${i}`);
      assert.strictEqual(d.size, total, `size at step ${i}`);
    }
  });

  it("keeps its keys outside the JS heap: 250,000 keys cost little heap", function () {
    const d = new Deduplicator({ perSymbol: 10_000, maxKeys: 250_000, horizonUs: 0 });
    if (global.gc) global.gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 250_000; i++) d.seen("S" + (i % 25), "Q:" + i + ":1700000000000000:" + i, i);
    if (global.gc) global.gc();
    assert.strictEqual(d.size, 250_000);
    // Strings in a Set would take well over 20 MB of heap; hashes in typed arrays are off-heap.
    assert.ok(
      process.memoryUsage().heapUsed - before < 8 * 1048576,
      `${((process.memoryUsage().heapUsed - before) / 1048576).toFixed(1)} MB of heap`,
    );
  });
});
