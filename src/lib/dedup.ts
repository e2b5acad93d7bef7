/**
 * Bounded, O(1) duplicate detection per symbol.
 *
 * Each symbol has a FIFO ring of recent keys plus a hash index for lookup. A key is forgotten when
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
/** How far ahead of the receipt clock event time may move the horizon (provider clock skew). */
export const HORIZON_SKEW_US = 5_000_000;
const INITIAL = 16;

/**
 * Keys are stored as a 64-bit hash (two independent 32-bit hashes) in typed arrays, not as
 * strings in a Set: the window then lives outside the garbage-collected heap, so a busy feed's
 * key turnover (every key lives seconds, long enough to be promoted) creates no old-generation
 * garbage, and RSS stays flat. Two different keys of one symbol are confused only if all 64 bits
 * agree (about 1 in 10^14 per key with a full window): the cost would be one dropped tick.
 */
let H1 = 0;
let H2 = 0;
function hashKey(key: string): void {
  let a = 0x811c9dc5 | 0;
  let b = 0x9747b28c | 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b ^= key.length;
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  a ^= a >>> 16;
  b ^= b >>> 16;
  b = Math.imul(b, 0xcc9e2d51);
  b ^= b >>> 13;
  b = Math.imul(b, 0x1b873593);
  b ^= b >>> 16;
  H1 = a >>> 0;
  H2 = b >>> 0;
}

/** A FIFO ring of key hashes and event times with an open-addressing index (linear probing). */
class SymbolWindow {
  private lo!: Uint32Array;
  private hi!: Uint32Array;
  ts!: Float64Array;
  /** Ring slot of each key, or -1; twice the ring's capacity, a power of two. */
  private table!: Int32Array;
  private mask = 0;
  head = 0; // slot of the oldest entry
  size = 0;
  maxTs = -Infinity;

  constructor(capacity: number) {
    this.alloc(capacity);
  }

  get capacity(): number {
    return this.lo.length;
  }

  private alloc(capacity: number): void {
    this.lo = new Uint32Array(capacity);
    this.hi = new Uint32Array(capacity);
    this.ts = new Float64Array(capacity);
    let n = 4;
    while (n < capacity * 2) n *= 2;
    this.table = new Int32Array(n).fill(-1);
    this.mask = n - 1;
  }

  /** Whether the key hashed into H1/H2 is in the window. */
  has(): boolean {
    const t = this.table;
    let i = H1 & this.mask;
    let s: number;
    while ((s = t[i]) !== -1) {
      if (this.lo[s] === H1 && this.hi[s] === H2) return true;
      i = (i + 1) & this.mask;
    }
    return false;
  }

  /** Appends the key hashed into H1/H2 (the ring must have room). */
  push(ts: number): void {
    const cap = this.lo.length;
    const slot = (this.head + this.size) % cap;
    this.lo[slot] = H1;
    this.hi[slot] = H2;
    this.ts[slot] = ts;
    this.size++;
    this.index(slot);
  }

  private index(slot: number): void {
    let i = this.lo[slot] & this.mask;
    while (this.table[i] !== -1) i = (i + 1) & this.mask;
    this.table[i] = slot;
  }

  evictOldest(): void {
    const slot = this.head;
    const t = this.table;
    const mask = this.mask;
    let j = this.lo[slot] & mask;
    while (t[j] !== slot) j = (j + 1) & mask;
    // Backward-shift deletion: move later entries of the probe run into the gap where allowed.
    t[j] = -1;
    let k = j;
    for (;;) {
      k = (k + 1) & mask;
      const s = t[k];
      if (s === -1) break;
      const home = this.lo[s] & mask;
      const stays = j <= k ? home > j && home <= k : home > j || home <= k;
      if (!stays) {
        t[j] = s;
        t[k] = -1;
        j = k;
      }
    }
    this.head = slot + 1 === this.lo.length ? 0 : slot + 1;
    this.size--;
  }

  grow(limit: number): void {
    const lo = this.lo;
    const hi = this.hi;
    const ts = this.ts;
    const old = lo.length;
    this.alloc(Math.min(limit, old * 2));
    for (let n = 0; n < this.size; n++) {
      const j = (this.head + n) % old;
      this.lo[n] = lo[j];
      this.hi[n] = hi[j];
      this.ts[n] = ts[j];
      this.index(n);
    }
    this.head = 0;
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
   * false. `ts` is the tick's event time in µs; `clock` (optional) its receipt time in µs, which
   * bounds how far one tick can move the event-time horizon.
   */
  seen(symbol: string, key: string, ts: number, clock?: number): boolean {
    hashKey(key);
    let w = this.windows.get(symbol);
    if (w === undefined) {
      w = new SymbolWindow(Math.min(INITIAL, this.opts.perSymbol));
      this.windows.set(symbol, w);
    } else if (w.has()) {
      this.duplicates++;
      return true;
    }
    const o = this.opts;
    // The horizon follows event time, but never further than HORIZON_SKEW_US past the receipt
    // clock: one tick with a far-future time must not age out the whole window.
    const h = clock !== undefined && ts > clock + HORIZON_SKEW_US ? clock + HORIZON_SKEW_US : ts;
    if (h > w.maxTs) {
      w.maxTs = h;
      if (o.horizonUs > 0) {
        const cutoff = h - o.horizonUs;
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
    w.push(ts);
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
