"use strict";
const assert = require("assert");
const cal = require("../../dist/lib/calendar");

/** UTC µs of an ISO instant with an explicit offset. */
const us = (iso) => Date.parse(iso) * 1000;

describe("US equity calendar (America/New_York)", function () {
  // The NYSE's published schedules (nyse.com "Holidays & Trading Hours").
  const PUBLISHED = {
    2025: {
      holidays: [
        "2025-01-01",
        "2025-01-09",
        "2025-01-20",
        "2025-02-17",
        "2025-04-18",
        "2025-05-26",
        "2025-06-19",
        "2025-07-04",
        "2025-09-01",
        "2025-11-27",
        "2025-12-25",
      ],
      early: ["2025-07-03", "2025-11-28", "2025-12-24"],
    },
    2026: {
      holidays: [
        "2026-01-01",
        "2026-01-19",
        "2026-02-16",
        "2026-04-03",
        "2026-05-25",
        "2026-06-19",
        "2026-07-03",
        "2026-09-07",
        "2026-11-26",
        "2026-12-25",
      ],
      early: ["2026-11-27", "2026-12-24"],
    },
    2027: {
      holidays: [
        "2027-01-01",
        "2027-01-18",
        "2027-02-15",
        "2027-03-26",
        "2027-05-31",
        "2027-06-18",
        "2027-07-05",
        "2027-09-06",
        "2027-11-25",
        "2027-12-24",
      ],
      early: ["2027-11-26"],
    },
  };
  for (const [year, want] of Object.entries(PUBLISHED)) {
    it(`has the NYSE holidays and 13:00 early closes of ${year}`, function () {
      const got = cal.yearCalendar(Number(year));
      assert.deepStrictEqual([...got.holidays].sort(), want.holidays);
      assert.deepStrictEqual([...got.earlyCloses].sort(), want.early);
    });
  }

  it("converts to New York wall time exactly as Intl does, DST included (2008-2035)", function () {
    const fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/New_York",
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const from = Date.UTC(2008, 0, 1);
    const to = Date.UTC(2035, 11, 31);
    const samples = [];
    for (let i = 0; i < 3000; i++) samples.push(Math.floor(from + rand() * (to - from)));
    // Around every transition of a few years, on the minute.
    for (const y of [2024, 2025, 2026, 2027]) {
      for (const iso of [`${y}-03-01`, `${y}-11-01`]) {
        const base = Date.parse(iso + "T00:00:00Z");
        for (let m = 0; m < 14 * 24 * 60; m += 7) samples.push(base + m * 60000);
      }
    }
    for (const ms of samples) {
      const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
      const t = cal.nyTime(ms * 1000);
      const tod = Math.floor(t.timeOfDay / 1e6);
      const got = `${t.date} ${String(Math.floor(tod / 3600)).padStart(2, "0")}:${String(Math.floor(tod / 60) % 60).padStart(2, "0")}:${String(tod % 60).padStart(2, "0")}`;
      assert.strictEqual(got, `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`, new Date(ms).toISOString());
    }
  });

  it("tags sessions on half-open intervals [open, close)", function () {
    const cases = [
      ["2026-11-24T03:59:59.999-05:00", "closed"],
      ["2026-11-24T04:00:00.000-05:00", "pre"],
      ["2026-11-24T09:29:59.999-05:00", "pre"],
      ["2026-11-24T09:30:00.000-05:00", "regular"],
      ["2026-11-24T15:59:59.999-05:00", "regular"],
      ["2026-11-24T16:00:00.000-05:00", "post"],
      ["2026-11-24T19:59:59.999-05:00", "post"],
      ["2026-11-24T20:00:00.000-05:00", "closed"],
      // Summer (EDT): the same wall times one hour earlier in UTC.
      ["2026-07-15T09:30:00.000-04:00", "regular"],
      ["2026-07-15T13:29:59.999Z", "pre"],
      // Early close (day after Thanksgiving): regular ends 13:00, post runs 13:00-17:00.
      ["2026-11-27T12:59:59.999-05:00", "regular"],
      ["2026-11-27T13:00:00.000-05:00", "post"],
      ["2026-11-27T16:59:59.999-05:00", "post"],
      ["2026-11-27T17:00:00.000-05:00", "closed"],
      // Holiday, weekend.
      ["2026-11-26T11:00:00.000-05:00", "closed"],
      ["2026-11-28T11:00:00.000-05:00", "closed"],
    ];
    for (const [iso, want] of cases) assert.strictEqual(cal.sessionAt(us(iso)), want, iso);
    // Microsecond precision at the boundary.
    const open = us("2026-11-24T09:30:00.000-05:00");
    assert.strictEqual(cal.sessionAt(open - 1), "pre");
    assert.strictEqual(cal.sessionAt(open), "regular");
  });

  it("handles the DST transition days: 23- and 25-hour days, open at 13:30 or 14:30 UTC", function () {
    const spring = cal.nyDay(us("2026-03-08T12:00:00-04:00"));
    assert.strictEqual(spring.date, "2026-03-08");
    assert.strictEqual(spring.end - spring.start, 23 * 3600e6);
    const fall = cal.nyDay(us("2026-11-01T12:00:00-05:00"));
    assert.strictEqual(fall.end - fall.start, 25 * 3600e6);
    // Friday before (EST) and Monday after (EDT) the spring change.
    const before = cal.daySchedule(us("2026-03-06T12:00:00-05:00")).segments.find((s) => s.session === "regular");
    const after = cal.daySchedule(us("2026-03-09T12:00:00-04:00")).segments.find((s) => s.session === "regular");
    assert.strictEqual(new Date(before.start / 1000).toISOString(), "2026-03-06T14:30:00.000Z");
    assert.strictEqual(new Date(after.start / 1000).toISOString(), "2026-03-09T13:30:00.000Z");
    assert.strictEqual(new Date(after.end / 1000).toISOString(), "2026-03-09T20:00:00.000Z");
  });

  it("covers every day with contiguous segments", function () {
    for (let d = 0; d < 800; d++) {
      const s = cal.daySchedule(Date.UTC(2025, 0, 1, 17) * 1000 + d * 86400e6);
      for (let i = 1; i < s.segments.length; i++) assert.strictEqual(s.segments[i].start, s.segments[i - 1].end, s.date);
      assert.ok(s.segments[0].start < s.segments[s.segments.length - 1].end);
    }
  });
});
