/**
 * One connection slot: exactly one WebSocket at a time, an explicit state machine, and every
 * timer owned here.
 *
 *            start()                 open              ctx.ready()
 *   idle ───────────► connecting ─────────► authenticating ─────────► open
 *     ▲                  │  ▲                    │                      │
 *     │ stop()           │  │ timer              │ close/error/         │ close/error/stall/
 *     │                  ▼  │                    ▼ auth timeout         ▼ ping timeout
 *     └──── closing ◄── backoff ◄────────────────┴──────────────────────┘
 *              │
 *              └──► closed (dispose(): final)        failed (auth/plan: no retry until start())
 *
 * Invariants: `ws` is non-null only in connecting/authenticating/open/closing; a new socket is
 * only created when `ws` is null; at most one reconnect timer, one watchdog interval, one send
 * timer and one pending sync exist; all are cleared on every close.
 */
import WebSocket from "ws";
import { Backoff, type BackoffOptions } from "./backoff";
import { nowMicros } from "./time";
import type { Channel, RawTick as Tick } from "./types";
import type {
  ChannelLists,
  Provider,
  ProviderFailure,
  ProviderSession,
  SessionContext,
} from "./providers/types";

export type SlotState =
  | "idle"
  | "connecting"
  | "authenticating"
  | "open"
  | "backoff"
  | "failed"
  | "closing"
  | "closed";

export type SlotEventTopic =
  | "connected"
  | "disconnected"
  | "reconnecting"
  | "subscribed"
  | "unsubscribed"
  | "rejected"
  | "error"
  | "warning"
  | "replay-end";

export interface SlotHooks {
  /** Hot path: one parsed tick. */
  onTick(tick: Tick, slot: Slot): void;
  /** The frame that produced the last ticks is done. */
  onFrameEnd(slot: Slot): void;
  onState(slot: Slot): void;
  onEvent(slot: Slot, topic: SlotEventTopic, payload: Record<string, unknown>): void;
  onMalformed(slot: Slot, reason: string, sample: string | undefined): void;
}

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

/** What a run of failed attempts looks like (cleared when a connection becomes ready). */
export interface SlotFailing {
  code: string;
  message: string;
  attempts: number;
}

const CHANNELS: readonly Channel[] = ["trades", "quotes"];
/**
 * Read budget per event-loop turn (on while a user of the feed conflates, see `paced`): once a
 * socket's frames took this long within one turn, the socket is paused until the next turn.
 * Without it one poll phase may read megabytes (libuv reads a ready socket up to 32 times), and
 * Node-RED's HTTP server (editor, admin API) waits behind all of them. Nothing is lost: unread
 * data waits in the kernel (TCP pushback). Off otherwise, so backpressure mode reads exactly
 * as before.
 */
export const READ_TURN_BUDGET_MS = 20;
/**
 * When the rest of the previous turn (the flow working on what was read: Node-RED delivers
 * messages on setImmediate) took longer than this, the next turn reads one socket chunk only.
 */
export const SLOW_TURN_MS = 50;

function emptySets(): Record<Channel, Set<string>> {
  return { trades: new Set<string>(), quotes: new Set<string>() };
}

export class Slot {
  state: SlotState = "idle";
  /** Symbols this connection should carry, per channel (maintained by the feed). */
  readonly desired = emptySets();
  /** What was last sent upstream on the current socket. */
  private upstreamSets = emptySets();

  /** Last failure (for status); cleared when a connection becomes ready. */
  failure: ProviderFailure | null = null;
  /** When in backoff: the wait and the wall-clock time (ms) of the next attempt. */
  waitMs = 0;
  retryAt = 0;
  /** Counters. */
  frames = 0;
  connects = 0;
  /** Receipt time (µs) of the frame being parsed. */
  frameRecvTs = 0;
  /** Consecutive attempts that ended before the connection was ready (limit waits excluded). */
  failedAttempts = 0;
  /** Set once `failedAttempts` reaches `failAfter`; cleared when a connection becomes ready. */
  failing: SlotFailing | null = null;
  /** Frames refused for their size. */
  oversized = 0;

  private ws: WebSocket | null = null;
  private session: ProviderSession | null = null;
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private sendTimer: NodeJS.Timeout | null = null;
  private syncHandle: NodeJS.Immediate | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private outQueue: Array<{ text: string; key: string | undefined }> = [];
  private lastSendAt = 0;
  private openedAt = 0;
  private lastFrameAt = 0;
  private lastPingAt = 0;
  private awaitingPong = false;
  private lastHeartbeatAt = 0;
  private closeWaiters: Array<() => void> = [];
  private restartAfterClose = false;
  private disposing = false;
  private readonly minSendGapMs: number;
  /** The current socket reached `open` (the provider's handshake succeeded). */
  private readied = false;
  /** Read budget: when this turn's first frame arrived (0 = none yet), and the end-of-turn handle. */
  private readTurnAt = 0;
  private readTurnHandle: NodeJS.Immediate | null = null;
  private readTurnEndAt = 0;
  private readBudgetMs = READ_TURN_BUDGET_MS;
  /** Times the socket was paused for the rest of a turn. */
  readPauses = 0;
  /** Apply the per-turn read budget (set by the feed while a user conflates). */
  paced = false;

  constructor(
    readonly index: number,
    private readonly provider: Provider,
    private readonly opts: SlotOptions,
    private readonly hooks: SlotHooks,
  ) {
    this.backoff = new Backoff(opts.backoff);
    const rate = provider.limits.messagesPerSecond;
    this.minSendGapMs = Number.isFinite(rate) && rate > 0 ? Math.ceil(1000 / rate) : 0;
  }

  get symbolCount(): number {
    let n = this.desired.trades.size;
    for (const s of this.desired.quotes) if (!this.desired.trades.has(s)) n++;
    return n;
  }

  hasSymbol(symbol: string): boolean {
    return this.desired.trades.has(symbol) || this.desired.quotes.has(symbol);
  }

  get isActive(): boolean {
    return this.state !== "idle" && this.state !== "closed" && this.state !== "closing";
  }

  get attempt(): number {
    return this.backoff.attempt;
  }

  /** Connects when idle. A `failed` slot stays failed until `retry()` (the user must fix something first). */
  start(): void {
    switch (this.state) {
      case "idle":
        this.failure = null;
        this.connect();
        return;
      case "closing":
        if (!this.disposing) this.restartAfterClose = true;
        return;
      default:
        return; // connecting, authenticating, open, backoff (its timer connects), closed
    }
  }

  /** Leaves `failed` (or skips a backoff wait) and connects now. */
  retry(): void {
    if (this.state === "failed") {
      this.failure = null;
      this.backoff.reset();
      this.connect();
    } else if (this.state === "backoff") {
      this.clearReconnectTimer();
      this.connect();
    }
  }

  /** Closes the socket (if any) and goes idle; resolves within about `closeTimeoutMs`. */
  stop(): Promise<void> {
    return this.shutdown(false);
  }

  /** Like stop(), but final. */
  dispose(): Promise<void> {
    return this.shutdown(true);
  }

  /** Schedules a subscription sync (coalesced into one per event-loop turn). */
  scheduleSync(): void {
    if (this.syncHandle !== null || this.state !== "open") return;
    this.syncHandle = setImmediate(() => {
      this.syncHandle = null;
      this.sync();
    });
  }

  upstream(channel: Channel): ReadonlySet<string> {
    return this.upstreamSets[channel];
  }

  // ---------------------------------------------------------------------------------------

  private setState(next: SlotState): void {
    if (this.state === next) return;
    this.state = next;
    this.hooks.onState(this);
  }

  private connect(): void {
    if (this.ws !== null || this.state === "closed" || this.state === "closing") return;
    this.clearReconnectTimer();
    this.setState("connecting");
    let url: string | Promise<string>;
    try {
      url = this.provider.connectUrl();
    } catch (err) {
      this.afterFailureToStart(err);
      return;
    }
    if (typeof url === "string") this.openSocket(url);
    else
      url.then(
        (u) => {
          if (this.state === "connecting" && this.ws === null) this.openSocket(u);
        },
        (err: unknown) => {
          if (this.state === "connecting" && this.ws === null) this.afterFailureToStart(err);
        },
      );
  }

  private afterFailureToStart(err: unknown): void {
    this.failure = { kind: "transient", code: "connect_failed", message: err instanceof Error ? err.message : String(err) };
    this.hooks.onEvent(this, "error", { code: this.failure.code, message: this.failure.message });
    this.countFailedAttempt();
    this.scheduleReconnect(0);
  }

  private openSocket(url: string): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        handshakeTimeout: this.opts.handshakeTimeoutMs,
        perMessageDeflate: false,
        ...(this.opts.maxFrameBytes !== undefined && this.opts.maxFrameBytes > 0 ? { maxPayload: this.opts.maxFrameBytes } : {}),
        ...(this.opts.ca ? { ca: this.opts.ca } : {}),
        ...(this.provider.wsOptions ? this.provider.wsOptions() : {}),
      });
    } catch (err) {
      this.afterFailureToStart(err);
      return;
    }
    this.ws = ws;
    this.readied = false;
    this.connects++;
    ws.on("open", () => this.onOpen(ws));
    ws.on("message", (data: Buffer, isBinary: boolean) => this.onMessage(ws, data, isBinary));
    ws.on("pong", () => {
      if (ws === this.ws) this.awaitingPong = false;
    });
    ws.on("ping", () => {
      if (ws === this.ws) this.lastFrameAt = Date.now();
    });
    ws.on("error", (err: Error) => this.onError(ws, err));
    ws.on("close", (code: number, reason: Buffer) => this.onClose(ws, code, reason.toString("utf8")));
  }

  private onOpen(ws: WebSocket): void {
    if (ws !== this.ws) return;
    const now = Date.now();
    this.openedAt = now;
    this.lastFrameAt = now;
    this.lastPingAt = now;
    this.lastHeartbeatAt = now;
    this.awaitingPong = false;
    this.upstreamSets = emptySets();
    this.setState("authenticating");
    this.startWatchdog();
    const session = this.provider.createSession(this.makeContext());
    this.session = session;
    try {
      session.open();
    } catch (err) {
      this.failConnection({ kind: "transient", code: "session_error", message: String(err) });
    }
  }

  private onMessage(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    if (ws !== this.ws || this.session === null) return;
    this.lastFrameAt = Date.now();
    this.frameRecvTs = nowMicros();
    this.frames++;
    try {
      this.session.message(data, isBinary);
    } catch (err) {
      this.hooks.onMalformed(this, err instanceof Error ? err.message : String(err), sampleOf(data));
    }
    this.hooks.onFrameEnd(this);
    this.spendReadBudget(ws);
  }

  /** Pauses the socket for the rest of this event-loop turn once its frames used the turn's read budget. */
  private spendReadBudget(ws: WebSocket): void {
    if (!this.paced) return;
    const now = Date.now();
    if (this.readTurnHandle === null) {
      this.readTurnAt = now;
      this.readTurnHandle = setImmediate(this.endReadTurn);
      // A slow flow (a long gap since the last read turn ended): read one chunk per turn.
      this.readBudgetMs = now - this.readTurnEndAt > SLOW_TURN_MS ? 0 : READ_TURN_BUDGET_MS;
      if (this.readBudgetMs > 0) return;
    }
    if (now - this.readTurnAt >= this.readBudgetMs && ws === this.ws && !ws.isPaused) {
      ws.pause();
      this.readPauses++;
    }
  }

  private readonly endReadTurn = (): void => {
    this.readTurnHandle = null;
    this.readTurnEndAt = Date.now();
    const ws = this.ws;
    if (ws !== null && ws.isPaused) ws.resume();
  };

  private clearReadTurn(): void {
    if (this.readTurnHandle !== null) clearImmediate(this.readTurnHandle);
    this.readTurnHandle = null;
  }

  private onError(ws: WebSocket, err: Error): void {
    if (ws !== this.ws) return;
    const classified = classifySocketError(err, this.opts.maxFrameBytes ?? 0);
    if (classified !== undefined) {
      if (classified.code === "frame_too_large") {
        this.oversized++;
        this.failure = classified;
        this.hooks.onEvent(this, "error", { code: classified.code, message: classified.message, limit: this.opts.maxFrameBytes, kind: classified.kind });
        return;
      }
      if (this.failure === null || this.failure.kind === "transient") this.failure = classified;
      return;
    }
    const m = /Unexpected server response: (\d+)/.exec(err.message);
    // A failure left from an earlier attempt (transient) does not hide this one's HTTP status.
    if (m !== null && (this.failure === null || this.failure.kind === "transient")) {
      const status = Number(m[1]);
      const custom = this.provider.httpFailure ? this.provider.httpFailure(status) : undefined;
      if (custom !== undefined) {
        this.failure = custom;
      } else if (status === 401 || status === 403) {
        this.failure = { kind: "auth", code: "http_" + status, message: `The server refused the key (HTTP ${status}).` };
      } else if (status === 429) {
        this.failure = { kind: "limit", code: "http_429", message: "Too many connections or requests (HTTP 429).", retryAfterMs: 60_000 };
      } else {
        this.failure = { kind: "transient", code: "http_" + status, message: `Unexpected HTTP ${status} on connect.` };
      }
      return;
    }
    if (this.failure === null || this.failure.kind === "transient") {
      this.failure = { kind: "transient", code: "socket_error", message: err.message };
    }
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    ws.removeAllListeners();
    ws.on("error", () => undefined); // a late error on a discarded socket must not crash the process
    this.ws = null;
    this.session = null;
    this.stopWatchdog();
    this.clearSend();
    this.clearSync();
    this.clearReadTurn();
    if (this.killTimer !== null) {
      clearTimeout(this.killTimer);
      this.killTimer = null;
    }
    this.upstreamSets = emptySets();
    const wasReady = this.openedAt > 0;
    this.openedAt = 0;
    const prev = this.state;
    if (prev !== "closing" && this.failure === null && this.provider.closeFailure) {
      const cf = this.provider.closeFailure(code, reason);
      if (cf !== undefined) this.failure = cf;
    }
    this.hooks.onEvent(this, "disconnected", {
      code,
      reason: reason || (this.failure ? this.failure.message : ""),
      ...(this.failure ? { error: this.failure.code } : {}),
      wasOpen: wasReady,
    });
    if (prev === "closing") {
      this.finishClose();
      return;
    }
    const f = this.failure;
    if (f !== null && (f.kind === "auth" || f.kind === "plan")) {
      this.hooks.onEvent(this, "error", { code: f.code, message: f.message, kind: f.kind });
      this.setState("failed");
      return;
    }
    if (!this.readied && (f === null || f.kind !== "limit")) this.countFailedAttempt();
    this.readied = false;
    this.scheduleReconnect(f !== null && f.retryAfterMs !== undefined ? f.retryAfterMs : 0);
  }

  /** One more attempt ended before the connection was ready: raise `connect_failing` once the threshold is reached. */
  private countFailedAttempt(): void {
    this.failedAttempts++;
    const after = this.opts.failAfter ?? 0;
    if (after <= 0 || this.failedAttempts < after || this.failing !== null) return;
    const f = this.failure ?? { kind: "transient", code: "connect_failed", message: "The connection could not be established." };
    this.failing = { code: f.code, message: f.message, attempts: this.failedAttempts };
    this.hooks.onEvent(this, "error", {
      code: "connect_failing",
      cause: f.code,
      attempts: this.failedAttempts,
      message: `${this.failedAttempts} connection attempts in a row failed (${f.code}): ${f.message} Still retrying.`,
      kind: "failing",
    });
  }

  private scheduleReconnect(minMs: number): void {
    this.clearReconnectTimer();
    const wait = this.backoff.next(minMs);
    this.waitMs = wait;
    this.retryAt = Date.now() + wait;
    this.setState("backoff");
    this.hooks.onEvent(this, "reconnecting", { in: wait, attempt: this.backoff.attempt, ...(this.failure ? { cause: this.failure.code } : {}) });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.state === "backoff") this.connect();
    }, wait);
  }

  private shutdown(final: boolean): Promise<void> {
    if (final) this.disposing = true;
    this.restartAfterClose = false;
    this.clearReconnectTimer();
    if (this.state === "closed") return Promise.resolve();
    if (this.ws === null) {
      this.stopWatchdog();
      this.clearSend();
      this.clearSync();
      this.clearReadTurn();
      this.session = null;
      this.setState(final ? "closed" : "idle");
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (this.state !== "closing") {
      this.setState("closing");
      const ws = this.ws;
      try {
        if (ws.readyState === WebSocket.OPEN) ws.close(1000, "closing");
        else ws.terminate();
      } catch {
        ws.terminate();
      }
      // A peer that never answers the close handshake must not hold us: terminate after the bound.
      this.killTimer = setTimeout(() => {
        this.killTimer = null;
        if (this.ws === ws) ws.terminate();
      }, this.opts.closeTimeoutMs);
    }
    return done;
  }

  private finishClose(): void {
    const restart = this.restartAfterClose && !this.disposing;
    this.restartAfterClose = false;
    this.setState(this.disposing ? "closed" : "idle");
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const w of waiters) w();
    if (restart) this.start();
  }

  /** Ends the current socket because of `failure`; onClose decides what comes next. */
  private failConnection(failure: ProviderFailure): void {
    this.failure = failure;
    // auth/plan failures are announced once, by onClose, when the slot settles in `failed`.
    if (failure.kind !== "auth" && failure.kind !== "plan") {
      this.hooks.onEvent(this, "error", { code: failure.code, message: failure.message, kind: failure.kind });
    }
    if (this.ws !== null) this.ws.terminate();
  }

  private makeContext(): SessionContext {
    // One context per socket; `live()` makes calls from a stale session (after its socket closed) no-ops.
    const ws = this.ws;
    const live = (): boolean => ws !== null && ws === this.ws;
    const slot = this;
    return {
      settings: this.provider.settings,
      send: (message: string | object, replaceKey?: string) => {
        if (live()) this.enqueue(typeof message === "string" ? message : JSON.stringify(message), replaceKey);
      },
      ready: () => {
        if (!live() || this.state !== "authenticating") return;
        this.failure = null;
        this.readied = true;
        this.failedAttempts = 0;
        this.failing = null;
        this.setState("open");
        this.hooks.onEvent(this, "connected", { url: this.provider.displayUrl() });
        this.sync();
      },
      tick: (tick: Tick) => {
        if (ws === this.ws) this.hooks.onTick(tick, this);
      },
      subscribed: (symbols: string[], channel: Channel) => {
        if (live() && symbols.length > 0) this.hooks.onEvent(this, "subscribed", { symbols, channel });
      },
      unsubscribed: (symbols: string[], channel: Channel) => {
        if (live() && symbols.length > 0) this.hooks.onEvent(this, "unsubscribed", { symbols, channel });
      },
      rejected: (symbols: string[], channel: Channel, code: string, message: string) => {
        if (live()) this.hooks.onEvent(this, "rejected", { symbols, channel, code, message });
      },
      fail: (failure: ProviderFailure) => {
        if (live()) this.failConnection(failure);
      },
      warn: (code: string, message: string) => {
        if (live()) this.hooks.onEvent(this, "warning", { code, message });
      },
      event: (topic: "replay-end", payload: Record<string, unknown>) => {
        if (live()) this.hooks.onEvent(this, topic, payload);
      },
      malformed: (reason: string, sample?: string) => {
        if (live()) this.hooks.onMalformed(this, reason, sample);
      },
      now: nowMicros,
      get frameRecvTs() {
        return slot.frameRecvTs;
      },
      upstream: (channel: Channel) => this.upstreamSets[channel],
    };
  }

  private sync(): void {
    if (this.state !== "open" || this.session === null) return;
    const add: ChannelLists = { trades: [], quotes: [] };
    const remove: ChannelLists = { trades: [], quotes: [] };
    let changed = false;
    for (const ch of CHANNELS) {
      const want = this.desired[ch];
      const have = this.upstreamSets[ch];
      for (const s of want) if (!have.has(s)) add[ch].push(s);
      for (const s of have) if (!want.has(s)) remove[ch].push(s);
      if (add[ch].length > 0 || remove[ch].length > 0) changed = true;
    }
    if (!changed) return;
    if (this.upstreamSets.trades.size === 0 && this.upstreamSets.quotes.size === 0) this.lastFrameAt = Date.now(); // a fresh stale window
    this.upstreamSets = { trades: new Set(this.desired.trades), quotes: new Set(this.desired.quotes) };
    const all: ChannelLists = { trades: [...this.desired.trades], quotes: [...this.desired.quotes] };
    try {
      this.session.subscribe({ add, remove, all });
    } catch (err) {
      this.failConnection({ kind: "transient", code: "session_error", message: String(err) });
    }
  }

  private enqueue(text: string, key: string | undefined): void {
    if (key !== undefined) {
      for (const item of this.outQueue) {
        if (item.key === key) {
          item.text = text;
          return;
        }
      }
    }
    this.outQueue.push({ text, key });
    this.drain();
  }

  private drain(): void {
    if (this.sendTimer !== null) return;
    const ws = this.ws;
    while (this.outQueue.length > 0 && ws !== null && ws.readyState === WebSocket.OPEN) {
      const wait = this.lastSendAt + this.minSendGapMs - Date.now();
      if (this.minSendGapMs > 0 && wait > 0) {
        this.sendTimer = setTimeout(() => {
          this.sendTimer = null;
          this.drain();
        }, wait);
        return;
      }
      const item = this.outQueue.shift() as { text: string };
      this.lastSendAt = Date.now();
      ws.send(item.text);
    }
  }

  private startWatchdog(): void {
    this.stopWatchdog();
    const periods = [this.opts.pingMs, this.opts.staleMs, this.opts.heartbeatMs, this.opts.authTimeoutMs].filter((p) => p > 0);
    const shortest = periods.length > 0 ? Math.min(...periods) : 1000;
    const every = Math.max(20, Math.min(1000, Math.floor(shortest / 4)));
    this.watchdog = setInterval(() => this.checkHealth(), every);
  }

  private checkHealth(): void {
    const ws = this.ws;
    if (ws === null) return;
    const now = Date.now();
    const o = this.opts;
    if (this.state === "authenticating" && o.authTimeoutMs > 0 && now - this.openedAt >= o.authTimeoutMs) {
      this.failConnection({ kind: "transient", code: "auth_timeout", message: `No handshake answer within ${o.authTimeoutMs} ms.` });
      return;
    }
    const carrying = this.upstreamSets.trades.size > 0 || this.upstreamSets.quotes.size > 0;
    if (o.staleMs > 0 && carrying && now - this.lastFrameAt >= o.staleMs) {
      this.failConnection({ kind: "transient", code: "stale", message: `No data for ${o.staleMs} ms: reconnecting.` });
      return;
    }
    if (o.pingMs > 0 && now - this.lastPingAt >= o.pingMs) {
      if (this.awaitingPong) {
        this.failConnection({ kind: "transient", code: "ping_timeout", message: "No pong to the last ping: reconnecting." });
        return;
      }
      this.awaitingPong = true;
      this.lastPingAt = now;
      try {
        ws.ping();
      } catch {
        /* the close event follows */
      }
    }
    if (this.state === "open") {
      if (o.heartbeatMs > 0 && now - this.lastHeartbeatAt >= o.heartbeatMs && this.session !== null && this.session.heartbeat) {
        this.lastHeartbeatAt = now;
        this.session.heartbeat();
      }
      if (this.backoff.attempt > 0 && now - this.openedAt >= o.healthyMs) this.backoff.reset();
    }
  }

  private stopWatchdog(): void {
    if (this.watchdog !== null) {
      clearInterval(this.watchdog);
      this.watchdog = null;
    }
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer !== null) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
  }

  private clearSend(): void {
    if (this.sendTimer !== null) {
      clearTimeout(this.sendTimer);
      this.sendTimer = null;
    }
    this.outQueue = [];
  }

  private clearSync(): void {
    if (this.syncHandle !== null) {
      clearImmediate(this.syncHandle);
      this.syncHandle = null;
    }
  }
}

function sampleOf(data: Buffer): string {
  return data.subarray(0, 200).toString("utf8");
}

/** TLS verification errors (Node/OpenSSL codes). */
const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "HOSTNAME_MISMATCH",
]);

/**
 * Names the socket errors a user can act on: an oversized frame, an untrusted certificate, an
 * unknown host, a refused connection. Undefined for anything else (reported as socket_error).
 */
export function classifySocketError(err: Error, maxFrameBytes: number): ProviderFailure | undefined {
  const e = err as Error & { code?: string; hostname?: string };
  const code = typeof e.code === "string" ? e.code : "";
  if (code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" || /max payload size exceeded/i.test(err.message)) {
    const limit = maxFrameBytes > 0 ? ` (limit ${formatBytes(maxFrameBytes)}, the feed's "Max frame" setting)` : "";
    return { kind: "transient", code: "frame_too_large", message: `The server sent a frame larger than allowed${limit}: refused; reconnecting.` };
  }
  if (TLS_CODES.has(code) || /^ERR_TLS_|^ERR_SSL_/.test(code)) {
    return {
      kind: "transient",
      code: "tls_error",
      message: `TLS: the server's certificate is not trusted (${code}: ${err.message}). For a private CA, paste its certificate into the feed's CA field.`,
    };
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return { kind: "transient", code: "dns_error", message: `Unknown host${e.hostname ? " " + e.hostname : ""} (${code}): check the URL or the network's DNS.` };
  }
  if (code === "ECONNREFUSED") return { kind: "transient", code: "connection_refused", message: `Connection refused (${err.message}).` };
  return undefined;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(2)} MiB` : n >= 1024 ? `${+(n / 1024).toFixed(1)} KiB` : `${n} bytes`;
}
