/**
 * One bar being built: OHLC, volume and VWAP accumulation (condition-aware), then the Bar.
 * Open/close follow event time; ties keep arrival order.
 */
import type { TradeFlags } from "../conditions";
import type { Bar } from "../types";
import type { AggregateConfig } from "./config";
import type { Range } from "./grid";
import type { Sample } from "./sample";

export class Builder {
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
    /** The grid interval (time bars); undefined for threshold bars. */
    readonly range: Range | undefined,
    /** The first bar of its symbol since start/reset. */
    readonly first: boolean,
    private readonly vwapBasis: AggregateConfig["vwapBasis"],
  ) {}

  /** Adds one sample with `size` (the sample's own size unless a split trade adds a part of it). */
  add(s: Sample, size: number = s.size): void {
    this.count++;
    const ts = s.ts;
    if (this.firstTs === null || ts < this.firstTs) this.firstTs = ts;
    if (this.lastTs === null || ts > this.lastTs) this.lastTs = ts;
    this.addPrice(s.price, s.flags, ts);
    if (s.flags.volume && size > 0) {
      this.volume += size;
      this.notional += s.price * size;
      if (this.vwapBasis === "volume" || s.flags.highLow) {
        this.vwapVolume += size;
        this.vwapNotional += s.price * size;
      }
    }
  }

  private addPrice(price: number, flags: TradeFlags, ts: number): void {
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
    labelRange(bar, this.range);
    if (this.priceUpdates === 0) bar.priceUpdates = 0;
    if (this.oversized) bar.oversized = true;
    return bar;
  }
}

function labelRange(bar: Bar, r: Range | undefined): void {
  if (r === undefined) return;
  if (r.session !== undefined) bar.session = r.session;
  if (r.date !== undefined) bar.date = r.date;
}

/** A flat bar (synthetic) at `close` for an interval without ticks. */
export function flatBar(symbol: string, interval: string, r: Range, close: number | null, emittedAt: number): Bar {
  const bar: Bar = {
    symbol,
    interval,
    start: r.start,
    end: r.end,
    open: close,
    high: close,
    low: close,
    close,
    volume: 0,
    vwap: null,
    count: 0,
    firstTs: null,
    lastTs: null,
    final: true,
    partial: false,
    synthetic: true,
    revision: 0,
    emittedAt,
  };
  labelRange(bar, r);
  if (r.short) bar.partial = true;
  return bar;
}
