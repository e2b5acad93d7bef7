/**
 * The backfill coordinator: after a reconnect, fetches each subscribed symbol's trades between
 * the last live trade before the drop and the first live trade after it (or "now" when the
 * symbol stays quiet for `quietMs` after its resubscription), and hands them to the feed, which
 * runs them through the same dedup as live ticks. Free of Node-RED and of the socket; the clock,
 * timers and HTTP are injected.
 *
 * - One gap per symbol and drop; gaps are fetched one at a time in the order their upper bound
 *   became known, so a symbol's backfilled ticks arrive in time order (after the live ticks that
 *   followed the reconnect: consumers see them late, flagged `backfill: true`).
 * - Caps per gap: `maxAgeMs` (how far back) and `maxTrades`. What a cap leaves out is reported in
 *   the `done` event as `truncated` with the missing range, never silently.
 * - Trades the live stream already delivered are dropped: anything after the first live trade,
 *   the live trades at the boundary (remembered per gap), and whatever the feed's dedup window knows.
 * - A failure (HTTP error, rate limit longer than we wait, bad answer) ends that gap with a
 *   `failed` event; the live stream is never touched.
 */
import type { RawTick } from "../types";
import { descriptorOf } from "../providers";
import { restPaceOf } from "../providers/descriptor";
import { DEFAULT_REST_OPTIONS, fetchGet, realSleep, RestError, RestSession, type HttpGet, type RestOptions, type Sleep } from "./http";
import type { Gap, GapInfo, HistoryClient } from "./types";

export interface BackfillSettings {
  enabled: boolean;
  /** REST base URL; empty = the provider's default. */
  restUrl: string;
  /** How far back a gap is filled (ms). */
  maxAgeMs: number;
  /** Most trades fetched per symbol and gap. */
  maxTrades: number;
  /** A resubscribed symbol with no live trade for this long is filled up to "now" (ms). */
  quietMs: number;
  rest: Partial<RestOptions>;
  /** Injected transport and clock (tests); default: fetch and real timers. */
  get?: HttpGet;
  sleep?: Sleep;
}

export const DEFAULT_BACKFILL: BackfillSettings = {
  enabled: false,
  restUrl: "",
  maxAgeMs: 15 * 60_000,
  maxTrades: 50_000,
  quietMs: 5000,
  rest: {},
};

export type BackfillState = "start" | "done" | "failed";

export interface BackfillEnv {
  /** Wall clock, integer µs. */
  now(): number;
  /** The feed's dedup key of a tick (within its symbol). */
  key(tick: RawTick): string;
  /** Delivers backfilled ticks (already flagged) through the feed's dedup; returns how many passed it. */
  deliver(ticks: RawTick[]): number;
  /** A `backfill` event for the holders of `symbol`. */
  event(symbol: string, payload: Record<string, unknown>): void;
  /** Whether anyone still subscribes the symbol's trades. */
  wanted(symbol: string): boolean;
  warn(text: string): void;
}

export interface BackfillStats {
  gaps: number;
  done: number;
  failed: number;
  truncated: number;
  delivered: number;
}

interface Job {
  symbol: string;
  fromTs: number;
  fromId?: string;
  toTs?: number;
  toId?: string;
  /** When the symbol was resubscribed (µs), for the quiet rule. */
  resubAt?: number;
  /** Dedup keys of live trades at or before `toTs` delivered since the reconnect. */
  liveKeys: Set<string>;
}

/** One gap being fetched: its range (after the caps) and counters. */
interface GapRun {
  job: Job;
  symbol: string;
  fromTs: number;
  fromId: string | undefined;
  toTs: number;
  truncated: { reason: string; from: number; to: number; message: string } | null;
  fetched: number;
  delivered: number;
  duplicates: number;
  pages: number;
  /** Wall ms when the fetch began. */
  started: number;
}

const LIVE_KEYS_MAX = 10_000;
const LAST_TICKS_MAX = 64;
/** Backfilled ticks handed to the feed per event-loop turn. */
const DELIVER_SLICE = 1000;

export class BackfillCoordinator {
  readonly stats: BackfillStats = { gaps: 0, done: 0, failed: 0, truncated: 0, delivered: 0 };
  /**
   * Per symbol: the newest live trade time, its id, and the live trades at exactly that time
   * (at most LAST_TICKS_MAX; several trades share a millisecond on Polygon's socket). Their keys
   * seed the gap's boundary set: the feed's dedup window may forget them before the gap is
   * fetched (its event-time horizon moves on with the first live trade after a long outage).
   */
  private readonly last = new Map<string, { ts: number; id?: string | null; ticks: RawTick[] }>();
  private readonly subscribedAt = new Map<string, number>();
  /** Gaps whose upper bound is not known yet (waiting for the first live trade). */
  private readonly open = new Map<string, Job>();
  /** Gaps ready to fetch, in order; `running` is being fetched. */
  private readonly queue: Job[] = [];
  private running: Job | null = null;
  private quietTimer: NodeJS.Timeout | null = null;
  private readonly abort = new AbortController();
  private readonly rest: RestSession | null;
  private disposed = false;

  constructor(
    private readonly client: HistoryClient | { unsupported: string },
    private readonly settings: BackfillSettings,
    private readonly env: BackfillEnv,
  ) {
    if ("pages" in client) {
      const opts: RestOptions = {
        ...DEFAULT_REST_OPTIONS,
        ...restPaceOf(descriptorOf(client.provider)), // the provider's documented pace
        ...settings.rest,
      };
      this.rest = new RestSession(
        settings.get ?? fetchGet,
        settings.sleep ?? realSleep,
        () => Math.floor(env.now() / 1000),
        opts,
        client.secrets,
      );
    } else this.rest = null;
  }

  /** Whether a gap is waiting or being fetched (tests, status). */
  get busy(): boolean {
    return this.open.size > 0 || this.queue.length > 0 || this.running !== null;
  }

  // ------------------------------------------------------------------ feed hooks

  /** A live trade passed dedup and was delivered. Hot path: a map lookup and a compare. */
  live(tick: RawTick): void {
    const sym = tick.symbol;
    const prev = this.last.get(sym);
    if (prev === undefined) this.last.set(sym, { ts: tick.ts, id: tick.id ?? undefined, ticks: [tick] });
    else if (tick.ts > prev.ts) {
      // Updated in place: no allocation per live trade.
      prev.ts = tick.ts;
      prev.id = tick.id ?? undefined;
      prev.ticks.length = 0;
      prev.ticks.push(tick);
    } else if (tick.ts === prev.ts) {
      prev.id = tick.id ?? undefined;
      if (prev.ticks.length < LAST_TICKS_MAX) prev.ticks.push(tick);
    }
    if (this.open.size === 0 && this.queue.length === 0 && this.running === null) return;
    const job = this.open.get(sym);
    if (job !== undefined) {
      this.open.delete(sym);
      job.toTs = tick.ts;
      job.toId = tick.id ?? undefined;
      this.enqueue(job);
    }
    this.noteLive(tick);
  }

  /** The connection carrying these trade symbols dropped (it had been streaming). */
  disconnected(symbols: Iterable<string>): void {
    if (this.disposed) return;
    for (const sym of symbols) {
      if (this.open.has(sym)) continue; // a drop before the last one's first trade: the same gap
      const last = this.last.get(sym);
      const fromTs = last?.ts ?? this.subscribedAt.get(sym);
      if (fromTs === undefined) continue;
      const liveKeys = new Set<string>();
      if (last !== undefined) for (const t of last.ticks) liveKeys.add(this.env.key(t));
      this.open.set(sym, { symbol: sym, fromTs, fromId: last?.id ?? undefined, liveKeys });
      this.stats.gaps++;
    }
  }

  /** The provider confirmed these trade subscriptions (first time or after a reconnect). */
  subscribed(symbols: readonly string[]): void {
    if (this.disposed) return;
    const now = this.env.now();
    let arm = false;
    for (const sym of symbols) {
      if (!this.subscribedAt.has(sym)) this.subscribedAt.set(sym, now);
      const job = this.open.get(sym);
      if (job !== undefined && job.resubAt === undefined) {
        job.resubAt = now;
        arm = true;
      }
    }
    if (arm) this.armQuiet();
  }

  /** Nobody subscribes the symbol any more. */
  forget(symbol: string): void {
    this.last.delete(symbol);
    this.subscribedAt.delete(symbol);
    this.open.delete(symbol);
  }

  dispose(): void {
    this.disposed = true;
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    this.quietTimer = null;
    this.abort.abort();
    this.open.clear();
    this.queue.length = 0;
  }

  // ------------------------------------------------------------------ internals

  private noteLive(tick: RawTick): void {
    const check = (job: Job | null | undefined): void => {
      if (job === null || job === undefined || job.symbol !== tick.symbol || job.toTs === undefined) return;
      if (tick.ts <= job.toTs && job.liveKeys.size < LIVE_KEYS_MAX) job.liveKeys.add(this.env.key(tick));
    };
    check(this.running);
    for (const j of this.queue) check(j);
  }

  private armQuiet(): void {
    if (this.quietTimer !== null || this.disposed) return;
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      const now = this.env.now();
      const quietUs = this.settings.quietMs * 1000;
      let again = false;
      for (const [sym, job] of [...this.open]) {
        if (job.resubAt === undefined) continue;
        if (now - job.resubAt < quietUs) {
          again = true;
          continue;
        }
        this.open.delete(sym);
        job.toTs = now;
        this.enqueue(job);
      }
      if (again) this.armQuiet();
    }, this.settings.quietMs);
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    if (this.running === null) void this.drain();
  }

  private async drain(): Promise<void> {
    while (!this.disposed && this.running === null && this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      this.running = job;
      try {
        await this.run(job);
      } catch (err) {
        // run() reports its own failures; this only guards against a bug killing the queue.
        this.env.warn(`backfill: ${String(err)}`);
      }
      this.running = null;
    }
  }

  private async run(job: Job): Promise<void> {
    if (!this.env.wanted(job.symbol)) return;
    const r = this.gapRun(job);
    const base = { symbol: r.symbol, from: r.fromTs, to: r.toTs };
    if (this.rest === null || !("pages" in this.client)) {
      this.stats.failed++;
      const reason = "unsupported" in this.client ? this.client.unsupported : "no history client";
      this.env.event(r.symbol, { state: "failed", ...base, code: "unsupported", reason });
      return;
    }
    const client = this.client;
    const rest = this.rest;
    this.env.event(r.symbol, { state: "start", ...base, provider: client.provider, url: client.baseUrl });
    const info: GapInfo = {};
    const rs = rest.stats;
    const before = { requests: rs.requests, rateLimited: rs.rateLimited, retries: rs.retries };
    try {
      if (!(await this.fetchGap(client, rest, r, info))) return;
    } catch (err) {
      if (this.disposed) return;
      this.stats.failed++;
      const e = err instanceof RestError ? err : new RestError("error", err instanceof Error ? err.message : String(err));
      const reason = rest.mask(e.message);
      const status = e.status !== undefined ? { status: e.status } : {};
      this.env.event(r.symbol, {
        state: "failed",
        ...base,
        code: e.code,
        reason,
        ...status,
        delivered: r.delivered,
        requests: rs.requests - before.requests,
      });
      this.env.warn(`backfill of ${r.symbol} failed (${e.code}): ${reason}`);
      return;
    }
    if (r.truncated === null && info.incomplete !== undefined)
      r.truncated = { reason: "provider", from: r.fromTs, to: r.toTs, message: info.incomplete };
    this.stats.done++;
    this.stats.delivered += r.delivered;
    if (r.truncated !== null) {
      this.stats.truncated++;
      this.env.warn(`backfill of ${r.symbol} truncated: ${r.truncated.message}`);
    }
    const { fetched, delivered, duplicates, pages } = r;
    const requests = rs.requests - before.requests;
    const rateLimited = rs.rateLimited - before.rateLimited;
    this.env.event(r.symbol, {
      state: "done",
      ...base,
      fetched,
      delivered,
      duplicates,
      pages,
      requests,
      rateLimited,
      truncated: r.truncated ?? false,
      ms: Date.now() - r.started,
    });
  }

  /** The fetch of one gap: its range after the age cap (what the cap leaves out is `truncated`). */
  private gapRun(job: Job): GapRun {
    const s = this.settings;
    const floor = this.env.now() - s.maxAgeMs * 1000;
    const r: GapRun = {
      job,
      symbol: job.symbol,
      fromTs: job.fromTs,
      fromId: job.fromId,
      toTs: job.toTs as number,
      truncated: null,
      fetched: 0,
      delivered: 0,
      duplicates: 0,
      pages: 0,
      started: Date.now(),
    };
    if (r.fromTs < floor) {
      r.truncated = {
        reason: "age",
        from: r.fromTs,
        to: floor,
        message: `the gap began more than ${Math.round(s.maxAgeMs / 60_000)} min ago; older trades are not fetched`,
      };
      r.fromTs = floor;
      r.fromId = undefined;
    }
    return r;
  }

  /** Fetches the gap page by page and delivers it in slices; false when disposed meanwhile. */
  private async fetchGap(client: HistoryClient, rest: RestSession, r: GapRun, info: GapInfo): Promise<boolean> {
    const s = this.settings;
    const { job, fromTs, toTs } = r;
    const gap: Gap = { symbol: r.symbol, fromTs, toTs, fromId: r.fromId, toId: job.toId, maxTrades: s.maxTrades };
    const dup = (n: number): void => {
      r.duplicates += n;
    };
    outer: for await (const page of client.pages(gap, rest, this.abort.signal, info)) {
      if (this.disposed) return false;
      r.pages++;
      const out: RawTick[] = [];
      for (const t of page) {
        if (t.ts > toTs || t.ts < fromTs) continue; // after the first live trade: the live stream has it
        if (job.liveKeys.size > 0 && job.liveKeys.has(this.env.key(t))) {
          r.duplicates++;
          continue;
        }
        if (r.fetched >= s.maxTrades) {
          if (out.length > 0) r.delivered += this.deliver(out, dup);
          r.truncated = {
            reason: "count",
            from: t.ts,
            to: toTs,
            message: `more than ${s.maxTrades} trades in the gap; the rest are not fetched`,
          };
          break outer;
        }
        r.fetched++;
        t.backfill = true;
        out.push(t);
      }
      // In slices, letting live frames and other work (the editor, the admin API) in between.
      for (let i = 0; i < out.length; i += DELIVER_SLICE) {
        r.delivered += this.deliver(out.length <= DELIVER_SLICE ? out : out.slice(i, i + DELIVER_SLICE), dup);
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.disposed) return false;
      }
    }
    return true;
  }

  private deliver(ticks: RawTick[], dup: (n: number) => void): number {
    const n = this.env.deliver(ticks);
    dup(ticks.length - n);
    return n;
  }
}
