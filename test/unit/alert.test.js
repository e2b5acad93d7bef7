"use strict";
/** tick-alert rules (pure core): every rule's edges, hysteresis, cooldown, sessions, per-symbol state. */
const assert = require("assert");
const { AlertEngine, DEFAULT_ALERT, validateAlert } = require("../../dist/lib/alert");
const { nyToUtc } = require("../../dist/lib/calendar");

const S = 1_000_000; // µs per second
const T0 = nyToUtc(2026, 11, 24, 11 * 3600 * S); // a Tuesday, 11:00 New York (regular session)

function engine(over) {
  const cfg = { ...DEFAULT_ALERT, ...over };
  validateAlert(cfg, over.levelFromMessage === true);
  return new AlertEngine(cfg);
}
/** Feeds values one second apart; returns "index:direction" for each alert. */
function feed(e, values, { symbol = "AAPL", t0 = T0, step = S, levels } = {}) {
  const fired = [];
  values.forEach((v, i) => {
    const a = e.push(symbol, t0 + i * step, v, levels ? levels[i] : undefined);
    if (a !== null && typeof a === "object") fired.push(`${i}:${a.direction}`);
  });
  return fired;
}

describe("alert rules", function () {
  describe("above / below", function () {
    it("above fires once when the value goes strictly above; at the level is not above", function () {
      assert.deepStrictEqual(feed(engine({ rule: "above", level: 100 }), [99, 100, 100.01, 101, 102]), ["2:up"]);
    });
    it("above fires on a first value already above (armed from the start)", function () {
      assert.deepStrictEqual(feed(engine({ rule: "above", level: 100 }), [101, 102]), ["0:up"]);
    });
    it("above re-arms only when strictly below; touching the level does not re-arm", function () {
      assert.deepStrictEqual(feed(engine({ rule: "above", level: 100 }), [101, 100, 101, 99.99, 100.5]), ["0:up", "4:up"]);
    });
    it("hysteresis: re-arms only at least that far below the level (exactly the distance re-arms)", function () {
      const e = engine({ rule: "above", level: 100, hysteresis: 0.5 });
      assert.deepStrictEqual(feed(e, [101, 99.6, 101, 99.5, 100.1]), ["0:up", "4:up"]);
    });
    it("below mirrors above", function () {
      assert.deepStrictEqual(feed(engine({ rule: "below", level: 100, hysteresis: 1 }), [101, 100, 99.9, 99, 100.5, 99, 101, 98]), [
        "2:down",
        "7:down",
      ]);
    });
  });

  describe("cross", function () {
    it("crossAbove needs to have seen the value below: a first value above does not fire", function () {
      assert.deepStrictEqual(feed(engine({ rule: "crossAbove", level: 100 }), [101, 102, 99, 101]), ["3:up"]);
    });
    it("touching the level is not a cross: 99, 100, 99 nothing; 99, 100, 101 fires at 101", function () {
      assert.deepStrictEqual(feed(engine({ rule: "crossAbove", level: 100 }), [99, 100, 99]), []);
      assert.deepStrictEqual(feed(engine({ rule: "crossAbove", level: 100 }), [99, 100, 101]), ["2:up"]);
      assert.deepStrictEqual(feed(engine({ rule: "cross", level: 100 }), [101, 100, 101, 100, 99]), ["4:down"]);
    });
    it("crossBelow mirrors crossAbove", function () {
      assert.deepStrictEqual(feed(engine({ rule: "crossBelow", level: 100 }), [99, 101, 100, 99, 98, 101, 99]), ["3:down", "6:down"]);
    });
    it("cross fires both ways; hysteresis suppresses chatter around the level", function () {
      const chatter = [99, 100.2, 99.9, 100.1, 99.8, 100.3, 101, 99];
      assert.deepStrictEqual(feed(engine({ rule: "cross", level: 100 }), chatter), ["1:up", "2:down", "3:up", "4:down", "5:up", "7:down"]);
      assert.deepStrictEqual(feed(engine({ rule: "cross", level: 100, hysteresis: 0.5 }), chatter), ["1:up", "7:down"]);
    });
    it("a level taken from each value (close crosses its EMA)", function () {
      const e = engine({ rule: "cross", level: null, levelFromMessage: true });
      const closes = [10, 11, 12, 11, 10];
      const emas = [10.5, 10.6, 11, 11.2, 11];
      assert.deepStrictEqual(feed(e, closes, { levels: emas.map((l) => ({ level: l })) }), ["1:up", "3:down"]);
      assert.strictEqual(e.push("AAPL", T0 + 9 * S, 12, { level: null }), "level", "no level: not evaluated");
    });
  });

  describe("enter / exit", function () {
    it("enter fires coming into [low, high] from either side; the edges count as inside", function () {
      const e = engine({ rule: "enter", low: 10, high: 20 });
      assert.deepStrictEqual(feed(e, [15, 9, 10, 12, 21, 20, 25, 15]), ["2:up", "5:down", "7:down"]);
    });
    it("enter with hysteresis needs to leave by that much", function () {
      const e = engine({ rule: "enter", low: 10, high: 20, hysteresis: 1 });
      assert.deepStrictEqual(feed(e, [9, 11, 9.5, 11, 9, 11]), ["1:up", "5:up"]);
    });
    it("exit fires leaving the range (strictly outside), up or down, once per visit", function () {
      const e = engine({ rule: "exit", low: 10, high: 20 });
      assert.deepStrictEqual(feed(e, [25, 20, 20.5, 21, 15, 9.99, 8, 10, 15, 5]), ["2:up", "5:down", "9:down"]);
    });
    it("exit with hysteresis re-arms only that far inside", function () {
      const e = engine({ rule: "exit", low: 10, high: 20, hysteresis: 2 });
      assert.deepStrictEqual(feed(e, [15, 21, 19, 21, 18, 21]), ["1:up", "5:up"]);
    });
  });

  describe("change", function () {
    it("percent move against the value one window ago; exactly the percent fires; none before a full window", function () {
      const e = engine({ rule: "change", percent: 2, windowUs: 10 * S });
      // one value per second: the reference of second i is the value of second i-10
      const v = [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 102, 102.5, 101, 100, 98];
      assert.deepStrictEqual(feed(e, v), ["10:up", "14:down"]);
    });
    it("re-arms when back under the percent by the hysteresis (percentage points)", function () {
      const e = engine({ rule: "change", percent: 2, windowUs: 2 * S, hysteresis: 1 });
      const v = [100, 100, 103, 103, 104, 106, 106.6, 106.6, 112];
      // 2: +3% up; 4: vs 103 +0.97% (re-arms: 2 - 0.97 >= 1); 5: vs 103 +2.9% fires; 6: vs 104 +2.5%; 7: vs 106 +0.57% re-arm; 8: vs 106.6 +5.1% fires
      assert.deepStrictEqual(feed(e, v), ["2:up", "5:up", "8:up"]);
    });
    it("the alert carries the reference as level and the move in percent", function () {
      const e = engine({ rule: "change", percent: 5, windowUs: 60 * S });
      e.push("X", T0, 200);
      const a = e.push("X", T0 + 60 * S, 190);
      assert.strictEqual(a.level, 200);
      assert.strictEqual(a.direction, "down");
      assert.ok(Math.abs(a.percent + 5) < 1e-12);
    });
    it("keeps a bounded history however many values arrive in a window", function () {
      const e = engine({ rule: "change", percent: 50, windowUs: 10 * S });
      for (let i = 0; i < 100000; i++) e.push("X", T0 + i * 1000, 100 + (i % 7));
      // ~1000 samples per window at most: the reference is the value ~10 s ago.
      const a = e.push("X", T0 + 100000 * 1000 + 1, 1000);
      assert.ok(a && a.level >= 100 && a.level <= 106);
    });
  });

  describe("spike", function () {
    it("value against the average of the previous N values; exactly the percent fires", function () {
      const e = engine({ rule: "spike", percent: 100, windowCount: 4 });
      // average of 4 previous = 10 -> 20 is +100%
      assert.deepStrictEqual(feed(e, [10, 10, 10, 10, 20, 10, 10, 10, 10, 10, 25]), ["4:up", "10:up"]);
    });
    it("down spikes too, and nothing before N values", function () {
      const e = engine({ rule: "spike", percent: 50, windowCount: 3 });
      assert.deepStrictEqual(feed(e, [10, 100, 100, 50, 100]), [], "index 3: average 70, -28.6%");
      const e2 = engine({ rule: "spike", percent: 50, windowCount: 3 });
      assert.deepStrictEqual(feed(e2, [10, 100, 100, 100, 50, 100]), ["4:down"], "index 4: average 100, exactly -50%");
    });
  });

  describe("cooldown, sessions, symbols, reset", function () {
    it("cooldown suppresses alerts of the same symbol until it has passed (exactly the cooldown allows)", function () {
      const e = engine({ rule: "cross", level: 100, cooldownUs: 5 * S });
      // seconds:            0   1    2   3    4   5    6   7    8
      assert.deepStrictEqual(feed(e, [99, 101, 99, 101, 99, 101, 99, 101, 99]), ["1:up", "6:down"]);
      assert.strictEqual(e.stats.suppressed, 6); // 2, 3, 4, 5, 7, 8
    });
    it("a suppressed edge does not come back later", function () {
      const e = engine({ rule: "crossAbove", level: 100, cooldownUs: 10 * S });
      assert.deepStrictEqual(feed(e, [99, 101, 99, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110]), ["1:up"]);
    });
    it("cooldown is per symbol", function () {
      const e = engine({ rule: "above", level: 100, cooldownUs: 60 * S });
      assert.ok(e.push("A", T0, 101));
      assert.ok(e.push("B", T0 + 1, 101));
    });
    it("symbols are independent (state per symbol)", function () {
      const e = engine({ rule: "crossAbove", level: 100 });
      assert.strictEqual(e.push("A", T0, 99), null);
      assert.strictEqual(e.push("B", T0, 101), null, "B never seen below");
      const a = e.push("A", T0 + S, 101);
      assert.strictEqual(a.symbol, "A");
      assert.strictEqual(e.push("B", T0 + S, 102), null);
    });
    it("sessions: values outside are ignored, so the open's first value is compared with the last inside (gap through the level fires at 9:30)", function () {
      const e = engine({ rule: "crossAbove", level: 100, sessions: new Set(["regular"]) });
      const day = (h, m, s = 0) => nyToUtc(2026, 11, 24, ((h * 60 + m) * 60 + s) * S);
      const next = (h, m, s = 0) => nyToUtc(2026, 11, 25, ((h * 60 + m) * 60 + s) * S);
      assert.strictEqual(e.push("A", day(15, 59, 59), 99), null);
      assert.strictEqual(e.push("A", day(16, 0, 0), 105), "session", "16:00:00 is after the close");
      assert.strictEqual(e.push("A", next(9, 29, 59), 106), "session", "pre-market");
      const a = e.push("A", next(9, 30, 0), 104);
      assert.ok(a && a.direction === "up", "9:30:00 is inside, and it crossed since the last regular value");
    });
    it("sessions: a holiday is closed all day", function () {
      const e = engine({ rule: "above", level: 1, sessions: new Set(["regular"]) });
      assert.strictEqual(e.push("A", nyToUtc(2026, 11, 26, 12 * 3600 * S), 5), "session"); // Thanksgiving 2026
    });
    it("bounded: the least recently seen symbol is forgotten beyond maxSymbols", function () {
      const e = engine({ rule: "crossAbove", level: 100, maxSymbols: 2 });
      e.push("A", T0, 99);
      e.push("B", T0, 99);
      e.push("A", T0 + 1, 99); // A is now the most recent
      e.push("C", T0 + 2, 99); // evicts B
      assert.strictEqual(e.symbols, 2);
      assert.strictEqual(e.stats.evicted, 1);
      assert.ok(e.push("A", T0 + 3, 101), "A kept its state");
      assert.strictEqual(e.push("B", T0 + 3, 101), null, "B starts over (never seen below)");
    });
    it("reset forgets one symbol or all", function () {
      const e = engine({ rule: "above", level: 100 });
      assert.ok(e.push("A", T0, 101));
      assert.ok(e.push("B", T0, 101));
      e.reset("A");
      assert.ok(e.push("A", T0 + S, 102), "A re-armed");
      assert.strictEqual(e.push("B", T0 + S, 102), null);
      e.reset();
      assert.ok(e.push("B", T0 + 2 * S, 102));
    });
  });

  describe("configuration", function () {
    it("rejects what cannot work, with a readable message", function () {
      assert.throws(() => engine({ rule: "above", level: null }), /Set a level/);
      assert.throws(() => engine({ rule: "enter", low: 5, high: 1 }), /must not be above/);
      assert.throws(() => engine({ rule: "exit", low: null, high: 1 }), /Set the range/);
      assert.throws(() => engine({ rule: "change", percent: 0 }), /percent must be above 0/);
      assert.throws(() => engine({ rule: "spike", windowCount: 0 }), /spike window/);
      assert.throws(() => engine({ rule: "above", level: 1, hysteresis: -1 }), /hysteresis/);
    });
  });
});
