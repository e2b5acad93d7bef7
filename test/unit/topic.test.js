"use strict";
const assert = require("assert");
const { fnv1a32, partitionOf, parsePartitions, TopicTemplate, parseTemplate } = require("../../dist/lib/topic");

describe("topic templates and partitions", function () {
  it("hashes with FNV-1a 32-bit over UTF-8 (published test vectors)", function () {
    assert.strictEqual(fnv1a32(""), 0x811c9dc5);
    assert.strictEqual(fnv1a32("a"), 0xe40c292c);
    assert.strictEqual(fnv1a32("foobar"), 0xbf9cf968);
  });

  it("encodes non-ASCII symbols as UTF-8 bytes, like TextEncoder", function () {
    for (const s of ["€uro", "😀", "ÄÖÜ.DE", "\ud800x"]) {
      let h = 0x811c9dc5;
      for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
      assert.strictEqual(fnv1a32(s), h, s);
    }
  });

  it("puts a symbol in the same partition in every process and release (pinned values)", function () {
    // Changing these moves symbols between consumer instances: never change them.
    const pinned = {
      AAPL: [0x58cd330b, 3, 11],
      MSFT: [0xc9ad9a73, 3, 3],
      TSLA: [0x04602b2f, 3, 15],
      NVDA: [0x9a7421d6, 2, 6],
      "BTC-USD": [0x76ed0931, 1, 1],
      "X:BTCUSD": [0xe02c59ce, 2, 14],
      "AAPL.US": [0x7988eaf7, 3, 7],
    };
    for (const [symbol, [hash, p4, p16]] of Object.entries(pinned)) {
      assert.strictEqual(fnv1a32(symbol), hash, symbol);
      assert.strictEqual(partitionOf(symbol, 4), p4, symbol + " of 4");
      assert.strictEqual(partitionOf(symbol, 16), p16, symbol + " of 16");
      assert.strictEqual(partitionOf(symbol, 1), 0);
    }
  });

  it("spreads many symbols over the partitions", function () {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[partitionOf("SYM" + i, 4)]++;
    for (const c of counts) assert.ok(c > 800 && c < 1200, `balanced: ${counts}`);
  });

  it("renders {symbol}, {type}, {provider} and {partition}", function () {
    const t = new TopicTemplate("ticks/{partition}/{symbol}", 4);
    assert.strictEqual(t.render("AAPL", "trade", "polygon"), "ticks/3/AAPL");
    assert.strictEqual(t.render("NVDA", "trade", "polygon"), "ticks/2/NVDA");
    assert.strictEqual(new TopicTemplate("{provider}:{type}:{ symbol }").render("BTC-USD", "quote", "coinbase"), "coinbase:quote:BTC-USD");
    const d = new TopicTemplate(undefined);
    assert.ok(d.isSymbol);
    assert.strictEqual(d.render("X", "trade", "simulator"), "X");
    assert.ok(new TopicTemplate("  ").isSymbol);
  });

  it("refuses unknown placeholders and unclosed braces with a clear message", function () {
    assert.throws(() => parseTemplate("ticks/{sym}"), /unknown placeholder \{sym\}/);
    assert.throws(() => parseTemplate("ticks/{symbol"), /without "\}"/);
  });

  it("parses partitions: whole numbers from 1, empty = 1", function () {
    assert.strictEqual(parsePartitions(undefined), 1);
    assert.strictEqual(parsePartitions(""), 1);
    assert.strictEqual(parsePartitions("8"), 8);
    assert.strictEqual(parsePartitions(3), 3);
    for (const bad of [0, -1, 1.5, "x", "65537"]) assert.throws(() => parsePartitions(bad), /whole number/, String(bad));
  });
});
