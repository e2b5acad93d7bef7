/** The feed's public types and defaults (FeedCore in ../feed.ts re-exports them). */
import type { DedupOptions } from "../dedup";
import { DEFAULT_BACKOFF, type BackoffOptions } from "../backoff";
import type { BackfillSettings } from "../backfill/coordinator";
import type { Tick } from "../types";

export type FeedEventTopic =
  | "connected"
  | "disconnected"
  | "reconnecting"
  | "subscribed"
  | "unsubscribed"
  | "error"
  | "subscriptions"
  | "backfill"
  | "replay-end"
  /** Sent by tick-subscribe itself (overload: conflate), never by the feed. */
  | "overload";

export type FeedState = "idle" | "connecting" | "reconnecting" | "open" | "failed" | "closed";

export interface FeedStatus {
  state: FeedState;
  /** Connections that should be up / are streaming. */
  connections: number;
  open: number;
  /** When reconnecting: ms until the next attempt (as of `at`). */
  waitMs?: number;
  /** The error the user must fix (failed) or the last transient one. */
  error?: { code: string; message: string };
  /** Symbols that could not be placed (plan limits). */
  unplaced: number;
  /** Set while a connection keeps failing before it is ready (see FeedOptions.failAfter). */
  failing?: { code: string; message: string; attempts: number };
  at: number;
}

export interface FeedUser {
  readonly id: string;
  /** The ticks of one frame for this user (the array is the user's to keep). */
  onTicks(ticks: Tick[]): void;
  onEvent(topic: FeedEventTopic, payload: Record<string, unknown>): void;
  onStatus(status: FeedStatus): void;
  /**
   * The user drops what it cannot deliver in time (overload: conflate), so it wants the socket
   * read as fast as our own work allows rather than at its flow's pace.
   */
  readonly conflates?: boolean;
}

export interface FeedLog {
  warn(text: string): void;
  error(text: string): void;
  debug?(text: string): void;
}

export interface FeedOptions {
  dedup: boolean;
  dedupWindow: Partial<DedupOptions>;
  backoff: BackoffOptions;
  healthyMs: number;
  handshakeTimeoutMs: number;
  closeTimeoutMs: number;
  /** Overrides of the provider's timing (undefined = provider default). */
  pingMs?: number;
  staleMs?: number;
  authTimeoutMs?: number;
  /** Overrides of the plan limits (undefined or 0 = provider default). */
  symbolsPerConnection?: number;
  maxConnections?: number;
  /** Delay before an unused symbol is unsubscribed / an unused connection closed. */
  lingerMs: number;
  /** Largest inbound frame in bytes (bigger ones are refused and the connection reopened). */
  maxFrameBytes: number;
  /** Extra trusted CA certificates (PEM) for wss:// (verification is always on). */
  ca?: string;
  /** Consecutive failed attempts before a catchable `connect_failing` error and a red status (0 = never). */
  failAfter: number;
  /** Gap fill from the provider's REST trade history after a reconnect (off when absent). */
  backfill?: BackfillSettings;
}

/** Default largest frame: 8 MiB (the largest real provider frames seen are well under 1 MiB). */
export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Default consecutive failed attempts before the error is raised. */
export const DEFAULT_FAIL_AFTER = 5;

export const DEFAULT_FEED_OPTIONS: FeedOptions = {
  dedup: true,
  dedupWindow: {},
  backoff: DEFAULT_BACKOFF,
  healthyMs: 30_000,
  handshakeTimeoutMs: 10_000,
  closeTimeoutMs: 2_000,
  lingerMs: 500,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  failAfter: DEFAULT_FAIL_AFTER,
};
