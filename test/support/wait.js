"use strict";
/**
 * Waiting helpers: every wait is for a condition or an event, with a timeout that fails the test
 * with a clear message. No fixed sleeps.
 */

/** Resolves when `cond()` is truthy (checked on every event-loop turn, at most every `everyMs`). */
function waitFor(cond, { timeout = 5000, everyMs = 5, what = "condition" } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      let v;
      try {
        v = cond();
      } catch (err) {
        reject(err);
        return;
      }
      if (v) {
        resolve(v);
        return;
      }
      if (Date.now() - started > timeout) {
        reject(new Error(`timed out after ${timeout} ms waiting for ${what}`));
        return;
      }
      setTimeout(check, everyMs);
    };
    check();
  });
}

/** Resolves with the args of the first `event` on `emitter` that passes `filter`. */
function once(emitter, event, { filter = () => true, timeout = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(event, handler);
      reject(new Error(`timed out after ${timeout} ms waiting for "${event}"`));
    }, timeout);
    function handler(...args) {
      if (!filter(...args)) return;
      clearTimeout(timer);
      emitter.removeListener(event, handler);
      resolve(args.length > 1 ? args : args[0]);
    }
    emitter.on(event, handler);
  });
}

/** A promise that rejects if nothing settles it within `timeout`. */
function within(promise, timeout, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms waiting for ${what}`)), timeout);
    }),
  ]);
}

module.exports = { waitFor, once, within };
