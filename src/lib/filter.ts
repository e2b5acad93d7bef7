/**
 * Tick filtering (aggregation.md §7, filter node): symbol lists, trade/quote selection, price
 * and size ranges, trade conditions (three-flag model presets), US equity sessions (tagging
 * every tick, passing the chosen ones), a stale guard, an outlier guard against a rolling median,
 * report-by-exception / deadband / narrowband, and a per-symbol rate limit with leading and
 * trailing edges. Bounded per-symbol state.
 *
 * Pure: no timers. The owner calls `push(tick)`, and `advance(now)` when the wall clock passes
 * `deadline` (trailing ticks of the rate limit); results go to `emit` synchronously.
 */
import { daySchedule, sessionAt, type Session } from "./calendar";
import { CLOSING_PRINTS, ODD_LOTS, OPENING_PRINTS, hasCondition, tradeFlags, type ConditionOptions } from "./conditions";
import { Deduplicator } from "./dedup";
import { idKey } from "./providers/common";
import type { RawTick } from "./types";

export type ConditionMode = "off" | "excludeOddLots" | "lastEligible" | "volumeEligible";
export type ValueMode = "off" | "rbe" | "deadband" | "narrowband";

export interface FilterConfig {
  /** Pass only these symbols (null = all). */
  include: ReadonlySet<string> | null;
  exclude: ReadonlySet<string>;
  types: "both" | "trades" | "quotes";
  /** Inclusive bounds; null = none. Price = trade price, or the quote's mid. Size = trade size. */
  priceMin: number | null;
  priceMax: number | null;
  sizeMin: number | null;
  sizeMax: number | null;
  conditionMode: ConditionMode;
  conditions: ConditionOptions;
  /** Sessions to pass (null = all; every tick is tagged either way). */
  sessions: ReadonlySet<Session> | null;
  /** Count opening/closing auction prints within `auctionWindowUs` outside the regular session as regular. */
  auctionPrints: boolean;
  auctionWindowUs: number;
  /** Drop ticks older than this at receipt (recvTs - ts), µs; 0 = off. */
  maxAgeUs: number;
  /** Outlier guard: rolling median of the last N prices (0 = off) and the allowed deviation in percent. */
  outlierWindow: number;
  outlierPct: number;
  value: ValueMode;
  gap: number;
  gapUnit: "abs" | "pct";
  /** Compare with the last passed value (output) or the last seen value (input). */
  reference: "output" | "input";
  /** Per-symbol rate limit period, µs (0 = off): first tick at once, the latest at the period's end. */
  rateUs: number;
  /** Drop ticks whose (symbol, exchange, id) was seen within the last minute; ticks without an id pass. */
  dedup: boolean;
  /**
   * Sequence high-water mark per (symbol, exchange), for feeds whose `seq` only increases:
   * a tick whose seq is not above the last one passed is dropped ("sequence"); a jump counts a gap.
   */
  seqCheck: boolean;
  maxSymbols: number;
}

export const DEFAULT_FILTER: FilterConfig = {
  include: null,
  exclude: new Set(),
  types: "both",
  priceMin: null,
  priceMax: null,
  sizeMin: null,
  sizeMax: null,
  conditionMode: "off",
  conditions: { dialect: "auto" },
  sessions: null,
  auctionPrints: false,
  auctionWindowUs: 60_000_000,
  maxAgeUs: 0,
  outlierWindow: 0,
  outlierPct: 5,
  value: "off",
  gap: 0,
  gapUnit: "abs",
  reference: "output",
  rateUs: 0,
  dedup: false,
  seqCheck: false,
  maxSymbols: 10_000,
};

export type FilterReason =
  | "invalid"
  | "symbol"
  | "type"
  | "duplicate"
  | "sequence"
  | "stale"
  | "range"
  | "condition"
  | "session"
  | "outlier"
  | "unchanged"
  | "band"
  | "rate";

export const FILTER_REASONS: readonly FilterReason[] = [
  "invalid",
  "symbol",
  "type",
  "duplicate",
  "sequence",
  "stale",
  "range",
  "condition",
  "session",
  "outlier",
  "unchanged",
  "band",
  "rate",
];

/** `ref` is whatever the caller passed with the tick (e.g. its message), handed back with the result. */
export type FilterOutput =
  | { type: "pass"; tick: RawTick; session: Session; ref: unknown }
  | { type: "reject"; tick: unknown; session?: Session; reason: FilterReason; ref: unknown };

export interface FilterEnv {
  /** Wall clock, integer µs. */
  now(): number;
  emit(out: FilterOutput): void;
}

interface SymbolState {
  ref: number | undefined;
  /** Outlier guard: the last N prices in arrival order (ring) and the same prices sorted. */
  window: number[];
  windowHead: number;
  sorted: number[];
  /** Rate limit: end of the current period (µs) and the tick waiting for it. */
  periodEnd: number;
  pending: { tick: RawTick; session: Session; ref: unknown } | undefined;
}

const EPSILON = 1e-9;

export function validateFilter(c: FilterConfig): void {
  for (const [name, v] of [
    ["priceMin", c.priceMin],
    ["priceMax", c.priceMax],
    ["sizeMin", c.sizeMin],
    ["sizeMax", c.sizeMax],
  ] as const) {
    if (v !== null && !Number.isFinite(v)) throw new Error(`${name} must be a number.`);
  }
  if (c.priceMin !== null && c.priceMax !== null && c.priceMin > c.priceMax) throw new Error("The minimum price is above the maximum.");
  if (c.sizeMin !== null && c.sizeMax !== null && c.sizeMin > c.sizeMax) throw new Error("The minimum size is above the maximum.");
  if (c.value !== "off" && c.value !== "rbe" && !(c.gap >= 0)) throw new Error("The band must be zero or more.");
  if (c.outlierWindow !== 0 && (!Number.isInteger(c.outlierWindow) || c.outlierWindow < 3 || c.outlierWindow > 1001))
    throw new Error("The outlier window must be 3 to 1001 prices (0 = off).");
  if (c.outlierWindow !== 0 && !(c.outlierPct > 0)) throw new Error("The outlier deviation must be above 0 %.");
  if (!(c.rateUs >= 0) || !(c.maxAgeUs >= 0)) throw new Error("Periods cannot be negative.");
}

export class TickFilter {
  readonly config: FilterConfig;
  readonly passed = { count: 0 };
  readonly dropped: Record<FilterReason, number> = Object.fromEntries(FILTER_REASONS.map((r) => [r, 0])) as Record<FilterReason, number>;
  /** Rate limit: earliest wall time (µs) a trailing tick is due; Infinity = none. */
  deadline = Infinity;
  /** Sequence check: jumps seen (a seq more than one above the last). */
  gaps = 0;
  /** Highest seq passed per symbol and exchange (bounded with the symbol cap). */
  private readonly seqs = new Map<string, bigint>();
  private readonly symbols = new Map<string, SymbolState>();
  private readonly dedup: Deduplicator | undefined;
  private readonly needsState: boolean;

  constructor(
    config: FilterConfig,
    private readonly env: FilterEnv,
  ) {
    validateFilter(config);
    this.config = config;
    this.dedup = config.dedup ? new Deduplicator({ horizonUs: 60_000_000 }) : undefined;
    this.needsState = config.value !== "off" || config.outlierWindow > 0 || config.rateUs > 0;
  }

  get symbolCount(): number {
    return this.symbols.size;
  }

  /** Session of a tick, with auction prints moved into the regular session when configured. */
  sessionOf(t: RawTick): Session {
    const s = sessionAt(t.ts);
    const c = this.config;
    if (!c.auctionPrints || s === "regular" || t.type !== "trade" || t.conditions == null) return s;
    const regular = daySchedule(t.ts).segments.find((x) => x.session === "regular");
    if (regular === undefined) return s;
    if (s === "post" && t.ts < regular.end + c.auctionWindowUs && hasCondition(t, c.conditions.dialect, CLOSING_PRINTS)) return "regular";
    if (s === "pre" && t.ts >= regular.start - c.auctionWindowUs && hasCondition(t, c.conditions.dialect, OPENING_PRINTS)) return "regular";
    return s;
  }

  push(t: RawTick, ref?: unknown): void {
    const c = this.config;
    if (t === null || typeof t !== "object" || typeof t.symbol !== "string" || t.symbol === "" || !Number.isFinite(t.ts))
      return this.reject(t, "invalid", undefined, ref);
    const session = this.sessionOf(t);
    if ((c.include !== null && !c.include.has(t.symbol)) || c.exclude.has(t.symbol)) return this.reject(t, "symbol", session, ref);
    const isTrade = t.type === "trade";
    if ((c.types === "trades" && !isTrade) || (c.types === "quotes" && t.type !== "quote")) return this.reject(t, "type", session, ref);
    if (this.dedup !== undefined && isTrade && t.id != null && this.dedup.seen(t.symbol, idKey(t), t.ts))
      return this.reject(t, "duplicate", session, ref);
    // Backfilled trades (after a reconnect) are older than the live high-water mark by nature; the
    // feed's dedup already delivers each once: the sequence rule neither drops nor counts them.
    if (c.seqCheck && t.seq != null && t.backfill !== true && !this.seqOk(t)) return this.reject(t, "sequence", session, ref);
    if (c.maxAgeUs > 0 && Number.isFinite(t.recvTs) && t.recvTs - t.ts > c.maxAgeUs) return this.reject(t, "stale", session, ref);
    const value = valueOf(t);
    if (!this.inRange(t, value)) return this.reject(t, "range", session, ref);
    if (isTrade && c.conditionMode !== "off" && !this.conditionOk(t)) return this.reject(t, "condition", session, ref);
    if (c.sessions !== null && !c.sessions.has(session)) return this.reject(t, "session", session, ref);
    if (!this.needsState || value === undefined) return this.pass(t, session, ref);

    const st = this.state(t.symbol);
    if (c.outlierWindow > 0) {
      const outlier = isOutlier(st, value, c.outlierPct);
      addToWindow(st, value, c.outlierWindow);
      if (outlier) return this.reject(t, "outlier", session, ref);
    }
    if (c.value !== "off") {
      const last = st.ref;
      if (c.reference === "input") st.ref = value;
      if (last !== undefined) {
        const diff = Math.abs(value - last);
        if (c.value === "rbe" && diff === 0) return this.reject(t, "unchanged", session, ref);
        const gap = c.gapUnit === "abs" ? c.gap : (c.gap / 100) * Math.max(Math.abs(last), EPSILON);
        if (c.value === "deadband" && diff < gap) return this.reject(t, "unchanged", session, ref);
        if (c.value === "narrowband" && diff > gap) return this.reject(t, "band", session, ref);
      }
      if (c.reference === "output") st.ref = value;
    }
    if (c.rateUs > 0) {
      const now = this.env.now();
      if (now >= st.periodEnd) {
        st.periodEnd = now + c.rateUs;
        if (st.periodEnd < this.deadline) this.deadline = st.periodEnd;
        return this.pass(t, session, ref);
      }
      if (st.pending !== undefined) this.reject(st.pending.tick, "rate", st.pending.session, st.pending.ref);
      st.pending = { tick: t, session, ref };
      if (st.periodEnd < this.deadline) this.deadline = st.periodEnd;
      return;
    }
    this.pass(t, session, ref);
  }

  /** Releases the trailing ticks whose period ended by `now` (µs). */
  advance(now: number): void {
    let next = Infinity;
    for (const st of this.symbols.values()) {
      if (st.pending === undefined) continue;
      if (st.periodEnd <= now) {
        const p = st.pending;
        st.pending = undefined;
        st.periodEnd = now + this.config.rateUs; // the trailing tick opens a new period
        this.pass(p.tick, p.session, p.ref);
      } else if (st.periodEnd < next) next = st.periodEnd;
    }
    this.deadline = next;
  }

  /** Sends the waiting trailing ticks now (one symbol or all). */
  flush(symbol?: string): void {
    for (const [name, st] of this.symbols) {
      if (symbol !== undefined && name !== symbol) continue;
      if (st.pending === undefined) continue;
      const p = st.pending;
      st.pending = undefined;
      this.pass(p.tick, p.session, p.ref);
    }
  }

  /** Forgets the state (references, medians, rate periods, waiting ticks) of one symbol or all. */
  reset(symbol?: string): void {
    if (symbol === undefined) {
      this.symbols.clear();
      this.seqs.clear();
      if (this.dedup !== undefined) this.dedup.clear();
    } else {
      this.symbols.delete(symbol);
      for (const k of this.seqs.keys()) if (k === symbol || k.startsWith(symbol + "\u0000")) this.seqs.delete(k);
      if (this.dedup !== undefined) this.dedup.forget(symbol);
    }
  }

  /** Ticks waiting for the end of their rate period. */
  pendingCount(): number {
    let n = 0;
    for (const st of this.symbols.values()) if (st.pending !== undefined) n++;
    return n;
  }

  private pass(t: RawTick, session: Session, ref: unknown): void {
    this.passed.count++;
    this.env.emit({ type: "pass", tick: t, session, ref });
  }

  private reject(t: unknown, reason: FilterReason, session: Session | undefined, ref: unknown): void {
    this.dropped[reason]++;
    this.env.emit({ type: "reject", tick: t, reason, session, ref });
  }

  private seqOk(t: RawTick): boolean {
    let seq: bigint;
    try {
      seq = BigInt(t.seq as number | string);
    } catch {
      return true; // not an integer: nothing to check
    }
    const key = t.exchange == null ? t.symbol : t.symbol + "\u0000" + String(t.exchange);
    const last = this.seqs.get(key);
    if (last !== undefined && seq <= last) return false;
    if (last !== undefined && seq > last + 1n) this.gaps++;
    if (last === undefined && this.seqs.size >= this.config.maxSymbols * 4) this.seqs.delete(this.seqs.keys().next().value as string);
    this.seqs.set(key, seq);
    return true;
  }

  private inRange(t: RawTick, value: number | undefined): boolean {
    const c = this.config;
    if (value !== undefined) {
      if (c.priceMin !== null && value < c.priceMin) return false;
      if (c.priceMax !== null && value > c.priceMax) return false;
    }
    if (t.type === "trade" && typeof t.size === "number") {
      if (c.sizeMin !== null && t.size < c.sizeMin) return false;
      if (c.sizeMax !== null && t.size > c.sizeMax) return false;
    }
    return true;
  }

  private conditionOk(t: RawTick): boolean {
    const c = this.config;
    if (c.conditionMode === "excludeOddLots") {
      return !hasCondition(t, c.conditions.dialect, ODD_LOTS);
    }
    const { flags } = tradeFlags(t, c.conditions);
    return c.conditionMode === "lastEligible" ? flags.last : flags.volume;
  }

  private state(symbol: string): SymbolState {
    let st = this.symbols.get(symbol);
    if (st === undefined) {
      if (this.symbols.size >= this.config.maxSymbols) this.evictOne();
      st = { ref: undefined, window: [], windowHead: 0, sorted: [], periodEnd: -Infinity, pending: undefined };
      this.symbols.set(symbol, st);
    }
    return st;
  }

  /** Drops the oldest symbol's state that has no tick waiting (bounded memory). */
  private evictOne(): void {
    for (const [name, st] of this.symbols) {
      if (st.pending === undefined) {
        this.symbols.delete(name);
        return;
      }
    }
  }
}

/** The value a tick is compared on: the trade price, or the quote's mid (bid or ask alone if only one is there). */
export function valueOf(t: RawTick): number | undefined {
  const ok = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  if (t.type === "trade") return ok(t.price) ? t.price : undefined;
  if (ok(t.bid) && ok(t.ask)) return (t.bid + t.ask) / 2;
  if (ok(t.bid)) return t.bid;
  return ok(t.ask) ? t.ask : undefined;
}

/** Index of the first element >= v in a sorted array. */
function lowerBound(a: number[], v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds a price to the window, keeping the sorted copy in step (no allocation, O(N) moves). */
function addToWindow(st: SymbolState, v: number, n: number): void {
  if (st.window.length < n) st.window.push(v);
  else {
    const old = st.window[st.windowHead];
    st.sorted.splice(lowerBound(st.sorted, old), 1);
    st.window[st.windowHead] = v;
    st.windowHead = (st.windowHead + 1) % n;
  }
  st.sorted.splice(lowerBound(st.sorted, v), 0, v);
}

/** True when `v` deviates from the median of the window by more than `pct` percent (needs 3 prices). */
function isOutlier(st: SymbolState, v: number, pct: number): boolean {
  const sorted = st.sorted;
  if (sorted.length < 3) return false;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.abs(v - median) > (pct / 100) * Math.max(Math.abs(median), EPSILON);
}
