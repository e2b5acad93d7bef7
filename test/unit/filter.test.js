"use strict";
const assert = require("assert");
const { TickFilter, DEFAULT_FILTER, validateFilter } = require("../../dist/lib/filter");

const us = (iso) => Date.parse(iso) * 1000;
const S = 1e6;
const REG = us("2026-11-24T10:00:00-05:00");

function trade(symbol, price, opts = {}) {
  const ts = opts.ts ?? REG;
  return {
    symbol,
    type: "trade",
    price,
    size: opts.size ?? 100,
    ts,
    recvTs: opts.recvTs ?? ts,
    provider: opts.provider ?? "polygon",
    conditions: opts.conditions,
    id: opts.id,
    exchange: opts.exchange,
  };
}
function quote(symbol, bid, ask, ts = REG) {
  return { symbol, type: "quote", bid, ask, bidSize: 1, askSize: 1, ts, recvTs: ts, provider: "simulator" };
}

function make(cfg = {}) {
  const clock = { now: REG };
  const out = [];
  const f = new TickFilter({ ...DEFAULT_FILTER, ...cfg }, { now: () => clock.now, emit: (o) => out.push(o) });
  const passed = () => out.filter((o) => o.type === "pass").map((o) => o.tick);
  const reasons = () => out.filter((o) => o.type === "reject").map((o) => o.reason);
  return { f, out, passed, reasons, clock };
}
const prices = (ticks) => ticks.map((t) => t.price ?? t.bid);

describe("tick filter (pure core)", function () {
  it("passes everything by default and tags each tick's session", function () {
    const { f, out } = make();
    f.push(trade("A", 1, { ts: us("2026-11-24T08:00:00-05:00") }));
    f.push(trade("A", 1, { ts: REG }));
    f.push(trade("A", 1, { ts: us("2026-11-24T17:00:00-05:00") }));
    f.push(trade("A", 1, { ts: us("2026-11-26T10:00:00-05:00") })); // Thanksgiving
    assert.deepStrictEqual(
      out.map((o) => [o.type, o.session]),
      [
        ["pass", "pre"],
        ["pass", "regular"],
        ["pass", "post"],
        ["pass", "closed"],
      ],
    );
  });

  it("selects symbols, types, price and size ranges", function () {
    const { f, passed, reasons } = make({
      include: new Set(["A", "B"]),
      exclude: new Set(["B"]),
      types: "trades",
      priceMin: 10,
      priceMax: 20,
      sizeMin: 100,
    });
    f.push(trade("A", 15));
    f.push(trade("B", 15));
    f.push(trade("C", 15));
    f.push(quote("A", 15, 15.1));
    f.push(trade("A", 9.99));
    f.push(trade("A", 20.01));
    f.push(trade("A", 20, { size: 99 }));
    f.push(trade("A", 10, { size: 100 })); // bounds are inclusive
    assert.deepStrictEqual(prices(passed()), [15, 10]);
    assert.deepStrictEqual(reasons(), ["symbol", "symbol", "type", "range", "range", "range"]);
  });

  it("applies the condition presets", function () {
    const ticks = [
      trade("A", 1, { conditions: [0] }),
      trade("A", 2, { conditions: [37] }),
      trade("A", 3, { conditions: [33] }),
      trade("A", 4, { conditions: [15] }),
      trade("A", 5, { conditions: ["@", "I"], provider: "alpaca" }),
      trade("A", 6, { conditions: ["oddLot"], provider: "tiingo" }),
      trade("A", 7, { conditions: [37], provider: "binance" }), // no dialect: conditions ignored
    ];
    const run = (mode) => {
      const m = make({ conditionMode: mode });
      ticks.forEach((t) => m.f.push(t));
      return prices(m.passed());
    };
    assert.deepStrictEqual(run("excludeOddLots"), [1, 3, 4, 7]);
    assert.deepStrictEqual(run("lastEligible"), [1, 7]);
    assert.deepStrictEqual(run("volumeEligible"), [1, 2, 3, 5, 6, 7]);
  });

  it("passes only the chosen sessions; auction prints can count as regular", function () {
    const close = us("2026-11-24T16:00:00.250-05:00");
    const ticks = [
      trade("A", 1, { ts: close, conditions: [8] }),
      trade("A", 2, { ts: close }),
      trade("A", 3, { ts: us("2026-11-24T09:29:59.900-05:00"), conditions: [25] }),
      trade("A", 4, { ts: REG }),
    ];
    const plain = make({ sessions: new Set(["regular"]) });
    ticks.forEach((t) => plain.f.push(t));
    assert.deepStrictEqual(prices(plain.passed()), [4]);
    const auction = make({ sessions: new Set(["regular"]), auctionPrints: true, auctionWindowUs: 60 * S });
    ticks.forEach((t) => auction.f.push(t));
    assert.deepStrictEqual(prices(auction.passed()), [1, 3, 4]);
    assert.deepStrictEqual(
      auction.out.map((o) => o.session),
      ["regular", "post", "regular", "regular"],
    );
  });

  it("drops stale ticks (recvTs - ts above the limit)", function () {
    const { f, passed, reasons } = make({ maxAgeUs: 2 * S });
    f.push(trade("A", 1, { ts: REG, recvTs: REG + 2 * S }));
    f.push(trade("A", 2, { ts: REG, recvTs: REG + 2 * S + 1 }));
    assert.deepStrictEqual([prices(passed()), reasons()], [[1], ["stale"]]);
  });

  it("drops repeated trade ids (scoped by exchange) with dedup on; ticks without an id pass", function () {
    const { f, passed } = make({ dedup: true });
    f.push(trade("A", 1, { id: "7", exchange: 4 }));
    f.push(trade("A", 2, { id: "7", exchange: 4 }));
    f.push(trade("A", 3, { id: "7", exchange: 11 }));
    f.push(trade("A", 4));
    f.push(trade("A", 5));
    assert.deepStrictEqual(prices(passed()), [1, 3, 4, 5]);
  });

  it("sequence check: drops a seq that does not increase, per symbol and exchange, and counts gaps", function () {
    const { f, passed, reasons } = make({ seqCheck: true });
    const s = (price, seq, exchange) => ({ ...trade("A", price, { exchange }), seq });
    f.push(s(1, 10, 4));
    f.push(s(2, 11, 4));
    f.push(s(3, 11, 4)); // repeat
    f.push(s(4, 9, 4)); // backwards
    f.push(s(5, 9, 7)); // another exchange: its own sequence
    f.push(s(6, "9007199254740993", 4)); // exact above 2^53, a gap
    f.push(s(7, "9007199254740992", 4)); // below it, though equal as doubles
    f.push({ ...trade("A", 8), seq: undefined }); // no seq: not checked
    assert.deepStrictEqual(prices(passed()), [1, 2, 5, 6, 8]);
    assert.deepStrictEqual(reasons(), ["sequence", "sequence", "sequence"]);
    assert.strictEqual(f.gaps, 1);
  });

  it("sequence check: backfilled trades (older seqs by nature, once each by the feed's dedup) pass and do not move the mark", function () {
    const { f, passed, reasons } = make({ seqCheck: true });
    const s = (price, seq, backfill) => ({ ...trade("A", price, { exchange: 4 }), seq, backfill });
    f.push(s(1, 10, false));
    f.push(s(2, 20, false)); // after the reconnect
    f.push(s(3, 11, true)); // the gap, backfilled
    f.push(s(4, 19, true));
    f.push(s(5, 20, false)); // a live repeat is still dropped
    f.push(s(6, 21, false));
    assert.deepStrictEqual(prices(passed()), [1, 2, 3, 4, 6]);
    assert.deepStrictEqual(reasons(), ["sequence"]);
  });

  describe("value filters", function () {
    const run = (cfg, values) => {
      const m = make(cfg);
      values.forEach((v) => m.f.push(trade("A", v)));
      return prices(m.passed());
    };
    it("report by exception passes changes only", function () {
      assert.deepStrictEqual(run({ value: "rbe" }, [1, 1, 2, 2, 1]), [1, 2, 1]);
    });
    it("deadband (absolute) against the last output or the last input", function () {
      assert.deepStrictEqual(run({ value: "deadband", gap: 1 }, [10, 10.5, 11, 11.9, 12]), [10, 11, 12]);
      // Against the input, a slow drift never passes.
      assert.deepStrictEqual(run({ value: "deadband", gap: 1, reference: "input" }, [10, 10.5, 11, 11.9, 12]), [10]);
    });
    it("deadband in percent is well defined at zero", function () {
      assert.deepStrictEqual(run({ value: "deadband", gap: 10, gapUnit: "pct" }, [100, 105, 110, 0, 0, 0.5]), [100, 110, 0, 0.5]);
    });
    it("narrowband drops jumps; against the input it follows a real level shift", function () {
      assert.deepStrictEqual(run({ value: "narrowband", gap: 1 }, [10, 10.5, 20, 20, 11]), [10, 10.5, 11]);
      assert.deepStrictEqual(run({ value: "narrowband", gap: 1, reference: "input" }, [10, 10.5, 20, 20, 20.5]), [10, 10.5, 20, 20.5]);
    });
    it("quotes are compared on their mid", function () {
      const m = make({ value: "rbe" });
      m.f.push(quote("A", 10, 10.2));
      m.f.push(quote("A", 10.1, 10.1)); // same mid
      m.f.push(quote("A", 10.1, 10.3));
      assert.deepStrictEqual(prices(m.passed()), [10, 10.1]);
    });
  });

  it("the outlier guard drops a single bad print and lets a lasting level shift through", function () {
    const { f, passed, reasons } = make({ outlierWindow: 5, outlierPct: 5 });
    for (const p of [100, 100.5, 99.8, 100.2, 1000, 100.1]) f.push(trade("A", p));
    assert.deepStrictEqual(prices(passed()), [100, 100.5, 99.8, 100.2, 100.1]);
    assert.deepStrictEqual(reasons(), ["outlier"]);
    const shift = make({ outlierWindow: 5, outlierPct: 5 });
    // Once the new level fills more than half the window, the median has moved and it passes.
    for (const p of [100, 100, 100, 120, 120, 120, 120, 120]) shift.f.push(trade("A", p));
    assert.deepStrictEqual(prices(shift.passed()), [100, 100, 100, 120, 120]);
  });

  it("the outlier guard decides as a plain sort-the-window median would (random streams)", function () {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let run = 0; run < 50; run++) {
      const n = 3 + Math.floor(rand() * 30);
      const pct = 1 + rand() * 10;
      const { f, passed } = make({ outlierWindow: n, outlierPct: pct });
      const window = [];
      const want = [];
      for (let i = 0; i < 300; i++) {
        const p = rand() < 0.05 ? 100 * (1 + rand()) : Math.round((100 + rand() * 3) * 100) / 100;
        if (window.length >= 3) {
          const s = window.slice().sort((a, b) => a - b);
          const m = s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
          if (Math.abs(p - m) <= (pct / 100) * Math.abs(m)) want.push(p);
        } else want.push(p);
        window.push(p);
        if (window.length > n) window.shift();
        f.push(trade("A", p));
      }
      assert.deepStrictEqual(prices(passed()), want, `run ${run}`);
    }
  });

  describe("per-symbol rate limit", function () {
    it("passes the first tick at once and the latest at the end of the period; intermediates are dropped", function () {
      const { f, passed, reasons, clock } = make({ rateUs: S });
      f.push(trade("A", 1));
      f.push(trade("B", 10)); // other symbol: its own period
      f.push(trade("A", 2));
      f.push(trade("A", 3));
      assert.deepStrictEqual(prices(passed()), [1, 10]);
      assert.strictEqual(f.deadline, REG + S);
      clock.now = REG + S - 1;
      f.advance(clock.now);
      assert.deepStrictEqual(prices(passed()), [1, 10]);
      clock.now = REG + S;
      f.advance(clock.now);
      assert.deepStrictEqual(prices(passed()), [1, 10, 3]);
      assert.deepStrictEqual(reasons(), ["rate"]);
      // The trailing tick opened a new period: the next tick waits for its end.
      clock.now = REG + S + 10;
      f.push(trade("A", 4));
      assert.deepStrictEqual(prices(passed()), [1, 10, 3]);
      f.flush("A");
      assert.deepStrictEqual(prices(passed()), [1, 10, 3, 4]);
      assert.strictEqual(f.pendingCount(), 0);
    });
    it("after a quiet period the next tick passes at once", function () {
      const { f, passed, clock } = make({ rateUs: S });
      f.push(trade("A", 1));
      clock.now = REG + 5 * S;
      f.advance(clock.now);
      f.push(trade("A", 2));
      assert.deepStrictEqual(prices(passed()), [1, 2]);
    });
  });

  it("reset forgets one symbol's state or all", function () {
    const { f, passed } = make({ value: "rbe" });
    f.push(trade("A", 1));
    f.push(trade("B", 1));
    f.reset("A");
    f.push(trade("A", 1));
    f.push(trade("B", 1));
    assert.deepStrictEqual(
      passed().map((t) => t.symbol),
      ["A", "B", "A"],
    );
  });

  it("keeps per-symbol state bounded", function () {
    const { f } = make({ value: "rbe", maxSymbols: 100 });
    for (let i = 0; i < 1000; i++) f.push(trade("S" + i, 1));
    assert.strictEqual(f.symbolCount, 100);
  });

  it("rejects bad input as invalid without throwing, and bad settings with a clear message", function () {
    const { f, reasons } = make();
    f.push(null);
    f.push({ symbol: "A" });
    assert.deepStrictEqual(reasons(), ["invalid", "invalid"]);
    assert.throws(() => validateFilter({ ...DEFAULT_FILTER, priceMin: 5, priceMax: 1 }), /minimum price is above/);
    assert.throws(() => validateFilter({ ...DEFAULT_FILTER, outlierWindow: 2 }), /3 to 1001/);
  });
});
