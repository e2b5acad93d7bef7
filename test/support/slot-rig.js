"use strict";
/**
 * A connection slot on a fake clock and fake sockets, with a recording provider and hooks (see
 * fake-clock.js); the provider, the hooks and the quiet options serve the real-socket slot tests too.
 */
const assert = require("assert");
const { Slot } = require("../../dist/lib/connection");
const { FakeClock, fakeSockets } = require("./fake-clock");

/** Slot options that keep a test's slot quiet: no pings, no stall detection, no heartbeats. */
const QUIET = { closeTimeoutMs: 500, pingMs: 0, staleMs: 0, heartbeatMs: 0 };

/** The rig's slot options (fake time: deadlines of seconds). */
const OPTS = {
  ...QUIET,
  backoff: { baseMs: 100, capMs: 1000, floorMs: 10 },
  healthyMs: 5000,
  handshakeTimeoutMs: 2000,
  authTimeoutMs: 400,
  maxFrameBytes: 1024,
  failAfter: 3,
};

/** A provider at `url` whose sessions are recorded; `autoReady` calls ctx.ready() on open. */
function fakeProvider({ url = "ws://fake/", autoReady = true, rate = Infinity, httpFailure, closeFailure } = {}) {
  const p = {
    sessions: [],
    id: "generic",
    settings: { provider: "generic", url, apiKey: "", apiSecret: "", options: {} },
    limits: { symbolsPerConnection: Infinity, maxConnections: 1, messagesPerSecond: rate },
    timing: { heartbeatMs: 0, staleMs: 0, pingMs: 0, authTimeoutMs: 400 },
    channels: ["trades", "quotes"],
    contentKeys: false,
    connectUrl: () => url,
    displayUrl: () => url,
    dedupKey: (t) => t.id,
    createSession(ctx) {
      const s = { ctx, opened: 0, changes: [], frames: [], recvTs: [], heartbeats: 0 };
      s.open = () => {
        s.opened++;
        if (autoReady) ctx.ready();
      };
      s.message = (data) => {
        s.frames.push(data.toString());
        s.recvTs.push(ctx.frameRecvTs());
      };
      s.subscribe = (change) => {
        s.changes.push(change);
        ctx.send({ subscribe: change.all }, "sub");
      };
      s.heartbeat = () => s.heartbeats++;
      p.sessions.push(s);
      return s;
    },
  };
  if (httpFailure) p.httpFailure = httpFailure;
  if (closeFailure) p.closeFailure = closeFailure;
  return p;
}

/** Slot hooks that record the slot's events ({ topic, payload }), states and ticks, in order. */
function recordingHooks() {
  const rec = { events: [], states: [], ticks: [] };
  rec.onTick = (t) => rec.ticks.push(t);
  rec.onFrameEnd = () => {};
  rec.onState = (slot) => rec.states.push(slot.state);
  rec.onEvent = (slot, topic, payload) => rec.events.push({ topic, payload });
  rec.onMalformed = () => {};
  return rec;
}

/** A slot on a fake clock and fake sockets, with its events and states recorded. */
function rig({ opts = {}, provider = {}, random = () => 0.5 } = {}) {
  const clock = new FakeClock();
  const net = fakeSockets();
  const prov = fakeProvider(provider);
  const rec = recordingHooks();
  const slot = new Slot(0, prov, { ...OPTS, ...opts }, rec, { clock, socket: net.factory, random });
  const topics = () => rec.events.map((e) => e.topic);
  const event = (topic) => rec.events.filter((e) => e.topic === topic).pop();
  return { clock, net, prov, rec, slot, topics, event, session: () => prov.sessions[prov.sessions.length - 1] };
}

/** Brings a rig to `open` (one socket, handshake done). */
function openRig(r) {
  r.slot.start();
  r.net.last().open();
  assert.strictEqual(r.slot.state, "open");
  return r.net.last();
}

/** Asserts nothing is left pending: no timers on the clock or in the slot, no live socket. */
function assertQuiet(r) {
  assert.strictEqual(r.clock.pending(), 0, "no timer left on the clock");
  assert.strictEqual(r.slot.pendingTimers, 0, "no timer held by the slot");
}

module.exports = { rig, openRig, assertQuiet, fakeProvider, recordingHooks, QUIET, OPTS };
