/**
 * Exponential backoff with full jitter ("AWS architecture blog" style): the n-th retry waits a
 * uniformly random time in [floor, min(cap, base * 2^n)]. The attempt counter resets once a
 * connection has stayed healthy for `resetAfterMs`.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Smallest wait, so that full jitter never produces a hot loop. */
  floorMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 30_000, floorMs: 250 };

export class Backoff {
  attempt = 0;
  constructor(
    private readonly opts: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before the next attempt; increments the attempt counter. */
  next(minMs = 0): number {
    const { baseMs, capMs, floorMs } = this.opts;
    const ceiling = Math.min(capMs, baseMs * Math.pow(2, Math.min(this.attempt, 30)));
    this.attempt++;
    const wait = Math.max(floorMs, Math.round(this.random() * ceiling));
    return Math.max(wait, minMs);
  }

  reset(): void {
    this.attempt = 0;
  }
}
