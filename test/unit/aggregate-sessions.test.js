"use strict";
/**
 * Session-aligned and daily time bars: the grid's ET anchors (09:30, DST, early closes) and one
 * bar per New York date. The rest of the time bars: aggregate.test.js.
 */
const assert = require("assert");
const { DEFAULT_AGGREGATE, barRange } = require("../../dist/lib/aggregate");
const { us, S, trade, make } = require("../support/aggregator-rig");

describe("bar aggregation (pure core)", function () {
  describe("session-aligned and daily bars", function () {
    const cfg = (step, unit) => ({ ...DEFAULT_AGGREGATE, step, unit });
    const hhmm = (t) =>
      new Date(t / 1000).toLocaleTimeString("en-GB", { timeZone: "America/New_York", hour: "2-digit", minute: "2-digit" });
    it("anchors 2 h bars to 09:30 ET and never spans a session boundary (last bar short, partial)", function () {
      const day = [];
      let ts = us("2026-11-24T09:30:00-05:00");
      while (ts < us("2026-11-24T16:00:00-05:00")) {
        const r = barRange(cfg(2, "h"), ts);
        day.push(`${hhmm(r.start)}-${hhmm(r.end)}${r.short ? "*" : ""}`);
        ts = r.end;
      }
      assert.deepStrictEqual(day, ["09:30-11:30", "11:30-13:30", "13:30-15:30", "15:30-16:00*"]);
    });
    it("follows DST: the same ET boundaries in winter and summer, and on the change day", function () {
      for (const iso of ["2026-01-06T10:00:00-05:00", "2026-07-07T10:00:00-04:00", "2026-03-09T10:00:00-04:00"]) {
        const r = barRange(cfg(2, "h"), us(iso));
        assert.deepStrictEqual([hhmm(r.start), hhmm(r.end)], ["09:30", "11:30"], iso);
        const h = barRange(cfg(1, "h"), us(iso));
        assert.deepStrictEqual([hhmm(h.start), hhmm(h.end)], ["10:00", "11:00"], iso);
      }
      const spring = barRange(cfg(1, "day"), us("2026-03-08T12:00:00-04:00"));
      assert.strictEqual(spring.end - spring.start, 23 * 3600 * S);
      assert.strictEqual(spring.date, "2026-03-08");
    });
    it("cuts at a 13:00 early close", function () {
      const r = barRange(cfg(2, "h"), us("2026-11-27T12:00:00-05:00"));
      assert.deepStrictEqual([hhmm(r.start), hhmm(r.end), r.short, r.session], ["11:30", "13:00", true, "regular"]);
      const post = barRange(cfg(2, "h"), us("2026-11-27T13:00:00-05:00"));
      assert.deepStrictEqual([hhmm(post.start), hhmm(post.end), post.session], ["13:00", "15:00", "post"]);
    });
    it("builds a day bar per New York date, tagged with the date", function () {
      const { agg, bars } = make({ unit: "day", step: 1, clock: "event" });
      agg.push(trade("X", us("2026-11-24T09:30:00-05:00"), 10));
      agg.push(trade("X", us("2026-11-24T23:59:59-05:00"), 12));
      agg.push(trade("X", us("2026-11-25T00:00:00-05:00"), 13));
      const b = bars()[0];
      assert.deepStrictEqual(
        [b.date, b.open, b.close, b.start, b.end],
        ["2026-11-24", 10, 12, us("2026-11-24T00:00:00-05:00"), us("2026-11-25T00:00:00-05:00")],
      );
    });
  });
});
