/**
 * The feed's per-tick path (the hot path of every frame): a parsed tick is normalized, checked
 * against the dedup window and queued for each user holding its symbol; at the frame's end each
 * of those users gets its ticks in one call, synchronously. Nothing is queued past the frame, so
 * a slow flow slows the socket reads and TCP pushes back on the provider.
 *
 * `onTick` and `onFrameEnd` are the slot hooks themselves (bound once), so a tick costs no more
 * calls than the hooks did when they lived in FeedCore.
 */
import type { Deduplicator } from "../dedup";
import type { Provider } from "../providers/types";
import type { BackfillCoordinator } from "../backfill/coordinator";
import { normalizeTick } from "../ticknorm";
import type { RawTick } from "../types";
import type { FeedLog } from "./types";
import type { FeedUsers, UserRec } from "./users";
import { sampleOf } from "./malformed";

/** The feed's counters (FeedCore.stats), kept here and by the feed. */
export interface FeedStats {
  ticks: number;
  delivered: number;
  duplicates: number;
  malformed: number;
  frames: number;
  backfilled: number;
}

/** What the per-tick path works with: parts of the feed, shared with it. */
export interface DispatchParts {
  /** symbol -> users, per channel (the dispatch index, kept by FeedUsers). */
  refs: FeedUsers["refs"];
  provider: Provider;
  dedup: Deduplicator | null;
  /** The feed's counters. */
  stats: FeedStats;
  /** Told of every live trade (gap tracking); null when backfill is off. */
  backfill: BackfillCoordinator | null;
  /** A tick that failed normalization (counted and reported by the feed). */
  malformed: (reason: string, sample: string | undefined) => void;
  log: FeedLog;
}

export class TickDispatch {
  /** Users with ticks queued in the frame being read. */
  private touched: UserRec[] = [];
  /** Occurrences of each content key in this frame (providers without ids: equal ticks in one frame are distinct). */
  private readonly frameKeys = new Map<string, number>();

  constructor(private readonly feed: DispatchParts) {}

  /** Hot path: one parsed tick of the frame being read. */
  readonly onTick = (raw: RawTick): void => {
    this.feed.stats.ticks++;
    const list = (raw.type === "trade" ? this.feed.refs.trades : this.feed.refs.quotes).get(raw.symbol);
    if (list === undefined) return;
    // Fixed shape and value rules (ticknorm.ts), before dedup: a bad tick is malformed, the rest of the frame goes on.
    const tick = normalizeTick(raw);
    if (typeof tick === "string") {
      this.feed.malformed(tick, sampleOf(raw));
      return;
    }
    if (this.feed.dedup !== null) {
      let key = this.feed.provider.dedupKey(tick);
      if (this.feed.provider.contentKeys || tick.id === null) {
        const n = this.frameKeys.get(key);
        this.frameKeys.set(key, n === undefined ? 1 : n + 1);
        if (n !== undefined) key = key + "#" + n;
      }
      if (this.feed.dedup.seen(tick.symbol, key, tick.ts, tick.recvTs)) {
        this.feed.stats.duplicates++;
        return;
      }
    }
    if (tick.backfill === true) this.feed.stats.backfilled++;
    else if (this.feed.backfill !== null && tick.type === "trade") this.feed.backfill.live(tick);
    for (let i = 0; i < list.length; i++) {
      const rec = list[i];
      if (rec.pending.length === 0) this.touched.push(rec);
      // The first user gets the tick itself; others a copy (with their own conditions and extra), so no two flows share one object.
      rec.pending.push(
        i === 0 ? tick : { ...tick, conditions: tick.conditions.slice(), extra: tick.extra === null ? null : { ...tick.extra } },
      );
    }
  };

  /** The frame that produced the last ticks is done: each touched user gets its ticks. */
  readonly onFrameEnd = (): void => {
    this.feed.stats.frames++;
    if (this.frameKeys.size > 0) this.frameKeys.clear();
    const touched = this.touched;
    if (touched.length === 0) return;
    this.touched = [];
    for (let i = 0; i < touched.length; i++) {
      const rec = touched[i];
      const ticks = rec.pending;
      rec.pending = [];
      this.feed.stats.delivered += ticks.length;
      try {
        rec.user.onTicks(ticks);
      } catch (err) {
        this.feed.log.error(`a subscriber failed on ticks: ${String(err)}`);
      }
    }
  };

  /** Backfilled ticks take the live path (dedup, fan-out) as one frame; returns how many passed dedup. */
  deliver(ticks: RawTick[]): number {
    const before = this.feed.stats.backfilled;
    for (const t of ticks) this.onTick(t);
    this.onFrameEnd();
    return this.feed.stats.backfilled - before;
  }
}
