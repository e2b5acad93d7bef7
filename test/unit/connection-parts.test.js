"use strict";
/** The small modules around the slot, alone: failure classification, subscription diffing, the send queue, health-check periods, paced reading, reconnect timing, the close bound. */
const assert = require("assert");
const c = require("../../dist/lib/connection");
const { watchdogPeriodMs } = require("../../dist/lib/providers/watchdog");
const { FakeClock, FakeSocket } = require("../support/fake-clock");

const err = (message, props) => Object.assign(new Error(message), props);

describe("connection parts", function () {
  describe("failure classification", function () {
    it("maps refused upgrades: provider first, then 401/403 auth, 429 limit (60 s), others transient", function () {
      assert.strictEqual(c.refusedStatus(err("Unexpected server response: 503")), 503);
      assert.strictEqual(c.refusedStatus(err("socket hang up")), undefined);
      assert.deepStrictEqual([c.classifyRefusal(401).kind, c.classifyRefusal(403).code], ["auth", "http_403"]);
      assert.deepStrictEqual([c.classifyRefusal(429).kind, c.classifyRefusal(429).retryAfterMs], ["limit", c.HTTP_429_RETRY_MS]);
      assert.deepStrictEqual([c.classifyRefusal(500).kind, c.classifyRefusal(500).code], ["transient", "http_500"]);
      const provider = { httpFailure: (s) => (s === 401 ? { kind: "plan", code: "mine", message: "m" } : undefined) };
      assert.strictEqual(c.classifyRefusal(401, provider).code, "mine");
      assert.strictEqual(c.classifyRefusal(403, provider).code, "http_403", "undefined from the provider = the default");
    });

    it("keeps a non-transient failure against later errors, replaces a transient one", function () {
      const auth = { kind: "auth", code: "http_401", message: "m" };
      const reset = err("read ECONNRESET", { code: "ECONNRESET" });
      assert.strictEqual(c.classifyError(reset, auth, 0), undefined);
      assert.strictEqual(c.classifyError(err("x", { code: "ECONNREFUSED" }), auth, 0), undefined);
      assert.strictEqual(c.classifyError(reset, { kind: "transient", code: "stale", message: "m" }, 0).failure.code, "socket_error");
      assert.strictEqual(c.classifyError(err("Unexpected server response: 401"), null, 0).failure.code, "http_401");
      const big = c.classifyError(err("Max payload size exceeded", { code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" }), auth, 2048);
      assert.deepStrictEqual([big.oversized, big.failure.code], [true, "frame_too_large"], "an oversized frame is always reported");
      assert.match(big.failure.message, /2\.0 KiB|2 KiB/);
    });
  });

  describe("subscription diffing", function () {
    it("takes the change once, with the whole list; null when upstream agrees", function () {
      const s = new c.Subscriptions();
      s.desired.trades.add("A").add("B");
      s.desired.quotes.add("B");
      assert.strictEqual(s.symbolCount, 2);
      assert.ok(s.has("B") && !s.has("C"));
      const first = s.takeChange();
      assert.deepStrictEqual(first.add, { trades: ["A", "B"], quotes: ["B"] });
      assert.ok(s.carrying);
      assert.strictEqual(s.takeChange(), null);
      s.desired.trades.delete("A");
      s.desired.quotes.add("C");
      const second = s.takeChange();
      assert.deepStrictEqual(
        [second.add, second.remove, second.all],
        [
          { trades: [], quotes: ["C"] },
          { trades: ["A"], quotes: [] },
          { trades: ["B"], quotes: ["B", "C"] },
        ],
      );
      s.reset();
      assert.ok(!s.carrying);
      assert.deepStrictEqual(s.takeChange().add, { trades: ["B"], quotes: ["B", "C"] }, "after a reset everything is new");
    });
  });

  describe("send queue", function () {
    it("waits for the rate gap, holds while there is no socket, clear() drops queue and timer", function () {
      const clock = new FakeClock();
      const out = [];
      let target = { send: (t) => out.push(t) };
      const q = new c.SendQueue(clock, c.sendGapMs(5), () => target);
      assert.strictEqual(c.sendGapMs(Infinity), 0);
      assert.strictEqual(c.sendGapMs(5), 200);
      q.enqueue("a");
      q.enqueue("b");
      assert.deepStrictEqual([out, q.length, q.waiting], [["a"], 1, true]);
      clock.advance(200);
      assert.deepStrictEqual(out, ["a", "b"]);
      target = null;
      clock.advance(1000);
      q.enqueue("c");
      assert.deepStrictEqual([out.length, q.length, q.waiting], [2, 1, false]);
      target = { send: (t) => out.push(t) };
      q.drain();
      assert.deepStrictEqual(out, ["a", "b", "c"]);
      q.enqueue("d");
      q.clear();
      assert.deepStrictEqual([q.length, clock.pending()], [0, 0]);
    });
  });

  describe("health-check periods", function () {
    it("one rule: a quarter of the period, from 20 ms, up to the caller's maximum", function () {
      assert.strictEqual(c.checkPeriodMs(40, 1000), 20);
      assert.strictEqual(c.checkPeriodMs(2000, 1000), 500);
      assert.strictEqual(c.checkPeriodMs(60_000, 1000), 1000);
      assert.strictEqual(c.healthCheckEveryMs({ pingMs: 0, staleMs: 0, heartbeatMs: 0, authTimeoutMs: 0, healthyMs: 1 }), 250);
      assert.strictEqual(c.healthCheckEveryMs({ pingMs: 20_000, staleMs: 0, heartbeatMs: 400, authTimeoutMs: 10_000, healthyMs: 1 }), 100);
      for (const stall of [1, 100, 4000, 60_000, 300_000]) assert.strictEqual(watchdogPeriodMs(stall), c.checkPeriodMs(stall, 5000));
      assert.strictEqual(watchdogPeriodMs(0), 0);
    });
  });

  describe("paced reading", function () {
    /** A ReadBudget with `handlers` on a fake clock, reading a fake socket `ws`. */
    function budget(handlers) {
      const clock = new FakeClock();
      const ws = new FakeSocket();
      return { clock, ws, b: new c.ReadBudget(clock, () => ws, handlers) };
    }

    it("pauses the socket once the turn's budget is spent and resumes it next turn; off unless paced", function () {
      const { clock, ws, b } = budget({ handle() {}, resumed() {} });
      b.spend(ws);
      assert.strictEqual(clock.pending(), 0, "off: no turn tracking");
      b.paced = true;
      b.spend(ws); // first frame of the turn (the last turn ended long ago: slow flow, so budget 0)
      assert.deepStrictEqual([ws.isPaused, b.pauses], [true, 1]);
      clock.flush();
      assert.strictEqual(ws.isPaused, false, "resumed at the end of the turn");
      b.spend(ws); // a quick next turn: the full budget
      assert.strictEqual(ws.isPaused, false);
      clock.t += c.READ_TURN_BUDGET_MS; // the frames' work takes time within the same turn (no timer runs)
      b.spend(ws);
      assert.deepStrictEqual([ws.isPaused, b.pauses], [true, 2]);
      b.clear();
      assert.strictEqual(clock.pending(), 0);
    });

    it("holds the frames read after the budget is spent and hands them over in later turns, in order", function () {
      const handled = [];
      let resumed = 0;
      const work = (text) => {
        handled.push(text);
        clock.t += 8; // each frame takes 8 ms of our work
      };
      const { clock, ws, b } = budget({ handle: (f) => work(f.data.toString()), resumed: () => resumed++ });
      b.paced = true;
      const arrive = (text) => {
        if (b.hold(ws, Buffer.from(text), false, 1)) return;
        work(text);
        b.spend(ws);
      };
      // A turn's end runs before the messages of its frames (Node-RED queues them after it); a
      // paused socket settles in the check phase after them: two turn() per cycle, the flow's work between.
      const cycle = (flowMs) => {
        clock.turn();
        clock.t += flowMs;
        clock.turn();
      };
      arrive("a"); // the first turn ever counts as after a slow one: one frame
      assert.deepStrictEqual([handled, ws.isPaused, b.holding], [["a"], true, false]);
      cycle(0); // the flow was quick
      assert.deepStrictEqual([ws.isPaused, resumed], [false, 0], "reading again (nothing was held)");
      for (const t of ["b", "c", "d", "e", "f"]) arrive(t); // one chunk, after a quick turn
      assert.deepStrictEqual(handled, ["a", "b", "c", "d"], "a 20 ms budget: three frames of 8 ms");
      assert.deepStrictEqual([ws.isPaused, b.holding, b.heldTotal], [true, true, 2]);
      cycle(0);
      assert.deepStrictEqual(handled, ["a", "b", "c", "d", "e", "f"], "the held frames first, in order");
      assert.deepStrictEqual([b.holding, ws.isPaused, resumed], [false, false, 1], "within budget: reading again");
      clock.t += 200; // a slow flow: 100 ms per frame
      for (const t of ["g", "h"]) arrive(t);
      assert.deepStrictEqual(handled.slice(6), ["g"], "after a slow turn: one frame");
      cycle(200);
      assert.deepStrictEqual([handled.slice(6), ws.isPaused], [["g", "h"], true], "one held frame per turn");
      cycle(0);
      assert.deepStrictEqual([ws.isPaused, resumed], [false, 2]);
      b.clear();
      assert.strictEqual(clock.pending(), 0);
    });

    it("while every user conflates, a slow flow does not slow the reading: our own 20 ms budget only", function () {
      let follow = false;
      const handled = [];
      const { clock, ws, b } = budget({ handle: (f) => handled.push(f.data.toString()), resumed() {}, followFlow: () => follow });
      b.paced = true;
      const arrive = (text) => {
        if (b.hold(ws, Buffer.from(text), false, 1)) return;
        handled.push(text);
        clock.t += 1;
        b.spend(ws);
      };
      clock.t += 500; // long after the last turn: a slow flow, by the allowance's measure
      for (const t of ["a", "b", "c"]) arrive(t);
      assert.deepStrictEqual([handled, ws.isPaused], [["a", "b", "c"], false], "no frame allowance");
      clock.flush();
      follow = true; // a user that takes every tick joined
      clock.t += 500;
      for (const t of ["d", "e"]) arrive(t);
      assert.deepStrictEqual([handled.slice(3), ws.isPaused], [["d"], true], "the flow's pace again");
      b.clear();
    });

    it("hands held frames over at once when the socket goes (flush), and holds nothing unpaced", function () {
      const handled = [];
      const { clock, ws, b } = budget({ handle: (f) => handled.push(f.data.toString()), resumed() {} });
      assert.strictEqual(b.hold(ws, Buffer.from("x"), false, 1), false);
      b.spend(ws);
      assert.strictEqual(b.hold(ws, Buffer.from("x"), false, 1), false, "unpaced: never");
      b.paced = true;
      b.spend(ws); // the first turn ever counts as after a slow one: one frame
      for (const t of ["1", "2"]) assert.strictEqual(b.hold(ws, Buffer.from(t), false, 1), true);
      b.flush();
      assert.deepStrictEqual(handled, ["1", "2"]);
      b.clear();
      assert.strictEqual(clock.pending(), 0);
    });
  });

  describe("reconnect timing", function () {
    const backoff = { baseMs: 1000, capMs: 30_000, floorMs: 250 };

    it("arms one timer per wait (at least the minimum), keeps the wait and the time of the next attempt", function () {
      const clock = new FakeClock();
      const r = new c.Reconnects(clock, backoff, 0, () => 0.5);
      let attempts = 0;
      assert.strictEqual(
        r.schedule(0, () => attempts++),
        500,
      );
      assert.deepStrictEqual([r.waitMs, r.retryAt - clock.now(), r.attempt, r.pending], [500, 500, 1, true]);
      assert.strictEqual(
        r.schedule(60_000, () => attempts++),
        60_000,
        "a limit's wait is kept",
      );
      assert.strictEqual(clock.pending(), 1, "rescheduling replaces the pending timer");
      clock.advance(60_000);
      assert.deepStrictEqual([attempts, r.pending], [1, false]);
      r.schedule(0, () => attempts++);
      r.cancel();
      clock.advance(60_000);
      assert.deepStrictEqual([attempts, r.pending, r.attempt], [1, false, 3]);
      r.resetBackoff();
      assert.strictEqual(r.attempt, 0);
    });

    it("names a run of failed attempts once, at the threshold, with its cause; a ready connection ends the run", function () {
      const r = new c.Reconnects(new FakeClock(), backoff, 3, () => 0);
      const refused = { kind: "transient", code: "http_503", message: "Service unavailable." };
      assert.deepStrictEqual([r.failed(refused), r.failed(null)], [null, null]);
      const e = r.failed(refused);
      assert.deepStrictEqual([e.code, e.cause, e.attempts, e.kind], ["connect_failing", "http_503", 3, "failing"]);
      assert.match(e.message, /^3 connection attempts in a row failed \(http_503\): Service unavailable\. Still retrying\.$/);
      assert.deepStrictEqual(r.failing, { code: "http_503", message: "Service unavailable.", attempts: 3 });
      assert.strictEqual(r.failed(refused), null, "once per run");
      assert.strictEqual(r.failedAttempts, 4);
      r.succeeded();
      assert.deepStrictEqual([r.failedAttempts, r.failing], [0, null]);
      assert.strictEqual(new c.Reconnects(new FakeClock(), backoff, 0).failed(null), null, "failAfter 0: never");
      const unknown = new c.Reconnects(new FakeClock(), backoff, 1).failed(null);
      assert.strictEqual(unknown.cause, "connect_failed", "no failure known: the generic one");
    });
  });

  describe("the close bound", function () {
    it("closes an open socket gracefully and terminates it after the bound unless it went; waiters resolve on settle", async function () {
      const clock = new FakeClock();
      const close = new c.SocketClose(clock, 2000);
      const ws = new FakeSocket();
      ws.open();
      let current = ws;
      const waited = close.wait();
      close.begin(ws, () => current);
      assert.deepStrictEqual([ws.closeCall, ws.terminated, close.pending], [[1000, "closing"], false, true]);
      clock.advance(2000);
      assert.strictEqual(ws.terminated, true, "a peer that never answers is terminated");
      const other = new FakeSocket();
      other.open();
      close.begin(other, () => current);
      current = null;
      clock.advance(2000);
      assert.strictEqual(other.terminated, false, "a socket already gone is left alone");
      close.clear();
      assert.strictEqual(close.pending, false);
      close.settle();
      await waited;
      const connecting = new FakeSocket();
      c.closeSocket(connecting);
      assert.strictEqual(connecting.terminated, true, "a socket not open yet is terminated");
    });
  });
});
