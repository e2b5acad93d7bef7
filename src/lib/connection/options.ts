/** The shapes around a slot: its states, options, dependencies and failing record. */
import type { BackoffOptions } from "../backoff";
import type { Clock } from "./clock";
import type { SocketFactory } from "./socket";

export type SlotState = "idle" | "connecting" | "authenticating" | "open" | "backoff" | "failed" | "closing" | "closed";

export interface SlotOptions {
  backoff: BackoffOptions;
  /** A connection open this long resets the backoff. */
  healthyMs: number;
  /** WebSocket opening handshake deadline. */
  handshakeTimeoutMs: number;
  /** Bound on a graceful close before the socket is terminated. */
  closeTimeoutMs: number;
  pingMs: number;
  staleMs: number;
  authTimeoutMs: number;
  heartbeatMs: number;
  /** Largest inbound frame (bytes); a bigger one is refused (close 1009) and the slot reconnects. 0 = ws default. */
  maxFrameBytes?: number;
  /** Extra trusted CA certificates (PEM) for wss://; verification always stays on. */
  ca?: string;
  /** Consecutive attempts that end before the connection is ready, after which a catchable
   *  `connect_failing` error is raised (retries go on). 0 = never. */
  failAfter?: number;
}

/** What a slot runs on; the defaults are the real ones (tests pass fakes). */
export interface SlotDeps {
  clock?: Clock;
  socket?: SocketFactory;
  /** The backoff's random source in [0, 1). */
  random?: () => number;
}

/** What a run of failed attempts looks like (cleared when a connection becomes ready). */
export interface SlotFailing {
  code: string;
  message: string;
  attempts: number;
}
