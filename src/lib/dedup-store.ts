/**
 * Dedup memory that outlives a deploy. A redeploy (full, or partial touching the feed) closes
 * the tick-feed node and creates a new one: without this the new feed starts with an empty
 * dedup window, and a provider that replays recent trades on subscribe (Coinbase snapshots, a
 * relay with a replay buffer, a reconnect that re-sends the last frame) delivers them again.
 *
 * A closing feed hands its Deduplicator to the process-wide store under its identity; a new
 * feed with the same identity takes it back. The identity is a SHA-256 of what makes two feeds
 * the same stream (provider, URL, key, secret, provider options, dedup window): the key is
 * never kept in clear. Bounded in time (an entry not taken back within `retainMs` is dropped)
 * and in size (at most `maxEntries` parked feeds; the oldest goes first). Ticks are hashed in
 * the Deduplicator, so nothing parked here is sensitive.
 */
import { createHash } from "crypto";
import type { Deduplicator } from "./dedup";

/** How long a closed feed's dedup memory is kept for its successor. */
export const DEDUP_RETAIN_MS = 5 * 60_000;
/** Most closed feeds whose memory is kept at once. */
export const DEDUP_STORE_MAX = 32;

interface Parked {
  dedup: Deduplicator;
  parkedAt: number;
}

export class DedupStore {
  private readonly parked = new Map<string, Parked>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly retainMs = DEDUP_RETAIN_MS,
    readonly maxEntries = DEDUP_STORE_MAX,
  ) {}

  /** The memory a previous feed with this identity left (removed from the store), or undefined. */
  take(identity: string, now = Date.now()): Deduplicator | undefined {
    this.sweep(now);
    const p = this.parked.get(identity);
    if (p === undefined) return undefined;
    this.parked.delete(identity);
    this.rearm();
    return p.dedup;
  }

  /** Keeps a closing feed's memory for `retainMs` (replacing an older one of the same identity). */
  park(identity: string, dedup: Deduplicator, now = Date.now()): void {
    this.parked.delete(identity);
    this.parked.set(identity, { dedup, parkedAt: now });
    while (this.parked.size > this.maxEntries) {
      const oldest = this.parked.keys().next().value as string;
      this.parked.get(oldest)?.dedup.clear();
      this.parked.delete(oldest);
    }
    this.sweep(now);
    this.rearm();
  }

  get size(): number {
    return this.parked.size;
  }

  /** Drops everything (tests). */
  clear(): void {
    for (const p of this.parked.values()) p.dedup.clear();
    this.parked.clear();
    this.rearm();
  }

  /** Drops entries parked longer than `retainMs`. */
  sweep(now = Date.now()): void {
    for (const [id, p] of this.parked) {
      if (now - p.parkedAt < this.retainMs) break; // insertion order = park order
      p.dedup.clear();
      this.parked.delete(id);
    }
  }

  /** One unref'd timer for the oldest entry's expiry, so memory is released without a new deploy. */
  private rearm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const first = this.parked.values().next().value;
    if (first === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.sweep();
        this.rearm();
      },
      Math.max(10, first.parkedAt + this.retainMs - Date.now() + 5),
    );
    this.timer.unref();
  }
}

/** The process-wide store used by every feed. */
export const dedupStore = new DedupStore();

/** A feed's identity: a hash of everything that makes two feeds the same stream (no secret in clear). */
export function feedIdentity(parts: {
  provider: string;
  url: string;
  apiKey: string;
  apiSecret: string;
  options: Record<string, unknown>;
  window: unknown;
}): string {
  const h = createHash("sha256");
  h.update(JSON.stringify([parts.provider, parts.url, parts.apiKey, parts.apiSecret, sortedJson(parts.options), sortedJson(parts.window)]));
  return h.digest("hex");
}

function sortedJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return "[" + v.map(sortedJson).join(",") + "]";
  const o = v as Record<string, unknown>;
  return (
    "{" +
    Object.keys(o)
      .sort()
      .map((k) => JSON.stringify(k) + ":" + sortedJson(o[k]))
      .join(",") +
    "}"
  );
}
