"use strict";
const assert = require("assert");
const { Backoff } = require("../../dist/lib/backoff");

describe("Backoff (exponential, full jitter)", function () {
  it("grows the bound exponentially up to the cap, never below the floor", function () {
    const max = new Backoff({ baseMs: 100, capMs: 1000, floorMs: 10 }, () => 0.999999);
    assert.deepStrictEqual(
      [1, 2, 3, 4, 5, 6].map(() => max.next()),
      [100, 200, 400, 800, 1000, 1000],
    );
    const min = new Backoff({ baseMs: 100, capMs: 1000, floorMs: 10 }, () => 0);
    assert.strictEqual(min.next(), 10);
  });

  it("spreads waits (jitter) and honours a minimum wait", function () {
    const b = new Backoff({ baseMs: 1000, capMs: 30000, floorMs: 250 });
    const waits = new Set();
    for (let i = 0; i < 20; i++) {
      b.reset();
      b.attempt = 5;
      waits.add(b.next());
    }
    assert.ok(waits.size > 10, "random waits");
    assert.ok(b.next(90_000) >= 90_000);
  });

  it("resets", function () {
    const b = new Backoff({ baseMs: 100, capMs: 1000, floorMs: 1 }, () => 0.999999);
    b.next();
    b.next();
    b.reset();
    assert.strictEqual(b.next(), 100);
  });
});
