"use strict";
const assert = require("assert");
const { DedupStore, feedIdentity, DEDUP_RETAIN_MS, DEDUP_STORE_MAX } = require("../../dist/lib/dedup-store");
const { Deduplicator } = require("../../dist/lib/dedup");

const id = (over = {}) =>
  feedIdentity({ provider: "polygon", url: "", apiKey: "K-123456", apiSecret: "", options: { a: 1, b: 2 }, window: {}, ...over });

describe("dedup store (memory across deploys)", function () {
  it("identity: same stream -> same hash, any difference -> another; the key is not in it", function () {
    assert.strictEqual(id(), id({ options: { b: 2, a: 1 } }), "option order does not matter");
    for (const over of [
      { apiKey: "K-other" },
      { apiSecret: "s" },
      { url: "wss://x" },
      { provider: "alpaca" },
      { options: { a: 2, b: 2 } },
      { window: { horizonUs: 1 } },
    ]) {
      assert.notStrictEqual(id(over), id(), JSON.stringify(over));
    }
    assert.match(id(), /^[0-9a-f]{64}$/);
    assert.ok(!id().includes("K-123456"));
  });

  it("hands a parked memory to the next feed once, with what it had seen", function () {
    const store = new DedupStore(60_000, 4);
    const d = new Deduplicator({});
    assert.strictEqual(d.seen("AAPL", "1", 1_000_000), false);
    store.park(id(), d, 0);
    assert.strictEqual(store.take(id({ apiKey: "other" }), 1), undefined);
    const back = store.take(id(), 1);
    assert.strictEqual(back, d);
    assert.strictEqual(back.seen("AAPL", "1", 1_000_000), true, "still remembers");
    assert.strictEqual(store.take(id(), 2), undefined, "taken once");
    store.clear();
  });

  it("is bounded in time and in size", function () {
    const store = new DedupStore(1000, 3);
    store.park(id(), new Deduplicator({}), 0);
    assert.strictEqual(store.take(id(), 999) !== undefined, true);
    store.park(id(), new Deduplicator({}), 0);
    assert.strictEqual(store.take(id(), 1000), undefined, "dropped after retainMs");
    for (let i = 0; i < 5; i++) store.park(id({ apiKey: "k" + i }), new Deduplicator({}), 10 + i);
    assert.strictEqual(store.size, 3);
    assert.strictEqual(store.take(id({ apiKey: "k0" }), 20), undefined, "oldest evicted first");
    assert.ok(store.take(id({ apiKey: "k4" }), 20));
    store.clear();
    assert.strictEqual(DEDUP_RETAIN_MS, 300_000);
    assert.strictEqual(DEDUP_STORE_MAX, 32);
  });
});
