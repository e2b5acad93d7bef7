/**
 * The time source of a connection slot and its helpers. Every timer a slot owns is made through
 * its clock, so tests drive the state machine on a fake clock (no real sleeps) and can check
 * that nothing is left pending after a close. The real clock is the default.
 */

/** An opaque timer handle (an object); only the clock that made it can clear it. */
export type TimerHandle = object;

export interface Clock {
  /** Wall-clock time in ms. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** Runs `fn` once, after the current event-loop turn's I/O. */
  setImmediate(fn: () => void): TimerHandle;
  clearImmediate(handle: TimerHandle): void;
}

// The casts below are sound: the real clock only ever gets back the handles it made itself.
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  setImmediate: (fn) => setImmediate(fn),
  clearImmediate: (handle) => clearImmediate(handle as NodeJS.Immediate),
};

/** One timer slot: at most one pending timeout, replaced or cleared as a unit. */
export class OneShot {
  private handle: TimerHandle | null = null;
  constructor(private readonly clock: Clock) {}

  get pending(): boolean {
    return this.handle !== null;
  }

  /** Arms the timer (clearing a pending one first). */
  set(fn: () => void, ms: number): void {
    this.clear();
    this.handle = this.clock.setTimeout(() => {
      this.handle = null;
      fn();
    }, ms);
  }

  clear(): void {
    if (this.handle === null) return;
    this.clock.clearTimeout(this.handle);
    this.handle = null;
  }
}

/** One task for after the current event-loop turn: scheduling it again while it is pending does nothing. */
export class NextTurn {
  private handle: TimerHandle | null = null;
  constructor(
    private readonly clock: Clock,
    private readonly task: () => void,
  ) {}

  get pending(): boolean {
    return this.handle !== null;
  }

  schedule(): void {
    if (this.handle !== null) return;
    this.handle = this.clock.setImmediate(() => {
      this.handle = null;
      this.task();
    });
  }

  clear(): void {
    if (this.handle === null) return;
    this.clock.clearImmediate(this.handle);
    this.handle = null;
  }
}
