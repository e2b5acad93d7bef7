"use strict";
/**
 * The value rules and fixed Tick shape (ticknorm.ts), the strict number reading of wire text,
 * the lossless JSON reader against JSON.parse on random JSON, and the dedup horizon against a
 * hostile far-future time. The hostile values of issue 8 as table tests.
 */
const assert = require("assert");
const { normalizeTick, isValidTick, TICK_KEYS, TS_MAX_AHEAD_US, TS_MAX_BEHIND_US, MAX_CONDITIONS } = require("../../dist/lib/ticknorm");
const { toNumber, toSeq, toIdString, toMicros } = require("../../dist/lib/time");
const { parseLossless } = require("../../dist/lib/json");
const { Deduplicator } = require("../../dist/lib/dedup");
const { fakeCtx, feed, readySession } = require("../support/session-ctx");
const { createProvider } = require("../../dist/lib/providers");
const { BinanceSession } = require("../../dist/lib/providers/binance");
const { PolygonSession } = require("../../dist/lib/providers/polygon");
const { AllTickSession } = require("../../dist/lib/providers/alltick");
const { FinnhubSession } = require("../../dist/lib/providers/finnhub");
const { mulberry32: prng } = require("../support/prng");
const { NUMBER_LOOKALIKES } = require("../support/number-text");

const RECV = 1732546800000000;
const trade = (o = {}) => ({
  symbol: "AAPL",
  type: "trade",
  price: 189.5,
  size: 100,
  ts: RECV - 1000,
  recvTs: RECV,
  provider: "generic",
  ...o,
});
const quote = (o = {}) => ({
  symbol: "AAPL",
  type: "quote",
  bid: 189.4,
  bidSize: 200,
  ask: 189.6,
  askSize: 300,
  ts: RECV - 1000,
  recvTs: RECV,
  provider: "generic",
  ...o,
});

describe("Tick: fixed shape", function () {
  it("every key, in the documented order, null when absent, conditions [] and backfill false", function () {
    const t = normalizeTick(trade());
    assert.deepStrictEqual(Object.keys(t), TICK_KEYS);
    assert.deepStrictEqual(TICK_KEYS.slice(0, 4), ["symbol", "type", "price", "size"]);
    assert.deepStrictEqual(t, {
      symbol: "AAPL",
      type: "trade",
      price: 189.5,
      size: 100,
      bid: null,
      bidSize: null,
      ask: null,
      askSize: null,
      ts: RECV - 1000,
      recvTs: RECV,
      exchange: null,
      conditions: [],
      id: null,
      seq: null,
      provider: "generic",
      backfill: false,
      extra: null,
    });
    const q = normalizeTick(quote({ exchange: "V", conditions: ["R"], seq: 7, extra: { tape: "C", gone: undefined }, backfill: true }));
    assert.deepStrictEqual(Object.keys(q), TICK_KEYS);
    assert.deepStrictEqual(
      [q.price, q.size, q.bid, q.askSize, q.exchange, q.conditions, q.seq, q.backfill, q.extra],
      [null, null, 189.4, 300, "V", ["R"], 7, true, { tape: "C" }],
    );
    assert.ok(isValidTick(q));
  });

  it("does not share arrays with the provider's frame", function () {
    const conditions = ["@", "I"];
    const t = normalizeTick(trade({ conditions }));
    conditions.push("X");
    assert.deepStrictEqual(t.conditions, ["@", "I"]);
  });
});

describe("Tick: value rules (hostile values are refused, never emitted)", function () {
  const bad = [
    ["price Infinity", trade({ price: Infinity })],
    ["price 0", trade({ price: 0 })],
    ["price negative", trade({ price: -1 })],
    ["price NaN", trade({ price: NaN })],
    ["price as text", trade({ price: "189.5" })],
    ["trade without price", trade({ price: undefined })],
    ["size NaN", trade({ size: NaN })],
    ["size negative", trade({ size: -5 })],
    ["size Infinity", trade({ size: Infinity })],
    ["bid NaN", quote({ bid: NaN })],
    ["bid negative", quote({ bid: -0.01 })],
    ["ask Infinity", quote({ ask: Infinity })],
    ["bid size NaN", quote({ bidSize: NaN })],
    ["ask size negative", quote({ askSize: -1 })],
    ["ts Infinity", trade({ ts: Infinity })],
    ["ts 1e23", trade({ ts: 1e23 })],
    ["ts 9e18", trade({ ts: 9e18 })],
    ["ts 1e305", trade({ ts: 1e305 })],
    ["ts fractional", trade({ ts: RECV - 0.5 })],
    ["ts 0 (1970)", trade({ ts: 0 })],
    ["ts negative", trade({ ts: -1 })],
    ["ts more than an hour ahead", trade({ ts: RECV + TS_MAX_AHEAD_US + 1 })],
    ["ts more than 10 years back", trade({ ts: RECV - TS_MAX_BEHIND_US - 1 })],
    ["ts as text", trade({ ts: String(RECV) })],
    ["recvTs missing", trade({ recvTs: undefined })],
    ["conditions nested", trade({ conditions: [["@"]] })],
    ["conditions with an object", trade({ conditions: [{ a: 1 }] })],
    ["conditions not an array", trade({ conditions: "@" })],
    ["conditions too many", trade({ conditions: Array.from({ length: MAX_CONDITIONS + 1 }, (_, i) => i) })],
    ["condition too long", trade({ conditions: ["x".repeat(65)] })],
    ["condition NaN", trade({ conditions: [NaN] })],
    [
      "conditions 10,000 levels deep",
      trade({
        conditions: (() => {
          let v = [];
          for (let i = 0; i < 10000; i++) v = [v];
          return v;
        })(),
      }),
    ],
    ["extra nested", trade({ extra: { a: { b: 1 } } })],
    ["extra an array", trade({ extra: [1] })],
    ["extra too many keys", trade({ extra: Object.fromEntries(Array.from({ length: 17 }, (_, i) => ["k" + i, i])) })],
    ["id a number", trade({ id: 12 })],
    ["id an object", trade({ id: {} })],
    ["id too long", trade({ id: "9".repeat(129) })],
    ["seq fractional", trade({ seq: 1.5 })],
    ["seq negative", trade({ seq: -1 })],
    ["seq hex text", trade({ seq: "0x10" })],
    ["exchange an object", trade({ exchange: {} })],
    ["symbol empty", trade({ symbol: "" })],
    ["type unknown", trade({ type: "bar" })],
    ["not an object", null],
  ];
  for (const [what, raw] of bad) {
    it(`refuses ${what}`, function () {
      const r = normalizeTick(raw);
      assert.strictEqual(typeof r, "string", `emitted ${JSON.stringify(r)}`);
    });
  }

  it("keeps what is valid: size 0, a long exact id, a seq above 2^53 as digits, the window's edges", function () {
    const t = normalizeTick(trade({ size: 0, id: "123456789012345678901", seq: "9007199254740993" }));
    assert.deepStrictEqual([t.size, t.id, t.seq], [0, "123456789012345678901", "9007199254740993"]);
    assert.strictEqual(typeof normalizeTick(trade({ ts: RECV + TS_MAX_AHEAD_US })), "object");
    assert.strictEqual(typeof normalizeTick(trade({ ts: RECV - TS_MAX_BEHIND_US })), "object");
    assert.strictEqual(normalizeTick(trade({ seq: "42" })).seq, 42);
  });

  it("a bid or ask of 0 means none: null, with its size", function () {
    const q = normalizeTick(quote({ bid: 0, bidSize: 0 }));
    assert.deepStrictEqual([q.bid, q.bidSize, q.ask, q.askSize], [null, null, 189.6, 300]);
  });
});

describe("wire text never becomes a number by coercion", function () {
  it("toNumber reads plain decimals only", function () {
    for (const [text, want] of [
      ["189.5", 189.5],
      ["-2", -2],
      ["1e3", 1000],
      [".5", 0.5],
      ["5.", 5],
      ["0", 0],
      [42, 42],
    ])
      assert.strictEqual(toNumber(text), want, String(text));
    for (const text of [...NUMBER_LOOKALIKES, "+3", "1,5", "1e", "--1", null, true, [], {}, [5]]) {
      assert.ok(Number.isNaN(toNumber(text)), `${JSON.stringify(text)} -> ${toNumber(text)}`);
    }
  });

  it("sequence numbers and ids stay exact; junk is not read as one", function () {
    assert.strictEqual(toSeq("9007199254740993"), "9007199254740993");
    assert.strictEqual(toSeq("17"), 17);
    for (const v of ["0x10", " ", "", "1.5", -1, 1.5, {}, "1e3"]) assert.strictEqual(toSeq(v), undefined, JSON.stringify(v));
    assert.strictEqual(toIdString(2 ** 53 + 2), undefined, "an id number JSON already rounded is not passed on");
    assert.strictEqual(toIdString("3447222699101865076"), "3447222699101865076");
    assert.ok(Number.isNaN(toMicros(" ")));
    assert.ok(Number.isNaN(toMicros("0x10")));
  });

  // What each provider's parser makes of " ", "" and "0x10" where a number belongs: never a tick with 0 or 16.
  // [name, { provider (the name unless given), upstream lists, session(c) (by default the one the
  // feed makes from `settings`), open, acks, frame(v): a frame with v in a number field }]
  const BTC = { trades: ["btcusdt"], quotes: ["btcusdt"] };
  const AAPL = { trades: ["AAPL"] };
  const AT = new Date(RECV / 1000).toISOString();
  const cases = [
    [
      "binance",
      {
        upstream: BTC,
        session: (c) => new BinanceSession(c, "trade", false),
        frame: (v) => ({ e: "trade", s: "BTCUSDT", t: 1, p: v, q: "1", T: RECV / 1000 }),
      },
    ],
    [
      "binance quote",
      {
        provider: "binance",
        upstream: BTC,
        session: (c) => new BinanceSession(c, "trade", false),
        frame: (v) => ({ u: 1, s: "BTCUSDT", b: v, B: "1", a: "2", A: "1" }),
      },
    ],
    [
      "polygon",
      {
        upstream: AAPL,
        session: (c) => new PolygonSession(c),
        frame: (v) => [{ ev: "T", sym: "AAPL", p: v, s: 1, t: RECV / 1000, i: "1", x: 4 }],
      },
    ],
    [
      "alltick",
      {
        upstream: { trades: ["AAPL.US"] },
        session: (c) => new AllTickSession(c, 5, 20),
        frame: (v) => ({ cmd_id: 22998, data: { code: "AAPL.US", seq: "1", tick_time: String(RECV / 1000), price: v, volume: "1" } }),
      },
    ],
    [
      "finnhub",
      {
        upstream: AAPL,
        session: (c) => new FinnhubSession(c),
        frame: (v) => ({ type: "trade", data: [{ s: "AAPL", p: v, t: RECV / 1000, v: 1 }] }),
      },
    ],
    [
      "alpaca",
      {
        upstream: AAPL,
        settings: { apiSecret: "S" },
        frame: (v) => [{ T: "t", S: "AAPL", i: 1, x: "V", p: v, s: 1, t: AT }],
      },
    ],
    [
      "coinbase",
      {
        upstream: { trades: ["BTC-USD"] },
        settings: { apiKey: "" },
        open: true,
        frame: (v) => ({
          channel: "market_trades",
          sequence_num: 1,
          events: [{ type: "update", trades: [{ trade_id: "1", product_id: "BTC-USD", price: v, size: "1", side: "BUY", time: AT }] }],
        }),
      },
    ],
    [
      "twelvedata",
      {
        upstream: AAPL,
        acks: [{ event: "subscribe-status", status: "ok", success: [{ symbol: "AAPL", exchange: "NASDAQ" }], fails: [] }],
        frame: (v) => ({ event: "price", symbol: "AAPL", exchange: "NASDAQ", timestamp: Math.floor(RECV / 1e6), price: v }),
      },
    ],
    [
      "tiingo",
      {
        upstream: AAPL,
        settings: { options: { thresholdLevel: 5 } },
        open: true,
        acks: [
          { messageType: "I", data: { subscriptionId: 7 }, response: { code: 200, message: "Success" } },
          { messageType: "I", data: { tickers: ["aapl"], thresholdLevel: "5" }, response: { code: 200, message: "Success" } },
        ],
        frame: (v) => ({
          messageType: "A",
          service: "iex",
          data: ["T", AT.replace("Z", "+00:00"), null, "aapl", null, null, null, null, null, v, 100, 0, 0, null, 0, 0],
        }),
      },
    ],
    [
      "generic",
      {
        upstream: AAPL,
        settings: { url: "ws://x/" },
        frame: (v) => ({ symbol: "AAPL", price: v, size: 1, time: RECV / 1000 }),
      },
    ],
  ];
  /** A fresh session of a case, ready for data, and the context recording what it emits. */
  function make(name, { provider = name, upstream, session, settings = {}, open, acks }) {
    const c = fakeCtx({ provider, upstream, recvTs: RECV });
    const made = session
      ? session(c)
      : createProvider({ provider, url: "", apiKey: "K", apiSecret: "", options: {}, ...settings }).createSession(c);
    return { c, s: readySession(made, upstream, { open, acks }) };
  }
  for (const [name, spec] of cases) {
    it(`${name}: " ", "" and "0x10" in a price are not read as 0 or 16`, function () {
      for (const v of [" ", "", "0x10", "Infinity"]) {
        const { c, s } = make(name, spec);
        feed(s, spec.frame(v));
        const out = c.ticks.map(normalizeTick).filter((t) => typeof t === "object");
        assert.deepStrictEqual(out, [], `${JSON.stringify(v)} became ${JSON.stringify(out)}`);
      }
      const { c, s } = make(name, spec);
      feed(s, spec.frame("12.5"));
      const ok = c.ticks.map(normalizeTick).filter((t) => typeof t === "object");
      assert.strictEqual(ok.length, 1, "a plain decimal is read");
      assert.ok(ok[0].price === 12.5 || ok[0].bid === 12.5);
    });
  }
});

describe("lossless JSON reader: any valid JSON", function () {
  const SEED = Number(process.env.FUZZ_SEED || 8);

  /** A JSON string full of what the old reader tripped on: digit runs after ':' ',' '[' and before ',' ']' '}', quotes and escapes. */
  function strText(r, digits) {
    const parts = [
      ":" + digits(18) + ",",
      "[" + digits(20) + "]",
      "," + digits(16) + "}",
      '\\"' + digits(17) + '\\"',
      "\\\\",
      "\\u0041",
      " ",
      "x",
      digits(30),
    ];
    return '"' + Array.from({ length: Math.floor(r() * 6) }, () => parts[Math.floor(r() * parts.length)]).join("") + '"';
  }

  /** Random JSON as text plus the value parseLossless must give (long integers as their digits). */
  function gen(r, depth) {
    const k = Math.floor(r() * (depth > 3 ? 6 : 8));
    const digits = (n) => Array.from({ length: n }, (_, i) => String(Math.floor(r() * 10) || (i === 0 ? 1 : 0))).join("");
    switch (k) {
      case 0: {
        const n = Math.floor(r() * 25) + 1;
        const text = (r() < 0.3 ? "-" : "") + digits(n);
        return n >= 16 ? { text, want: text } : { text, want: JSON.parse(text) };
      }
      case 1: {
        const text =
          digits(1 + Math.floor(r() * 20)) +
          "." +
          digits(1 + Math.floor(r() * 5)) +
          (r() < 0.3 ? "e" + (r() < 0.5 ? "-" : "+") + digits(1) : "");
        return { text, want: JSON.parse(text) };
      }
      case 2: {
        const text = strText(r, digits);
        return { text, want: JSON.parse(text) };
      }
      case 3:
        return [
          { text: "true", want: true },
          { text: "false", want: false },
          { text: "null", want: null },
        ][Math.floor(r() * 3)];
      case 4:
      case 6: {
        const items = Array.from({ length: Math.floor(r() * 4) }, () => gen(r, depth + 1));
        const ws = r() < 0.5 ? " " : "";
        return { text: "[" + ws + items.map((i) => i.text).join(ws + "," + ws) + ws + "]", want: items.map((i) => i.want) };
      }
      default: {
        const n = Math.floor(r() * 4);
        const keys = Array.from({ length: n }, (_, i) =>
          r() < 0.5 ? '"k' + i + digits(17) + '"' : strText(r, digits).replace(/^"/, '"' + i),
        );
        const vals = Array.from({ length: n }, () => gen(r, depth + 1));
        const want = {};
        keys.forEach((kt, i) => (want[JSON.parse(kt)] = vals[i].want));
        const ws = r() < 0.5 ? "\n " : "";
        return { text: "{" + ws + keys.map((kt, i) => kt + ws + ":" + ws + vals[i].text).join("," + ws) + ws + "}", want };
      }
    }
  }

  it(`equals JSON.parse on 3,000 random documents, except that integers of 16+ digits stay exact text (seed ${SEED})`, function () {
    const r = prng(SEED);
    for (let i = 0; i < 3000; i++) {
      const { text, want } = gen(r, 0);
      let got;
      try {
        got = parseLossless(text);
      } catch (err) {
        assert.fail(`threw on ${text.slice(0, 300)} (FUZZ_SEED=${SEED}): ${err.message}`);
      }
      assert.deepStrictEqual(got, want, `document ${i} (FUZZ_SEED=${SEED}): ${text.slice(0, 300)}`);
    }
  });

  it("keeps digit runs inside strings as they are (the old reader threw here)", function () {
    const text = '{"msg":"bad symbol: [1234567890123456789], seq:9007199254740993}","i":9007199254740993}';
    assert.deepStrictEqual(parseLossless(text), { msg: "bad symbol: [1234567890123456789], seq:9007199254740993}", i: "9007199254740993" });
  });
});

describe("dedup horizon against a hostile far-future time", function () {
  it("one tick an hour ahead (inside the window) does not age out the symbol's memory", function () {
    const d = new Deduplicator({ horizonUs: 60_000_000 });
    for (let i = 0; i < 100; i++) assert.strictEqual(d.seen("AAPL", "k" + i, RECV - 1000 + i, RECV), false);
    d.seen("AAPL", "future", RECV + TS_MAX_AHEAD_US, RECV);
    for (let i = 0; i < 100; i++) assert.strictEqual(d.seen("AAPL", "k" + i, RECV - 1000 + i, RECV), true, `key ${i} forgotten`);
  });

  it("without the receipt clock (the old call) the same tick wiped it: the clock is what protects it", function () {
    const d = new Deduplicator({ horizonUs: 60_000_000 });
    for (let i = 0; i < 10; i++) d.seen("AAPL", "k" + i, RECV - 1000 + i);
    d.seen("AAPL", "future", RECV + TS_MAX_AHEAD_US);
    assert.strictEqual(d.seen("AAPL", "k0", RECV - 1000), false);
  });
});
