/**
 * Bar building (aggregation.md §2, §7): time bars on an event-time grid [start, end), tick /
 * volume / value bars, condition-aware OHLC, volume and VWAP, closing on the next tick or on a
 * clock (wall clock or event-time watermark), flat bars, partial updates, late-tick policies,
 * bounded per-symbol state.
 *
 * Pure: no timers and no Node-RED. The owner calls `push(tick)` for each tick and
 * `advance(now)` when the clock passes `deadline` (the node runs one timer for that); output
 * goes to the `emit` callback synchronously.
 */
import { daySchedule, nyDay, segmentAt, sessionAt, type Session } from "./calendar";
import { tradeFlags, type ConditionOptions, type TradeFlags } from "./conditions";
import type { Bar, RawTick as Tick } from "./types";

export type BarKind = "time" | "tick" | "volume" | "value";
export type TimeUnit = "s" | "min" | "h" | "day";
export type PriceSource = "trade" | "bid" | "ask" | "mid";
export type LatePolicy = "drop" | "revise" | "current";
export type ClockMode = "wall" | "event";

const US = { s: 1_000_000, min: 60_000_000, h: 3_600_000_000, day: 86_400_000_000 } as const;
/** Steps that divide their parent unit (60 s, 60 min, 24 h), as aggregation.md §2.2 requires. */
export const ALLOWED_STEPS: Readonly<Record<TimeUnit, readonly number[]>> = {
  s: [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30],
  min: [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30],
  h: [1, 2, 3, 4, 6, 8, 12],
  day: [1],
};

export interface AggregateConfig {
  kind: BarKind;
  /** Time bars: the step and its unit. */
  step: number;
  unit: TimeUnit;
  /** Tick / volume / value bars: the threshold (trades, shares, notional). */
  threshold: number;
  /** Volume/value bars: split the trade that crosses the threshold so each bar holds exactly the threshold. */
  splitLargeTrades: boolean;
  clock: ClockMode;
  /** Time bars close this long after their end (wall clock or watermark), µs. */
  closeDelayUs: number;
  /** "flat": empty intervals after the first real tick become flat bars (synthetic: true). */
  emptyBars: "none" | "flat";
  /** At most this many flat bars for one gap; a longer gap is skipped (counted). */
  maxFlatBars: number;
  skipFirstPartial: boolean;
  /** In-progress updates (final: false): never, on every tick, or at most one per `updatesUs` per symbol. */
  updates: "off" | "tick" | "throttle";
  updatesUs: number;
  latePolicy: LatePolicy;
  /** `revise`: a closed bar accepts late ticks this long after its end (µs of the clock in use). */
  reviseWindowUs: number;
  priceSource: PriceSource;
  conditions: ConditionOptions;
  /** VWAP over volume-eligible trades (Polygon's definition) or only over trades that also update high/low. */
  vwapBasis: "volume" | "priceEligible";
  /** Sessions whose ticks are aggregated (null = all). Flat bars are only made inside them. */
  sessions: ReadonlySet<Session> | null;
  maxSymbols: number;
  /** Wall clock mode: ticks more than this far in the future are rejected (bad clocks), µs; 0 = off. */
  maxSkewUs: number;
}

export const DEFAULT_AGGREGATE: AggregateConfig = {
  kind: "time",
  step: 1,
  unit: "min",
  threshold: 100,
  splitLargeTrades: false,
  clock: "wall",
  closeDelayUs: 250_000,
  emptyBars: "none",
  maxFlatBars: 1440,
  skipFirstPartial: false,
  updates: "off",
  updatesUs: 1_000_000,
  latePolicy: "drop",
  reviseWindowUs: 30_000_000,
  priceSource: "trade",
  conditions: { dialect: "auto" },
  vwapBasis: "volume",
  sessions: null,
  maxSymbols: 10_000,
  maxSkewUs: 60_000_000,
};

/** Checks a configuration; throws an Error that says what to change. */
export function validateConfig(c: AggregateConfig): void {
  if (c.kind === "time") {
    const allowed = ALLOWED_STEPS[c.unit];
    if (allowed === undefined) throw new Error(`Unknown interval unit "${String(c.unit)}" (s, min, h or day).`);
    if (!allowed.includes(c.step)) throw new Error(`A ${c.unit} interval must be one of ${allowed.join(", ")} (it must divide its parent unit); got ${c.step}.`);
  } else if (c.kind === "tick" || c.kind === "volume" || c.kind === "value") {
    if (!(c.threshold > 0) || !Number.isFinite(c.threshold)) throw new Error(`The ${c.kind} threshold must be a positive number; got ${c.threshold}.`);
    if (c.kind === "tick" && !Number.isInteger(c.threshold)) throw new Error("The tick threshold must be a whole number of trades.");
  } else throw new Error(`Unknown bar type "${String(c.kind)}".`);
  if (!(c.maxSymbols >= 1)) throw new Error("maxSymbols must be at least 1.");
  if (!(c.closeDelayUs >= 0)) throw new Error("The close delay cannot be negative.");
}

/** The interval label of a configuration, e.g. "1min", "4h", "1day", "100ticks". */
export function intervalLabel(c: AggregateConfig): string {
  switch (c.kind) {
    case "time":
      return `${c.step}${c.unit}`;
    case "tick":
      return `${c.threshold}ticks`;
    case "volume":
      return `${c.threshold}volume`;
    default:
      return `${c.threshold}value`;
  }
}

interface Range {
  start: number;
  end: number;
  /** Shorter than the step (the last bar of a session segment). */
  short: boolean;
  session?: Session;
  date?: string;
}

/** The bar interval containing `ts` for a time-bar configuration. */
export function barRange(c: AggregateConfig, ts: number): Range {
  if (c.unit === "day") {
    const d = nyDay(ts);
    return { start: d.start, end: d.end, short: false, date: d.date };
  }
  const step = c.step * US[c.unit];
  if (step <= US.h) {
    const start = ts - (((ts % step) + step) % step);
    return { start, end: start + step, short: false, session: sessionAt(start) };
  }
  // Above one hour: anchored to the New York session segment, never spanning a session boundary.
  const seg = segmentAt(ts);
  const start = seg.start + Math.floor((ts - seg.start) / step) * step;
  const end = Math.min(start + step, seg.end);
  return { start, end, short: end - start < step, session: seg.session };
}

const ALL_FLAGS: TradeFlags = { last: true, highLow: true, volume: true };

/** One bar being built. Open/close follow event time; ties keep arrival order. */
class Builder {
  open: number | null = null;
  openTs = Infinity;
  close: number | null = null;
  closeTs = -Infinity;
  high: number | null = null;
  low: number | null = null;
  volume = 0;
  notional = 0;
  vwapVolume = 0;
  vwapNotional = 0;
  count = 0;
  priceUpdates = 0;
  firstTs: number | null = null;
  lastTs: number | null = null;
  revision = 0;
  /** Holds the rest of a trade beyond the split cap. */
  oversized = false;

  constructor(
    public start: number,
    public end: number,
    readonly range: Range | undefined,
    /** The first bar of its symbol since start/reset. */
    readonly first: boolean,
  ) {}

  add(price: number, size: number, flags: TradeFlags, ts: number, vwapBasis: "volume" | "priceEligible"): void {
    this.count++;
    if (this.firstTs === null || ts < this.firstTs) this.firstTs = ts;
    if (this.lastTs === null || ts > this.lastTs) this.lastTs = ts;
    if (flags.last) {
      this.priceUpdates++;
      if (ts < this.openTs) {
        this.open = price;
        this.openTs = ts;
      }
      if (ts >= this.closeTs) {
        this.close = price;
        this.closeTs = ts;
      }
    }
    if (flags.highLow) {
      if (flags.last === false) this.priceUpdates++;
      if (this.high === null || price > this.high) this.high = price;
      if (this.low === null || price < this.low) this.low = price;
    }
    if (flags.volume && size > 0) {
      this.volume += size;
      this.notional += price * size;
      if (vwapBasis === "volume" || flags.highLow) {
        this.vwapVolume += size;
        this.vwapNotional += price * size;
      }
    }
  }

  toBar(symbol: string, interval: string, prevClose: number | null, final: boolean, emittedAt: number): Bar {
    let open = this.open;
    let close = this.close;
    let high = this.high;
    let low = this.low;
    if (open === null || close === null) {
      // No trade that updates open/close: carry the previous close (volume-only bars), else null.
      open = close = prevClose;
    }
    // Widen high/low to include open and close.
    for (const p of [open, close]) {
      if (p === null) continue;
      if (high === null || p > high) high = p;
      if (low === null || p < low) low = p;
    }
    const bar: Bar = {
      symbol,
      interval,
      start: this.start,
      end: this.end,
      open,
      high,
      low,
      close,
      volume: this.volume,
      vwap: this.vwapVolume > 0 ? this.vwapNotional / this.vwapVolume : null,
      count: this.count,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      final,
      partial: false,
      synthetic: false,
      revision: this.revision,
      emittedAt,
    };
    if (this.range !== undefined) {
      if (this.range.session !== undefined) bar.session = this.range.session;
      if (this.range.date !== undefined) bar.date = this.range.date;
    }
    if (this.priceUpdates === 0) bar.priceUpdates = 0;
    if (this.oversized) bar.oversized = true;
    return bar;
  }
}

interface SymbolState {
  symbol: string;
  open: Builder | undefined;
  /** Close of the last emitted bar (for flat bars and volume-only bars). */
  lastClose: number | null;
  /** End of the last closed time bar (-Infinity before the first). */
  closedEnd: number;
  /** Closed time bars still inside the revise window, oldest first (by start). */
  recent: Array<{ builder: Builder; prevClose: number | null; partial: boolean }>;
  /**
   * `revise`: a late tick for an interval that has no bar (the feed was down, e.g. a backfill)
   * makes that bar, but never before this time: the symbol's first bar, or the end of a bar that
   * left `recent` by the count cap (its ticks are no longer known).
   */
  reviseFloor: number;
  /** No bar closed yet since start/reset. */
  fresh: boolean;
  lastUpdateAt: number;
}

export type RejectReason = "late" | "future" | "invalid" | "symbols";

export type AggregateOutput = { type: "bar"; bar: Bar } | { type: "reject"; tick: unknown; reason: RejectReason; message: string };

export interface AggregateStats {
  ticks: number;
  bars: number;
  flatBars: number;
  updates: number;
  revisions: number;
  late: number;
  future: number;
  invalid: number;
  /** Ticks without the configured price (e.g. quotes for trade bars). */
  ignored: number;
  /** Ticks outside the selected sessions. */
  outsideSession: number;
  /** Trades whose conditions update nothing. */
  excluded: number;
  /** Ticks refused because maxSymbols was reached. */
  symbolsRefused: number;
  /** Flat bars not made because a gap was longer than maxFlatBars. */
  flatSkipped: number;
  /** Oversized bars: trades that would have split into more than MAX_SPLIT_BARS bars. */
  oversized: number;
  /** Distinct unknown condition codes seen (first 50). */
  unknownConditions: string[];
}

export interface AggregateEnv {
  /** Wall clock, integer µs. */
  now(): number;
  emit(out: AggregateOutput): void;
}

const MAX_RECENT = 16;
/** Most closed bars kept per symbol for revisions, whatever the window. */
const MAX_RECENT_CAP = 2048;
/** Volume/value bars with split trades: most full bars one trade may make (see pushThreshold). */
export const MAX_SPLIT_BARS = 1000;
/** Flat bars: a gap is walked interval by interval up to max(4 x maxFlatBars, this) intervals. */
export const MIN_FLAT_SCAN = 10_000;

/** Length of one grid step in µs (a day for day bars). */
function stepUsOf(c: AggregateConfig): number {
  return c.unit === "day" ? US.day : c.step * US[c.unit];
}
const LAG_BUCKETS = 6;
const LAG_BUCKET_US = 10_000_000;

export class Aggregator {
  readonly config: AggregateConfig;
  readonly interval: string;
  readonly stats: AggregateStats = {
    ticks: 0,
    bars: 0,
    flatBars: 0,
    updates: 0,
    revisions: 0,
    late: 0,
    future: 0,
    invalid: 0,
    ignored: 0,
    outsideSession: 0,
    excluded: 0,
    symbolsRefused: 0,
    flatSkipped: 0,
    oversized: 0,
    unknownConditions: [],
  };
  private readonly symbols = new Map<string, SymbolState>();
  private readonly unknownSeen = new Set<string>();
  /** Event-time watermark: the highest tick time seen (event clock). */
  private watermark = -Infinity;
  /** When this aggregator started (wall µs): bars starting before it are partial. */
  private startedAt: number;
  /** Earliest clock time (µs, event-time domain) at which `advance` has something to close; Infinity = nothing. */
  deadline = Infinity;
  /**
   * Wall clock mode: the feed's delay, learned as the lowest receipt delay (recvTs - ts) of the
   * last minute. A 15-minute delayed feed then closes its bars 15 minutes after their end instead
   * of closing each bar on its first tick; a provider clock a little ahead of ours gives a small
   * negative value. 0 until a tick arrives.
   */
  lagUs = 0;
  private readonly lagMin = new Float64Array(LAG_BUCKETS).fill(Infinity);
  private readonly lagId = new Float64Array(LAG_BUCKETS).fill(-1);

  constructor(config: AggregateConfig, private readonly env: AggregateEnv) {
    validateConfig(config);
    this.config = config;
    this.interval = intervalLabel(config);
    this.startedAt = env.now();
  }

  get symbolCount(): number {
    return this.symbols.size;
  }

  /** Aggregates one tick. Bad input is rejected through `emit`, never thrown. */
  push(tick: Tick): void {
    const c = this.config;
    if (tick === null || typeof tick !== "object" || typeof tick.symbol !== "string" || tick.symbol === "" || !Number.isFinite(tick.ts)) {
      this.stats.invalid++;
      this.env.emit({ type: "reject", tick, reason: "invalid", message: "not a Tick (needs symbol and ts)" });
      return;
    }
    const price = this.priceOf(tick);
    if (price === undefined) {
      this.stats.ignored++;
      return;
    }
    const ts = Math.trunc(tick.ts);
    if (c.sessions !== null && !c.sessions.has(sessionAt(ts))) {
      this.stats.outsideSession++;
      return;
    }
    if (c.clock === "wall" && c.maxSkewUs > 0 && ts > this.env.now() + c.maxSkewUs) {
      this.stats.future++;
      this.env.emit({ type: "reject", tick, reason: "future", message: "event time is in the future (bad clock?)" });
      return;
    }
    // A backfilled trade's receipt time says nothing about the feed's delay.
    if (c.clock === "wall" && tick.backfill !== true) this.noteLag(tick.recvTs, ts);
    let st = this.symbols.get(tick.symbol);
    if (st === undefined) {
      if (this.symbols.size >= c.maxSymbols) {
        this.stats.symbolsRefused++;
        this.env.emit({ type: "reject", tick, reason: "symbols", message: `more than ${c.maxSymbols} symbols` });
        return;
      }
      st = { symbol: tick.symbol, open: undefined, lastClose: null, closedEnd: -Infinity, recent: [], reviseFloor: Infinity, fresh: true, lastUpdateAt: -Infinity };
      this.symbols.set(tick.symbol, st);
    }
    let flags = ALL_FLAGS;
    if (c.priceSource === "trade") {
      const r = tradeFlags(tick, c.conditions);
      flags = r.flags;
      if (r.unknown.length > 0) this.noteUnknown(r.unknown);
    }
    const size = c.priceSource === "trade" && typeof tick.size === "number" && Number.isFinite(tick.size) ? tick.size : 0;
    this.stats.ticks++;
    const counts = flags.last || flags.highLow || flags.volume;

    if (c.kind === "time") this.pushTime(st, ts, price, size, flags, counts, tick);
    else if (counts) this.pushThreshold(st, ts, price, size, flags);
    else this.stats.excluded++;

    if (c.clock === "event" && ts > this.watermark) {
      this.watermark = ts;
      if (this.watermark >= this.deadline) this.advance(this.watermark);
    }
  }

  /** Closes every time bar (and makes the flat bars) whose end + delay is at or before `clock` (µs). */
  advance(clock: number): void {
    if (this.config.kind !== "time") return;
    let next = Infinity;
    const delay = this.config.closeDelayUs;
    for (const st of this.symbols.values()) {
      if (st.open !== undefined && st.open.end + delay <= clock) this.closeOpen(st, false);
      if (st.open === undefined && this.config.emptyBars === "flat") this.fillFlat(st, clock, Infinity);
      const d = this.nextDeadlineOf(st);
      if (d < next) next = d;
    }
    this.deadline = next;
  }

  /** Wall clock mode: the earliest wall time (µs) at which `advanceWall` has something to do. */
  get wallDeadline(): number {
    return this.deadline + this.lagUs;
  }

  /** Wall clock mode: `advance` for the wall time `nowUs`, corrected for the feed's delay. */
  advanceWall(nowUs: number): void {
    this.advance(nowUs - this.lagUs);
  }

  /** Closes the open bars of one symbol or all now (end of a replay). */
  flush(symbol?: string): void {
    const clock = this.clockNow();
    for (const st of this.statesOf(symbol)) if (st.open !== undefined) this.closeOpen(st, st.open.end > clock || this.config.kind !== "time");
    this.recomputeDeadline();
  }

  /** Forgets the state of one symbol or all, without emitting. */
  reset(symbol?: string): void {
    if (symbol === undefined) {
      this.symbols.clear();
      this.watermark = -Infinity;
      this.startedAt = this.env.now();
    } else this.symbols.delete(symbol);
    this.recomputeDeadline();
  }

  /** Open bars right now (for status). */
  openBars(): number {
    let n = 0;
    for (const st of this.symbols.values()) if (st.open !== undefined) n++;
    return n;
  }

  // ------------------------------------------------------------------ internals

  private priceOf(t: Tick): number | undefined {
    const ok = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
    switch (this.config.priceSource) {
      case "trade":
        return t.type === "trade" && ok(t.price) ? t.price : undefined;
      case "bid":
        return ok(t.bid) ? t.bid : undefined;
      case "ask":
        return ok(t.ask) ? t.ask : undefined;
      default:
        return ok(t.bid) && ok(t.ask) ? (t.bid + t.ask) / 2 : undefined;
    }
  }

  private statesOf(symbol?: string): SymbolState[] {
    if (symbol === undefined) return [...this.symbols.values()];
    const st = this.symbols.get(symbol);
    return st === undefined ? [] : [st];
  }

  /** Now in event time: the watermark, or the wall clock less the feed's delay. */
  private clockNow(): number {
    return this.config.clock === "event" ? this.watermark : this.env.now() - this.lagUs;
  }

  private pushTime(st: SymbolState, ts: number, price: number, size: number, flags: TradeFlags, counts: boolean, tick: Tick): void {
    const c = this.config;
    const open = st.open;
    if (open !== undefined && ts >= open.end) this.closeOpen(st, false); // a later tick closes the bar
    else if ((open !== undefined && ts < open.start) || (open === undefined && ts < st.closedEnd)) {
      this.late(st, ts, price, size, flags, counts, tick);
      return;
    }
    if (!counts) {
      this.stats.excluded++;
      return;
    }
    if (st.open === undefined) {
      const range = barRange(c, ts);
      if (c.emptyBars === "flat") this.fillFlat(st, range.start, range.start);
      st.open = new Builder(range.start, range.end, range, st.fresh);
      if (st.reviseFloor === Infinity) st.reviseFloor = range.start;
      const d = range.end + c.closeDelayUs;
      if (d < this.deadline) this.deadline = d;
    }
    st.open.add(price, size, flags, ts, c.vwapBasis);
    this.maybeUpdate(st);
  }

  private late(st: SymbolState, ts: number, price: number, size: number, flags: TradeFlags, counts: boolean, tick: Tick): void {
    const c = this.config;
    if (!counts) {
      this.stats.excluded++;
      return;
    }
    if (c.latePolicy === "current" && st.open !== undefined) {
      st.open.add(price, size, flags, ts, c.vwapBasis);
      this.maybeUpdate(st);
      return;
    }
    if (c.latePolicy === "revise") {
      const now = this.clockNow();
      const hit = st.recent.find((r) => ts >= r.builder.start && ts < r.builder.end);
      if (hit !== undefined && now - hit.builder.end <= c.reviseWindowUs) {
        hit.builder.add(price, size, flags, ts, c.vwapBasis);
        hit.builder.revision++;
        this.stats.revisions++;
        const bar = hit.builder.toBar(st.symbol, this.interval, hit.prevClose, true, this.env.now());
        if (hit.partial) bar.partial = true;
        this.stats.bars++;
        this.env.emit({ type: "bar", bar });
        return;
      }
      if (hit === undefined && c.kind === "time" && this.reviseMissing(st, ts, price, size, flags, now)) return;
    }
    this.stats.late++;
    this.env.emit({ type: "reject", tick, reason: "late", message: "tick older than the open bar" });
  }

  /**
   * `revise`, a late tick whose interval has no bar (nothing arrived for it live: the feed was
   * down and the tick comes from a backfill): makes that bar, emitted as final, and keeps it for
   * further revisions. Its `revision` is 1 when a flat bar stood for the interval, else 0 (its
   * first emission). Returns false when the interval is outside the window or before the floor.
   */
  private reviseMissing(st: SymbolState, ts: number, price: number, size: number, flags: TradeFlags, now: number): boolean {
    const c = this.config;
    const range = barRange(c, ts);
    if (range.start < st.reviseFloor || now - range.end > c.reviseWindowUs) return false;
    if (st.open !== undefined && range.start >= st.open.start) return false;
    const b = new Builder(range.start, range.end, range, false);
    b.add(price, size, flags, ts, c.vwapBasis);
    let at = st.recent.length;
    while (at > 0 && st.recent[at - 1].builder.start > range.start) at--;
    const prevClose = at > 0 ? st.recent[at - 1].builder.close : null;
    const wasFlat = c.emptyBars === "flat" && range.end <= st.closedEnd && this.flatAllowed(range);
    if (wasFlat) b.revision = 1;
    st.recent.splice(at, 0, { builder: b, prevClose, partial: false });
    this.trimRecent(st, b.end - b.start);
    this.stats.revisions++;
    this.stats.bars++;
    this.env.emit({ type: "bar", bar: b.toBar(st.symbol, this.interval, prevClose, true, this.env.now()) });
    return true;
  }

  /** Keeps `recent` inside the revise window and its count cap (enough bars to cover the window, 16..2048). */
  private trimRecent(st: SymbolState, barUs: number): void {
    const c = this.config;
    const cap = Math.min(MAX_RECENT_CAP, Math.max(MAX_RECENT, barUs > 0 ? Math.ceil(c.reviseWindowUs / barUs) + 2 : MAX_RECENT));
    const horizon = this.clockNow() - c.reviseWindowUs;
    while (st.recent.length > 0 && st.recent[0].builder.end < horizon) st.recent.shift();
    while (st.recent.length > cap) {
      const gone = st.recent.shift();
      if (gone !== undefined && gone.builder.end > st.reviseFloor) st.reviseFloor = gone.builder.end;
    }
  }

  private maybeUpdate(st: SymbolState): void {
    const c = this.config;
    if (c.updates === "off" || st.open === undefined) return;
    const now = this.env.now();
    if (c.updates === "throttle" && now - st.lastUpdateAt < c.updatesUs) return;
    st.lastUpdateAt = now;
    const bar = st.open.toBar(st.symbol, this.interval, st.lastClose, false, now);
    if (this.isPartial(st.open, false)) bar.partial = true;
    this.stats.updates++;
    this.env.emit({ type: "bar", bar });
  }

  private isPartial(b: Builder, cut: boolean): boolean {
    return cut || (b.range !== undefined && b.range.short) || this.firstIsPartial(b);
  }

  /**
   * A symbol's first time bar since start/reset is partial when it may have missed ticks: with
   * the wall clock, when it began before the aggregator started; with the event clock, unless
   * its first tick is exactly on its start.
   */
  private firstIsPartial(b: Builder): boolean {
    if (!b.first || this.config.kind !== "time") return false;
    return this.config.clock === "wall" ? b.start < this.startedAt - this.lagUs : b.firstTs !== b.start;
  }

  /** Closes the open bar; `cut` = closed before its end (flush). */
  private closeOpen(st: SymbolState, cut: boolean): void {
    const b = st.open;
    if (b === undefined) return;
    st.open = undefined;
    const c = this.config;
    if (c.kind !== "time") {
      // Threshold bars have no grid: they span their first to last tick (both inclusive).
      b.start = b.firstTs ?? b.start;
      b.end = b.lastTs ?? b.start;
    }
    const prevClose = st.lastClose;
    const bar = b.toBar(st.symbol, this.interval, prevClose, true, this.env.now());
    const partial = this.isPartial(b, cut);
    if (partial) bar.partial = true;
    if (bar.close !== null) st.lastClose = bar.close;
    if (c.kind === "time") {
      st.closedEnd = b.end;
      if (c.latePolicy === "revise") {
        st.recent.push({ builder: b, prevClose, partial });
        this.trimRecent(st, b.end - b.start);
      }
    }
    const skip = c.skipFirstPartial && this.firstIsPartial(b);
    st.fresh = false;
    if (skip) return;
    this.stats.bars++;
    this.env.emit({ type: "bar", bar });
  }

  /**
   * Emits flat bars for the empty intervals after the last closed bar: those that ended by
   * `clock - delay` (timer) and, when a tick opens a later bar, those before `until`.
   */
  private fillFlat(st: SymbolState, clock: number, until: number): void {
    const c = this.config;
    if (st.lastClose === null || st.closedEnd === -Infinity) return;
    let from = st.closedEnd;
    const limit = Math.min(until, clock - c.closeDelayUs);
    if (from >= limit && until === Infinity) return;
    const skipGap = (): void => {
      // Too long a gap (a weekend of 1-second bars): skip the rest of it, counted.
      const target = until !== Infinity ? until : barRange(c, limit).start;
      this.stats.flatSkipped++;
      if (Number.isFinite(target) && target > st.closedEnd) st.closedEnd = target;
    };
    // Work is bounded whatever times arrive: a gap of more intervals than the scan cap (a clock
    // that jumped years) is skipped at once instead of being walked interval by interval.
    const scanCap = Math.max(4 * c.maxFlatBars, MIN_FLAT_SCAN);
    const span = (until !== Infinity ? until : limit) - from;
    if (!Number.isFinite(span) || span / stepUsOf(c) > scanCap + 1) {
      skipGap();
      return;
    }
    let made = 0;
    let scanned = 0;
    while (true) {
      const r = barRange(c, from);
      if (until !== Infinity ? r.start >= until : r.end > limit) break;
      if (made >= c.maxFlatBars || ++scanned > scanCap || !(r.end > from)) {
        skipGap();
        return;
      }
      if (this.flatAllowed(r)) {
        const bar: Bar = {
          symbol: st.symbol,
          interval: this.interval,
          start: r.start,
          end: r.end,
          open: st.lastClose,
          high: st.lastClose,
          low: st.lastClose,
          close: st.lastClose,
          volume: 0,
          vwap: null,
          count: 0,
          firstTs: null,
          lastTs: null,
          final: true,
          partial: false,
          synthetic: true,
          revision: 0,
          emittedAt: this.env.now(),
        };
        if (r.session !== undefined) bar.session = r.session;
        if (r.date !== undefined) bar.date = r.date;
        if (r.short) bar.partial = true;
        this.stats.flatBars++;
        this.stats.bars++;
        this.env.emit({ type: "bar", bar });
        made++;
      }
      st.closedEnd = r.end;
      from = r.end;
    }
  }

  /** Flat bars only inside the selected sessions (for day bars: only trading days unless "closed" is selected). */
  private flatAllowed(r: Range): boolean {
    const sessions = this.config.sessions;
    if (sessions === null) return true;
    if (this.config.unit === "day") return sessions.has("closed") || daySchedule(r.start).trading;
    return sessions.has(r.session ?? sessionAt(r.start));
  }

  private nextDeadlineOf(st: SymbolState): number {
    const c = this.config;
    if (st.open !== undefined) return st.open.end + c.closeDelayUs;
    if (c.emptyBars === "flat" && st.lastClose !== null && st.closedEnd !== -Infinity) return barRange(c, st.closedEnd).end + c.closeDelayUs;
    return Infinity;
  }

  private recomputeDeadline(): void {
    let next = Infinity;
    if (this.config.kind === "time") {
      for (const st of this.symbols.values()) {
        const d = this.nextDeadlineOf(st);
        if (d < next) next = d;
      }
    }
    this.deadline = next;
  }

  private pushThreshold(st: SymbolState, ts: number, price: number, size: number, flags: TradeFlags): void {
    const c = this.config;
    let remaining = size;
    let splits = 0;
    while (true) {
      if (st.open === undefined) st.open = new Builder(ts, ts, undefined, st.fresh);
      const b = st.open;
      if (c.kind === "tick") {
        b.add(price, remaining, flags, ts, c.vwapBasis);
        if (b.count >= c.threshold) this.closeOpen(st, false);
        break;
      }
      if (!flags.volume || remaining <= 0) {
        // Does not count toward a volume/value threshold, but still updates prices.
        b.add(price, remaining, flags, ts, c.vwapBasis);
        break;
      }
      const total = c.kind === "volume" ? b.volume : b.notional;
      const amount = c.kind === "volume" ? remaining : remaining * price;
      if (c.splitLargeTrades && total + amount > c.threshold) {
        if (splits >= MAX_SPLIT_BARS) {
          // Bounded work: after MAX_SPLIT_BARS full bars the rest of the trade goes, whole, into
          // one more bar, closed at once and marked oversized (a 1e12-share print cannot make a
          // trillion bars). Its volume is not lost.
          b.add(price, remaining, flags, ts, c.vwapBasis);
          b.oversized = true;
          this.stats.oversized++;
          this.closeOpen(st, false);
          break;
        }
        splits++;
        const part = c.kind === "volume" ? c.threshold - total : (c.threshold - total) / price;
        b.add(price, part, flags, ts, c.vwapBasis);
        this.closeOpen(st, false);
        remaining -= part;
        if (remaining <= 1e-12 * size) break;
        continue;
      }
      b.add(price, remaining, flags, ts, c.vwapBasis);
      if ((c.kind === "volume" ? b.volume : b.notional) >= c.threshold) this.closeOpen(st, false);
      break;
    }
    this.maybeUpdate(st);
  }

  /** Learns the feed's delay: the lowest recvTs - ts in 10-second buckets over the last minute. */
  private noteLag(recvTs: number, ts: number): void {
    if (!Number.isFinite(recvTs)) return;
    const id = Math.floor(recvTs / LAG_BUCKET_US);
    const i = id % LAG_BUCKETS;
    if (this.lagId[i] !== id) {
      this.lagId[i] = id;
      this.lagMin[i] = Infinity;
    }
    const lag = recvTs - ts;
    if (lag < this.lagMin[i]) this.lagMin[i] = lag;
    let m = Infinity;
    for (let k = 0; k < LAG_BUCKETS; k++) if (this.lagId[k] > id - LAG_BUCKETS && this.lagMin[k] < m) m = this.lagMin[k];
    this.lagUs = m;
  }

  private noteUnknown(codes: string[]): void {
    for (const code of codes) {
      if (this.unknownSeen.has(code) || this.unknownSeen.size >= 50) continue;
      this.unknownSeen.add(code);
      this.stats.unknownConditions.push(code);
    }
  }
}
