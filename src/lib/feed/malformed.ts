/**
 * Malformed frames and ticks: every one is counted; a report (the count since the last one, the
 * total, the latest reason and a sample) goes out at most once per interval, the first at once.
 * The clock and timer are injected, so the rate limit is tested without waiting.
 */

/** One report: `count` since the previous report, `total` since the start. */
export interface MalformedReport {
  count: number;
  total: number;
  reason: string;
  /** The latest refused input, raw (the receiver masks and cuts it). */
  sample: string;
}

export interface ReporterClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Default interval between two reports. */
export const MALFORMED_REPORT_MS = 10_000;

const realClock: ReporterClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class MalformedReporter {
  private total = 0;
  private reported = 0;
  private lastReportAt = 0;
  private timer: unknown = null;
  private reason = "";
  private sample = "";
  private disposed = false;

  constructor(
    private readonly report: (r: MalformedReport) => void,
    private readonly intervalMs: number = MALFORMED_REPORT_MS,
    private readonly clock: ReporterClock = realClock,
  ) {}

  /** Malformed input seen so far. */
  get count(): number {
    return this.total;
  }

  /** Counts one malformed input and reports now or when the interval allows. */
  add(reason: string, sample: string | undefined): void {
    this.total++;
    this.reason = reason;
    this.sample = sample ?? "";
    if (this.timer !== null || this.disposed) return;
    const wait = this.lastReportAt + this.intervalMs - this.clock.now();
    if (wait <= 0) this.flush();
    else this.timer = this.clock.setTimeout(() => this.flush(), wait);
  }

  /** Stops reporting (a pending report is dropped); counting goes on. */
  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(): void {
    this.timer = null;
    const fresh = this.total - this.reported;
    if (fresh <= 0 || this.disposed) return;
    this.reported = this.total;
    this.lastReportAt = this.clock.now();
    this.report({ count: fresh, total: this.total, reason: this.reason, sample: this.sample });
  }
}

/** A short, safe sample of a refused tick for the malformed event (never throws, whatever it holds). */
export function sampleOf(raw: unknown): string {
  try {
    const text = JSON.stringify(raw);
    return typeof text === "string" ? text.slice(0, 200) : "";
  } catch {
    return "(unprintable)";
  }
}
