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
  private readonly k = 2 / (this.period + 1);

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

/**
 * The last `period` values with two running aggregates that move in O(1) per value (WMA: the sum
 * and the weighted sum; RollingStats: the mean and M2). A subclass's `step` proposes the
 * aggregates for a value and, when the value is final, hands them over with it (`accept`); once per `period`
 * committed values they are recomputed from the window.
 */
abstract class RunningWindow {
  protected readonly ring: Ring;
  protected a = 0;
  protected b = 0;
  private sinceExact = 0;

  constructor(readonly period: number) {
    this.ring = new Ring(period);
  }

  /** Sets `a` and `b` from the window's values. */
  protected abstract recompute(): void;

  /** Adds a committed value and the aggregates it gives. */
  protected accept(x: number, a: number, b: number): void {
    const r = this.ring;
    r.push(x);
    this.a = a;
    this.b = b;
    if (r.full && ++this.sinceExact >= this.period) {
      this.recompute();
      this.sinceExact = 0;
    }
  }

  reset(): void {
    this.ring.clear();
    this.a = 0;
    this.b = 0;
    this.sinceExact = 0;
  }
}

/** Linearly weighted moving average (TA-Lib WMA): weights 1 (oldest) .. period (newest). a = the sum, b = the weighted sum. */
export class Wma extends RunningWindow {
  private readonly divisor = (this.period * (this.period + 1)) / 2;

  step(x: number, commit: boolean): number {
    const r = this.ring;
    let total: number;
    let weighted: number;
    if (r.full) {
      weighted = this.b + this.period * x - this.a;
      total = this.a + x - r.oldest();
    } else {
      weighted = this.b + (r.count + 1) * x;
      total = this.a + x;
    }
    const out = r.count >= this.period - 1 ? weighted / this.divisor : NaN;
    if (commit) this.accept(x, total, weighted);
    return out;
  }

  protected recompute(): void {
    let t = 0;
    let w = 0;
    for (let i = 0; i < this.period; i++) {
      const v = this.ring.at(i);
      t += v;
      w += (i + 1) * v;
    }
    this.a = t;
    this.b = w;
  }
}

/**
 * Mean and population standard deviation of the last `period` values. Sliding Welford updates
 * (no E[x²] - E[x]² cancellation on large prices), exact two-pass recompute once per window.
 * a = the mean, b = M2 (the sum of squared deviations).
 */
export class RollingStats extends RunningWindow {
  /** The mean of the last step (NaN during warm-up). */
  outMean = NaN;

  /** The standard deviation (NaN during warm-up); sets outMean. */
  step(x: number, commit: boolean): number {
    const r = this.ring;
    let mean: number;
    let m2: number;
    if (r.full) {
      const y = r.oldest();
      mean = this.a + (x - y) / this.period;
      m2 = this.b + (x - y) * (x - mean + y - this.a);
    } else {
      const c = r.count + 1;
      const d = x - this.a;
      mean = this.a + d / c;
      m2 = this.b + d * (x - mean);
    }
    if (m2 < 0) m2 = 0;
    const ready = r.count >= this.period - 1;
    this.outMean = ready ? mean : NaN;
    if (commit) this.accept(x, mean, m2);
    return ready ? Math.sqrt(m2 / this.period) : NaN;
  }

  protected recompute(): void {
    const mean = this.ring.sum() / this.period;
    let m2 = 0;
    for (let i = 0; i < this.period; i++) {
      const d = this.ring.at(i) - mean;
      m2 += d * d;
    }
    this.a = mean;
    this.b = m2;
  }

  override reset(): void {
    super.reset();
    this.outMean = NaN;
  }
}
