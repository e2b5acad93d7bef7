"use strict";
/** The feed's pure parts: status from slot records, the malformed reporter's rate limit, placement, users, the per-tick dispatch. */
const assert = require("assert");
const { feedStatusOf, maskStatus, sameStatus } = require("../../dist/lib/feed/status");
const { MalformedReporter, sampleOf } = require("../../dist/lib/feed/malformed");
const { SlotPlacement } = require("../../dist/lib/feed/placement");
const { SecretMasker } = require("../../dist/lib/secrets");

/** A slot record as the status reads it. */
function slot(state, extra = {}) {
  const active = state !== "idle" && state !== "closed" && state !== "closing";
  return { state, failure: null, retryAt: 0, failing: null, failedAttempts: 0, connects: 1, isActive: active, ...extra };
}

describe("feed status (pure)", function () {
  const NOW = 1_000_000;

  it("is idle with no slot, and idle slots do not count as connections", function () {
    assert.deepStrictEqual(feedStatusOf([], 0, NOW), { state: "idle", connections: 0, open: 0, unplaced: 0, at: NOW });
    assert.strictEqual(feedStatusOf([slot("idle"), slot("closed"), slot("closing")], 0, NOW).connections, 0);
  });

  it("is open only when every active slot streams, and says how many symbols found no room", function () {
    assert.deepStrictEqual(feedStatusOf([slot("open"), slot("open")], 3, NOW), {
      state: "open",
      connections: 2,
      open: 2,
      unplaced: 3,
      at: NOW,
    });
    const s = feedStatusOf([slot("open"), slot("connecting")], 0, NOW);
    assert.strictEqual(s.state, "connecting");
    assert.strictEqual(s.open, 1);
  });

  it("says reconnecting (not connecting) once a slot connected before", function () {
    assert.strictEqual(feedStatusOf([slot("authenticating", { connects: 2 })], 0, NOW).state, "reconnecting");
  });

  it("waits for the slot that retries last, with the last error", function () {
    const s = feedStatusOf(
      [
        slot("backoff", { retryAt: NOW + 2000, failure: { code: "closed", message: "closed by peer" } }),
        slot("backoff", { retryAt: NOW + 5000 }),
        slot("open"),
      ],
      0,
      NOW,
    );
    assert.deepStrictEqual(s, {
      state: "reconnecting",
      connections: 3,
      open: 1,
      waitMs: 5000,
      unplaced: 0,
      at: NOW,
      error: { code: "closed", message: "closed by peer" },
    });
    assert.strictEqual(feedStatusOf([slot("backoff", { retryAt: NOW - 10 })], 0, NOW).waitMs, 0, "never a negative wait");
  });

  it("lets a failed slot win over every other state, with its own error", function () {
    const failure = { code: "auth", message: "bad key" };
    const s = feedStatusOf([slot("backoff", { retryAt: NOW + 1 }), slot("failed", { failure }), slot("open")], 0, NOW);
    assert.strictEqual(s.state, "failed");
    assert.deepStrictEqual(s.error, failure);
    assert.strictEqual(s.waitMs, undefined);
  });

  it("adds failing while a slot keeps failing before it is ready, but not to a failed state", function () {
    const failing = { code: "connect_failing", message: "refused", attempts: 1 };
    const s = feedStatusOf([slot("backoff", { retryAt: NOW + 100, failing, failedAttempts: 6 })], 0, NOW);
    assert.deepStrictEqual(s.failing, { code: "connect_failing", message: "refused", attempts: 6 });
    assert.strictEqual(
      feedStatusOf([slot("open", { failing, failedAttempts: 6 })], 0, NOW).failing,
      undefined,
      "an open slot is not failing",
    );
    const failed = feedStatusOf([slot("failed", { failure: { code: "auth", message: "x" } }), slot("connecting", { failing })], 0, NOW);
    assert.strictEqual(failed.failing, undefined);
  });

  it("masks secrets in the texts, and compares what a user would see (not the time or texts)", function () {
    const m = new SecretMasker(["sekrit-key-123"]);
    const s = {
      state: "failed",
      connections: 1,
      open: 0,
      unplaced: 0,
      at: 1,
      error: { code: "auth", message: "key sekrit-key-123 refused" },
    };
    const masked = maskStatus(s, m);
    assert.ok(!masked.error.message.includes("sekrit-key-123"));
    assert.ok(s.error.message.includes("sekrit-key-123"), "the input is left alone");
    assert.ok(sameStatus(s, { ...masked, at: 2 }));
    assert.ok(!sameStatus(s, { ...s, open: 1 }));
    assert.ok(!sameStatus(s, { ...s, error: { code: "plan", message: "" } }));
    assert.ok(
      !sameStatus({ ...s, failing: { code: "x", message: "", attempts: 5 } }, { ...s, failing: { code: "x", message: "", attempts: 6 } }),
    );
  });
});

describe("malformed reporter", function () {
  /** A clock the test moves by hand; timers fire when it passes them. */
  function fakeClock() {
    const c = { t: 50_000, timers: [] };
    c.now = () => c.t;
    c.setTimeout = (fn, ms) => {
      const h = { at: c.t + ms, fn };
      c.timers.push(h);
      return h;
    };
    c.clearTimeout = (h) => (c.timers = c.timers.filter((x) => x !== h));
    c.advance = (ms) => {
      c.t += ms;
      for (const h of c.timers.filter((x) => x.at <= c.t)) {
        c.timers = c.timers.filter((x) => x !== h);
        h.fn();
      }
    };
    return c;
  }

  it("reports the first at once, then at most once per interval with the count since the last report", function () {
    const clock = fakeClock();
    const reports = [];
    const r = new MalformedReporter((x) => reports.push(x), 10_000, clock);
    r.add("bad json", "{x");
    assert.deepStrictEqual(reports, [{ count: 1, total: 1, reason: "bad json", sample: "{x" }]);
    r.add("bad json", "{y");
    r.add("no symbol", undefined);
    assert.strictEqual(reports.length, 1, "held back within the interval");
    assert.strictEqual(clock.timers.length, 1, "one timer, however many arrive");
    clock.advance(9_999);
    assert.strictEqual(reports.length, 1);
    clock.advance(1);
    assert.deepStrictEqual(reports[1], { count: 2, total: 3, reason: "no symbol", sample: "" });
    assert.strictEqual(r.count, 3);
  });

  it("stays quiet when nothing new arrived, and drops a pending report on dispose (still counting)", function () {
    const clock = fakeClock();
    const reports = [];
    const r = new MalformedReporter((x) => reports.push(x), 1000, clock);
    r.add("a", "1");
    clock.advance(5000);
    assert.strictEqual(reports.length, 1);
    r.add("b", "2"); // interval passed: at once
    assert.strictEqual(reports.length, 2);
    r.add("c", "3");
    r.dispose();
    clock.advance(5000);
    r.add("d", "4");
    assert.strictEqual(reports.length, 2);
    assert.strictEqual(r.count, 4);
    assert.strictEqual(clock.timers.length, 0);
  });

  it("samples any value without throwing", function () {
    assert.strictEqual(sampleOf({ a: 1 }), '{"a":1}');
    assert.strictEqual(sampleOf(undefined), "");
    const loop = {};
    loop.self = loop;
    assert.strictEqual(sampleOf(loop), "(unprintable)");
    assert.strictEqual(sampleOf("x".repeat(500)).length, 200);
  });
});

describe("slot placement", function () {
  function fakeSlot(index) {
    const desired = { trades: new Set(), quotes: new Set() };
    return {
      index,
      state: "idle",
      desired,
      get symbolCount() {
        return new Set([...desired.trades, ...desired.quotes]).size;
      },
      hasSymbol: (s) => desired.trades.has(s) || desired.quotes.has(s),
    };
  }

  it("fills slots up to the limit, keeps the rest waiting in order, and places them when room frees up", function () {
    const p = new SlotPlacement(2, 2, fakeSlot);
    const wanted = new Set();
    const want = (s) => (wanted.add(s), p.want("trades", s));
    ["A", "B", "C", "D", "E", "F"].forEach(want);
    assert.deepStrictEqual(
      p.slots.map((s) => [...s.desired.trades]),
      [
        ["A", "B"],
        ["C", "D"],
      ],
    );
    assert.deepStrictEqual([...p.unplaced], ["E", "F"]);
    assert.deepStrictEqual(p.freshUnplaced(), ["E", "F"]);
    assert.deepStrictEqual(p.freshUnplaced(), [], "reported once while they wait");

    wanted.delete("C");
    p.release("trades", "C", 100);
    const left = [];
    assert.strictEqual(
      p.expire(
        50,
        (_ch, s) => wanted.has(s),
        (s) => left.push(s),
      ),
      100,
      "not due yet",
    );
    assert.strictEqual(
      p.expire(
        100,
        (_ch, s) => wanted.has(s),
        (s) => left.push(s),
      ),
      Infinity,
    );
    assert.deepStrictEqual(left, ["C"]);
    p.placeWaiting((_ch, s) => wanted.has(s));
    assert.deepStrictEqual(
      p.slots.map((s) => [...s.desired.trades]),
      [
        ["A", "B"],
        ["D", "E"],
      ],
      "A, B, D never move",
    );
    assert.deepStrictEqual([...p.unplaced], ["F"]);
  });

  it("keeps a symbol that is wanted again before its linger ends, on the same slot", function () {
    const p = new SlotPlacement(10, 1, fakeSlot);
    p.want("quotes", "A");
    p.release("quotes", "A", 100);
    p.want("quotes", "A");
    assert.strictEqual(
      p.expire(
        1000,
        () => false,
        () => assert.fail("nothing lingers"),
      ),
      Infinity,
    );
    assert.deepStrictEqual([...p.slots[0].desired.quotes], ["A"]);
  });
});

describe("feed users", function () {
  it("reading follows the flows' pace unless every user conflates", function () {
    const { FeedUsers } = require("../../dist/lib/feed/users");
    const demand = { wanted() {}, released() {} };
    const users = new FeedUsers(demand, new SecretMasker([]), { warn() {}, error() {} });
    const user = (id, conflates) => ({ id, conflates, onTicks() {}, onEvent() {}, onStatus() {} });
    assert.strictEqual(users.followFlow, true, "no user");
    users.add(user("c1", true));
    assert.strictEqual(users.followFlow, false, "one user, conflating");
    users.add(user("b1", false));
    assert.strictEqual(users.followFlow, true, "a backpressure user takes every tick");
    users.remove(users.find("b1"));
    assert.strictEqual(users.followFlow, false);
    users.clear();
    assert.strictEqual(users.followFlow, true);
  });
});

describe("tick dispatch (the per-tick path)", function () {
  const { TickDispatch } = require("../../dist/lib/feed/dispatch");
  const { Deduplicator } = require("../../dist/lib/dedup");
  const T0 = 1_700_000_000_000_000;
  const trade = (symbol, price, extra = {}) => ({ symbol, type: "trade", provider: "p", price, size: 1, ts: T0, recvTs: T0 + 5, ...extra });

  /** A dispatch over users A (throws after taking its ticks) and B, both holding trades of X. */
  function rig() {
    const got = { A: [], B: [] };
    const rec = (id) => ({
      user: {
        id,
        onTicks(ticks) {
          got[id].push(ticks);
          if (id === "A") throw new Error("flow failed");
        },
      },
      trades: new Set(["X"]),
      quotes: new Set(),
      pending: [],
    });
    const refs = { trades: new Map([["X", [rec("A"), rec("B")]]]), quotes: new Map() };
    const stats = { ticks: 0, delivered: 0, duplicates: 0, malformed: 0, frames: 0, backfilled: 0 };
    const malformed = [];
    const errors = [];
    const provider = { dedupKey: (t) => `${t.symbol}:${t.price}`, contentKeys: true };
    const log = { warn() {}, error: (text) => errors.push(text) };
    const d = new TickDispatch({
      refs,
      provider,
      dedup: new Deduplicator(),
      stats,
      backfill: null,
      malformed: (reason) => malformed.push(reason),
      log,
    });
    return { d, got, stats, malformed, errors };
  }

  it("hands each holder its ticks once per frame, a copy to all but the first, past a user that throws", function () {
    const { d, got, stats, malformed, errors } = rig();
    d.onTick(trade("X", 10));
    d.onTick(trade("X", 10)); // the same content twice in one frame: two trades
    d.onTick(trade("Y", 10)); // nobody holds Y
    d.onTick(trade("X", -1)); // malformed, the rest of the frame goes on
    assert.deepStrictEqual([got.A.length, got.B.length], [0, 0], "nothing before the frame ends");
    d.onFrameEnd();
    assert.deepStrictEqual([got.A.length, got.B.length], [1, 1]);
    assert.deepStrictEqual(
      got.B[0].map((t) => t.price),
      [10, 10],
    );
    assert.notStrictEqual(got.B[0][0], got.A[0][0]);
    assert.notStrictEqual(got.B[0][0].conditions, got.A[0][0].conditions);
    assert.deepStrictEqual(got.B[0][0], got.A[0][0]);
    assert.strictEqual(malformed.length, 1);
    assert.match(errors[0], /a subscriber failed on ticks: Error: flow failed/);
    // The malformed tick is the feed's to count (its callback); the dispatch counts the rest.
    assert.deepStrictEqual(stats, { ticks: 4, delivered: 4, duplicates: 0, malformed: 0, frames: 1, backfilled: 0 });
  });

  it("drops a frame seen before (per-frame occurrence keys), and counts backfilled ticks that pass dedup", function () {
    const { d, got, stats } = rig();
    d.onTick(trade("X", 10));
    d.onTick(trade("X", 10));
    d.onFrameEnd();
    d.onTick(trade("X", 10));
    d.onTick(trade("X", 10));
    d.onFrameEnd();
    assert.strictEqual(got.B.length, 1, "the repeated frame delivers nothing");
    assert.strictEqual(stats.duplicates, 2);
    const passed = d.deliver([trade("X", 10, { backfill: true }), trade("X", 11, { backfill: true })]);
    assert.strictEqual(passed, 1, "the trade at 10 was live already");
    assert.deepStrictEqual(
      got.B[1].map((t) => [t.price, t.backfill]),
      [[11, true]],
    );
    assert.strictEqual(stats.backfilled, 1);
  });
});
