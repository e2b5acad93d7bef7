"use strict";
/**
 * The slot on a fake clock: close in every state (every timer cleared, exactly one socket),
 * failures (auth, HTTP refusals, provider close mapping), backoff growth within its jitter
 * bounds, the failing threshold, the send queue's rate, and stale sessions.
 */
const assert = require("assert");
const { rig, openRig, assertQuiet } = require("../support/slot-rig");

describe("Slot close, failures and backoff (fake clock)", function () {
  describe("close during each state", function () {
    it("idle: stop() and dispose() resolve at once", async function () {
      const r = rig();
      await r.slot.stop();
      assert.strictEqual(r.slot.state, "idle");
      await r.slot.dispose();
      assert.strictEqual(r.slot.state, "closed");
      r.slot.start();
      assert.strictEqual(r.net.sockets.length, 0, "a disposed slot never connects");
      assertQuiet(r);
    });

    it("connecting: the socket is terminated, idle once it closed", async function () {
      const r = rig();
      r.slot.start();
      const ws = r.net.last();
      const stopped = r.slot.stop();
      assert.strictEqual(r.slot.state, "closing");
      assert.ok(ws.terminated, "not open yet: terminated");
      ws.closed(1006);
      await stopped;
      assert.strictEqual(r.slot.state, "idle");
      assertQuiet(r);
    });

    it("authenticating: health checks stop with the socket", async function () {
      const r = rig({ provider: { autoReady: false } });
      r.slot.start();
      const ws = r.net.last();
      ws.open();
      assert.strictEqual(r.clock.pending("interval"), 1);
      const stopped = r.slot.dispose();
      assert.deepStrictEqual(ws.closeCall, [1000, "closing"], "an open socket gets a close handshake");
      ws.closed(1000);
      await stopped;
      assert.strictEqual(r.slot.state, "closed");
      assertQuiet(r);
    });

    it("open, with a queued send, a pending sync and a paced read turn: everything is cleared", async function () {
      const r = rig({ opts: { pingMs: 100 }, provider: { rate: 1 } });
      r.slot.desired.trades.add("A");
      const ws = openRig(r);
      r.session().ctx.send("second");
      assert.ok(r.slot.pendingTimers >= 2, "a send wait and the health interval");
      ws.message("frame");
      r.slot.desired.trades.add("B");
      r.slot.scheduleSync();
      const stopped = r.slot.stop();
      ws.closed(1000, "bye");
      await stopped;
      assert.strictEqual(r.event("disconnected").payload.wasOpen, true);
      assert.strictEqual(r.slot.state, "idle");
      assertQuiet(r);
      r.clock.advance(10_000);
      assert.deepStrictEqual(ws.sent.length, 1, "the queued message died with its socket");
    });

    it("open, peer never answers the close: terminated after closeTimeoutMs", async function () {
      const r = rig();
      const ws = openRig(r);
      const stopped = r.slot.stop();
      r.clock.advance(499);
      assert.ok(!ws.terminated);
      r.clock.advance(1);
      assert.ok(ws.terminated);
      ws.closed(1006);
      await stopped;
      assertQuiet(r);
    });

    it("backoff: the reconnect timer is cleared, nothing connects later", async function () {
      const r = rig();
      const ws = openRig(r);
      ws.closed(1006);
      assert.strictEqual(r.slot.state, "backoff");
      assert.strictEqual(r.clock.pending("timeout"), 1);
      await r.slot.stop();
      assert.strictEqual(r.slot.state, "idle");
      assertQuiet(r);
      r.clock.advance(60_000);
      assert.strictEqual(r.net.sockets.length, 1);
    });

    it("failed: stop() goes idle, start() connects again", async function () {
      const r = rig();
      const ws = openRig(r);
      r.session().ctx.fail({ kind: "auth", code: "auth_failed", message: "bad key" });
      ws.closed(1008);
      assert.strictEqual(r.slot.state, "failed");
      await r.slot.stop();
      assert.strictEqual(r.slot.state, "idle");
      assertQuiet(r);
      r.slot.start();
      assert.strictEqual(r.net.sockets.length, 2);
    });

    it("start() while closing reconnects only after the old socket closed", async function () {
      const r = rig();
      const ws = openRig(r);
      const stopped = r.slot.stop();
      r.slot.start();
      assert.strictEqual(r.net.sockets.length, 1, "no second socket while the first is closing");
      ws.closed(1000);
      await stopped;
      assert.strictEqual(r.slot.state, "connecting");
      assert.strictEqual(r.net.live().length, 1);
    });
  });

  describe("failures", function () {
    it("auth failure: announced once, failed, no retry timer; retry() reconnects", function () {
      const r = rig();
      const ws = openRig(r);
      r.session().ctx.fail({ kind: "auth", code: "auth_failed", message: "bad key" });
      assert.ok(ws.terminated);
      assert.ok(!r.topics().includes("error"), "announced when the slot settles");
      ws.closed(1008);
      assert.strictEqual(r.slot.state, "failed");
      assert.deepStrictEqual(
        r.rec.events.filter((e) => e.topic === "error").map((e) => [e.payload.code, e.payload.kind]),
        [["auth_failed", "auth"]],
      );
      assert.strictEqual(r.event("disconnected").payload.error, "auth_failed");
      assert.strictEqual(r.clock.pending("timeout"), 0);
      r.clock.advance(600_000);
      assert.strictEqual(r.net.sockets.length, 1);
      r.slot.retry();
      assert.strictEqual(r.net.sockets.length, 2);
    });

    for (const [status, state, code] of [
      [401, "failed", "http_401"],
      [403, "failed", "http_403"],
      [503, "backoff", "http_503"],
    ]) {
      it(`HTTP ${status} refusing the upgrade -> ${state} (${code})`, function () {
        const r = rig();
        r.slot.start();
        const ws = r.net.last();
        ws.fail(`Unexpected server response: ${status}`);
        ws.closed(1006);
        assert.strictEqual(r.slot.state, state);
        assert.strictEqual(r.slot.failure.code, code);
      });
    }

    it("HTTP 429: waits at least a minute and does not count as a failed attempt", function () {
      const r = rig();
      r.slot.start();
      r.net.last().fail("Unexpected server response: 429");
      r.net.last().closed(1006);
      assert.strictEqual(r.slot.state, "backoff");
      assert.ok(r.slot.waitMs >= 60_000);
      assert.strictEqual(r.slot.failedAttempts, 0);
      r.clock.advance(59_999);
      assert.strictEqual(r.net.sockets.length, 1);
    });

    it("the provider's own refusal and close mappings win", function () {
      const plan = { kind: "plan", code: "no_ws", message: "no websocket on this plan" };
      const r = rig({
        provider: {
          httpFailure: (s) => (s === 402 ? plan : undefined),
          closeFailure: (c) => (c === 4001 ? { kind: "limit", code: "evicted", message: "m", retryAfterMs: 5000 } : undefined),
        },
      });
      r.slot.start();
      r.net.last().fail("Unexpected server response: 402");
      r.net.last().closed(1006);
      assert.strictEqual(r.slot.state, "failed");
      assert.strictEqual(r.slot.failure.code, "no_ws");
      r.slot.retry();
      r.net.last().open();
      r.net.last().closed(4001);
      assert.strictEqual(r.slot.state, "backoff");
      assert.ok(r.slot.waitMs >= 5000);
    });

    it("a later vague error does not hide an auth failure", function () {
      const r = rig();
      r.slot.start();
      const ws = r.net.last();
      ws.fail("Unexpected server response: 401");
      ws.fail("read ECONNRESET", { code: "ECONNRESET" });
      ws.closed(1006);
      assert.strictEqual(r.slot.failure.code, "http_401");
    });

    it("an oversized frame is reported at once, counted, and the slot reconnects", function () {
      const r = rig();
      const ws = openRig(r);
      ws.fail("Max payload size exceeded", { code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" });
      const e = r.event("error").payload;
      assert.deepStrictEqual([e.code, e.limit, e.kind, r.slot.oversized], ["frame_too_large", 1024, "transient", 1]);
      ws.closed(1009);
      assert.strictEqual(r.slot.state, "backoff");
    });

    it("connect_failing once after failAfter attempts in a row; cleared by a ready connection", function () {
      const r = rig();
      r.slot.start();
      for (let i = 0; i < 4; i++) {
        if (i > 0) r.clock.advance(r.slot.waitMs);
        r.net.last().fail("connect ECONNREFUSED 127.0.0.1:1", { code: "ECONNREFUSED" });
        r.net.last().closed(1006);
      }
      const failing = r.rec.events.filter((e) => e.payload.code === "connect_failing");
      assert.strictEqual(failing.length, 1);
      assert.deepStrictEqual(
        [failing[0].payload.cause, failing[0].payload.attempts, failing[0].payload.kind],
        ["connection_refused", 3, "failing"],
      );
      assert.strictEqual(r.slot.failing.attempts, 3);
      r.clock.advance(r.slot.waitMs);
      r.net.last().open();
      assert.strictEqual(r.slot.state, "open");
      assert.deepStrictEqual([r.slot.failing, r.slot.failedAttempts, r.slot.failure], [null, 0, null]);
    });
  });

  describe("backoff", function () {
    function failOnce(r) {
      if (r.slot.state === "backoff") r.clock.advance(r.slot.waitMs);
      else r.slot.start();
      r.net.last().closed(1006);
      return r.event("reconnecting").payload;
    }

    it("grows exponentially to the cap, within full-jitter bounds [floor, min(cap, base*2^n)]", function () {
      for (const x of [0, 0.3, 0.999]) {
        const r = rig({ random: () => x });
        for (let n = 0; n < 7; n++) {
          const { in: wait, attempt } = failOnce(r);
          const ceiling = Math.min(1000, 100 * 2 ** n);
          assert.strictEqual(attempt, n + 1);
          assert.ok(wait >= 10 && wait <= ceiling, `attempt ${n + 1}: ${wait} in [10, ${ceiling}]`);
          assert.strictEqual(wait, Math.max(10, Math.round(x * ceiling)));
          assert.strictEqual(r.slot.retryAt, r.clock.now() + wait);
        }
      }
    });

    it("resets after healthyMs open, not before", function () {
      const r = rig();
      failOnce(r);
      failOnce(r);
      r.clock.advance(r.slot.waitMs);
      r.net.last().open();
      assert.strictEqual(r.slot.attempt, 2);
      r.clock.advance(4999);
      assert.strictEqual(r.slot.attempt, 2);
      r.clock.advance(1000);
      assert.strictEqual(r.slot.attempt, 0);
    });

    it("retry() during backoff connects now and drops the timer", function () {
      const r = rig();
      failOnce(r);
      r.slot.retry();
      assert.strictEqual(r.slot.state, "connecting");
      assert.strictEqual(r.clock.pending("timeout"), 0);
      assert.strictEqual(r.net.live().length, 1);
    });
  });

  describe("send queue and stale sessions", function () {
    it("sends at most messagesPerSecond, in order; a replace key replaces a queued message", function () {
      const r = rig({ provider: { rate: 10 } });
      const ws = openRig(r);
      const ctx = r.session().ctx;
      ctx.send("a");
      ctx.send("b", "k");
      ctx.send({ c: 1 });
      ctx.send("b2", "k");
      assert.deepStrictEqual(ws.sent, ["a"]);
      r.clock.advance(100);
      r.clock.advance(100);
      assert.deepStrictEqual(ws.sent, ["a", "b2", '{"c":1}']);
    });

    it("a session whose socket closed can do nothing", function () {
      const r = rig();
      const ws = openRig(r);
      const old = r.session().ctx;
      ws.closed(1006);
      r.clock.advance(r.slot.waitMs);
      const next = r.net.last();
      old.send("late");
      old.tick({ type: "trade", symbol: "X" });
      old.fail({ kind: "auth", code: "auth_failed", message: "m" });
      old.warn("w", "m");
      old.subscribed(["X"], "trades");
      old.ready();
      assert.strictEqual(r.slot.state, "connecting");
      assert.deepStrictEqual([next.sent, next.terminated, r.rec.ticks.length], [[], false, 0]);
      assert.ok(!r.topics().includes("warning") && !r.topics().includes("subscribed"));
      ws.emit("message", Buffer.from("stale"), false);
      assert.strictEqual(r.slot.frames, 0, "a frame of the old socket is ignored");
    });
  });
});
