/**
 * What an Aggregator shares with its bar policy: the configuration, the clocks (wall, event-time
 * watermark, feed delay), the counters, the per-symbol state and the output.
 */
import type { Bar } from "../types";
import type { Builder } from "./builder";
import type { AggregateConfig } from "./config";
import { LagEstimator } from "./lag";

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

/** A closed time bar kept for revisions (late ticks under the revise policy). */
export interface RecentBar {
  builder: Builder;
  prevClose: number | null;
  partial: boolean;
}

export interface SymbolState {
  symbol: string;
  open: Builder | undefined;
  /** Close of the last emitted bar (for flat bars and volume-only bars). */
  lastClose: number | null;
  /** End of the last closed time bar (-Infinity before the first). */
  closedEnd: number;
  /** Closed time bars still inside the revise window, oldest first (by start). */
  recent: RecentBar[];
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

export function newSymbolState(symbol: string): SymbolState {
  return {
    symbol,
    open: undefined,
    lastClose: null,
    closedEnd: -Infinity,
    recent: [],
    reviseFloor: Infinity,
    fresh: true,
    lastUpdateAt: -Infinity,
  };
}

function newStats(): AggregateStats {
  return {
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
}

export class AggContext {
  readonly stats: AggregateStats = newStats();
  /** Event-time watermark: the highest tick time seen (event clock). */
  watermark = -Infinity;
  /** When the aggregator started or was reset (wall µs): bars starting before it are partial. */
  startedAt: number;
  /** Earliest clock time (µs, event-time domain) at which `advance` has something to close; Infinity = nothing. */
  deadline = Infinity;
  /** Wall clock mode: the feed's delay. */
  readonly lag = new LagEstimator();

  constructor(
    readonly config: AggregateConfig,
    /** The interval label bars carry. */
    readonly interval: string,
    private readonly env: AggregateEnv,
  ) {
    this.startedAt = env.now();
  }

  /** Wall clock, µs. */
  now(): number {
    return this.env.now();
  }

  /** Now in event time: the watermark, or the wall clock less the feed's delay. */
  clockNow(): number {
    return this.config.clock === "event" ? this.watermark : this.env.now() - this.lag.lagUs;
  }

  reject(tick: unknown, reason: RejectReason, message: string): void {
    this.env.emit({ type: "reject", tick, reason, message });
  }

  /** Emits a final bar (counted). */
  emitBar(bar: Bar): void {
    this.stats.bars++;
    this.env.emit({ type: "bar", bar });
  }

  /**
   * Emits the bar of a closed builder (unless `skip`) and remembers its close for the symbol's
   * next bars. The policy has taken it off `st.open` and settled its span.
   */
  closeBar(st: SymbolState, b: Builder, prevClose: number | null, partial: boolean, skip: boolean): void {
    const bar = b.toBar(st.symbol, this.interval, prevClose, true, this.env.now());
    if (partial) bar.partial = true;
    if (bar.close !== null) st.lastClose = bar.close;
    st.fresh = false;
    if (skip) return;
    this.emitBar(bar);
  }

  /** An in-progress update (final: false) of the symbol's open bar, as `updates` asks. */
  update(st: SymbolState, isPartial: (b: Builder) => boolean): void {
    const c = this.config;
    if (c.updates === "off" || st.open === undefined) return;
    const now = this.env.now();
    if (c.updates === "throttle" && now - st.lastUpdateAt < c.updatesUs) return;
    st.lastUpdateAt = now;
    const bar = st.open.toBar(st.symbol, this.interval, st.lastClose, false, now);
    if (isPartial(st.open)) bar.partial = true;
    this.stats.updates++;
    this.env.emit({ type: "bar", bar });
  }
}
