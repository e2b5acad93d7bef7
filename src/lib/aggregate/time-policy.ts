/**
 * Time bars (aggregation.md §2.2, §7): bars on the event-time grid [start, end), closed by a
 * later tick or by the clock (wall clock less the feed's delay, or the event-time watermark)
 * once end + closeDelay has passed; flat bars for empty intervals; late ticks dropped, added to
 * the open bar ("current") or revising a closed bar still inside the revise window ("revise").
 */
import { Builder, flatBar } from "./builder";
import type { AggContext, SymbolState } from "./context";
import { barRange, flatAllowed, stepUsOf } from "./grid";
import type { BarPolicy } from "./policy";
import type { Sample } from "./sample";

/** Flat bars: a gap is walked interval by interval up to max(4 x maxFlatBars, this) intervals. */
export const MIN_FLAT_SCAN = 10_000;
const MAX_RECENT = 16;
/** Most closed bars kept per symbol for revisions, whatever the window. */
const MAX_RECENT_CAP = 2048;

export class TimePolicy implements BarPolicy {
  /** An open bar is partial when its interval is short or it is a first bar that may have missed ticks. */
  private readonly openPartial = (b: Builder): boolean => (b.range !== undefined && b.range.short) || this.firstIsPartial(b);

  constructor(private readonly ctx: AggContext) {}

  push(st: SymbolState, s: Sample): void {
    const open = st.open;
    if (open !== undefined && s.ts >= open.end)
      this.close(st, false); // a later tick closes the bar
    else if ((open !== undefined && s.ts < open.start) || (open === undefined && s.ts < st.closedEnd)) {
      this.late(st, s);
      return;
    }
    if (!s.counts) {
      this.ctx.stats.excluded++;
      return;
    }
    (st.open ?? this.openAt(st, s.ts)).add(s);
    this.ctx.update(st, this.openPartial);
  }

  advance(states: Iterable<SymbolState>, clock: number): number {
    const c = this.ctx.config;
    let next = Infinity;
    for (const st of states) {
      if (st.open !== undefined && st.open.end + c.closeDelayUs <= clock) this.close(st, false);
      if (st.open === undefined && c.emptyBars === "flat") this.fillFlat(st, clock, Infinity);
      const d = this.nextDeadlineOf(st);
      if (d < next) next = d;
    }
    return next;
  }

  flush(st: SymbolState, clock: number): void {
    if (st.open !== undefined) this.close(st, st.open.end > clock);
  }

  deadline(states: Iterable<SymbolState>): number {
    let next = Infinity;
    for (const st of states) {
      const d = this.nextDeadlineOf(st);
      if (d < next) next = d;
    }
    return next;
  }

  /** Opens the bar whose interval holds `ts` (after the flat bars before it). */
  private openAt(st: SymbolState, ts: number): Builder {
    const c = this.ctx.config;
    const range = barRange(c, ts);
    if (c.emptyBars === "flat") this.fillFlat(st, range.start, range.start);
    const b = new Builder(range.start, range.end, range, st.fresh, c.vwapBasis);
    st.open = b;
    if (st.reviseFloor === Infinity) st.reviseFloor = range.start;
    const d = range.end + c.closeDelayUs;
    if (d < this.ctx.deadline) this.ctx.deadline = d;
    return b;
  }

  /** A tick older than the open bar (or than the last closed one), by the late policy. */
  private late(st: SymbolState, s: Sample): void {
    const c = this.ctx.config;
    if (!s.counts) {
      this.ctx.stats.excluded++;
      return;
    }
    if (c.latePolicy === "current" && st.open !== undefined) {
      st.open.add(s);
      this.ctx.update(st, this.openPartial);
      return;
    }
    if (c.latePolicy === "revise" && this.revise(st, s)) return;
    this.ctx.stats.late++;
    this.ctx.reject(s.tick, "late", "tick older than the open bar");
  }

  /** `revise`: adds a late tick to its closed bar and emits the revision; false when it is too late. */
  private revise(st: SymbolState, s: Sample): boolean {
    const now = this.ctx.clockNow();
    const hit = st.recent.find((r) => s.ts >= r.builder.start && s.ts < r.builder.end);
    if (hit === undefined) return this.reviseMissing(st, s, now);
    if (now - hit.builder.end > this.ctx.config.reviseWindowUs) return false;
    hit.builder.add(s);
    hit.builder.revision++;
    this.ctx.stats.revisions++;
    const bar = hit.builder.toBar(st.symbol, this.ctx.interval, hit.prevClose, true, this.ctx.now());
    if (hit.partial) bar.partial = true;
    this.ctx.emitBar(bar);
    return true;
  }

  /**
   * `revise`, a late tick whose interval has no bar (nothing arrived for it live: the feed was
   * down and the tick comes from a backfill): makes that bar, emitted as final, and keeps it for
   * further revisions. Its `revision` is 1 when a flat bar stood for the interval, else 0 (its
   * first emission). Returns false when the interval is outside the window or before the floor.
   */
  private reviseMissing(st: SymbolState, s: Sample, now: number): boolean {
    const c = this.ctx.config;
    const range = barRange(c, s.ts);
    if (range.start < st.reviseFloor || now - range.end > c.reviseWindowUs) return false;
    if (st.open !== undefined && range.start >= st.open.start) return false;
    const b = new Builder(range.start, range.end, range, false, c.vwapBasis);
    b.add(s);
    let at = st.recent.length;
    while (at > 0 && st.recent[at - 1].builder.start > range.start) at--;
    const prevClose = at > 0 ? st.recent[at - 1].builder.close : null;
    const wasFlat = c.emptyBars === "flat" && range.end <= st.closedEnd && flatAllowed(c, range);
    if (wasFlat) b.revision = 1;
    st.recent.splice(at, 0, { builder: b, prevClose, partial: false });
    this.trimRecent(st, b.end - b.start);
    this.ctx.stats.revisions++;
    this.ctx.emitBar(b.toBar(st.symbol, this.ctx.interval, prevClose, true, this.ctx.now()));
    return true;
  }

  /** Keeps `recent` inside the revise window and its count cap (enough bars to cover the window, 16..2048). */
  private trimRecent(st: SymbolState, barUs: number): void {
    const c = this.ctx.config;
    const cap = Math.min(MAX_RECENT_CAP, Math.max(MAX_RECENT, barUs > 0 ? Math.ceil(c.reviseWindowUs / barUs) + 2 : MAX_RECENT));
    const horizon = this.ctx.clockNow() - c.reviseWindowUs;
    while (st.recent.length > 0 && st.recent[0].builder.end < horizon) st.recent.shift();
    while (st.recent.length > cap) {
      const gone = st.recent.shift();
      if (gone !== undefined && gone.builder.end > st.reviseFloor) st.reviseFloor = gone.builder.end;
    }
  }

  /**
   * A symbol's first time bar since start/reset is partial when it may have missed ticks: with
   * the wall clock, when it began before the aggregator started; with the event clock, unless
   * its first tick is exactly on its start.
   */
  private firstIsPartial(b: Builder): boolean {
    if (!b.first) return false;
    return this.ctx.config.clock === "wall" ? b.start < this.ctx.startedAt - this.ctx.lag.lagUs : b.firstTs !== b.start;
  }

  /** Closes the open bar; `cut` = closed before its end (flush). */
  private close(st: SymbolState, cut: boolean): void {
    const b = st.open;
    if (b === undefined) return;
    st.open = undefined;
    const c = this.ctx.config;
    const prevClose = st.lastClose;
    const first = this.firstIsPartial(b);
    const partial = cut || (b.range !== undefined && b.range.short) || first;
    st.closedEnd = b.end;
    if (c.latePolicy === "revise") {
      st.recent.push({ builder: b, prevClose, partial });
      this.trimRecent(st, b.end - b.start);
    }
    this.ctx.closeBar(st, b, prevClose, partial, c.skipFirstPartial && first);
  }

  /**
   * Emits flat bars for the empty intervals after the last closed bar: those that ended by
   * `clock - delay` (timer) and, when a tick opens a later bar, those before `until`.
   */
  private fillFlat(st: SymbolState, clock: number, until: number): void {
    const c = this.ctx.config;
    if (st.lastClose === null || st.closedEnd === -Infinity) return;
    let from = st.closedEnd;
    const limit = Math.min(until, clock - c.closeDelayUs);
    if (from >= limit && until === Infinity) return;
    // Work is bounded whatever times arrive: a gap of more intervals than the scan cap (a clock
    // that jumped years) is skipped at once instead of being walked interval by interval.
    const scanCap = Math.max(4 * c.maxFlatBars, MIN_FLAT_SCAN);
    const span = (until !== Infinity ? until : limit) - from;
    if (!Number.isFinite(span) || span / stepUsOf(c) > scanCap + 1) return this.skipGap(st, until, limit);
    let made = 0;
    let scanned = 0;
    while (true) {
      const r = barRange(c, from);
      if (until !== Infinity ? r.start >= until : r.end > limit) return;
      if (made >= c.maxFlatBars || ++scanned > scanCap || !(r.end > from)) return this.skipGap(st, until, limit);
      if (flatAllowed(c, r)) {
        this.ctx.stats.flatBars++;
        this.ctx.emitBar(flatBar(st.symbol, this.ctx.interval, r, st.lastClose, this.ctx.now()));
        made++;
      }
      st.closedEnd = r.end;
      from = r.end;
    }
  }

  /** Too long a gap (a weekend of 1-second bars): skips the rest of it, counted. */
  private skipGap(st: SymbolState, until: number, limit: number): void {
    const target = until !== Infinity ? until : barRange(this.ctx.config, limit).start;
    this.ctx.stats.flatSkipped++;
    if (Number.isFinite(target) && target > st.closedEnd) st.closedEnd = target;
  }

  private nextDeadlineOf(st: SymbolState): number {
    const c = this.ctx.config;
    if (st.open !== undefined) return st.open.end + c.closeDelayUs;
    if (c.emptyBars === "flat" && st.lastClose !== null && st.closedEnd !== -Infinity)
      return barRange(c, st.closedEnd).end + c.closeDelayUs;
    return Infinity;
  }
}
