/**
 * One connection slot: exactly one WebSocket at a time, an explicit state machine, and every
 * timer owned here (through the injected clock).
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
 * only created when `ws` is null; at most one reconnect timer, one health interval, one send
 * timer and one pending sync exist; all are cleared on every close. Every socket handler and
 * every session callback first checks that its socket is still the current one.
 *
 * The jobs around the state machine live next to it: the send queue (send-queue.ts), health
 * checks (health.ts), failure classification (failure.ts), reconnect timing (retry.ts),
 * subscription diffing (subscriptions.ts), paced reading (read-budget.ts), the socket's options
 * and close (socket.ts) and the session context (context.ts).
 */
import { nowMicros } from "../time";
import type { Channel, RawTick } from "../types";
import type { Provider, ProviderFailure, ProviderSession } from "../providers/types";
import { NextTurn, realClock } from "./clock";
import { classifyError } from "./failure";
import { HealthMonitor } from "./health";
import { ReadBudget } from "./read-budget";
import { Reconnects } from "./retry";
import { SendQueue, sendGapMs } from "./send-queue";
import { SOCKET_OPEN, SocketClose, type SlotSocket, type SocketFactory, socketOptions, wsSocket } from "./socket";
import { Subscriptions } from "./subscriptions";
import { type SessionPort, sessionContext } from "./context";
import type { SlotEventArgs, SlotHooks } from "./events";
import type { SlotDeps, SlotFailing, SlotOptions, SlotState } from "./options";

export class Slot {
  state: SlotState = "idle";
  /** Last failure (for status); cleared when a connection becomes ready. */
  failure: ProviderFailure | null = null;
  /** Counters. */
  frames = 0;
  connects = 0;
  /** Receipt time (µs) of the frame being parsed. */
  frameRecvTs = 0;
  /** Frames refused for their size. */
  oversized = 0;

  private ws: SlotSocket | null = null;
  private session: ProviderSession | null = null;
  private readonly subs = new Subscriptions();
  private readonly queue: SendQueue;
  private readonly health: HealthMonitor;
  private readonly reading: ReadBudget;
  /** When to try again, and the run of failed attempts (public for the feed's status). */
  readonly reconnects: Reconnects;
  private readonly newSocket: SocketFactory;
  private readonly closing: SocketClose;
  private readonly syncTurn: NextTurn;
  private disposing = false;
  /** The current socket reached `open` (the provider's handshake succeeded). */
  private readied = false;

  constructor(
    readonly index: number,
    private readonly provider: Provider,
    private readonly opts: SlotOptions,
    private readonly hooks: SlotHooks,
    deps: SlotDeps = {},
  ) {
    const clock = deps.clock ?? realClock;
    this.newSocket = deps.socket ?? wsSocket;
    this.reconnects = new Reconnects(clock, opts.backoff, opts.failAfter ?? 0, deps.random);
    this.closing = new SocketClose(clock, opts.closeTimeoutMs);
    this.syncTurn = new NextTurn(clock, () => this.sync());
    this.queue = new SendQueue(clock, sendGapMs(provider.limits.messagesPerSecond), () => {
      const ws = this.ws;
      return ws !== null && ws.readyState === SOCKET_OPEN ? ws : null;
    });
    this.reading = new ReadBudget(clock, () => this.ws, {
      handle: (frame) => this.handleFrame(frame.data, frame.isBinary, frame.recvTs),
      resumed: () => this.health.resumed(),
      followFlow: () => this.hooks.followFlow?.() ?? true,
    });
    this.reading.paced = true;
    this.health = new HealthMonitor(clock, opts, {
      phase: () => (this.ws === null ? "none" : this.state === "authenticating" || this.state === "open" ? this.state : "other"),
      carrying: () => this.subs.carrying,
      holding: () => this.reading.holding,
      ping: () => this.pingSocket(),
      heartbeat: () => this.session?.heartbeat?.(),
      healthy: () => this.reconnects.resetBackoff(),
      fail: (failure) => this.failConnection(failure),
    });
  }

  /** Symbols this connection should carry, per channel (maintained by the feed). */
  get desired(): Subscriptions["desired"] {
    return this.subs.desired;
  }

  get symbolCount(): number {
    return this.subs.symbolCount;
  }

  hasSymbol(symbol: string): boolean {
    return this.subs.has(symbol);
  }

  get isActive(): boolean {
    return this.state !== "idle" && this.state !== "closed" && this.state !== "closing";
  }

  get attempt(): number {
    return this.reconnects.attempt;
  }

  /** When in backoff: the wait (ms) and the wall-clock time (ms) of the next attempt. */
  get waitMs(): number {
    return this.reconnects.waitMs;
  }

  get retryAt(): number {
    return this.reconnects.retryAt;
  }

  /** The run of failed attempts: its length, and what it looks like once it reached `failAfter`. */
  get failedAttempts(): number {
    return this.reconnects.failedAttempts;
  }

  get failing(): SlotFailing | null {
    return this.reconnects.failing;
  }

  /** Frames held for a later turn (paced reading), in total. */
  get heldFrames(): number {
    return this.reading.heldTotal;
  }

  /** Timers this slot holds now (0 after every close: for tests). */
  get pendingTimers(): number {
    const flags = [
      this.reconnects.pending,
      this.closing.pending,
      this.queue.waiting,
      this.health.running,
      this.syncTurn.pending,
      this.reading.pending,
    ];
    return flags.filter(Boolean).length;
  }

  /** Connects when idle. A `failed` slot stays failed until `retry()` (the user must fix something first). */
  start(): void {
    switch (this.state) {
      case "idle":
        this.failure = null;
        this.connect();
        return;
      case "closing":
        if (!this.disposing) this.closing.restart = true;
        return;
      default:
        return; // connecting, authenticating, open, backoff (its timer connects), closed
    }
  }

  /** Leaves `failed` (or skips a backoff wait) and connects now. */
  retry(): void {
    if (this.state === "failed") {
      this.failure = null;
      this.reconnects.resetBackoff();
      this.connect();
    } else if (this.state === "backoff") {
      this.reconnects.cancel();
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
    if (this.state === "open") this.syncTurn.schedule();
  }

  upstream(channel: Channel): ReadonlySet<string> {
    return this.subs.upstream(channel);
  }

  // ---------------------------------------------------------------------------------------

  /** The typed emitter: one slot event to the owner. */
  private emit(...event: SlotEventArgs): void {
    this.hooks.onEvent(this, ...event);
  }

  private setState(next: SlotState): void {
    if (this.state === next) return;
    this.state = next;
    this.hooks.onState(this);
  }

  private connect(): void {
    if (this.ws !== null || this.state === "closed" || this.state === "closing") return;
    this.reconnects.cancel();
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
    this.emit("error", { code: this.failure.code, message: this.failure.message });
    this.countFailedAttempt();
    this.scheduleReconnect(0);
  }

  private openSocket(url: string): void {
    let ws: SlotSocket;
    try {
      ws = this.newSocket(url, socketOptions(this.opts, this.provider));
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
      if (ws === this.ws) this.health.pong();
    });
    ws.on("ping", () => {
      if (ws === this.ws) this.health.frame();
    });
    ws.on("error", (err: Error) => this.onError(ws, err));
    ws.on("close", (code: number, reason: Buffer) => this.onClose(ws, code, reason.toString("utf8")));
  }

  private onOpen(ws: SlotSocket): void {
    if (ws !== this.ws) return;
    this.subs.reset();
    this.health.start();
    this.setState("authenticating");
    const session = this.provider.createSession(sessionContext(this.provider, ws, this.port));
    this.session = session;
    try {
      session.open();
    } catch (err) {
      this.failConnection({ kind: "transient", code: "session_error", message: String(err) });
    }
  }

  private onMessage(ws: SlotSocket, data: Buffer, isBinary: boolean): void {
    if (ws !== this.ws || this.session === null) return;
    this.health.frame();
    const recvTs = nowMicros();
    if (this.reading.hold(ws, data, isBinary, recvTs)) return; // read, but for a later turn
    this.handleFrame(data, isBinary, recvTs);
    this.reading.spend(ws);
  }

  /** Parses one frame of the current socket, received at `recvTs` (µs). */
  private handleFrame(data: Buffer, isBinary: boolean, recvTs: number): void {
    if (this.session === null) return;
    this.frameRecvTs = recvTs;
    this.frames++;
    try {
      this.session.message(data, isBinary);
    } catch (err) {
      this.hooks.onMalformed(this, err instanceof Error ? err.message : String(err), sampleOf(data));
    }
    this.hooks.onFrameEnd(this);
  }

  private onError(ws: SlotSocket, err: Error): void {
    if (ws !== this.ws) return;
    const verdict = classifyError(err, this.failure, this.opts.maxFrameBytes ?? 0, this.provider);
    if (verdict === undefined) return;
    this.failure = verdict.failure;
    if (verdict.oversized) {
      this.oversized++;
      const f = verdict.failure;
      this.emit("error", { code: f.code, message: f.message, limit: this.opts.maxFrameBytes, kind: f.kind });
    }
  }

  private onClose(ws: SlotSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.reading.flush(); // frames read but held for a later turn come before the close
    ws.removeAllListeners();
    ws.on("error", () => undefined); // a late error on a discarded socket must not crash the process
    this.ws = null;
    const wasReady = this.health.openedAt > 0;
    this.releaseSocket();
    const prev = this.state;
    if (prev !== "closing" && this.failure === null && this.provider.closeFailure) {
      const cf = this.provider.closeFailure(code, reason);
      if (cf !== undefined) this.failure = cf;
    }
    const f = this.failure;
    this.emit("disconnected", { code, reason: reason || (f ? f.message : ""), ...(f ? { error: f.code } : {}), wasOpen: wasReady });
    if (prev === "closing") {
      this.finishClose();
      return;
    }
    if (f !== null && (f.kind === "auth" || f.kind === "plan")) {
      this.emit("error", { code: f.code, message: f.message, kind: f.kind });
      this.setState("failed");
      return;
    }
    if (!this.readied && (f === null || f.kind !== "limit")) this.countFailedAttempt();
    this.readied = false;
    this.scheduleReconnect(f !== null && f.retryAfterMs !== undefined ? f.retryAfterMs : 0);
  }

  /** Everything that belonged to the socket that is gone: session, health checks, queue, sync, read turn, close bound. */
  private releaseSocket(): void {
    this.session = null;
    this.health.stop();
    this.queue.clear();
    this.syncTurn.clear();
    this.reading.clear();
    this.closing.clear();
    this.subs.reset();
  }

  /** One more attempt ended before the connection was ready: raise `connect_failing` once the threshold is reached. */
  private countFailedAttempt(): void {
    const failing = this.reconnects.failed(this.failure);
    if (failing !== null) this.emit("error", failing);
  }

  private scheduleReconnect(minMs: number): void {
    const wait = this.reconnects.schedule(minMs, () => {
      if (this.state === "backoff") this.connect();
    });
    this.setState("backoff");
    this.emit("reconnecting", { in: wait, attempt: this.reconnects.attempt, ...(this.failure ? { cause: this.failure.code } : {}) });
  }

  private shutdown(final: boolean): Promise<void> {
    if (final) this.disposing = true;
    this.closing.restart = false;
    this.reconnects.cancel();
    if (this.state === "closed") return Promise.resolve();
    if (this.ws === null) {
      this.releaseSocket();
      this.setState(final ? "closed" : "idle");
      return Promise.resolve();
    }
    const done = this.closing.wait();
    if (this.state !== "closing") {
      this.setState("closing");
      this.closing.begin(this.ws, () => this.ws);
    }
    return done;
  }

  private finishClose(): void {
    const restart = this.closing.restart && !this.disposing;
    this.closing.restart = false;
    this.setState(this.disposing ? "closed" : "idle");
    this.closing.settle();
    if (restart) this.start();
  }

  /** Ends the current socket because of `failure`; onClose decides what comes next. */
  private failConnection(failure: ProviderFailure): void {
    this.failure = failure;
    // auth/plan failures are announced once, by onClose, when the slot settles in `failed`.
    if (failure.kind !== "auth" && failure.kind !== "plan") {
      this.emit("error", { code: failure.code, message: failure.message, kind: failure.kind });
    }
    if (this.ws !== null) this.ws.terminate();
  }

  /** What the session context of each socket reaches (it checks the socket is current first). */
  private readonly port: SessionPort = {
    current: () => this.ws,
    send: (text, replaceKey) => this.queue.enqueue(text, replaceKey),
    ready: () => {
      if (this.state !== "authenticating") return;
      this.failure = null;
      this.readied = true;
      this.reconnects.succeeded();
      this.setState("open");
      this.emit("connected", { url: this.provider.displayUrl() });
      this.sync();
    },
    tick: (tick: RawTick) => this.hooks.onTick(tick, this),
    emit: (...event) => this.emit(...event),
    fail: (failure) => this.failConnection(failure),
    malformed: (reason, sample) => this.hooks.onMalformed(this, reason, sample),
    frameRecvTs: () => this.frameRecvTs,
    upstream: (channel) => this.subs.upstream(channel),
  };

  private sync(): void {
    if (this.state !== "open" || this.session === null) return;
    const fresh = !this.subs.carrying;
    const change = this.subs.takeChange();
    if (change === null) return;
    if (fresh) this.health.freshWindow(); // a fresh stale window
    try {
      this.session.subscribe(change);
    } catch (err) {
      this.failConnection({ kind: "transient", code: "session_error", message: String(err) });
    }
  }

  private pingSocket(): void {
    try {
      this.ws?.ping();
    } catch {
      /* the close event follows */
    }
  }
}

function sampleOf(data: Buffer): string {
  return data.subarray(0, 200).toString("utf8");
}
