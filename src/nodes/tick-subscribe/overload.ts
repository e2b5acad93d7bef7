/**
 * tick-subscribe's `overload` setting, the Node-RED side: in `conflate` mode ticks go through a
 * ConflatingQueue drained once per event-loop turn (setImmediate), and conflation is reported
 * on output 2 as a rate-limited `overload` event. `backpressure` (the default) bypasses all of
 * this: ticks are handed to Node-RED in the turn that read them, as before.
 */
import { ConflatingQueue, DEFAULT_MAX_LAG_MS, OVERLOAD_MODES, type OverloadMode } from "../../lib/overload";
import type { Tick } from "../../lib/types";

/** At most one `overload` event per this period (the first one at once). */
export const OVERLOAD_EVENT_MS = 5000;

export interface OverloadSettings {
  mode: OverloadMode;
  maxLagMs: number;
}

/** Reads `overload` and `maxLagMs` (throws a message naming the problem). */
export function parseOverload(config: { overload?: unknown; maxLagMs?: unknown }): OverloadSettings {
  const m = config.overload === undefined || config.overload === "" ? "backpressure" : config.overload;
  if (typeof m !== "string" || !(OVERLOAD_MODES as readonly string[]).includes(m)) {
    throw new Error(`Unknown overload "${String(m)}": use backpressure or conflate.`);
  }
  const raw = config.maxLagMs;
  let maxLagMs = DEFAULT_MAX_LAG_MS;
  if (raw !== undefined && raw !== null && raw !== "") {
    const n = typeof raw === "number" ? raw : Number(String(raw).trim());
    if (!Number.isFinite(n) || n < 1 || n > 3_600_000)
      throw new Error(`maxLagMs must be a number of milliseconds from 1 to 3600000; got "${String(raw)}".`);
    maxLagMs = n;
  }
  return { mode: m as OverloadMode, maxLagMs };
}

export interface OverloadEvent {
  mode: "conflate";
  /** Ticks conflated since the previous event, and in all. */
  conflated: number;
  totalConflated: number;
  /** Ticks delivered since the previous event. */
  delivered: number;
  /** Highest lag (ms) seen since the previous event, and the configured bound. */
  lagMs: number;
  maxLagMs: number;
  /** Ticks waiting now, and the current batch size (ticks per event-loop turn). */
  waiting: number;
  batch: number;
}

export class ConflateGate {
  readonly queue: ConflatingQueue;
  private drainHandle: NodeJS.Immediate | null = null;
  private reportTimer: NodeJS.Timeout | null = null;
  private lastReportAt = 0;
  private reported = { conflated: 0, delivered: 0 };
  private closed = false;

  constructor(
    maxLagMs: number,
    private readonly deliver: (ticks: Tick[]) => void,
    private readonly event: (payload: OverloadEvent) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.queue = new ConflatingQueue(maxLagMs);
  }

  accept(ticks: Tick[]): void {
    if (this.closed) return;
    this.queue.push(ticks);
    if (this.drainHandle === null) this.drainHandle = setImmediate(this.drain);
  }

  close(): void {
    this.closed = true;
    if (this.drainHandle !== null) clearImmediate(this.drainHandle);
    this.drainHandle = null;
    if (this.reportTimer !== null) clearTimeout(this.reportTimer);
    this.reportTimer = null;
    this.queue.clear();
  }

  private readonly drain = (): void => {
    this.drainHandle = null;
    if (this.closed) return;
    const ticks = this.queue.drain(this.now());
    if (this.queue.waiting > 0) this.drainHandle = setImmediate(this.drain);
    if (this.queue.stats.conflated > this.reported.conflated) this.scheduleReport();
    if (ticks.length > 0) this.deliver(ticks);
  };

  private scheduleReport(): void {
    if (this.reportTimer !== null) return;
    const wait = this.lastReportAt + OVERLOAD_EVENT_MS - this.now();
    if (wait <= 0) this.report();
    else {
      this.reportTimer = setTimeout(() => {
        this.reportTimer = null;
        this.report();
      }, wait);
    }
  }

  private report(): void {
    if (this.closed) return;
    const s = this.queue.stats;
    const conflated = s.conflated - this.reported.conflated;
    if (conflated <= 0) return;
    this.lastReportAt = this.now();
    const payload: OverloadEvent = {
      mode: "conflate",
      conflated,
      totalConflated: s.conflated,
      delivered: s.delivered - this.reported.delivered,
      lagMs: Math.round(s.maxLagMs),
      maxLagMs: this.queue.maxLagMs,
      waiting: this.queue.waiting,
      batch: this.queue.batch,
    };
    this.reported = { conflated: s.conflated, delivered: s.delivered };
    s.maxLagMs = 0;
    this.event(payload);
  }
}
