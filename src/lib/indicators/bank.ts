/**
 * Per-symbol indicator state for the tick-indicator node (pure): reads the source value from a
 * Bar or a Tick, keeps one indicator per symbol (at most `maxSymbols`, least recently updated
 * evicted first), and ignores inputs older than the last committed one.
 */
import type { Bar, Tick } from "../types";
import { createIndicator, type Indicator, type IndicatorName, type IndicatorParams, type IndicatorValue, type Point } from "./indicators";

export type Source = "close" | "open" | "high" | "low" | "hl2" | "hlc3" | "ohlc4" | "price" | "vwap";
export const SOURCES: readonly Source[] = ["close", "open", "high", "low", "hl2", "hlc3", "ohlc4", "price", "vwap"];

/** What one input is: a bar, a tick, or neither (the caller reports it). */
export type InputKind = "bar" | "tick";

/** A Bar (has close and start) or a Tick (has type and ts); undefined for anything else. */
export function kindOf(x: unknown): InputKind | undefined {
  if (x === null || typeof x !== "object") return undefined;
  const o = x as Record<string, unknown>;
  if (typeof o.symbol !== "string" || o.symbol === "") return undefined;
  if ("close" in o && typeof o.start === "number") return "bar";
  if ((o.type === "trade" || o.type === "quote") && typeof o.ts === "number") return "tick";
  return undefined;
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * Fills `p` from a bar; false when the bar has no price yet (no trade: close null) or the source
 * is missing (vwap of a bar without volume). `price` on a bar is its close.
 */
export function pointFromBar(b: Bar, source: Source, p: Point): boolean {
  const { open, high, low, close } = b;
  if (!finite(close)) return false;
  const h = finite(high) ? high : close;
  const l = finite(low) ? low : close;
  const o = finite(open) ? open : close;
  let v: number;
  switch (source) {
    case "close":
    case "price":
      v = close;
      break;
    case "open":
      v = o;
      break;
    case "high":
      v = h;
      break;
    case "low":
      v = l;
      break;
    case "hl2":
      v = (h + l) / 2;
      break;
    case "hlc3":
      v = (h + l + close) / 3;
      break;
    case "ohlc4":
      v = (o + h + l + close) / 4;
      break;
    case "vwap":
      if (!finite(b.vwap)) return false;
      v = b.vwap;
      break;
  }
  p.value = v;
  p.high = h;
  p.low = l;
  p.close = close;
  p.volume = finite(b.volume) ? b.volume : 0;
  return true;
}

/**
 * Fills `p` from a tick: a trade's price (every source is the price on a tick), a quote's
 * midpoint; false when there is no usable price.
 */
export function pointFromTick(t: Tick, p: Point): boolean {
  let v: number;
  let vol = 0;
  if (t.type === "trade" && finite(t.price)) {
    v = t.price;
    vol = finite(t.size) ? t.size : 0;
  } else if (finite(t.bid) && finite(t.ask)) {
    v = (t.bid + t.ask) / 2;
  } else if (finite(t.price)) {
    v = t.price;
  } else {
    return false;
  }
  p.value = v;
  p.high = v;
  p.low = v;
  p.close = v;
  p.volume = vol;
  return true;
}

interface SymbolState {
  ind: Indicator;
  /** Time of the last committed input (bar start or tick ts), -Infinity before the first. */
  last: number;
}

/** Result of one update: the value (null during warm-up), or "old" when the input was older than the history. */
export type BankResult = IndicatorValue | null | "old";

export class IndicatorBank {
  private readonly states = new Map<string, SymbolState>();
  /** Symbols dropped to stay within maxSymbols. */
  evicted = 0;
  /** Inputs ignored because they were older than the symbol's history (revised or late bars, ticks out of order). */
  old = 0;

  constructor(
    readonly name: IndicatorName,
    readonly params: IndicatorParams,
    readonly maxSymbols: number,
  ) {}

  get symbols(): number {
    return this.states.size;
  }

  /**
   * Feeds one point of `symbol` at time `ts`. Bars (strict = true) must start after the last
   * committed bar; ticks (strict = false) may share its time. commit = false: provisional.
   */
  update(symbol: string, ts: number, p: Point, commit: boolean, strict: boolean): BankResult {
    let st = this.states.get(symbol);
    if (st === undefined) {
      if (this.states.size >= this.maxSymbols) {
        // Least recently updated first: Map iteration order is insertion order, and every
        // committed update re-inserts its symbol.
        this.states.delete(this.states.keys().next().value as string);
        this.evicted++;
      }
      st = { ind: createIndicator(this.name, this.params), last: -Infinity };
      this.states.set(symbol, st);
    } else if (commit) {
      this.states.delete(symbol);
      this.states.set(symbol, st);
    }
    if (strict ? ts <= st.last : ts < st.last) {
      this.old++;
      return "old";
    }
    if (commit) st.last = ts;
    return st.ind.update(p, commit);
  }

  /** Forgets one symbol, or all. */
  reset(symbol?: string): void {
    if (symbol === undefined) this.states.clear();
    else this.states.delete(symbol);
  }
}
