"use strict";
const assert = require("assert");
const { toMicros, parseIsoMicros, nowMicros, toIdString, toNumber } = require("../../dist/lib/time");

describe("time normalization", function () {
  const table = [
    // [input, unit, expected µs]
    [1732377600, "s", 1732377600000000],
    [1732377600.5, "s", 1732377600500000],
    [1732377600123, "ms", 1732377600123000],
    [1732377600123456, "us", 1732377600123456],
    ["1548873225594808294", "ns", 1548873225594808],
    ["1732377600123", "ms", 1732377600123000],
    // auto by magnitude
    [1732377600, "auto", 1732377600000000],
    [1732377600123, "auto", 1732377600123000],
    [1732377600123456, "auto", 1732377600123456],
    ["1548873225594808294", "auto", 1548873225594808],
    ["1605509068", "auto", 1605509068000000],
    // ISO-8601 / RFC 3339
    ["2021-02-22T15:51:44.208Z", "auto", Date.UTC(2021, 1, 22, 15, 51, 44, 208) * 1000],
    ["2021-02-22T15:51:45.335689322Z", "iso", Date.UTC(2021, 1, 22, 15, 51, 45, 335) * 1000 + 689],
    ["2019-01-30T13:33:45.594808294-05:00", "auto", Date.UTC(2019, 0, 30, 18, 33, 45, 594) * 1000 + 808],
    ["2023-02-09T20:19:35.39625135Z", "auto", Date.UTC(2023, 1, 9, 20, 19, 35, 396) * 1000 + 251],
    ["2021-02-22T19:15:00Z", "auto", Date.UTC(2021, 1, 22, 19, 15, 0) * 1000],
    ["2024-03-12T10:27:48+0100", "auto", Date.UTC(2024, 2, 12, 9, 27, 48) * 1000],
    ["2024-03-12 10:27:48", "auto", Date.UTC(2024, 2, 12, 10, 27, 48) * 1000],
  ];
  for (const [input, unit, expected] of table) {
    it(`${JSON.stringify(input)} (${unit}) -> ${expected}`, function () {
      const got = toMicros(input, unit);
      assert.strictEqual(got, expected);
      assert.ok(Number.isInteger(got));
    });
  }

  it("keeps nanosecond integer strings exact where a double would not", function () {
    // 1548873225594808294 as a double is 1548873225594808320: the string path must not use it.
    assert.strictEqual(toMicros("1548873225594808999", "ns"), 1548873225594808);
  });

  it("returns NaN for what is not a time", function () {
    for (const bad of ["", "abc", null, undefined, {}, NaN, Infinity, "2021-13-01T00:00:00Z"]) {
      assert.ok(Number.isNaN(toMicros(bad, "auto")), JSON.stringify(bad));
    }
    assert.ok(Number.isNaN(toMicros(123, "iso")));
    assert.ok(Number.isNaN(parseIsoMicros("yesterday")));
  });

  it("gives the wall clock as integer microseconds", function () {
    const a = nowMicros();
    assert.ok(Number.isInteger(a));
    assert.ok(Math.abs(a / 1000 - Date.now()) < 1000);
    assert.ok(nowMicros() >= a);
  });

  it("turns ids into exact strings and decimal strings into numbers", function () {
    assert.strictEqual(toIdString(3447222699101865076n), "3447222699101865076");
    assert.strictEqual(toIdString("3447222699101865076"), "3447222699101865076");
    assert.strictEqual(toIdString(96921), "96921");
    assert.strictEqual(toIdString(null), undefined);
    assert.strictEqual(toNumber("651.12"), 651.12);
    assert.ok(Number.isNaN(toNumber("")));
  });
});
