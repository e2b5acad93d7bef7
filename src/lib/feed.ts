/**
 * The feed: one provider, the connection slots it needs, the users (subscribe nodes) and
 * their symbols. Free of Node-RED; the tick-feed node wraps it.
 *
 * - Users register and set their symbols per channel. Symbols are ref-counted: a symbol is
 *   added upstream when its first user asks for it and removed when the last one leaves (after
 *   a short linger, so that a redeploy that re-creates a node does not unsubscribe and
 *   resubscribe).
 * - Symbols are placed on connection slots, filling each up to the plan's symbols-per-connection
 *   limit, up to the connections allowed. A placed symbol never moves while it stays
 *   subscribed, so rebalancing cannot drop or duplicate its ticks. Symbols that do not fit are
 *   reported and placed as soon as room frees up.
 * - Slot 0 connects when the first user registers (lazy) and disconnects when the last leaves.
 * - Ticks are deduplicated per symbol (bounded window shared by all slots and reconnects), then
 *   handed to each interested user once per frame, synchronously: nothing is queued here, so a
 *   slow flow slows the socket reads and TCP pushes back on the provider.
 */
import { Deduplicator, type DedupOptions } from "./dedup";
import { Slot, type SlotEventTopic, type SlotOptions, type SlotState } from "./connection";
import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
import { nowMicros } from "./time";
import type { Provider } from "./providers/types";
import { maskAndCut, SecretMasker } from "./secrets";
import { BackfillCoordinator, type BackfillSettings } from "./backfill/coordinator";
import { createHistoryClient } from "./backfill";
import { isReplayControl } from "./providers/replay";
import type { ReplayAction, ReplayProgress } from "./replay/server";
import { dedupStore, feedIdentity } from "./dedup-store";
import type { Channel, RawTick, Tick } from "./types";
import { normalizeTick } from "./ticknorm";

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
  /** The user conflates (overload: conflate): the connections then read at most a budget per event-loop turn. */
  readonly paced?: boolean;
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

interface UserRec {
  user: FeedUser;
  trades: Set<string>;
  quotes: Set<string>;
  pending: Tick[];
}

const CHANNELS: readonly Channel[] = ["trades", "quotes"];
/** Providers whose ticks come from a source restarted with the feed (ids start over). */
const LOCAL_SOURCES: readonly string[] = ["simulator", "replay"];
const MALFORMED_REPORT_MS = 10_000;

export class FeedCore {
  private readonly users = new Map<string, UserRec>();
  /** symbol -> users, per channel (the dispatch index). */
  private readonly refs: Record<Channel, Map<string, UserRec[]>> = { trades: new Map(), quotes: new Map() };
  /** symbol -> slot it is placed on. */
  private readonly placement = new Map<string, Slot>();
  /** Symbols wanted but not placed (no room). Insertion-ordered. */
  private readonly unplaced = new Set<string>();
  private readonly unplacedReported = new Set<string>();
  /** Channel:symbol keys no longer wanted, with the time (ms) they may be removed. */
  private readonly lingering = new Map<string, number>();
  private readonly slots: Slot[] = [];
  private readonly dedup: Deduplicator | null;
  /** Hash of provider, URL, key and options: the dedup memory is handed over to the next feed with it (null = never). */
  private readonly identity: string | null;
  private readonly slotOptions: SlotOptions;
  private readonly perConnection: number;
  private readonly maxConnections: number;
  private touched: UserRec[] = [];
  private frameKeys = new Map<string, number>();
  private reconcileHandle: NodeJS.Immediate | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private lingerDue = 0;
  private idleSince = 0;
  private closed = false;
  private lastStatus: FeedStatus;
  private malformedCount = 0;
  private malformedReported = 0;
  private malformedLastReport = 0;
  private malformedTimer: NodeJS.Timeout | null = null;
  private malformedSample = "";
  private malformedReason = "";
  private readonly backfill: BackfillCoordinator | null = null;

  /** Masks the feed's keys in every text that leaves the feed (events, statuses, logs). */
  readonly masker: SecretMasker;
  private readonly log: FeedLog;

  /** Counters for status and tests. */
  readonly stats = { ticks: 0, delivered: 0, duplicates: 0, malformed: 0, frames: 0, backfilled: 0 };

  constructor(
    readonly provider: Provider,
    private readonly opts: FeedOptions = DEFAULT_FEED_OPTIONS,
    log: FeedLog = { warn: () => undefined, error: () => undefined },
  ) {
    this.masker = maskerFor(provider);
    const m = this.masker;
    this.log = {
      warn: (text) => log.warn(m.mask(text)),
      error: (text) => log.error(m.mask(text)),
      ...(log.debug ? { debug: (text: string) => log.debug?.(m.mask(text)) } : {}),
    };
    // Local sources restart their ids with every deploy: their memory is not carried over.
    this.identity = opts.dedup && !LOCAL_SOURCES.includes(provider.id) ? feedIdentity({ ...provider.settings, window: opts.dedupWindow }) : null;
    this.dedup = opts.dedup ? ((this.identity !== null ? dedupStore.take(this.identity) : undefined) ?? new Deduplicator(opts.dedupWindow)) : null;
    const t = provider.timing;
    this.slotOptions = {
      backoff: opts.backoff,
      healthyMs: opts.healthyMs,
      handshakeTimeoutMs: opts.handshakeTimeoutMs,
      closeTimeoutMs: opts.closeTimeoutMs,
      pingMs: opts.pingMs ?? t.pingMs,
      staleMs: opts.staleMs ?? t.staleMs,
      authTimeoutMs: opts.authTimeoutMs ?? t.authTimeoutMs,
      heartbeatMs: t.heartbeatMs,
      maxFrameBytes: opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      ca: opts.ca,
      failAfter: opts.failAfter ?? DEFAULT_FAIL_AFTER,
    };
    this.perConnection = opts.symbolsPerConnection && opts.symbolsPerConnection > 0 ? opts.symbolsPerConnection : provider.limits.symbolsPerConnection;
    this.maxConnections = Math.max(1, opts.maxConnections && opts.maxConnections > 0 ? opts.maxConnections : provider.limits.maxConnections);
    this.lastStatus = { state: "idle", connections: 0, open: 0, unplaced: 0, at: Date.now() };
    if (opts.backfill?.enabled === true) this.backfill = this.createBackfill(opts.backfill);
  }

  /** The backfill coordinator, wired to this feed (its dedup, its users' events). */
  private createBackfill(settings: BackfillSettings): BackfillCoordinator {
    const client = createHistoryClient(this.provider.settings, settings.restUrl);
    if ("unsupported" in client) this.log.warn(`${this.provider.id}: backfill is on but unavailable: ${client.unsupported}`);
    return new BackfillCoordinator(client, settings, {
      now: nowMicros,
      // Keys of the normalized tick, as the feed's own dedup computes them (live ticks are normalized).
      key: (t) => {
        const n = normalizeTick(t);
        return this.provider.dedupKey(typeof n === "string" ? t : n);
      },
      deliver: (ticks) => this.deliverBackfill(ticks),
      event: (symbol, payload) => this.toHolders("backfill", [symbol], "trades", { ...payload, provider: this.provider.id }),
      wanted: (symbol) => this.refs.trades.has(symbol),
      warn: (text) => this.log.warn(`${this.provider.id}: ${text}`),
    });
  }

  /** Backfilled ticks take the live path (dedup, fan-out) as one frame; returns how many passed dedup. */
  private deliverBackfill(ticks: RawTick[]): number {
    const slot = this.slots[0];
    if (this.closed || slot === undefined) return 0;
    const before = this.stats.backfilled;
    for (const t of ticks) this.hooks.onTick(t, slot);
    this.hooks.onFrameEnd(slot);
    return this.stats.backfilled - before;
  }

  /** Backfill counters (null when backfill is off). */
  get backfillStats(): BackfillCoordinator["stats"] | null {
    return this.backfill?.stats ?? null;
  }

  // ----------------------------------------------------------------------------- users

  register(user: FeedUser): void {
    if (this.closed || this.users.has(user.id)) return;
    this.users.set(user.id, { user, trades: new Set(), quotes: new Set(), pending: [] });
    this.idleSince = 0;
    this.updatePacing();
    this.scheduleReconcile();
  }

  deregister(user: FeedUser): void {
    const rec = this.users.get(user.id);
    if (rec === undefined || rec.user !== user) return;
    this.applyUserSymbols(rec, { trades: [], quotes: [] });
    this.users.delete(user.id);
    this.updatePacing();
    if (this.users.size === 0) this.idleSince = Date.now();
    this.scheduleReconcile();
  }

  /**
   * Sets a user's symbols per channel (replacing what it had). Returns the symbols that could not
   * be placed on a connection right now (they stay wanted and are placed when room frees up).
   */
  setSymbols(user: FeedUser, symbols: Record<Channel, readonly string[]>): string[] {
    const rec = this.users.get(user.id);
    if (rec === undefined || rec.user !== user || this.closed) return [];
    const removed = this.applyUserSymbols(rec, symbols);
    this.scheduleReconcile();
    // The node that let symbols go is told so (it no longer holds them, so upstream confirmations do not reach it).
    for (const ch of CHANNELS) if (removed[ch].length > 0) this.safeEvent(rec, "unsubscribed", { symbols: removed[ch], channel: ch });
    const refused: string[] = [];
    for (const ch of CHANNELS) for (const s of symbols[ch]) if (this.unplaced.has(s) && !refused.includes(s)) refused.push(s);
    return refused;
  }

  getSymbols(user: FeedUser): Record<Channel, string[]> {
    const rec = this.users.get(user.id);
    return rec === undefined ? { trades: [], quotes: [] } : { trades: [...rec.trades], quotes: [...rec.quotes] };
  }

  status(): FeedStatus {
    return this.lastStatus;
  }

  /** Upstream view for tests and the admin: per slot, state and symbols. */
  describe(): Array<{ index: number; state: SlotState; trades: string[]; quotes: string[] }> {
    return this.slots.map((s) => ({ index: s.index, state: s.state, trades: [...s.desired.trades], quotes: [...s.desired.quotes] }));
  }

  get unplacedSymbols(): string[] {
    return [...this.unplaced];
  }

  /**
   * Replay control (pause, resume, seek, restart, speed). Returns an error text when the feed is
   * not a replay or the argument is bad. Seeking or restarting forgets the dedup window (the
   * same ticks are wanted again); a restart also leaves a failed state (a fixed file).
   */
  control(action: ReplayAction, arg?: number): string | undefined {
    if (this.closed) return "the feed is closed";
    if (!isReplayControl(this.provider)) return "not a replay feed";
    const err = this.provider.control(action, arg);
    if (err !== undefined) return err;
    if (action === "seek" || action === "restart") this.dedup?.clear();
    if (action === "restart") this.retry();
    return undefined;
  }

  /** Replay position, or null when the feed is not a replay. */
  replayProgress(): ReplayProgress | null {
    return isReplayControl(this.provider) ? this.provider.progress() : null;
  }

  /** Leaves a failed state (or skips a backoff wait) on every slot. */
  retry(): void {
    for (const s of this.slots) s.retry();
  }

  /** Closes every connection and releases the provider; resolves within the close bound. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.backfill?.dispose();
    if (this.reconcileHandle !== null) clearImmediate(this.reconcileHandle);
    this.reconcileHandle = null;
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    if (this.malformedTimer !== null) clearTimeout(this.malformedTimer);
    this.malformedTimer = null;
    const bound = this.opts.closeTimeoutMs + 500;
    const all = Promise.all(this.slots.map((s) => s.dispose()));
    let timer: NodeJS.Timeout | null = null;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, bound)))]);
    if (timer !== null) clearTimeout(timer);
    if (this.provider.dispose) {
      try {
        await this.provider.dispose();
      } catch (err) {
        this.log.warn(`provider dispose failed: ${String(err)}`);
      }
    }
    this.users.clear();
    // The next feed with the same identity (a redeploy) starts with this memory.
    if (this.dedup !== null && this.identity !== null) dedupStore.park(this.identity, this.dedup);
    else this.dedup?.clear();
    this.setStatus({ state: "closed", connections: 0, open: 0, unplaced: 0, at: Date.now() });
  }

  // ----------------------------------------------------------------------------- ref counting

  /** Returns the symbols the user no longer has, per channel. */
  private applyUserSymbols(rec: UserRec, symbols: Record<Channel, readonly string[]>): Record<Channel, string[]> {
    const removed: Record<Channel, string[]> = { trades: [], quotes: [] };
    for (const ch of CHANNELS) {
      const next = new Set(symbols[ch]);
      const cur = rec[ch];
      for (const s of cur) {
        if (next.has(s)) continue;
        this.unref(ch, s, rec);
        removed[ch].push(s);
      }
      for (const s of next) if (!cur.has(s)) this.ref(ch, s, rec);
      rec[ch] = next;
    }
    return removed;
  }

  private ref(ch: Channel, symbol: string, rec: UserRec): void {
    const list = this.refs[ch].get(symbol);
    if (list === undefined) {
      this.refs[ch].set(symbol, [rec]);
      this.lingering.delete(ch + ":" + symbol);
      this.want(ch, symbol);
    } else if (!list.includes(rec)) {
      this.refs[ch].set(symbol, [...list, rec]); // copy-on-write: a dispatch in progress keeps its array
    }
  }

  private unref(ch: Channel, symbol: string, rec: UserRec): void {
    const list = this.refs[ch].get(symbol);
    if (list === undefined) return;
    const next = list.filter((r) => r !== rec);
    if (next.length > 0) {
      this.refs[ch].set(symbol, next);
      return;
    }
    this.refs[ch].delete(symbol);
    // Last user gone: unsubscribe upstream after the linger.
    this.lingering.set(ch + ":" + symbol, Date.now() + this.opts.lingerMs);
  }

  /** A channel:symbol became wanted: place the symbol (if not placed yet) and mark it desired. */
  private want(ch: Channel, symbol: string): void {
    let slot = this.placement.get(symbol);
    if (slot === undefined) {
      slot = this.findRoom();
      if (slot === undefined) {
        this.unplaced.add(symbol);
        return;
      }
      this.placement.set(symbol, slot);
    }
    slot.desired[ch].add(symbol);
  }

  /** Paced reading while any user conflates. */
  private updatePacing(): void {
    let paced = false;
    for (const rec of this.users.values()) if (rec.user.paced === true) paced = true;
    this.paced = paced;
    for (const s of this.slots) s.paced = paced;
  }

  private paced = false;

  private findRoom(): Slot | undefined {
    for (const s of this.slots) if (s.state !== "closed" && s.symbolCount < this.perConnection) return s;
    if (this.slots.length < this.maxConnections) {
      const slot = new Slot(this.slots.length, this.provider, this.slotOptions, this.hooks);
      slot.paced = this.paced;
      this.slots.push(slot);
      return slot;
    }
    return undefined;
  }

  // ----------------------------------------------------------------------------- reconcile

  private scheduleReconcile(): void {
    if (this.reconcileHandle !== null || this.closed) return;
    this.reconcileHandle = setImmediate(() => {
      this.reconcileHandle = null;
      this.reconcile();
    });
  }

  /** Applies expired lingers, places waiting symbols, starts/stops slots, syncs subscriptions. */
  private reconcile(): void {
    if (this.closed) return;
    const now = Date.now();
    let nextDue = Infinity;
    for (const [key, due] of this.lingering) {
      if (due > now) {
        nextDue = Math.min(nextDue, due);
        continue;
      }
      this.lingering.delete(key);
      const sep = key.indexOf(":");
      const ch = key.slice(0, sep) as Channel;
      const symbol = key.slice(sep + 1);
      if (this.refs[ch].has(symbol)) continue;
      if (this.unplaced.has(symbol)) {
        const other: Channel = ch === "trades" ? "quotes" : "trades";
        if (!this.refs[other].has(symbol)) this.unplaced.delete(symbol);
        continue;
      }
      const slot = this.placement.get(symbol);
      if (slot === undefined) continue;
      slot.desired[ch].delete(symbol);
      if (!slot.hasSymbol(symbol)) {
        this.placement.delete(symbol);
        this.dedup?.forget(symbol);
        this.backfill?.forget(symbol);
      }
    }
    // Room may have freed up: place waiting symbols in their original order.
    if (this.unplaced.size > 0) {
      for (const symbol of [...this.unplaced]) {
        const slot = this.findRoom();
        if (slot === undefined) break;
        this.unplaced.delete(symbol);
        this.placement.set(symbol, slot);
        for (const ch of CHANNELS) if (this.refs[ch].has(symbol)) slot.desired[ch].add(symbol);
      }
    }
    // Which slots should be connected.
    const idleFor = this.users.size === 0 && this.idleSince > 0 ? now - this.idleSince : -1;
    const keepIdle = idleFor >= 0 && idleFor < this.opts.lingerMs;
    if (keepIdle) nextDue = Math.min(nextDue, this.idleSince + this.opts.lingerMs);
    for (const slot of this.slots) {
      const needed = slot.symbolCount > 0 || (slot.index === 0 && (this.users.size > 0 || keepIdle));
      if (needed) {
        if (slot.state === "idle") slot.start();
        slot.scheduleSync();
      } else if (slot.isActive) {
        void slot.stop();
      }
    }
    if (this.slots.length === 0 && this.users.size > 0) {
      const slot = new Slot(0, this.provider, this.slotOptions, this.hooks);
      slot.paced = this.paced;
      this.slots.push(slot);
      slot.start();
    }
    this.reportUnplaced();
    this.armLinger(nextDue);
    this.refreshStatus();
  }

  /** Tells the holders of symbols that found no room, once per symbol while it waits. */
  private reportUnplaced(): void {
    for (const s of this.unplacedReported) if (!this.unplaced.has(s)) this.unplacedReported.delete(s);
    const fresh = [...this.unplaced].filter((s) => !this.unplacedReported.has(s));
    if (fresh.length === 0) return;
    for (const s of fresh) this.unplacedReported.add(s);
    const message = `No room for ${fresh.length} symbol(s): ${this.maxConnections} connection(s) x ${this.perConnection} symbols is the limit.`;
    this.log.warn(`${this.provider.id}: ${message} ${fresh.join(", ")}`);
    for (const ch of CHANNELS) this.toHolders("error", fresh, ch, { code: "symbol_limit", message, symbols: fresh });
  }

  private armLinger(due: number): void {
    if (due === Infinity) return;
    if (this.lingerTimer !== null) {
      if (this.lingerDue <= due) return;
      clearTimeout(this.lingerTimer);
    }
    this.lingerDue = due;
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      this.scheduleReconcile();
    }, Math.max(0, due - Date.now()));
  }

  // ----------------------------------------------------------------------------- slot hooks

  private readonly hooks = {
    onTick: (raw: RawTick, _slot: Slot): void => {
      this.stats.ticks++;
      const list = (raw.type === "trade" ? this.refs.trades : this.refs.quotes).get(raw.symbol);
      if (list === undefined) return;
      // Fixed shape and value rules (ticknorm.ts), before dedup: a bad tick is malformed, the rest of the frame goes on.
      const tick = normalizeTick(raw);
      if (typeof tick === "string") {
        this.malformed(tick, sampleOf(raw));
        return;
      }
      if (this.dedup !== null) {
        let key = this.provider.dedupKey(tick);
        if (this.provider.contentKeys || tick.id === null) {
          const n = this.frameKeys.get(key);
          this.frameKeys.set(key, n === undefined ? 1 : n + 1);
          if (n !== undefined) key = key + "#" + n;
        }
        if (this.dedup.seen(tick.symbol, key, tick.ts, tick.recvTs)) {
          this.stats.duplicates++;
          return;
        }
      }
      if (tick.backfill === true) this.stats.backfilled++;
      else if (this.backfill !== null && tick.type === "trade") this.backfill.live(tick);
      for (let i = 0; i < list.length; i++) {
        const rec = list[i];
        if (rec.pending.length === 0) this.touched.push(rec);
        // The first user gets the tick itself; others a copy (with their own conditions and extra), so no two flows share one object.
        rec.pending.push(i === 0 ? tick : { ...tick, conditions: tick.conditions.slice(), extra: tick.extra === null ? null : { ...tick.extra } });
      }
    },
    onFrameEnd: (_slot: Slot): void => {
      this.stats.frames++;
      if (this.frameKeys.size > 0) this.frameKeys.clear();
      const touched = this.touched;
      if (touched.length === 0) return;
      this.touched = [];
      for (let i = 0; i < touched.length; i++) {
        const rec = touched[i];
        const ticks = rec.pending;
        rec.pending = [];
        this.stats.delivered += ticks.length;
        try {
          rec.user.onTicks(ticks);
        } catch (err) {
          this.log.error(`a subscriber failed on ticks: ${String(err)}`);
        }
      }
    },
    onState: (_slot: Slot): void => {
      this.refreshStatus();
    },
    onEvent: (slot: Slot, topic: SlotEventTopic, payload: Record<string, unknown>): void => {
      this.onSlotEvent(slot, topic, payload);
    },
    onMalformed: (_slot: Slot, reason: string, sample: string | undefined): void => {
      this.malformed(reason, sample);
    },
  };

  private malformed(reason: string, sample: string | undefined): void {
    this.stats.malformed++;
    this.malformedCount++;
    this.malformedReason = reason;
    this.malformedSample = sample ?? "";
    this.reportMalformed();
  }

  private onSlotEvent(slot: Slot, topic: SlotEventTopic, payload: Record<string, unknown>): void {
    const base = { connection: slot.index, ...payload };
    if (this.backfill !== null) {
      // A streaming connection dropped (not our own close): its trade symbols have a gap from now on.
      if (topic === "disconnected" && payload.wasOpen === true && slot.state !== "closing") this.backfill.disconnected(slot.desired.trades);
      else if (topic === "subscribed" && payload.channel === "trades") this.backfill.subscribed(payload.symbols as string[]);
    }
    switch (topic) {
      case "subscribed":
      case "unsubscribed":
        this.toHolders(topic, payload.symbols as string[], payload.channel as Channel, base);
        return;
      case "rejected": {
        const symbols = payload.symbols as string[];
        this.toHolders("error", symbols, payload.channel as Channel, { ...base, code: payload.code ?? "rejected" });
        this.log.warn(`${this.provider.id}: symbols refused (${String(payload.code)}): ${symbols.join(", ")}: ${String(payload.message)}`);
        return;
      }
      case "warning":
        this.broadcast("error", { ...base, severity: "warning" });
        return;
      case "error":
        this.broadcast("error", base);
        if (payload.kind === "auth" || payload.kind === "plan" || payload.code === "connect_failing") this.log.error(`${this.provider.id}: ${String(payload.message)}`);
        else if (payload.code === "frame_too_large") this.log.warn(`${this.provider.id}: ${String(payload.message)}`);
        return;
      default:
        this.broadcast(topic, base);
    }
  }

  private toHolders(topic: FeedEventTopic, symbols: string[], channel: Channel, payload: Record<string, unknown>): void {
    for (const rec of this.users.values()) {
      const set = rec[channel];
      const mine = set === undefined ? symbols.filter((s) => rec.trades.has(s) || rec.quotes.has(s)) : symbols.filter((s) => set.has(s));
      if (mine.length === 0) continue;
      this.safeEvent(rec, topic, { ...payload, symbols: mine });
    }
  }

  private broadcast(topic: FeedEventTopic, payload: Record<string, unknown>): void {
    for (const rec of this.users.values()) this.safeEvent(rec, topic, payload);
  }

  private safeEvent(rec: UserRec, topic: FeedEventTopic, payload: Record<string, unknown>): void {
    try {
      rec.user.onEvent(topic, this.masker.maskDeep(payload));
    } catch (err) {
      this.log.error(`a subscriber failed on an event: ${String(err)}`);
    }
  }

  /** Malformed frames: counted always, reported at most once per interval (log + error event). */
  private reportMalformed(): void {
    if (this.malformedTimer !== null || this.closed) return;
    const wait = this.malformedLastReport + MALFORMED_REPORT_MS - Date.now();
    const report = (): void => {
      this.malformedTimer = null;
      const fresh = this.malformedCount - this.malformedReported;
      if (fresh <= 0 || this.closed) return;
      this.malformedReported = this.malformedCount;
      this.malformedLastReport = Date.now();
      const sample = maskAndCut(this.masker, this.malformedSample, 120);
      this.log.warn(`${this.provider.id}: ${fresh} malformed frame(s) (${this.malformedReason}); total ${this.malformedCount}`);
      this.broadcast("error", { code: "malformed", count: fresh, total: this.malformedCount, reason: this.malformedReason, sample });
    };
    if (wait <= 0) report();
    else this.malformedTimer = setTimeout(report, wait);
  }

  // ----------------------------------------------------------------------------- status

  private refreshStatus(): void {
    if (this.closed) return;
    let connections = 0;
    let open = 0;
    let failed: Slot | undefined;
    let waiting: Slot | undefined;
    let connecting = false;
    let lastError: { code: string; message: string } | undefined;
    for (const s of this.slots) {
      if (s.state === "idle" || s.state === "closed" || s.state === "closing") continue;
      connections++;
      if (s.failure !== null) lastError = { code: s.failure.code, message: s.failure.message };
      switch (s.state) {
        case "open": open++; break;
        case "failed": failed = failed ?? s; break;
        case "backoff": if (waiting === undefined || s.retryAt > waiting.retryAt) waiting = s; break;
        default: connecting = true;
      }
    }
    const now = Date.now();
    let failing: FeedStatus["failing"];
    for (const s of this.slots) if (s.failing !== null && s.isActive && s.state !== "open") failing = { ...s.failing, attempts: s.failedAttempts };
    let status: FeedStatus;
    if (failed !== undefined && failed.failure !== null) {
      status = { state: "failed", connections, open, error: { code: failed.failure.code, message: failed.failure.message }, unplaced: this.unplaced.size, at: now };
    } else if (waiting !== undefined) {
      status = { state: "reconnecting", connections, open, waitMs: Math.max(0, waiting.retryAt - now), unplaced: this.unplaced.size, at: now };
      if (lastError) status.error = lastError;
    } else if (connecting) {
      const anyConnectedBefore = this.slots.some((s) => s.connects > 1);
      status = { state: anyConnectedBefore ? "reconnecting" : "connecting", connections, open, unplaced: this.unplaced.size, at: now };
    } else if (connections > 0 && open === connections) {
      status = { state: "open", connections, open, unplaced: this.unplaced.size, at: now };
    } else {
      status = { state: "idle", connections, open, unplaced: this.unplaced.size, at: now };
    }
    if (failing !== undefined && status.state !== "failed") status.failing = failing;
    this.setStatus(status);
  }

  private setStatus(status: FeedStatus): void {
    if (status.error !== undefined) status.error = { code: status.error.code, message: this.masker.mask(status.error.message) };
    if (status.failing !== undefined) status.failing = { ...status.failing, message: this.masker.mask(status.failing.message) };
    const prev = this.lastStatus;
    this.lastStatus = status;
    if (
      prev.state === status.state &&
      prev.open === status.open &&
      prev.connections === status.connections &&
      prev.unplaced === status.unplaced &&
      prev.waitMs === status.waitMs &&
      prev.error?.code === status.error?.code &&
      prev.failing?.code === status.failing?.code &&
      prev.failing?.attempts === status.failing?.attempts
    ) {
      return;
    }
    for (const rec of this.users.values()) {
      try {
        rec.user.onStatus(status);
      } catch (err) {
        this.log.error(`a subscriber failed on a status: ${String(err)}`);
      }
    }
  }
}

/** A masker that knows the provider's credentials and any secret in its URL or options. */
export function maskerFor(provider: Provider): SecretMasker {
  const s = provider.settings;
  const m = new SecretMasker([s.apiKey, s.apiSecret]);
  m.addFrom(s.url);
  for (const v of Object.values(s.options)) if (typeof v === "string") m.addFrom(v);
  return m;
}

/** A short, safe sample of a refused tick for the malformed event (never throws, whatever it holds). */
function sampleOf(raw: unknown): string {
  try {
    const text = JSON.stringify(raw);
    return typeof text === "string" ? text.slice(0, 200) : "";
  } catch {
    return "(unprintable)";
  }
}
