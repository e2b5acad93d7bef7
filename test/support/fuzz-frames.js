"use strict";
/**
 * Building blocks of the provider fuzz test (test/unit/provider-fuzz.test.js): seeded draws,
 * field values (usually good, sometimes hostile, sometimes absent), raw JSON that JSON.stringify
 * cannot write (deep nesting, huge and long integers), frames that are not JSON at all, and a
 * fuzz target: a provider session ready to parse data.
 */
const { readySession } = require("./session-ctx");
const { createProvider } = require("../../dist/lib/providers");
const { mulberry32 } = require("./prng");
const { NUMBER_LOOKALIKES } = require("./number-text");

/** The seeded PRNG (mulberry32) with the draws the generators use. */
function prng(seed) {
  const next = mulberry32(seed);
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
  };
}

// Raw JSON text spliced in where a marker string stands (what JSON.stringify cannot write).
const RAW = {
  DEEP_ARRAY: "[".repeat(10000) + "]".repeat(10000),
  DEEP_OBJECT: '{"a":'.repeat(10000) + "1" + "}".repeat(10000),
  BIG_INT: "123456789012345678901234567890",
  HUGE: "1e400", // JSON.parse reads it as Infinity
  NEG_HUGE: "-1e400",
  NEG_BIG: "-9223372036854775808",
};
const marker = (k) => "@@" + k + "@@";
function encode(value) {
  let text = JSON.stringify(value);
  for (const k of Object.keys(RAW)) text = text.split(JSON.stringify(marker(k))).join(RAW[k]);
  return text;
}

/** Values that are real numbers: the only ones a numeric field may come out with. */
const GOOD_NUMS = [101.25, 42, 0.5, 7.25, 3000.125, 12.5];
const goodNum = (r) => (r.chance(0.5) ? r.pick(GOOD_NUMS) : String(r.pick(GOOD_NUMS)));
const HOSTILE = [
  null,
  true,
  false,
  0,
  -1,
  -0.5,
  1e305,
  1e23,
  9e18,
  // eslint-disable-next-line no-loss-of-precision -- 2^53 + 1 on purpose: the value a JSON parser rounds
  9007199254740993,
  ...NUMBER_LOOKALIKES,
  "1e400",
  "1,5",
  "+3",
  {},
  [],
  { a: 1 },
  [1, [2]],
  "x".repeat(5000),
  "\u0000",
  "__proto__",
  marker("DEEP_ARRAY"),
  marker("DEEP_OBJECT"),
  marker("BIG_INT"),
  marker("HUGE"),
  marker("NEG_HUGE"),
  marker("NEG_BIG"),
];
/** A field value: usually good, sometimes hostile, sometimes absent. */
function val(r, good) {
  const x = r.next();
  if (x < 0.7) return good();
  if (x < 0.95) return r.pick(HOSTILE);
  return undefined;
}
const conds = (r, good) =>
  r.chance(0.8)
    ? good()
    : r.pick([HOSTILE[r.int(HOSTILE.length)], Array.from({ length: 40 }, () => 1), ["x".repeat(100)], [[1]], [{}], marker("DEEP_ARRAY")]);
/** An array frame of 1 to 4 events, each a `trade()` or a `quote()` at even odds (Polygon, Alpaca). */
const tradesOrQuotes = (r, trade, quote) => Array.from({ length: 1 + r.int(4) }, () => (r.chance(0.5) ? trade() : quote()));
const isoAt = (ms, frac = ".123456789") => new Date(ms).toISOString().replace(/\.\d+Z$/, frac + "Z");

const settings = (provider, o = {}) => ({ provider, url: "", apiKey: "KEY", apiSecret: "SECRET", options: {}, ...o });

/**
 * A fuzz target: `setup(c)` makes a session of `provider` subscribed to `upstream` (opened first
 * when `open`, then fed the provider's acknowledgements `acks`), `frame(r)` makes a random frame.
 */
function target(provider, { upstream, frame, open = false, settings: extra = {}, acks = [] }) {
  return {
    upstream,
    frame,
    setup(c) {
      return readySession(createProvider(settings(provider, extra)).createSession(c), upstream, { open, acks });
    },
  };
}

/** Some frames are not even JSON, or JSON of the wrong shape. */
function garbage(r) {
  return r.pick([
    "",
    "{",
    "[1,2",
    "null",
    "42",
    '"text"',
    "[[[[[[[[[[",
    RAW.DEEP_ARRAY,
    RAW.DEEP_OBJECT,
    '{"data":' + RAW.DEEP_ARRAY + "}",
    String.fromCharCode(...Array.from({ length: 64 }, () => r.int(256))),
    "[" + Array.from({ length: 50 }, () => '{"x":"12345678901234567890"}').join(",") + "]",
  ]);
}

module.exports = { prng, RAW, marker, encode, GOOD_NUMS, goodNum, HOSTILE, val, conds, tradesOrQuotes, isoAt, target, garbage };
