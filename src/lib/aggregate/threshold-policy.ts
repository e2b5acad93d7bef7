/**
 * Threshold bars (aggregation.md §2.3): a bar closes when it holds `threshold` trades (tick
 * bars), shares (volume bars) or notional (value bars). They have no grid: a closed bar spans
 * its first to last tick (both inclusive). With splitLargeTrades, the trade that crosses a
 * volume/value threshold is split so that each bar holds exactly the threshold.
 */
import { Builder } from "./builder";
import type { AggContext, SymbolState } from "./context";
import type { BarPolicy } from "./policy";
import type { Sample } from "./sample";

/** Volume/value bars with split trades: most full bars one trade may make (see pushAmount). */
export const MAX_SPLIT_BARS = 1000;

/** What a volume or value threshold counts: shares, or shares x price. */
interface Measure {
  /** The amount a bar holds. */
  held(b: Builder): number;
  /** The amount of `size` shares at `price`. */
  of(size: number, price: number): number;
  /** The shares at `price` that make `amount`. */
  sizeFor(amount: number, price: number): number;
}

const VOLUME: Measure = { held: (b) => b.volume, of: (size) => size, sizeFor: (amount) => amount };
const VALUE: Measure = { held: (b) => b.notional, of: (size, price) => size * price, sizeFor: (amount, price) => amount / price };

const NEVER_PARTIAL = (): boolean => false;

export class ThresholdPolicy implements BarPolicy {
  /** undefined for tick bars (they count trades). */
  private readonly measure: Measure | undefined;

  constructor(private readonly ctx: AggContext) {
    const kind = ctx.config.kind;
    this.measure = kind === "volume" ? VOLUME : kind === "value" ? VALUE : undefined;
  }

  push(st: SymbolState, s: Sample): void {
    if (!s.counts) {
      this.ctx.stats.excluded++;
      return;
    }
    if (this.measure === undefined) {
      const b = this.openOf(st, s);
      b.add(s);
      if (b.count >= this.ctx.config.threshold) this.close(st, false);
    } else this.pushAmount(st, s, this.measure);
    this.ctx.update(st, NEVER_PARTIAL);
  }

  advance(): number {
    return Infinity;
  }

  flush(st: SymbolState): void {
    this.close(st, true);
  }

  deadline(): number {
    return Infinity;
  }

  private openOf(st: SymbolState, s: Sample): Builder {
    if (st.open === undefined) st.open = new Builder(s.ts, s.ts, undefined, st.fresh, this.ctx.config.vwapBasis);
    return st.open;
  }

  /** Volume/value bars: adds the sample, splitting it over several bars when asked to. */
  private pushAmount(st: SymbolState, s: Sample, m: Measure): void {
    const c = this.ctx.config;
    let remaining = s.size;
    let splits = 0;
    while (true) {
      const b = this.openOf(st, s);
      if (!s.flags.volume || remaining <= 0) {
        // Does not count toward a volume/value threshold, but still updates prices.
        b.add(s, remaining);
        return;
      }
      const total = m.held(b);
      if (c.splitLargeTrades && total + m.of(remaining, s.price) > c.threshold) {
        if (splits >= MAX_SPLIT_BARS) {
          // Bounded work: after MAX_SPLIT_BARS full bars the rest of the trade goes, whole, into
          // one more bar, closed at once and marked oversized (a 1e12-share print cannot make a
          // trillion bars). Its volume is not lost.
          b.add(s, remaining);
          b.oversized = true;
          this.ctx.stats.oversized++;
          this.close(st, false);
          return;
        }
        splits++;
        const part = m.sizeFor(c.threshold - total, s.price);
        b.add(s, part);
        this.close(st, false);
        remaining -= part;
        if (remaining <= 1e-12 * s.size) return;
        continue;
      }
      b.add(s, remaining);
      if (m.held(b) >= c.threshold) this.close(st, false);
      return;
    }
  }

  private close(st: SymbolState, cut: boolean): void {
    const b = st.open;
    if (b === undefined) return;
    st.open = undefined;
    b.start = b.firstTs ?? b.start;
    b.end = b.lastTs ?? b.start;
    this.ctx.closeBar(st, b, st.lastClose, cut, false);
  }
}
