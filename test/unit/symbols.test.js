"use strict";
const assert = require("assert");
const { parseSymbols, parseChannels, SymbolError } = require("../../dist/lib/symbols");

describe("symbol lists", function () {
  it("accepts comma/space separated strings and arrays, keeps spelling, drops duplicates", function () {
    assert.deepStrictEqual(parseSymbols("AAPL, MSFT  TSLA,,AAPL"), ["AAPL", "MSFT", "TSLA"]);
    assert.deepStrictEqual(parseSymbols(["AAPL.US", "btcusdt", "BTC-USD", "EUR/USD", "BINANCE:BTCUSDT"]), [
      "AAPL.US",
      "btcusdt",
      "BTC-USD",
      "EUR/USD",
      "BINANCE:BTCUSDT",
    ]);
    assert.deepStrictEqual(parseSymbols(""), []);
  });

  it("names every invalid symbol", function () {
    assert.throws(
      () => parseSymbols(["OK", "bad<x>", 'q"uote']),
      (err) => err instanceof SymbolError && err.invalid.length === 2,
    );
    assert.throws(() => parseSymbols(42), SymbolError);
    assert.throws(() => parseSymbols([1]), SymbolError);
  });

  it("parses channels", function () {
    assert.deepStrictEqual(parseChannels(undefined), ["trades"]);
    assert.deepStrictEqual(parseChannels("both"), ["trades", "quotes"]);
    assert.deepStrictEqual(parseChannels(["quotes"]), ["quotes"]);
    assert.strictEqual(parseChannels("bars"), null);
  });
});
