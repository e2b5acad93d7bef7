/**
 * Health checks of one socket, on one interval: the provider handshake deadline, the stall
 * watchdog (no frame while symbols are subscribed), WebSocket ping/pong, the provider's
 * application heartbeat, and the healthy period after which the backoff resets. The monitor
 * decides; the slot acts (through `HealthTarget`).
 */
import type { Clock, TimerHandle } from "./clock";
import type { ProviderFailure } from "../providers/types";

/** Checks per watched period: a missed deadline is noticed within a quarter of it. */
export const CHECKS_PER_PERIOD = 4;
/** The shortest check interval (ms). */
export const MIN_CHECK_MS = 20;
/** The longest check interval (ms) of a slot's health checks. */
export const SLOT_MAX_CHECK_MS = 1000;

/**
 * How often to check a deadline of `periodMs`: a quarter of it, between MIN_CHECK_MS and
 * `maxMs`. The one rule for every watchdog period (the slot's health checks and the providers'
 * data watchdogs).
 */
export function checkPeriodMs(periodMs: number, maxMs: number): number {
  return Math.max(MIN_CHECK_MS, Math.min(maxMs, Math.floor(periodMs / CHECKS_PER_PERIOD)));
}

export interface HealthTimes {
  /** WebSocket ping interval (0 = off); no pong before the next ping = dead socket. */
  pingMs: number;
  /** No frame for this long while subscribed = stalled (0 = off). */
  staleMs: number;
  /** The provider's application heartbeat (0 = none). */
  heartbeatMs: number;
  /** Deadline for the provider handshake after the socket opens. */
  authTimeoutMs: number;
  /** Open this long = healthy (the backoff resets). */
  healthyMs: number;
}

/** What the monitor needs from the slot. */
export interface HealthTarget {
  /** Where the current socket is: authenticating, open (ready), or none (no socket). */
  phase(): "authenticating" | "open" | "other" | "none";
  /** Anything subscribed upstream on this socket. */
  carrying(): boolean;
  /** Frames wait unread by choice (paced reading): the stall and ping checks wait too. */
  holding(): boolean;
  ping(): void;
  heartbeat(): void;
  /** The socket has been open for `healthyMs`. */
  healthy(): void;
  /** End the socket with this failure. */
  fail(failure: ProviderFailure): void;
}

/** The interval of the health checks for these deadlines. */
export function healthCheckEveryMs(t: HealthTimes): number {
  const periods = [t.pingMs, t.staleMs, t.heartbeatMs, t.authTimeoutMs].filter((p) => p > 0);
  return checkPeriodMs(periods.length > 0 ? Math.min(...periods) : SLOT_MAX_CHECK_MS, SLOT_MAX_CHECK_MS);
}

export class HealthMonitor {
  /** When the current socket opened (ms; 0 = none). */
  openedAt = 0;
  private lastFrameAt = 0;
  private lastPingAt = 0;
  private awaitingPong = false;
  private lastHeartbeatAt = 0;
  private interval: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly times: HealthTimes,
    private readonly target: HealthTarget,
  ) {}

  get running(): boolean {
    return this.interval !== null;
  }

  /** A socket opened: every deadline starts now. */
  start(): void {
    this.stop();
    const now = this.clock.now();
    this.openedAt = now;
    this.lastFrameAt = now;
    this.lastPingAt = now;
    this.lastHeartbeatAt = now;
    this.awaitingPong = false;
    this.interval = this.clock.setInterval(() => this.check(), healthCheckEveryMs(this.times));
  }

  /** The socket is gone: no more checks. */
  stop(): void {
    if (this.interval !== null) {
      this.clock.clearInterval(this.interval);
      this.interval = null;
    }
    this.openedAt = 0;
  }

  /** A frame (or a ping from the server) arrived. */
  frame(): void {
    this.lastFrameAt = this.clock.now();
  }

  pong(): void {
    this.awaitingPong = false;
  }

  /** The first subscriptions went out: the stall window starts now. */
  freshWindow(): void {
    this.lastFrameAt = this.clock.now();
  }

  /** Reading resumed after frames were held: the stall and ping windows start now. */
  resumed(): void {
    this.lastFrameAt = this.clock.now();
    this.lastPingAt = this.lastFrameAt;
    this.awaitingPong = false;
  }

  /** One round of checks (the interval's tick). */
  check(): void {
    const phase = this.target.phase();
    if (phase === "none") return;
    const now = this.clock.now();
    const t = this.times;
    if (phase === "authenticating" && t.authTimeoutMs > 0 && now - this.openedAt >= t.authTimeoutMs) {
      this.target.fail({ kind: "transient", code: "auth_timeout", message: `No handshake answer within ${t.authTimeoutMs} ms.` });
      return;
    }
    const reading = !this.target.holding();
    if (reading && t.staleMs > 0 && this.target.carrying() && now - this.lastFrameAt >= t.staleMs) {
      this.target.fail({ kind: "transient", code: "stale", message: `No data for ${t.staleMs} ms: reconnecting.` });
      return;
    }
    if (reading && t.pingMs > 0 && now - this.lastPingAt >= t.pingMs) {
      if (this.awaitingPong) {
        this.target.fail({ kind: "transient", code: "ping_timeout", message: "No pong to the last ping: reconnecting." });
        return;
      }
      this.awaitingPong = true;
      this.lastPingAt = now;
      this.target.ping();
    }
    if (phase !== "open") return;
    if (t.heartbeatMs > 0 && now - this.lastHeartbeatAt >= t.heartbeatMs) {
      this.lastHeartbeatAt = now;
      this.target.heartbeat();
    }
    if (now - this.openedAt >= t.healthyMs) this.target.healthy();
  }
}
