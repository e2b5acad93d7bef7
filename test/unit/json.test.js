"use strict";
const assert = require("assert");
const { parseLossless, quoteBigInts } = require("../../dist/lib/json");

describe("lossless JSON", function () {
  it("keeps integers of 16+ digits exact as strings", function () {
    const v = parseLossless('{"T":"t","S":"AVAX/USD","i":3447222699101865076,"p":47.299}');
    assert.strictEqual(v.i, "3447222699101865076");
    assert.strictEqual(v.p, 47.299);
    const arr = parseLossless('["T","2019-01-30T13:33:45.594808294-05:00",1548873225594808294,"wes",null]');
    assert.strictEqual(arr[2], "1548873225594808294");
    assert.strictEqual(arr[1], "2019-01-30T13:33:45.594808294-05:00", "digits inside strings stay");
  });

  it("leaves small numbers and frames without long digit runs untouched", function () {
    const text = '{"seq":123456789012345,"t":1536036818784}';
    assert.strictEqual(quoteBigInts(text), text);
    assert.deepStrictEqual(parseLossless(text), { seq: 123456789012345, t: 1536036818784 });
  });
});
