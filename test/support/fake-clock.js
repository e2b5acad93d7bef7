"use strict";
/**
 * A fake clock (the slot's `Clock`) and a fake socket (the slot's `SlotSocket`) for driving the
 * connection state machine edge by edge, synchronously: time moves only when a test calls
 * `advance`, and a socket opens, receives and closes only when the test says so.
 */
const { EventEmitter } = require("events");

class FakeClock {
  constructor(start = 1_700_000_000_000) {
    this.t = start;
    this.seq = 0;
    this.timers = new Map();
  }

  now() {
    return this.t;
  }
  setTimeout(fn, ms) {
    return this.add("timeout", fn, Math.max(0, ms), 0);
  }
  setInterval(fn, ms) {
    return this.add("interval", fn, Math.max(1, ms), Math.max(1, ms));
  }
  setImmediate(fn) {
    return this.add("immediate", fn, 0, 0);
  }
  clearTimeout(h) {
    this.timers.delete(h.id);
  }
  clearInterval(h) {
    this.timers.delete(h.id);
  }
  clearImmediate(h) {
    this.timers.delete(h.id);
  }

  add(kind, fn, delay, every) {
    const h = { id: ++this.seq, kind };
    this.timers.set(h.id, { h, fn, at: this.t + delay, every });
    return h;
  }

  /** Pending timers, optionally of one kind ("timeout", "interval", "immediate"). */
  pending(kind) {
    let n = 0;
    for (const e of this.timers.values()) if (kind === undefined || e.h.kind === kind) n++;
    return n;
  }

  /**
   * Moves time forward by `ms`, running every timer due on the way, in time order (with
   * `{ immediates: false }` timeouts and intervals only: time the flow spends between two check
   * phases, see turn()).
   */
  advance(ms, { immediates = true } = {}) {
    const end = this.t + ms;
    for (;;) {
      let next;
      for (const e of this.timers.values())
        if (
          e.at <= end &&
          (immediates || e.h.kind !== "immediate") &&
          (next === undefined || e.at < next.at || (e.at === next.at && e.h.id < next.h.id))
        )
          next = e;
      if (next === undefined) break;
      this.t = Math.max(this.t, next.at);
      if (next.every > 0) next.at += next.every;
      else this.timers.delete(next.h.id);
      next.fn();
    }
    this.t = end;
  }

  /** Runs what is due now (immediates, zero timeouts), also what those add for now. */
  flush() {
    this.advance(0);
  }

  /** One event-loop check phase: runs the immediates pending now; the ones they add wait for the next turn(). */
  turn() {
    const due = [...this.timers.values()].filter((e) => e.h.kind === "immediate");
    for (const e of due) {
      if (!this.timers.has(e.h.id)) continue;
      this.timers.delete(e.h.id);
      e.fn();
    }
  }
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

class FakeSocket extends EventEmitter {
  constructor(url, options) {
    super();
    this.url = url;
    this.options = options;
    this.readyState = CONNECTING;
    this.sent = [];
    this.pings = 0;
    this.isPaused = false;
    this.closeCall = null;
    this.terminated = false;
  }
  send(text) {
    this.sent.push(text);
  }
  ping() {
    this.pings++;
  }
  pause() {
    this.isPaused = true;
  }
  resume() {
    this.isPaused = false;
  }
  close(code, reason) {
    this.closeCall = [code, reason];
    this.readyState = CLOSING;
  }
  terminate() {
    this.terminated = true;
    this.readyState = CLOSING;
  }

  // What the network does (the test decides when).
  open() {
    this.readyState = OPEN;
    this.emit("open");
  }
  message(text) {
    this.emit("message", Buffer.from(text), false);
  }
  fail(message, props = {}) {
    this.emit("error", Object.assign(new Error(message), props));
  }
  closed(code = 1006, reason = "") {
    this.readyState = CLOSED;
    this.emit("close", code, Buffer.from(reason));
  }
  /** Sockets still open or opening, from the slot's side. */
  get live() {
    return this.readyState !== CLOSED;
  }
}

/** A socket factory that keeps every socket it made. */
function fakeSockets() {
  const sockets = [];
  const factory = (url, options) => {
    const s = new FakeSocket(url, options);
    sockets.push(s);
    return s;
  };
  return { sockets, factory, last: () => sockets[sockets.length - 1], live: () => sockets.filter((s) => s.live) };
}

module.exports = { FakeClock, FakeSocket, fakeSockets };
