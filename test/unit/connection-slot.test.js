"use strict";
/**
 * The slot's state machine, edge by edge, on a fake clock and fake sockets: no network, no
 * real timers, no sleeps. Each test drives one transition (or a short chain) and checks the
 * state, the events, the sockets and the timers left behind.
 */
const assert = require("assert");
const { rig, openRig } = require("../support/slot-rig");
const { nowMicros } = require("../../dist/lib/time");

describe("Slot state machine (fake clock)", function () {
  describe("connecting -> authenticating -> open", function () {
    it("start() opens exactly one socket with the slot's options", function () {
      const r = rig();
      r.slot.start();
      assert.strictEqual(r.slot.state, "connecting");
      assert.strictEqual(r.net.sockets.length, 1);
      const o = r.net.last().options;
      assert.deepStrictEqual([o.handshakeTimeout, o.perMessageDeflate, o.maxPayload], [2000, false, 1024]);
      r.slot.start();
      r.slot.retry();
      assert.strictEqual(r.net.sockets.length, 1, "start/retry while connecting add no socket");
    });

    it("socket open -> authenticating (session opened); ready() -> open, connected, subscriptions sent", function () {
      const r = rig({ provider: { autoReady: false } });
      r.slot.desired.trades.add("AAPL");
      r.slot.desired.quotes.add("MSFT");
      r.slot.start();
      const ws = r.net.last();
      ws.open();
      assert.strictEqual(r.slot.state, "authenticating");
      assert.strictEqual(r.session().opened, 1);
      r.session().ctx.ready();
      assert.strictEqual(r.slot.state, "open");
      assert.deepStrictEqual(r.rec.states, ["connecting", "authenticating", "open"]);
      assert.deepStrictEqual(r.event("connected").payload, { url: "ws://fake/" });
      assert.deepStrictEqual(r.session().changes[0].add, { trades: ["AAPL"], quotes: ["MSFT"] });
      assert.deepStrictEqual([...r.slot.upstream("trades")], ["AAPL"]);
      assert.deepStrictEqual(ws.sent, [JSON.stringify({ subscribe: { trades: ["AAPL"], quotes: ["MSFT"] } })]);
      assert.strictEqual(r.slot.failedAttempts, 0);
    });

    it("a later symbol is synced once per turn (coalesced), removals too", function () {
      const r = rig();
      openRig(r);
      r.slot.desired.trades.add("A");
      r.slot.scheduleSync();
      r.slot.desired.trades.add("B");
      r.slot.scheduleSync();
      assert.strictEqual(r.clock.pending("immediate"), 1);
      r.clock.flush();
      assert.deepStrictEqual(
        r.session().changes.map((c) => c.add.trades),
        [["A", "B"]],
      );
      r.slot.desired.trades.delete("A");
      r.slot.scheduleSync();
      r.clock.flush();
      assert.deepStrictEqual(r.session().changes[1].remove.trades, ["A"]);
      r.slot.scheduleSync();
      r.clock.flush();
      assert.strictEqual(r.session().changes.length, 2, "nothing changed: nothing sent");
    });

    it("frames reach the session of the current socket; ticks reach the hooks", function () {
      const r = rig();
      const ws = openRig(r);
      ws.message("hello");
      r.session().ctx.tick({ type: "trade", symbol: "A" });
      assert.deepStrictEqual(r.session().frames, ["hello"]);
      assert.strictEqual(r.slot.frames, 1);
      assert.strictEqual(r.rec.ticks.length, 1);
    });
  });

  describe("health: auth deadline, stall, ping, heartbeat", function () {
    it("no handshake answer within authTimeoutMs -> auth_timeout -> backoff -> a new socket", function () {
      const r = rig({ provider: { autoReady: false } });
      r.slot.start();
      const first = r.net.last();
      first.open();
      r.clock.advance(399);
      assert.strictEqual(r.slot.state, "authenticating");
      r.clock.advance(1);
      assert.strictEqual(r.event("error").payload.code, "auth_timeout");
      assert.ok(first.terminated, "the socket is ended");
      first.closed(1006);
      assert.strictEqual(r.slot.state, "backoff");
      const wait = r.event("reconnecting").payload.in;
      r.clock.advance(wait - 1);
      assert.strictEqual(r.net.sockets.length, 1);
      r.clock.advance(1);
      assert.strictEqual(r.slot.state, "connecting");
      assert.strictEqual(r.net.sockets.length, 2);
      assert.strictEqual(r.net.live().length, 1, "exactly one socket");
    });

    it("open -> stalled (no frame for staleMs while subscribed) -> backoff -> reconnect resubscribes", function () {
      const r = rig({ opts: { staleMs: 1000 } });
      r.slot.desired.trades.add("AAPL");
      const ws = openRig(r);
      r.clock.advance(900);
      ws.message("x");
      r.clock.advance(900);
      assert.strictEqual(r.slot.state, "open", "a frame restarts the stall window");
      r.clock.advance(200);
      assert.strictEqual(r.event("error").payload.code, "stale");
      ws.closed(1006);
      assert.strictEqual(r.slot.state, "backoff");
      assert.strictEqual(r.slot.upstream("trades").size, 0, "nothing upstream without a socket");
      r.clock.advance(r.slot.waitMs);
      r.net.last().open();
      assert.strictEqual(r.slot.state, "open");
      assert.deepStrictEqual(r.session().changes[0].add.trades, ["AAPL"], "all symbols again on the new socket");
    });

    it("a slow flow: a chunk's frames are handled one per turn, in order, with their receipt times; no stall or ping timeout meanwhile", function () {
      const r = rig({ opts: { staleMs: 300, pingMs: 200 } });
      r.slot.desired.trades.add("A");
      const ws = openRig(r);
      const frames = ["f1", "f2", "f3", "f4", "f5", "f6"];
      for (const f of frames) ws.message(f); // one socket chunk, read in one go
      const arrived = nowMicros();
      assert.deepStrictEqual(r.session().frames, ["f1"], "after a quiet spell the first turn handles one frame");
      assert.ok(ws.isPaused, "the rest wait, the socket is paused");
      // A cycle: the turn ends, the flow works 100 ms on the last frame's messages, the read settles.
      const cycle = () => {
        r.clock.turn();
        r.clock.advance(100, { immediates: false });
        r.clock.turn();
      };
      for (let i = 0; i < 5; i++) {
        cycle();
        assert.strictEqual(r.session().frames.length, 2 + i, "one more frame per turn");
      }
      assert.deepStrictEqual(r.session().frames, frames, "in order, none lost");
      assert.ok(
        r.session().recvTs.every((t) => t > 0 && t <= arrived),
        "receipt time = arrival, not handling",
      );
      assert.deepStrictEqual(
        [r.slot.state, ws.pings, r.topics().includes("error")],
        ["open", 0, false],
        "500 ms held, no stall/ping verdict",
      );
      assert.ok(ws.isPaused, "paused until the turn after the last held frame");
      cycle();
      assert.ok(!ws.isPaused, "reading again");
      assert.strictEqual(r.slot.heldFrames, 5);
      r.clock.advance(199);
      assert.strictEqual(ws.pings, 0, "the ping window restarted on resume");
      r.clock.advance(1);
      assert.strictEqual(ws.pings, 1);
      ws.emit("pong");
      r.clock.advance(100);
      assert.strictEqual(r.event("error").payload.code, "stale", "a real stall is still one");
    });

    it("frames held when the socket closes are handed over before the close", function () {
      const r = rig();
      r.slot.desired.trades.add("A");
      const ws = openRig(r);
      for (const f of ["f1", "f2", "f3"]) ws.message(f);
      assert.strictEqual(r.session().frames.length, 1);
      ws.closed(1006);
      assert.deepStrictEqual(r.session().frames, ["f1", "f2", "f3"]);
      assert.strictEqual(r.slot.state, "backoff");
      assert.strictEqual(r.clock.pending("immediate"), 0, "no read turn left behind");
    });

    it("silence with nothing subscribed is not a stall", function () {
      const r = rig({ opts: { staleMs: 1000 } });
      openRig(r);
      r.clock.advance(5000);
      assert.strictEqual(r.slot.state, "open");
    });

    it("ping every pingMs; no pong before the next one -> ping_timeout", function () {
      const r = rig({ opts: { pingMs: 200 } });
      const ws = openRig(r);
      r.clock.advance(200);
      assert.strictEqual(ws.pings, 1);
      ws.emit("pong");
      r.clock.advance(200);
      assert.strictEqual(ws.pings, 2);
      assert.strictEqual(r.slot.state, "open");
      r.clock.advance(200);
      assert.strictEqual(r.event("error").payload.code, "ping_timeout");
      assert.ok(ws.terminated);
    });

    it("the provider heartbeat runs every heartbeatMs while open, never while authenticating", function () {
      const r = rig({ opts: { heartbeatMs: 300, authTimeoutMs: 10_000 }, provider: { autoReady: false } });
      r.slot.start();
      r.net.last().open();
      r.clock.advance(900);
      assert.strictEqual(r.session().heartbeats, 0);
      r.session().ctx.ready();
      r.clock.advance(900);
      assert.strictEqual(r.session().heartbeats, 3);
    });

    it("health checks every quarter of the shortest deadline (20 ms to 1 s)", function () {
      const r = rig({ opts: { pingMs: 2000, authTimeoutMs: 8000 } });
      openRig(r);
      assert.strictEqual(r.clock.pending("interval"), 1);
      const [interval] = [...r.clock.timers.values()].filter((e) => e.h.kind === "interval");
      assert.strictEqual(interval.every, 500);
    });
  });
});
