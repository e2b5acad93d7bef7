/**
 * The eleven streaming indicators (pure, O(1) per value; O(1) amortized for stochastic).
 * Conventions (TA-Lib, with Wilder's smoothing for RSI and ATR):
 * - SMA, WMA: first value after `period` inputs. EMA: k = 2/(period+1), seeded with the SMA of
 *   the first `period` inputs.
 * - RSI: average gain/loss seeded with the mean of the first `period` changes (first value after
 *   period + 1 inputs), then Wilder-smoothed. RSI = 100 * gain / (gain + loss).
 * - MACD (TA-Lib TA_MACD): slow EMA from the first input; the fast EMA is seeded with the SMA of
 *   the `fast` inputs that end where the slow EMA's seed ends (it skips the first slow - fast
 *   inputs); MACD = fast - slow; signal = EMA(signal) of MACD; histogram = MACD - signal. First
 *   value after slow + signal - 1 inputs.
 * - Bollinger: middle = SMA(period), upper/lower = middle ± k * population standard deviation.
 * - ATR: true range from the second input (max(high - low, |high - prev close|, |low - prev
 *   close|)), seeded with the mean of the first `period` true ranges, then Wilder-smoothed.
 * - stddev: population standard deviation of the last `period` values.
 * - ROC: (x / x[period ago] - 1) * 100 (0 when that value is 0).
 * - Stochastic: fast %K = 100 * (close - lowest low) / (highest high - lowest low) over
 *   `period`; %K = SMA(smooth) of fast %K (smooth 1 = fast stochastic); %D = SMA(signal) of %K.
 * - OBV: starts at the first input's volume; adds the volume when the value rises, subtracts it
 *   when it falls.
 * Degenerate cases where TA-Lib returns 0 (RSI with no movement at all, stochastic with
 * highest = lowest) return 50 here: a halted or flat symbol is neutral, not oversold.
 */
import { Ema, RollingStats, Sma, Wilder, Wma } from "./core";
import { Ring, WindowExtreme } from "./ring";

export type IndicatorName = "sma" | "ema" | "wma" | "rsi" | "macd" | "bollinger" | "atr" | "stddev" | "roc" | "stoch" | "obv";
export const INDICATORS: readonly IndicatorName[] = [
  "sma",
  "ema",
  "wma",
  "rsi",
  "macd",
  "bollinger",
  "atr",
  "stddev",
  "roc",
  "stoch",
  "obv",
];

/** One input: the selected source value plus the bar's (or tick's) high, low, close and volume. */
export interface Point {
  value: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface MacdValue {
  macd: number;
  signal: number;
  histogram: number;
}
export interface BandsValue {
  upper: number;
  middle: number;
  lower: number;
}
export interface StochValue {
  k: number;
  d: number;
}
export type IndicatorValue = number | MacdValue | BandsValue | StochValue;

export interface IndicatorParams {
  period?: number;
  fast?: number;
  slow?: number;
  signal?: number;
  k?: number;
  smooth?: number;
}

export interface Indicator {
  /** Feeds one point; commit = false returns the provisional value and changes nothing. null during warm-up. */
  update(p: Point, commit: boolean): IndicatorValue | null;
  reset(): void;
}

/** The parameters each indicator uses, with their defaults. */
export const DEFAULT_PARAMS: Record<IndicatorName, IndicatorParams> = {
  sma: { period: 20 },
  ema: { period: 20 },
  wma: { period: 20 },
  rsi: { period: 14 },
  macd: { fast: 12, slow: 26, signal: 9 },
  bollinger: { period: 20, k: 2 },
  atr: { period: 14 },
  stddev: { period: 20 },
  roc: { period: 10 },
  stoch: { period: 14, smooth: 3, signal: 3 },
  obv: {},
};

/** Fills the defaults, drops the parameters the indicator does not use, and validates. Throws a readable message. */
export function resolveParams(name: IndicatorName, given: IndicatorParams): IndicatorParams {
  const out: IndicatorParams = {};
  const dflt = DEFAULT_PARAMS[name];
  for (const key of Object.keys(dflt) as Array<keyof IndicatorParams>) {
    const v = given[key] ?? dflt[key];
    if (v === undefined) continue;
    if (key === "k") {
      if (!(Number.isFinite(v) && v > 0)) throw new Error(`The band width k must be a positive number; got ${v}.`);
    } else if (!(Number.isInteger(v) && v >= 1 && v <= 100000)) {
      throw new Error(`The ${key === "period" ? "period" : key + " period"} must be a whole number from 1 to 100000; got ${v}.`);
    }
    out[key] = v;
  }
  if (name === "macd" && out.fast === out.slow) throw new Error("The MACD fast and slow periods must differ.");
  return out;
}

class ScalarOf implements Indicator {
  constructor(private readonly block: { step(x: number, commit: boolean): number; reset(): void }) {}
  update(p: Point, commit: boolean): number | null {
    const v = this.block.step(p.value, commit);
    return v === v ? v : null;
  }
  reset(): void {
    this.block.reset();
  }
}

class Rsi implements Indicator {
  private prev = NaN;
  private readonly gain: Wilder;
  private readonly loss: Wilder;
  constructor(period: number) {
    this.gain = new Wilder(period);
    this.loss = new Wilder(period);
  }
  update(p: Point, commit: boolean): number | null {
    const x = p.value;
    const prev = this.prev;
    if (commit) this.prev = x;
    if (prev !== prev) return null;
    const d = x - prev;
    const g = this.gain.step(d > 0 ? d : 0, commit);
    const l = this.loss.step(d < 0 ? -d : 0, commit);
    if (g !== g) return null;
    const sum = g + l;
    return sum === 0 ? 50 : 100 * (g / sum);
  }
  reset(): void {
    this.prev = NaN;
    this.gain.reset();
    this.loss.reset();
  }
}

class Macd implements Indicator {
  private n = 0;
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly signal: Ema;
  private readonly skip: number;
  constructor(fast: number, slow: number, signal: number) {
    const lo = Math.min(fast, slow);
    const hi = Math.max(fast, slow);
    this.fast = new Ema(lo);
    this.slow = new Ema(hi);
    this.signal = new Ema(signal);
    this.skip = hi - lo;
  }
  update(p: Point, commit: boolean): MacdValue | null {
    const idx = this.n;
    if (commit) this.n++;
    const s = this.slow.step(p.value, commit);
    if (idx < this.skip) return null;
    const f = this.fast.step(p.value, commit);
    if (s !== s || f !== f) return null;
    const macd = f - s;
    const sig = this.signal.step(macd, commit);
    if (sig !== sig) return null;
    return { macd, signal: sig, histogram: macd - sig };
  }
  reset(): void {
    this.n = 0;
    this.fast.reset();
    this.slow.reset();
    this.signal.reset();
  }
}

class Bollinger implements Indicator {
  private readonly stats: RollingStats;
  constructor(
    period: number,
    private readonly k: number,
  ) {
    this.stats = new RollingStats(period);
  }
  update(p: Point, commit: boolean): BandsValue | null {
    const sd = this.stats.step(p.value, commit);
    if (Number.isNaN(sd)) return null;
    const m = this.stats.outMean;
    const w = this.k * sd;
    return { upper: m + w, middle: m, lower: m - w };
  }
  reset(): void {
    this.stats.reset();
  }
}

class Atr implements Indicator {
  private prevClose = NaN;
  private readonly avg: Wilder;
  constructor(period: number) {
    this.avg = new Wilder(period);
  }
  update(p: Point, commit: boolean): number | null {
    const pc = this.prevClose;
    if (commit) this.prevClose = p.close;
    if (pc !== pc) return null;
    const tr = Math.max(p.high - p.low, Math.abs(p.high - pc), Math.abs(p.low - pc));
    const v = this.avg.step(tr, commit);
    return v === v ? v : null;
  }
  reset(): void {
    this.prevClose = NaN;
    this.avg.reset();
  }
}

class Roc implements Indicator {
  private readonly ring: Ring;
  constructor(period: number) {
    this.ring = new Ring(period);
  }
  update(p: Point, commit: boolean): number | null {
    const r = this.ring;
    const out = r.full ? (r.oldest() !== 0 ? (p.value / r.oldest() - 1) * 100 : 0) : null;
    if (commit) r.push(p.value);
    return out;
  }
  reset(): void {
    this.ring.clear();
  }
}

class Stoch implements Indicator {
  private readonly hi: WindowExtreme;
  private readonly lo: WindowExtreme;
  private readonly kAvg: Sma;
  private readonly dAvg: Sma;
  private n = 0;
  constructor(
    private readonly period: number,
    smooth: number,
    signal: number,
  ) {
    this.hi = new WindowExtreme(period, 1);
    this.lo = new WindowExtreme(period, -1);
    this.kAvg = new Sma(smooth);
    this.dAvg = new Sma(signal);
  }
  update(p: Point, commit: boolean): StochValue | null {
    const hh = commit ? this.hi.push(p.high) : this.hi.peek(p.high);
    const ll = commit ? this.lo.push(p.low) : this.lo.peek(p.low);
    const idx = this.n;
    if (commit) this.n++;
    if (idx < this.period - 1) return null;
    const range = hh - ll;
    const fastK = range === 0 ? 50 : (100 * (p.close - ll)) / range;
    const k = this.kAvg.step(fastK, commit);
    if (k !== k) return null;
    const d = this.dAvg.step(k, commit);
    return d === d ? { k, d } : null;
  }
  reset(): void {
    this.hi.clear();
    this.lo.clear();
    this.kAvg.reset();
    this.dAvg.reset();
    this.n = 0;
  }
}

class Obv implements Indicator {
  private prev = NaN;
  private total = 0;
  update(p: Point, commit: boolean): number | null {
    const x = p.value;
    const prev = this.prev;
    const total = prev !== prev ? p.volume : x > prev ? this.total + p.volume : x < prev ? this.total - p.volume : this.total;
    if (commit) {
      this.prev = x;
      this.total = total;
    }
    return total;
  }
  reset(): void {
    this.prev = NaN;
    this.total = 0;
  }
}

/** A new indicator of this kind (params already resolved by resolveParams). */
export function createIndicator(name: IndicatorName, params: IndicatorParams): Indicator {
  const period = params.period ?? 1;
  switch (name) {
    case "sma":
      return new ScalarOf(new Sma(period));
    case "ema":
      return new ScalarOf(new Ema(period));
    case "wma":
      return new ScalarOf(new Wma(period));
    case "rsi":
      return new Rsi(period);
    case "macd":
      return new Macd(params.fast ?? 12, params.slow ?? 26, params.signal ?? 9);
    case "bollinger":
      return new Bollinger(period, params.k ?? 2);
    case "atr":
      return new Atr(period);
    case "stddev":
      return new ScalarOf(new RollingStats(period));
    case "roc":
      return new Roc(period);
    case "stoch":
      return new Stoch(period, params.smooth ?? 3, params.signal ?? 3);
    case "obv":
      return new Obv();
  }
}
