/**
 * Conflating delivery for tick-subscribe's `overload: conflate` (pure: the node supplies the
 * clock and runs `drain` on setImmediate).
 *
 * Ticks wait in a FIFO. Each drain hands out at most `budget` ticks; the budget adapts to how
 * long an event-loop turn takes (the time between two drains includes the work the flow did on
 * the previous batch): turns longer than `TURN_HIGH_MS` halve it, short turns grow it. So a slow
 * flow gets small batches and Node-RED's HTTP server (editor, admin API) gets a turn every
 * ~100 ms, instead of after every tick read from a socket.
 *
 * Lag = now - recvTs of the oldest waiting tick (how long the tick about to be delivered has
 * waited since it was read from the socket). When it exceeds `maxLagMs`, the waiting ticks are
 * conflated: only the newest per symbol and type (a trade does not replace a quote) stays, in
 * the order of arrival; the others are counted as conflated. The FIFO is also conflated when it
 * holds more than `maxWaiting` ticks, so memory stays bounded whatever the rate.
 */
import type { Tick } from "./types";

export type OverloadMode = "backpressure" | "conflate";
export const OVERLOAD_MODES: readonly OverloadMode[] = ["backpressure", "conflate"];
export const DEFAULT_MAX_LAG_MS = 1000;
/** Drain turns longer than this shrink the batch; shorter than TURN_LOW_MS grow it. */
export const TURN_HIGH_MS = 100;
export const TURN_LOW_MS = 25;
const MIN_BUDGET = 1;
const MAX_BUDGET = 10_000;
const START_BUDGET = 64;

export interface OverloadStats {
  /** Ticks handed out by drain(). */
  delivered: number;
  /** Ticks dropped by conflation (an older tick of a symbol replaced by a newer one). */
  conflated: number;
  /** Times the waiting ticks were conflated. */
  conflations: number;
  /** Highest lag (ms) seen at a drain. */
  maxLagMs: number;
}

export class ConflatingQueue {
  private queue: Tick[] = [];
  private head = 0;
  private budget = START_BUDGET;
  private lastDrainAt = -1;
  readonly stats: OverloadStats = { delivered: 0, conflated: 0, conflations: 0, maxLagMs: 0 };

  constructor(
    readonly maxLagMs = DEFAULT_MAX_LAG_MS,
    readonly maxWaiting = 100_000,
  ) {}

  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Current batch size (ticks per drain). */
  get batch(): number {
    return this.budget;
  }

  push(ticks: readonly Tick[]): void {
    for (let i = 0; i < ticks.length; i++) this.queue.push(ticks[i]);
    if (this.waiting > this.maxWaiting) this.conflate();
  }

  /** Lag (ms) of the oldest waiting tick at `nowMs` (0 when nothing waits). */
  lag(nowMs: number): number {
    if (this.head >= this.queue.length) return 0;
    return Math.max(0, nowMs - this.queue[this.head].recvTs / 1000);
  }

  /**
   * The ticks to deliver in this turn (at most the current budget). Conflates first when the
   * oldest waiting tick is more than maxLagMs old.
   */
  drain(nowMs: number): Tick[] {
    if (this.lastDrainAt >= 0) {
      const turn = nowMs - this.lastDrainAt;
      if (turn > TURN_HIGH_MS) this.budget = Math.max(MIN_BUDGET, Math.floor(this.budget / 2));
      else if (turn < TURN_LOW_MS) this.budget = Math.min(MAX_BUDGET, Math.ceil(this.budget * 1.25) + 1);
    }
    const lag = this.lag(nowMs);
    if (lag > this.stats.maxLagMs) this.stats.maxLagMs = lag;
    if (lag > this.maxLagMs) this.conflate();
    const n = Math.min(this.budget, this.waiting);
    const out = this.queue.slice(this.head, this.head + n);
    this.head += n;
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.lastDrainAt = -1; // idle: the next drain starts a fresh measurement
    } else {
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.lastDrainAt = nowMs;
    }
    this.stats.delivered += n;
    return out;
  }

  /** Keeps only the newest waiting tick per symbol and type, in arrival order. */
  conflate(): void {
    const n = this.waiting;
    if (n <= 1) return;
    const newest = new Map<string, number>();
    for (let i = this.head; i < this.queue.length; i++) {
      const t = this.queue[i];
      newest.set(t.type === "quote" ? "q\u0000" + t.symbol : t.symbol, i);
    }
    if (newest.size === n) return;
    const keep: Tick[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const t = this.queue[i];
      if (newest.get(t.type === "quote" ? "q\u0000" + t.symbol : t.symbol) === i) keep.push(t);
    }
    this.stats.conflated += n - keep.length;
    this.stats.conflations++;
    this.queue = keep;
    this.head = 0;
  }

  clear(): void {
    this.queue = [];
    this.head = 0;
    this.lastDrainAt = -1;
  }
}
