/**
 * The provider interface. Each provider is one module that turns feed settings into a
 * `Provider`: where to connect, how to authenticate, how to (un)subscribe, how to parse frames,
 * which keepalive duties it has, its limits and its dedup key. The connection slot
 * (../connection.ts) owns the socket, timers and state; a provider never touches either.
 */
import type { ClientOptions } from "ws";
import type { Channel, ProviderId, RawTick } from "../types";

/** Resolved `tick-feed` configuration handed to a provider factory. */
export interface FeedSettings {
  provider: ProviderId;
  /** WebSocket URL; empty = the provider's default endpoint. */
  url: string;
  apiKey: string;
  apiSecret: string;
  /** Provider-specific options (e.g. Alpaca `feed`, the generic field mapping). */
  options: Record<string, unknown>;
}

export interface ProviderLimits {
  /** Symbols one connection may carry (Infinity = no limit). */
  symbolsPerConnection: number;
  /** Connections the plan allows (>= 1). */
  maxConnections: number;
  /** Outbound messages per second per connection (Infinity = no limit). Excess is queued, never dropped. */
  messagesPerSecond: number;
}

export interface ProviderTiming {
  /** Application heartbeat the client must send (ms, 0 = none): calls `ProviderSession.heartbeat`. */
  heartbeatMs: number;
  /** Reconnect when no frame at all arrived for this long (ms, 0 = off). */
  staleMs: number;
  /** WebSocket ping interval (ms, 0 = off); no pong before the next ping = dead socket. */
  pingMs: number;
  /** Deadline for the provider's handshake (auth) after the socket opens (ms). */
  authTimeoutMs: number;
}

/** Per-channel symbol lists. */
export type ChannelLists = Record<Channel, string[]>;

export interface SubscriptionChange {
  add: ChannelLists;
  remove: ChannelLists;
  /** The complete desired set after the change (for replace-whole-list providers). */
  all: ChannelLists;
}

/**
 * Why a provider gave up on a connection.
 *  - auth:      bad key/secret; stop retrying, red status, catchable error (the user must fix it)
 *  - plan:      the plan does not allow this (no websocket access, feed not in plan); stop like auth
 *  - limit:     connection-limit eviction; reconnect, but not before `retryAfterMs`
 *  - transient: anything else; reconnect with the normal backoff
 */
export type FailureKind = "auth" | "plan" | "limit" | "transient";

export interface ProviderFailure {
  kind: FailureKind;
  /** Short machine code, e.g. "auth_failed", "max_connections". */
  code: string;
  /** Human text (never contains credentials). */
  message: string;
  retryAfterMs?: number;
}

/** What a session may do; provided by the connection slot. */
export interface SessionContext {
  readonly settings: FeedSettings;
  /** Sends a text frame (objects are JSON-encoded). Rate-limited per `limits.messagesPerSecond`, queued in order.
   *  A message with a `replaceKey` replaces a still-queued message with the same key (e.g. a whole-list subscribe). */
  send(message: string | object, replaceKey?: string): void;
  /** The provider handshake (auth) succeeded: the slot sends the subscriptions next. */
  ready(): void;
  /** A parsed tick (symbol exactly as subscribed, times already in µs). The slot dedups and dispatches. */
  tick(tick: RawTick): void;
  /** The provider confirmed these subscriptions. */
  subscribed(symbols: string[], channel: Channel): void;
  /** The provider confirmed these unsubscriptions. */
  unsubscribed(symbols: string[], channel: Channel): void;
  /** The provider refused these symbols (unknown symbol, symbol limit, not entitled). */
  rejected(symbols: string[], channel: Channel, code: string, message: string): void;
  /** The connection cannot continue: the slot closes it and acts per `failure.kind`. */
  fail(failure: ProviderFailure): void;
  /** A problem to report that does not end the connection. */
  warn(code: string, message: string): void;
  /** A feed event the provider itself produces (a replay pass ended), delivered to every user in order with the ticks. */
  event(topic: "replay-end", payload: Record<string, unknown>): void;
  /** A frame (or part of one) that could not be understood; counted and reported, rate-limited. */
  malformed(reason: string, sample?: string): void;
  /** Current wall clock in µs; the receipt time of the frame being parsed is `frameRecvTs`. */
  now(): number;
  /** Receipt time (µs) of the frame currently being handled. */
  readonly frameRecvTs: number;
  /** Symbols currently subscribed upstream on this connection (what the slot last sent). */
  upstream(channel: Channel): ReadonlySet<string>;
}

/** Per-connection protocol state; a new session is created for every socket. */
export interface ProviderSession {
  /** The socket is open. Send auth here (or call ctx.ready() when there is none). */
  open(): void;
  /** One inbound frame. Must not throw for bad input: report via ctx.malformed. */
  message(data: Buffer, isBinary: boolean): void;
  /** Apply a subscription change (only called after ready()). */
  subscribe(change: SubscriptionChange): void;
  /** Called every `timing.heartbeatMs` while open. */
  heartbeat?(): void;
}

export interface Provider {
  readonly id: ProviderId;
  readonly settings: FeedSettings;
  readonly limits: ProviderLimits;
  readonly timing: ProviderTiming;
  /** Channels the provider can stream. */
  readonly channels: readonly Channel[];
  /**
   * When true the provider's keys are content keys even where ticks carry an id. The feed
   * appends an occurrence index to equal keys within one frame (always for ticks without an id),
   * so identical real prints in one frame survive while a replayed frame is still recognized.
   */
  readonly contentKeys: boolean;
  /** The URL to connect to, credentials included where the provider wants them there. Never log it. */
  connectUrl(): Promise<string> | string;
  /** The URL without secrets, for status, events and logs. */
  displayUrl(): string;
  /** Extra `ws` options (headers, ...). */
  wsOptions?(): ClientOptions;
  /** Maps an HTTP status that refused the WebSocket upgrade to a failure (undefined = default:
   *  401/403 auth, 429 limit with 60 s wait, others transient). */
  httpFailure?(status: number): ProviderFailure | undefined;
  /** Maps a server-initiated close the session did not explain (no failure reported first) to a
   *  failure (undefined = an ordinary transient drop). For servers that evict by closing. */
  closeFailure?(code: number, reason: string): ProviderFailure | undefined;
  /** Dedup key of a tick within its symbol. */
  dedupKey(tick: RawTick): string;
  createSession(ctx: SessionContext): ProviderSession;
  /** Releases anything the provider started (the simulator's local server). */
  dispose?(): Promise<void>;
}

export type ProviderFactory = (settings: FeedSettings) => Provider;
