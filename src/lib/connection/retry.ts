/**
 * When a slot tries again: the backoff (full jitter), the one reconnect timer, and the run of
 * attempts that ended before the connection was ready (`connect_failing` once it reaches
 * `failAfter`). The slot decides *that* it reconnects; this decides *when*, and keeps the
 * figures the feed's status shows (the wait, the next attempt's time, the failing run).
 */
import { Backoff, type BackoffOptions } from "../backoff";
import type { ProviderFailure } from "../providers/types";
import { type Clock, OneShot } from "./clock";
import type { SlotErrorPayload } from "./events";
import type { SlotFailing } from "./options";

export class Reconnects {
  /** When waiting: the wait (ms) and the wall-clock time (ms) of the next attempt. */
  waitMs = 0;
  retryAt = 0;
  /** Consecutive attempts that ended before the connection was ready (limit waits excluded). */
  failedAttempts = 0;
  /** Set once `failedAttempts` reaches `failAfter`; cleared when a connection becomes ready. */
  failing: SlotFailing | null = null;
  private readonly backoff: Backoff;
  private readonly timer: OneShot;

  constructor(
    private readonly clock: Clock,
    backoff: BackoffOptions,
    private readonly failAfter: number,
    random?: () => number,
  ) {
    this.backoff = new Backoff(backoff, random);
    this.timer = new OneShot(clock);
  }

  /** Attempts since the backoff was last reset. */
  get attempt(): number {
    return this.backoff.attempt;
  }

  /** A reconnect timer is pending. */
  get pending(): boolean {
    return this.timer.pending;
  }

  /** Arms the timer for the next attempt (at least `minMs` away); returns the wait. */
  schedule(minMs: number, attempt: () => void): number {
    const wait = this.backoff.next(minMs);
    this.waitMs = wait;
    this.retryAt = this.clock.now() + wait;
    this.timer.set(attempt, wait);
    return wait;
  }

  /** Cancels a pending attempt. */
  cancel(): void {
    this.timer.clear();
  }

  /** The next wait starts from the base again (the user retried, or a connection stayed healthy). */
  resetBackoff(): void {
    this.backoff.reset();
  }

  /**
   * One more attempt ended before the connection was ready, because of `failure` (null: not
   * known). Returns the `connect_failing` error once, when the run reaches `failAfter`.
   */
  failed(failure: ProviderFailure | null): SlotErrorPayload | null {
    this.failedAttempts++;
    const after = this.failAfter;
    if (after <= 0 || this.failedAttempts < after || this.failing !== null) return null;
    const f = failure ?? { kind: "transient", code: "connect_failed", message: "The connection could not be established." };
    const n = this.failedAttempts;
    this.failing = { code: f.code, message: f.message, attempts: n };
    const message = `${n} connection attempts in a row failed (${f.code}): ${f.message} Still retrying.`;
    return { code: "connect_failing", cause: f.code, attempts: n, message, kind: "failing" };
  }

  /** A connection became ready: the failing run is over. */
  succeeded(): void {
    this.failedAttempts = 0;
    this.failing = null;
  }
}
