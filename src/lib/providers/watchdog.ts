/**
 * A data watchdog for providers whose connections are known to go silent while the socket (and
 * its pings) stay up: when nothing arrived for `stallMs` while symbols are subscribed, and
 * during the hours it applies, the connection is failed as transient (the slot reconnects and
 * resubscribes). Quiet time outside those hours, or with nothing subscribed, does not count.
 */
import { sessionAt } from "../calendar";
import { checkPeriodMs } from "../connection/health";
import type { SessionContext } from "./types";

/** When the watchdog applies: during the US regular session (NYSE calendar), always, or never. */
export type StallHours = "regular" | "always" | "never";

/** True during the US regular session (09:30-16:00 New York, 13:00 on early-close days; never on NYSE holidays or weekends). */
export function usRegularHours(epochMs: number): boolean {
  return sessionAt(epochMs * 1000) === "regular";
}

export interface WatchdogOptions {
  /** Silence (ms) that counts as a stall; 0 = off. */
  stallMs: number;
  hours: StallHours;
  /** A delayed feed's delay (ms): the watched hours shift by it. */
  delayMs: number;
  /** For the message: "Polygon", "Alpaca", ... */
  provider: string;
}

/** The longest check interval of a provider's data watchdog (ms). */
export const WATCHDOG_MAX_CHECK_MS = 5000;

/**
 * How often the heartbeat hook runs the watchdog for a given stall time: the slot's rule
 * (`checkPeriodMs`: a quarter of the period, from 20 ms), here up to 5 s; 0 (no hook) when the
 * watchdog is off.
 */
export function watchdogPeriodMs(stallMs: number): number {
  return stallMs > 0 ? checkPeriodMs(stallMs, WATCHDOG_MAX_CHECK_MS) : 0;
}

export class DataWatchdog {
  private lastDataAt: number;
  private watching = false;

  constructor(
    private readonly ctx: SessionContext,
    private readonly opts: WatchdogOptions,
  ) {
    this.lastDataAt = this.nowMs();
  }

  /** Data (a trade or quote) arrived. */
  data(): void {
    this.lastDataAt = this.nowMs();
  }

  /** Called from the session's heartbeat: fails the connection on a stall. */
  check(): void {
    const now = this.nowMs();
    const o = this.opts;
    const carrying = this.ctx.upstream("trades").size > 0 || this.ctx.upstream("quotes").size > 0;
    const watching = o.stallMs > 0 && carrying && (o.hours === "always" || (o.hours === "regular" && usRegularHours(now - o.delayMs)));
    if (!watching || !this.watching) {
      // Silence outside the watched hours (or with nothing subscribed) does not count: the clock starts now.
      this.watching = watching;
      this.lastDataAt = now;
      return;
    }
    if (now - this.lastDataAt >= o.stallMs) {
      this.lastDataAt = now;
      this.ctx.fail({
        kind: "transient",
        code: "stale",
        message: `No data from ${o.provider} for ${Math.round(o.stallMs / 1000)} s while subscribed: reconnecting.`,
      });
    }
  }

  private nowMs(): number {
    return Math.floor(this.ctx.now() / 1000);
  }
}
