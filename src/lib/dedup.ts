/**
 * Bounded, O(1) duplicate detection per symbol.
 *
 * Each symbol has a FIFO ring of recent keys plus a Set for lookup. A key is forgotten when
 * (a) the symbol's ring is full (count cap), (b) it is older, in event time, than the newest
 * key of that symbol minus the horizon, or (c) the global key budget is exhausted, in which case
 * the inserting symbol gives up its oldest key (never below a small floor per symbol). Memory is
 * therefore bounded by roughly `maxKeys + symbols * floor` keys whatever the feed does.
 *
 * A duplicate does not refresh its key's position (a replay cannot keep a key alive forever).
 */

export interface DedupOptions {
  /** Most keys remembered per symbol. */
  perSymbol: number;
  /** Most keys remembered across all symbols. */
  maxKeys: number;
  /** Event-time horizon in µs: keys older than the newest tick of the symbol minus this are forgotten. 0 = no horizon. */
  horizonUs: number;
}

export const DEFAULT_DEDUP: DedupOptions = { perSymbol: 10_000, maxKeys: 250_000, horizonUs: 60_000_000 };

const FLOOR = 64;
const INITIAL = 16;

class SymbolWindow {
  keys: string[];
  ts: number[];
  head = 0; // index of the oldest entry
  size = 0;
  maxTs = -Infinity;
  readonly set = new Set<string>();

  constructor(capacity: number) {
    this.keys = new Array<string>(capacity);
    this.ts = new Array<number>(capacity);
  }

  get capacity(): number {
    return this.keys.length;
  }

  evictOldest(): void {
    const i = this.head;
    this.set.delete(this.keys[i]);
    this.keys[i] = "";
    this.head = i + 1 === this.keys.length ? 0 : i + 1;
    this.size--;
  }

  grow(limit: number): void {
    const cap = Math.min(limit, this.keys.length * 2);
    const keys = new Array<string>(cap);
    const ts = new Array<number>(cap);
    for (let n = 0; n < this.size; n++) {
      const j = (this.head + n) % this.keys.length;
      keys[n] = this.keys[j];
      ts[n] = this.ts[j];
    }
    this.keys = keys;
    this.ts = ts;
    this.head = 0;
  }

  push(key: string, ts: number): void {
    const i = (this.head + this.size) % this.keys.length;
    this.keys[i] = key;
    this.ts[i] = ts;
    this.size++;
    this.set.add(key);
  }
}

export class Deduplicator {
  private readonly windows = new Map<string, SymbolWindow>();
  private total = 0;
  private opts: DedupOptions;
  /** Number of duplicates seen (and suppressed). */
  duplicates = 0;

  constructor(opts: Partial<DedupOptions> = {}) {
    this.opts = { ...DEFAULT_DEDUP, ...opts };
    if (this.opts.perSymbol < 1) this.opts.perSymbol = 1;
  }

  /** Keys currently remembered (for tests and status). */
  get size(): number {
    return this.total;
  }

  get symbolCount(): number {
    return this.windows.size;
  }

  /**
   * Returns true if (symbol, key) was seen within the window, else remembers it and returns
   * false. `ts` is the tick's event time in µs.
   */
  seen(symbol: string, key: string, ts: number): boolean {
    let w = this.windows.get(symbol);
    if (w === undefined) {
      w = new SymbolWindow(Math.min(INITIAL, this.opts.perSymbol));
      this.windows.set(symbol, w);
    } else if (w.set.has(key)) {
      this.duplicates++;
      return true;
    }
    const o = this.opts;
    if (ts > w.maxTs) {
      w.maxTs = ts;
      if (o.horizonUs > 0) {
        const cutoff = ts - o.horizonUs;
        while (w.size > 0 && w.ts[w.head] < cutoff) {
          w.evictOldest();
          this.total--;
        }
      }
    }
    if (w.size === w.capacity) {
      if (w.capacity < o.perSymbol) {
        w.grow(o.perSymbol);
      } else {
        w.evictOldest();
        this.total--;
      }
    }
    if (this.total >= o.maxKeys && w.size >= Math.min(FLOOR, o.perSymbol)) {
      w.evictOldest();
      this.total--;
    }
    w.push(key, ts);
    this.total++;
    return false;
  }

  /** Forgets everything about one symbol (e.g. when nobody subscribes to it any more). */
  forget(symbol: string): void {
    const w = this.windows.get(symbol);
    if (w === undefined) return;
    this.total -= w.size;
    this.windows.delete(symbol);
  }

  clear(): void {
    this.windows.clear();
    this.total = 0;
  }
}
