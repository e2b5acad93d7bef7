/**
 * Streaming building blocks (pure, O(1) per value). Every block has `step(x, commit)`: with
 * commit = true the value becomes part of the history; with commit = false the block returns
 * what its output would be if x were committed, and changes nothing (provisional values of an
 * in-progress bar). Blocks return NaN until they have seen enough values (warm-up).
 *
 * Numerical drift: the running sums of Sma, Wma and RollingStats are recomputed exactly from
 * their ring once every `period` committed values (amortized O(1)), so rounding errors never
 * accumulate over more than one window.
 */
import { Ring } from "./ring";

/** Simple moving average (TA-Lib SMA): first value after `period` values. */
export class Sma {
  private readonly ring: Ring;
  private total = 0;
  private sinceExact = 0;

  constructor(readonly period: number) {
    this.ring = new Ring(period);
  }

  step(x: number, commit: boolean): number {
    const r = this.ring;
    const total = r.full ? this.total + x - r.oldest() : this.total + x;
    const out = r.count >= this.period - 1 ? total / this.period : NaN;
    if (commit) {
      r.push(x);
      this.total = total;
      if (r.full && ++this.sinceExact >= this.period) {
        this.total = r.sum();
        this.sinceExact = 0;
      }
    }
    return out;
  }

  reset(): void {
    this.ring.clear();
    this.total = 0;
    this.sinceExact = 0;
  }
}

/**
 * A moving average seeded with the SMA of its first `period` values, then smoothed step by step
 * (`smooth`): the EMA and Wilder's average differ only in that step.
 */
abstract class SeededAverage {
  private n = 0;
  private acc = 0;

  constructor(readonly period: number) {}

  /** The next average from the previous one and a new value (after the seed). */
  protected abstract smooth(prev: number, x: number): number;

  /** The current average (NaN during warm-up). */
  get value(): number {
    return this.n >= this.period ? this.acc : NaN;
  }

  step(x: number, commit: boolean): number {
    let next: number;
    let out: number;
    if (this.n >= this.period) {
      next = this.smooth(this.acc, x);
      out = next;
    } else {
      next = this.acc + x; // the seed's running sum
      out = this.n === this.period - 1 ? next / this.period : NaN;
      if (this.n === this.period - 1) next = out;
    }
    if (commit) {
      this.acc = next;
      this.n++;
    }
    return out;
  }

  reset(): void {
    this.n = 0;
    this.acc = 0;
  }
}

/** Exponential moving average, TA-Lib convention: k = 2 / (period + 1), seeded with the SMA of the first `period` values. */
export class Ema extends SeededAverage {
  private readonly k: number;

  constructor(period: number) {
    super(period);
    this.k = 2 / (period + 1);
  }

  protected smooth(prev: number, x: number): number {
    return (x - prev) * this.k + prev;
  }
}

/** Wilder's smoothing (RMA): seeded with the mean of the first `period` values, then (prev * (period - 1) + x) / period. */
export class Wilder extends SeededAverage {
  protected smooth(prev: number, x: number): number {
    return (prev * (this.period - 1) + x) / this.period;
  }
}

/** Linearly weighted moving average (TA-Lib WMA): weights 1 (oldest) .. period (newest). */
export class Wma {
  private readonly ring: Ring;
  private readonly divisor: number;
  private total = 0;
  private weighted = 0;
  private sinceExact = 0;

  constructor(readonly period: number) {
    this.ring = new Ring(period);
    this.divisor = (period * (period + 1)) / 2;
  }

  step(x: number, commit: boolean): number {
    const r = this.ring;
    let total: number;
    let weighted: number;
    if (r.full) {
      weighted = this.weighted + this.period * x - this.total;
      total = this.total + x - r.oldest();
    } else {
      weighted = this.weighted + (r.count + 1) * x;
      total = this.total + x;
    }
    const out = r.count >= this.period - 1 ? weighted / this.divisor : NaN;
    if (commit) {
      r.push(x);
      this.total = total;
      this.weighted = weighted;
      if (r.full && ++this.sinceExact >= this.period) this.exact();
    }
    return out;
  }

  private exact(): void {
    let t = 0;
    let w = 0;
    for (let i = 0; i < this.period; i++) {
      const v = this.ring.at(i);
      t += v;
      w += (i + 1) * v;
    }
    this.total = t;
    this.weighted = w;
    this.sinceExact = 0;
  }

  reset(): void {
    this.ring.clear();
    this.total = 0;
    this.weighted = 0;
    this.sinceExact = 0;
  }
}

/**
 * Mean and population standard deviation of the last `period` values. Sliding Welford updates
 * (no E[x²] - E[x]² cancellation on large prices), exact two-pass recompute once per window.
 */
export class RollingStats {
  private readonly ring: Ring;
  private mean = 0;
  private m2 = 0;
  private sinceExact = 0;
  /** Outputs of the last step. */
  outMean = NaN;
  outStd = NaN;

  constructor(readonly period: number) {
    this.ring = new Ring(period);
  }

  /** Sets outMean/outStd (NaN during warm-up); returns whether they are ready. */
  step(x: number, commit: boolean): boolean {
    const r = this.ring;
    let mean: number;
    let m2: number;
    if (r.full) {
      const y = r.oldest();
      mean = this.mean + (x - y) / this.period;
      m2 = this.m2 + (x - y) * (x - mean + y - this.mean);
    } else {
      const c = r.count + 1;
      const d = x - this.mean;
      mean = this.mean + d / c;
      m2 = this.m2 + d * (x - mean);
    }
    if (m2 < 0) m2 = 0;
    const ready = r.count >= this.period - 1;
    this.outMean = ready ? mean : NaN;
    this.outStd = ready ? Math.sqrt(m2 / this.period) : NaN;
    if (commit) {
      r.push(x);
      this.mean = mean;
      this.m2 = m2;
      if (r.full && ++this.sinceExact >= this.period) this.exact();
    }
    return ready;
  }

  private exact(): void {
    const mean = this.ring.sum() / this.period;
    let m2 = 0;
    for (let i = 0; i < this.period; i++) {
      const d = this.ring.at(i) - mean;
      m2 += d * d;
    }
    this.mean = mean;
    this.m2 = m2;
    this.sinceExact = 0;
  }

  reset(): void {
    this.ring.clear();
    this.mean = 0;
    this.m2 = 0;
    this.sinceExact = 0;
    this.outMean = NaN;
    this.outStd = NaN;
  }
}
