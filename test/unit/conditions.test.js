"use strict";
const assert = require("assert");
const { tradeFlags, parseOverrides, hasCondition, CLOSING_PRINTS } = require("../../dist/lib/conditions");

const t = (provider, conditions, extra) => ({
  symbol: "X",
  type: "trade",
  price: 1,
  size: 1,
  ts: 1,
  recvTs: 1,
  provider,
  conditions,
  extra,
});
const f = (r) => (r.flags.last ? "l" : "") + (r.flags.highLow ? "h" : "") + (r.flags.volume ? "v" : "");

describe("trade conditions (three-flag model)", function () {
  const cases = [
    // [provider, conditions, extra, dialect, flags, unknown]
    ["polygon", [0], undefined, "auto", "lhv", []],
    ["polygon", [37], undefined, "auto", "v", []], // odd lot: volume only
    ["polygon", [0, 37], undefined, "auto", "v", []], // AND of the flags
    ["polygon", [12], undefined, "auto", "v", []], // Form T
    ["polygon", [33], undefined, "auto", "hv", []], // sold out of sequence: H/L + volume, not last
    ["polygon", [15], undefined, "auto", "", []], // official close: nothing
    ["polygon", [38], undefined, "auto", "lh", []], // corrected consolidated close: no volume
    ["polygon", [14, 41], undefined, "auto", "v", ["41"]], // unknown -> volume-only, reported
    ["polygon", undefined, undefined, "auto", "lhv", []],
    ["alpaca", ["@", "I"], { tape: "C" }, "auto", "v", []],
    ["alpaca", ["@", "F"], { tape: "A" }, "auto", "lhv", []],
    ["alpaca", ["B"], { tape: "A" }, "auto", "v", []], // CTA B = Average Price
    ["alpaca", ["B"], { tape: "C" }, "auto", "lhv", []], // UTP B = Bunched
    ["alpaca", ["B"], undefined, "auto", "v", []], // tape unknown: the safer reading
    ["alpaca", ["W"], { tape: "C" }, "auto", "v", []], // UTP Average Price
    ["polygon", ["B"], { tape: 3 }, "sip", "lhv", []], // numeric tapes too
    ["simulator", ["@"], undefined, "auto", "lhv", []],
    ["finnhub", ["1", "24"], undefined, "auto", "lhv", []], // no published mapping: ignored
    ["tiingo", ["oddLot"], undefined, "auto", "v", []],
    ["tiingo", ["afterHours", "intermarketSweep"], undefined, "auto", "v", []],
    ["tiingo", ["intermarketSweep", "nmsRule611"], undefined, "auto", "lhv", []],
    ["tiingo", ["halted"], undefined, "auto", "v", ["halted"]],
    ["binance", undefined, undefined, "auto", "lhv", []],
    ["polygon", [37], undefined, "none", "lhv", []],
  ];
  for (const [provider, conditions, extra, dialect, want, unknown] of cases) {
    it(`${provider} ${JSON.stringify(conditions)} ${extra ? JSON.stringify(extra) : ""} (${dialect}) -> ${want || "nothing"}`, function () {
      const r = tradeFlags(t(provider, conditions, extra), { dialect });
      assert.strictEqual(f(r), want);
      assert.deepStrictEqual(r.unknown, unknown);
    });
  }

  it("applies user overrides before the tables and rejects bad ones clearly", function () {
    const overrides = parseOverrides("37=lhv, 41 = v\nX=none");
    assert.strictEqual(f(tradeFlags(t("polygon", [37]), { dialect: "auto", overrides })), "lhv");
    assert.deepStrictEqual(tradeFlags(t("polygon", [41]), { dialect: "auto", overrides }).unknown, []);
    assert.strictEqual(f(tradeFlags(t("alpaca", ["X"]), { dialect: "auto", overrides })), "");
    assert.throws(() => parseOverrides("37"), /code=flags/);
    assert.throws(() => parseOverrides("37=xyz"), /flags may only be/);
  });

  it("recognizes closing prints in each dialect", function () {
    assert.ok(hasCondition(t("polygon", [8]), "auto", CLOSING_PRINTS));
    assert.ok(hasCondition(t("alpaca", ["@", "6"]), "auto", CLOSING_PRINTS));
    assert.ok(!hasCondition(t("alpaca", ["@"]), "auto", CLOSING_PRINTS));
    assert.ok(!hasCondition(t("binance", [8]), "auto", CLOSING_PRINTS));
  });
});
