"use strict";
/** tick-indicator / tick-alert editor properties -> configuration, and the alert sentences as the catalog renders them. */
const assert = require("assert");
const { resolveIndicator, indicatorLabel, indicatorKey } = require("../../dist/nodes/tick-indicator/settings");
const { resolveAlert, alertSentence, fmtNum, fmtWindow } = require("../../dist/nodes/tick-alert/settings");
const catalog = require("../../locales/en-US/tick-alert.json");

/** Renders a catalog key the way Node-RED's i18n does (__name__ placeholders). */
function t(key, args) {
  const text = key.split(".").reduce((o, k) => o[k], catalog);
  assert.strictEqual(typeof text, "string", key);
  return text.replace(/__(\w+)__/g, (_, k) => String(args[k]));
}

describe("tick-indicator settings", function () {
  it("defaults per indicator, strings from the editor, unused parameters dropped", function () {
    assert.deepStrictEqual(resolveIndicator({ indicator: "rsi", period: "" }), {
      name: "rsi",
      params: { period: 14 },
      source: "close",
      emitWarmup: false,
      maxSymbols: 10000,
    });
    assert.deepStrictEqual(resolveIndicator({ indicator: "macd", fast: "5", period: "7" }).params, { fast: 5, slow: 26, signal: 9 });
    assert.deepStrictEqual(resolveIndicator({ indicator: "stoch", smooth: 1 }).params, { period: 14, smooth: 1, signal: 3 });
    assert.strictEqual(resolveIndicator({ indicator: "ema", source: "hlc3", emitWarmup: true }).source, "hlc3");
  });
  it("says what is wrong", function () {
    assert.throws(() => resolveIndicator({ indicator: "kama" }), /Invalid indicator "kama": use sma, ema/);
    assert.throws(() => resolveIndicator({ indicator: "sma", period: "x" }), /period must be a number/);
    assert.throws(() => resolveIndicator({ indicator: "sma", source: "typical" }), /Invalid source/);
    assert.throws(() => resolveIndicator({ maxSymbols: 0 }), /symbol limit/);
  });
  // [indicator, params, label, key in msg.indicators]
  const NAMES = [
    ["rsi", { period: 14 }, "RSI(14)", "rsi14"],
    ["ema", { period: 21 }, "EMA(21)", "ema21"],
    ["macd", { fast: 12, slow: 26, signal: 9 }, "MACD(12,26,9)", "macd12_26_9"],
    ["stoch", { period: 14, smooth: 3, signal: 5 }, "Stoch(14,3,5)", "stoch14_3_5"],
    ["bollinger", { period: 20, k: 2 }, "Bollinger(20,2)", "bollinger20_2"],
    ["bollinger", { period: 20, k: 2.5 }, "Bollinger(20,2.5)", "bollinger20_2p5"],
    ["obv", {}, "OBV", "obv"],
  ];
  it("labels", function () {
    for (const [name, params, label] of NAMES) assert.strictEqual(indicatorLabel(name, params), label);
  });
  it("keys in msg.indicators work in a dotted message path", function () {
    for (const [name, params, , key] of NAMES) assert.strictEqual(indicatorKey(name, params), key);
  });
});

describe("tick-alert settings and sentences", function () {
  it("resolves rules, windows (seconds for change, a count for spike), cooldown, sessions, properties", function () {
    const c = resolveAlert({ rule: "change", percent: "2", window: "300", cooldown: "60", sessions: "regular" });
    assert.strictEqual(c.alert.windowUs, 300e6);
    assert.strictEqual(c.alert.cooldownUs, 60e6);
    assert.deepStrictEqual([...c.alert.sessions], ["regular"]);
    assert.strictEqual(resolveAlert({ rule: "spike", window: "" }).alert.windowCount, 20);
    const x = resolveAlert({ rule: "cross", property: "msg.bar.close", levelProperty: "payload" });
    assert.strictEqual(x.property, "bar.close");
    assert.strictEqual(x.alert.level, null);
    assert.strictEqual(resolveAlert({}).alert.rule, "change", "the default works without a level");
  });
  it("says what is wrong", function () {
    assert.throws(() => resolveAlert({ rule: "above" }), /Set a level/);
    assert.throws(() => resolveAlert({ rule: "above", level: 1, property: "bar..close" }), /not a message property/);
    assert.throws(() => resolveAlert({ rule: "enter", low: 3 }), /Set the range/);
    assert.throws(() => resolveAlert({ rule: "nearly" }), /Invalid rule/);
    assert.throws(() => resolveAlert({ rule: "above", level: 1, sessions: "lunch" }), /Unknown session/);
  });
  it("sentences, as the catalog renders them", function () {
    const base = { symbol: "AAPL", ts: 0 };
    const plain = { series: "", levelName: "", window: "5 min" };
    assert.strictEqual(
      alertSentence({ ...base, rule: "crossAbove", value: 190.123456789, level: 190, direction: "up" }, plain, t),
      "AAPL crossed above 190: 190.1235",
    );
    assert.strictEqual(
      alertSentence({ ...base, rule: "cross", value: 69.5, level: 70, direction: "down" }, { ...plain, series: "RSI(14)" }, t),
      "AAPL RSI(14) crossed below 70: 69.5",
    );
    assert.strictEqual(
      alertSentence(
        { ...base, rule: "cross", value: 11, level: 11.5, direction: "down" },
        { series: "close", levelName: "EMA(21)", window: "" },
        t,
      ),
      "AAPL close crossed below EMA(21) (11.5): 11",
    );
    assert.strictEqual(alertSentence({ ...base, rule: "above", value: 5, level: 4, direction: "up" }, plain, t), "AAPL is above 4: 5");
    assert.strictEqual(
      alertSentence({ ...base, rule: "exit", value: 21, level: 20, low: 10, high: 20, direction: "up" }, plain, t),
      "AAPL broke above 20 (range 10 to 20): 21",
    );
    assert.strictEqual(
      alertSentence({ ...base, rule: "enter", value: 15, level: 10, low: 10, high: 20, direction: "up" }, plain, t),
      "AAPL rose into 10 to 20: 15",
    );
    assert.strictEqual(
      alertSentence({ ...base, rule: "change", value: 98, level: 100, percent: -2.0000001, direction: "down" }, plain, t),
      "AAPL is down 2% in 5 min: 98 (from 100)",
    );
    assert.strictEqual(
      alertSentence(
        { ...base, rule: "spike", value: 3000, level: 1000, percent: 200, direction: "up" },
        { series: "volume", levelName: "", window: "20" },
        t,
      ),
      "AAPL volume spiked 200% above its average of the last 20 values: 3000 (average 1000)",
    );
    for (const key of Object.keys(catalog["tick-alert"].sentence))
      assert.doesNotMatch(
        t("tick-alert.sentence." + key, { what: "W", level: "L", value: "V", low: "a", high: "b", pct: "p", window: "w" }),
        /__/,
      );
  });
  it("numbers and windows in sentences", function () {
    assert.strictEqual(fmtNum(0.000012345678), "0.00001234568");
    assert.strictEqual(fmtNum(50123.456), "50123.46");
    assert.strictEqual(fmtWindow(300), "5 min");
    assert.strictEqual(fmtWindow(7200), "2 h");
    assert.strictEqual(fmtWindow(45), "45 s");
  });
});
