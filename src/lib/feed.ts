/**
 * The feed: one provider, the connection slots it needs, the users (subscribe nodes) and
 * their symbols. Free of Node-RED; the tick-feed node wraps it. FeedCore coordinates; the jobs
 * live in ./feed/: users and ref counting (users.ts), placement on slots (placement.ts), the
 * per-tick path (dispatch.ts), where slot events go (slot-events.ts), the backfill wiring
 * (backfill.ts), the status (status.ts), the malformed-input reporter (malformed.ts), the public
 * types (types.ts).
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
import { Deduplicator } from "./dedup";
import { Slot, type SlotDeps, type SlotHooks, type SlotOptions, type SlotState } from "./connection";
import type { Provider } from "./providers/types";
import { maskAndCut, type SecretMasker } from "./secrets";
import type { BackfillCoordinator } from "./backfill/coordinator";
import { isReplayControl } from "./providers/replay";
import type { ReplayAction, ReplayProgress } from "./replay/server";
import { dedupStore, feedIdentity } from "./dedup-store";
import type { Channel } from "./types";
import {
  DEFAULT_FAIL_AFTER,
  DEFAULT_FEED_OPTIONS,
  DEFAULT_MAX_FRAME_BYTES,
  type FeedLog,
  type FeedOptions,
  type FeedStatus,
  type FeedUser,
} from "./feed/types";
import { CHANNELS, FeedUsers } from "./feed/users";
import { SlotPlacement } from "./feed/placement";
import { feedStatusOf, maskStatus, sameStatus } from "./feed/status";
import { MalformedReporter } from "./feed/malformed";
import { maskerFor, slotOptionsOf } from "./feed/slot-setup";
import { TickDispatch, type FeedStats } from "./feed/dispatch";
import { SlotEventRouter } from "./feed/slot-events";
import { createFeedBackfill } from "./feed/backfill";

export { maskerFor };

export { DEFAULT_FAIL_AFTER, DEFAULT_FEED_OPTIONS, DEFAULT_MAX_FRAME_BYTES };
export type { FeedEventTopic, FeedLog, FeedOptions, FeedState, FeedStatus, FeedUser } from "./feed/types";

/** Providers whose ticks come from a source restarted with the feed (ids start over). */
const LOCAL_SOURCES: readonly string[] = ["simulator", "replay"];

export class FeedCore {
  private readonly users: FeedUsers;
  /** symbol -> users, per channel (the dispatch index, kept by `users`). */
  private readonly refs: FeedUsers["refs"];
  /** The slots and which symbol is on which. */
  private readonly placement: SlotPlacement;
  private readonly dedup: Deduplicator | null;
  /** Hash of provider, URL, key and options: the dedup memory is handed over to the next feed with it (null = never). */
  private readonly identity: string | null;
  private readonly slotOptions: SlotOptions;
  /** The per-tick path: its onTick and onFrameEnd are the slots' hooks. */
  private readonly dispatch: TickDispatch;
  private readonly slotEvents: SlotEventRouter;
  private readonly hooks: SlotHooks;
  private reconcileHandle: NodeJS.Immediate | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private lingerDue = 0;
  private idleSince = 0;
  private closed = false;
  private lastStatus: FeedStatus;
  private readonly malformedReporter: MalformedReporter;
  private readonly backfill: BackfillCoordinator | null = null;

  /** Masks the feed's keys in every text that leaves the feed (events, statuses, logs). */
  readonly masker: SecretMasker;
  private readonly log: FeedLog;

  /** Counters for status and tests. */
  readonly stats: FeedStats = { ticks: 0, delivered: 0, duplicates: 0, malformed: 0, frames: 0, backfilled: 0 };

  constructor(
    readonly provider: Provider,
    private readonly opts: FeedOptions = DEFAULT_FEED_OPTIONS,
    log: FeedLog = { warn: () => undefined, error: () => undefined },
    /** What the connections run on (tests pass a clock or a socket factory); the real ones by default. */
    slotDeps: SlotDeps = {},
  ) {
    this.masker = maskerFor(provider);
    const m = this.masker;
    this.log = {
      warn: (text) => log.warn(m.mask(text)),
      error: (text) => log.error(m.mask(text)),
      ...(log.debug ? { debug: (text: string) => log.debug?.(m.mask(text)) } : {}),
    };
    // Local sources restart their ids with every deploy: their memory is not carried over.
    this.identity =
      opts.dedup && !LOCAL_SOURCES.includes(provider.id) ? feedIdentity({ ...provider.settings, window: opts.dedupWindow }) : null;
    this.dedup = opts.dedup
      ? ((this.identity !== null ? dedupStore.take(this.identity) : undefined) ?? new Deduplicator(opts.dedupWindow))
      : null;
    this.slotOptions = slotOptionsOf(provider, opts);
    const perConnection =
      opts.symbolsPerConnection && opts.symbolsPerConnection > 0 ? opts.symbolsPerConnection : provider.limits.symbolsPerConnection;
    const maxConnections = Math.max(
      1,
      opts.maxConnections && opts.maxConnections > 0 ? opts.maxConnections : provider.limits.maxConnections,
    );
    this.placement = new SlotPlacement(
      perConnection,
      maxConnections,
      (index) => new Slot(index, this.provider, this.slotOptions, this.hooks, slotDeps),
    );
    this.users = new FeedUsers(
      {
        wanted: (ch, symbol) => this.placement.want(ch, symbol),
        // Last user gone: unsubscribe upstream after the linger.
        released: (ch, symbol) => this.placement.release(ch, symbol, Date.now() + this.opts.lingerMs),
      },
      this.masker,
      this.log,
    );
    this.refs = this.users.refs;
    this.malformedReporter = new MalformedReporter((r) => {
      this.log.warn(`${this.provider.id}: ${r.count} malformed frame(s) (${r.reason}); total ${r.total}`);
      this.users.broadcast("error", {
        code: "malformed",
        count: r.count,
        total: r.total,
        reason: r.reason,
        sample: maskAndCut(this.masker, r.sample, 120),
      });
    });
    this.lastStatus = { state: "idle", connections: 0, open: 0, unplaced: 0, at: Date.now() };
    if (opts.backfill?.enabled === true)
      this.backfill = createFeedBackfill(provider, opts.backfill, this.log, {
        // Backfilled ticks take the live path (dedup, fan-out) as one frame.
        deliver: (ticks) => (this.closed || this.placement.slots.length === 0 ? 0 : this.dispatch.deliver(ticks)),
        event: (symbol, payload) => this.users.toHolders("backfill", [symbol], "trades", payload),
        wanted: (symbol) => this.refs.trades.has(symbol),
      });
    this.dispatch = new TickDispatch({
      refs: this.refs,
      provider,
      dedup: this.dedup,
      stats: this.stats,
      backfill: this.backfill,
      malformed: (reason, sample) => this.malformed(reason, sample),
      log: this.log,
    });
    this.slotEvents = new SlotEventRouter(provider.id, this.users, this.log, this.backfill);
    this.hooks = {
      followFlow: () => this.users.followFlow,
      onTick: this.dispatch.onTick,
      onFrameEnd: this.dispatch.onFrameEnd,
      onState: () => this.refreshStatus(),
      onEvent: (slot, ...event) => this.slotEvents.route(slot, ...event),
      onMalformed: (_slot, reason, sample) => this.malformed(reason, sample),
    };
  }

  /** Backfill counters (null when backfill is off). */
  get backfillStats(): BackfillCoordinator["stats"] | null {
    return this.backfill?.stats ?? null;
  }

  register(user: FeedUser): void {
    if (this.closed || this.users.find(user.id) !== undefined) return;
    this.users.add(user);
    this.idleSince = 0;
    this.scheduleReconcile();
  }

  deregister(user: FeedUser): void {
    const rec = this.users.get(user);
    if (rec === null) return;
    this.users.remove(rec);
    if (this.users.size === 0) this.idleSince = Date.now();
    this.scheduleReconcile();
  }

  /**
   * Sets a user's symbols per channel (replacing what it had). Returns the symbols that could not
   * be placed on a connection right now (they stay wanted and are placed when room frees up).
   */
  setSymbols(user: FeedUser, symbols: Record<Channel, readonly string[]>): string[] {
    const rec = this.users.get(user);
    if (rec === null || this.closed) return [];
    const removed = this.users.applySymbols(rec, symbols);
    this.scheduleReconcile();
    // The node that let symbols go is told so (it no longer holds them, so upstream confirmations do not reach it).
    for (const ch of CHANNELS) if (removed[ch].length > 0) this.users.event(rec, "unsubscribed", { symbols: removed[ch], channel: ch });
    const refused: string[] = [];
    for (const ch of CHANNELS) for (const s of symbols[ch]) if (this.placement.unplaced.has(s) && !refused.includes(s)) refused.push(s);
    return refused;
  }

  getSymbols(user: FeedUser): Record<Channel, string[]> {
    const rec = this.users.find(user.id);
    return rec === undefined ? { trades: [], quotes: [] } : { trades: [...rec.trades], quotes: [...rec.quotes] };
  }

  status(): FeedStatus {
    return this.lastStatus;
  }

  /** Upstream view for tests and the admin: per slot, state and symbols. */
  describe(): Array<{ index: number; state: SlotState; trades: string[]; quotes: string[] }> {
    return this.placement.slots.map((s) => ({
      index: s.index,
      state: s.state,
      trades: [...s.desired.trades],
      quotes: [...s.desired.quotes],
    }));
  }

  get unplacedSymbols(): string[] {
    return [...this.placement.unplaced];
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
    for (const s of this.placement.slots) s.retry();
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
    this.malformedReporter.dispose();
    const bound = this.opts.closeTimeoutMs + 500;
    const all = Promise.all(this.placement.slots.map((s) => s.dispose()));
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
    const wanted = (ch: Channel, symbol: string): boolean => this.refs[ch].has(symbol);
    let nextDue = this.placement.expire(now, wanted, (symbol) => {
      this.dedup?.forget(symbol);
      this.backfill?.forget(symbol);
    });
    this.placement.placeWaiting(wanted);
    // Which slots should be connected.
    const idleFor = this.users.size === 0 && this.idleSince > 0 ? now - this.idleSince : -1;
    const keepIdle = idleFor >= 0 && idleFor < this.opts.lingerMs;
    if (keepIdle) nextDue = Math.min(nextDue, this.idleSince + this.opts.lingerMs);
    for (const slot of this.placement.slots) {
      const needed = slot.symbolCount > 0 || (slot.index === 0 && (this.users.size > 0 || keepIdle));
      if (needed) {
        if (slot.state === "idle") slot.start();
        slot.scheduleSync();
      } else if (slot.isActive) {
        void slot.stop();
      }
    }
    if (this.placement.slots.length === 0 && this.users.size > 0) this.placement.addSlot().start();
    this.reportUnplaced();
    this.armLinger(nextDue);
    this.refreshStatus();
  }

  /** Tells the holders of symbols that found no room, once per symbol while it waits. */
  private reportUnplaced(): void {
    const fresh = this.placement.freshUnplaced();
    if (fresh.length === 0) return;
    const { maxConnections, perConnection } = this.placement;
    const message = `No room for ${fresh.length} symbol(s): ${maxConnections} connection(s) x ${perConnection} symbols is the limit.`;
    this.log.warn(`${this.provider.id}: ${message} ${fresh.join(", ")}`);
    for (const ch of CHANNELS) this.users.toHolders("error", fresh, ch, { code: "symbol_limit", message, symbols: fresh });
  }

  private armLinger(due: number): void {
    if (due === Infinity) return;
    if (this.lingerTimer !== null) {
      if (this.lingerDue <= due) return;
      clearTimeout(this.lingerTimer);
    }
    this.lingerDue = due;
    this.lingerTimer = setTimeout(
      () => {
        this.lingerTimer = null;
        this.scheduleReconcile();
      },
      Math.max(0, due - Date.now()),
    );
  }

  // ----------------------------------------------------------------------------- malformed input

  private malformed(reason: string, sample: string | undefined): void {
    this.stats.malformed++;
    this.malformedReporter.add(reason, sample);
  }

  // ----------------------------------------------------------------------------- status

  private refreshStatus(): void {
    if (this.closed) return;
    this.setStatus(feedStatusOf(this.placement.slots, this.placement.unplaced.size, Date.now()));
  }

  private setStatus(status: FeedStatus): void {
    const prev = this.lastStatus;
    this.lastStatus = maskStatus(status, this.masker);
    if (!sameStatus(prev, this.lastStatus)) this.users.status(this.lastStatus);
  }
}
