"use strict";
/** The simulator's session clock: the last trading day's regular session, replayed from its open. */
const assert = require("assert");
const { lastRegularOpen, sessionAt } = require("../../dist/lib/calendar");
const { clockOffset, SESSION_LEAD_US, SimulatorServer } = require("../../dist/lib/simulator/server");
const WebSocket = require("ws");

const us = (iso) => Date.parse(iso) * 1000;

describe("simulator session clock", function () {
  it("finds the last regular open: weekends, holidays, before the open, during the session, DST", function () {
    assert.strictEqual(lastRegularOpen(us("2026-11-28T03:00:00Z")), us("2026-11-27T14:30:00Z")); // Saturday -> Friday (early close day)
    assert.strictEqual(lastRegularOpen(us("2026-11-26T15:00:00Z")), us("2026-11-25T14:30:00Z")); // Thanksgiving -> Wednesday
    assert.strictEqual(lastRegularOpen(us("2026-11-30T14:00:00Z")), us("2026-11-27T14:30:00Z")); // Monday 09:00 New York -> Friday
    assert.strictEqual(lastRegularOpen(us("2026-11-30T15:00:00Z")), us("2026-11-30T14:30:00Z")); // Monday, session open
    assert.strictEqual(lastRegularOpen(us("2026-07-06T13:35:00Z")), us("2026-07-06T13:30:00Z")); // summer time: 09:30 EDT
    assert.strictEqual(lastRegularOpen(us("2026-07-06T13:30:00Z")), us("2026-07-06T13:30:00Z")); // exactly at the open
  });

  it("puts event time 50 s after the last open, never in the future, and in the regular session", function () {
    for (const now of [
      "2026-11-28T03:00:00Z",
      "2026-11-29T23:59:59Z",
      "2026-11-30T14:30:20Z",
      "2026-12-24T20:00:00Z",
      "2026-07-04T12:00:00Z",
    ].map(us)) {
      const offset = clockOffset("session", now);
      assert.ok(offset > 0, "behind the wall clock");
      const open = lastRegularOpen(now - offset - SESSION_LEAD_US);
      assert.strictEqual(now - offset, open + SESSION_LEAD_US);
      assert.strictEqual(sessionAt(now - offset), "regular");
    }
    // In the first 50 s of a session the replay takes the day before (not a start in the future).
    assert.strictEqual(us("2026-11-30T14:30:20Z") - clockOffset("session", us("2026-11-30T14:30:20Z")), us("2026-11-27T14:30:50Z"));
    assert.strictEqual(clockOffset("live", us("2026-11-28T03:00:00Z")), 0);
  });

  it("streams regular-session trades now, at a constant offset behind receipt", async function () {
    const server = new SimulatorServer({ clock: "session", ratePerSymbol: 50, seed: 7 });
    const url = await server.start();
    const ws = new WebSocket(url);
    try {
      const trades = await new Promise((resolve, reject) => {
        const got = [];
        ws.on("open", () => ws.send(JSON.stringify({ action: "subscribe", channel: "trades", symbols: ["AAPL"] })));
        ws.on("error", reject);
        ws.on("message", (data) => {
          const msg = JSON.parse(String(data));
          if (!Array.isArray(msg)) return;
          for (const t of msg) got.push({ ...t, recv: Date.now() * 1000 });
          if (got.length >= 20) resolve(got);
        });
      });
      for (const t of trades) {
        assert.strictEqual(sessionAt(t.time), "regular");
        const lag = t.recv - t.time;
        assert.ok(Math.abs(lag - server.offsetUs) < 5_000_000, `offset ${lag} ~ ${server.offsetUs}`);
      }
      for (let i = 1; i < trades.length; i++) assert.ok(trades[i].time >= trades[i - 1].time, "event time never goes back");
    } finally {
      ws.terminate();
      await server.close();
    }
  });
});
