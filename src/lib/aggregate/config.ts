/**
 * The aggregate configuration (aggregation.md §2, §7): its types, defaults, the allowed time
 * steps, validation and the interval label bars carry.
 */
import type { ConditionOptions } from "../conditions";
import type { Session } from "../calendar";

export type BarKind = "time" | "tick" | "volume" | "value";
export type TimeUnit = "s" | "min" | "h" | "day";
export type PriceSource = "trade" | "bid" | "ask" | "mid";
export type LatePolicy = "drop" | "revise" | "current";
export type ClockMode = "wall" | "event";

/** Length of one unit in µs. */
export const UNIT_US = { s: 1_000_000, min: 60_000_000, h: 3_600_000_000, day: 86_400_000_000 } as const;

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
    if (!allowed.includes(c.step))
      throw new Error(`A ${c.unit} interval must be one of ${allowed.join(", ")} (it must divide its parent unit); got ${c.step}.`);
  } else if (c.kind === "tick" || c.kind === "volume" || c.kind === "value") {
    if (!(c.threshold > 0) || !Number.isFinite(c.threshold))
      throw new Error(`The ${c.kind} threshold must be a positive number; got ${c.threshold}.`);
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
