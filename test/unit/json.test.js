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

describe("lossless JSON: the plain JSON.parse fast path and its boundary", function () {
  const { hasLongDigitRun } = require("../../dist/lib/json");

  it("takes the fast path only when no run of 16 digits exists", function () {
    assert.strictEqual(hasLongDigitRun('{"id":123456789012345}'), false, "15 digits");
    assert.strictEqual(hasLongDigitRun('{"id":1234567890123456}'), true, "16 digits");
    assert.strictEqual(hasLongDigitRun('{"id":12345678901234567}'), true, "17 digits");
    assert.strictEqual(
      hasLongDigitRun('{"s":"x1234567890123456"}'),
      true,
      "digits inside a string count (the slow path leaves them alone)",
    );
    assert.strictEqual(hasLongDigitRun(""), false);
    assert.strictEqual(hasLongDigitRun("1234567890123456"), true, "the whole text");
  });

  it("finds a 16-digit run at every offset and agrees with /\\d{16}/ on random text", function () {
    for (let pad = 0; pad < 40; pad++) {
      for (const len of [15, 16, 17, 31, 32, 33]) {
        const text = "x".repeat(pad) + "7".repeat(len) + ",".repeat(pad % 5);
        assert.strictEqual(hasLongDigitRun(text), len >= 16, `pad ${pad}, ${len} digits`);
      }
    }
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = '0123456789,":.-e';
    for (let k = 0; k < 5000; k++) {
      let text = "";
      const len = Math.floor(rnd() * 80);
      for (let j = 0; j < len; j++) text += rnd() < 0.8 ? String(Math.floor(rnd() * 10)) : alphabet[10 + Math.floor(rnd() * 6)];
      assert.strictEqual(hasLongDigitRun(text), /\d{16}/.test(text), JSON.stringify(text));
    }
  });

  it("reads 15, 16 and 17-digit integers, exponents, negatives and strings as the lossless reader should", function () {
    // 15 digits: exact as a number, fast path.
    assert.deepStrictEqual(parseLossless('{"id":999999999999999,"n":-999999999999999}'), { id: 999999999999999, n: -999999999999999 });
    // 16 and 17 digits (above 2^53 = 9007199254740992): kept exact as strings, signs kept.
    assert.deepStrictEqual(parseLossless('{"a":9007199254740993,"b":-9007199254740993,"c":12345678901234567}'), {
      a: "9007199254740993",
      b: "-9007199254740993",
      c: "12345678901234567",
    });
    // A 16-digit integer below 2^53 takes the slow path too and is a string (the rule is by length).
    assert.deepStrictEqual(parseLossless("[1732377600000000]"), ["1732377600000000"]);
    // Exponents and fractions stay numbers on both paths, even with 16+ digits before the exponent.
    assert.deepStrictEqual(parseLossless('{"x":1.5e20,"y":-2E-7,"z":1234567890123456e2,"w":0.12345678901234567}'), {
      x: 1.5e20,
      y: -2e-7,
      z: Number("1234567890123456e2"),
      w: Number("0.12345678901234567"),
    });
    // Digits inside strings (a timestamp text, an escaped quote before digits) are never touched.
    const text = '{"t":"2019-01-30T13:33:45.594808294-05:00","s":"\\"12345678901234567890","i":12345678901234567890}';
    assert.deepStrictEqual(parseLossless(text), {
      t: "2019-01-30T13:33:45.594808294-05:00",
      s: '"12345678901234567890',
      i: "12345678901234567890",
    });
    // Same values as plain JSON.parse whenever the fast path is taken.
    const plain = '[{"symbol":"S001","price":101.25,"size":300,"time":1732377600123,"id":"42"},-0.5,1e3,true,null]';
    assert.strictEqual(hasLongDigitRun(plain), false);
    assert.deepStrictEqual(parseLossless(plain), JSON.parse(plain));
    assert.throws(() => parseLossless('{"a":1,}'), SyntaxError, "invalid JSON still throws on the fast path");
    assert.throws(() => parseLossless('{"a":12345678901234567,}'), SyntaxError, "and on the slow path");
  });
});
