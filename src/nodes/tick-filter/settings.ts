/** Turns the tick-filter node's editor properties into a FilterConfig (pure, unit-tested). */
import { parseSessions } from "../../lib/calendar";
import { CONDITION_DIALECTS, parseOverrides, type ConditionDialect } from "../../lib/conditions";
import { DEFAULT_FILTER, validateFilter, type ConditionMode, type FilterConfig, type ValueMode } from "../../lib/filter";
import { parseSymbols } from "../../lib/symbols";
import { num, oneOf, optNum } from "../common/props";

export interface TickFilterProps {
  include?: string;
  exclude?: string;
  types?: string;
  priceMin?: string | number;
  priceMax?: string | number;
  sizeMin?: string | number;
  sizeMax?: string | number;
  conditionMode?: string;
  conditionDialect?: string;
  conditionOverrides?: string;
  sessions?: string;
  auctionPrints?: boolean;
  auctionWindow?: string | number;
  maxAge?: string | number;
  outlierWindow?: string | number;
  outlierPct?: string | number;
  valueMode?: string;
  gap?: string | number;
  gapUnit?: string;
  reference?: string;
  rate?: string | number;
  dedup?: boolean;
  seqCheck?: boolean;
  maxSymbols?: string | number;
}

/** What the editor reads from the runtime (RED.settings.tickFilterDialects): the condition dialects. */
export const EDITOR_SETTINGS = {
  tickFilterDialects: { value: [...CONDITION_DIALECTS], exportable: true },
};

export function resolveFilter(p: TickFilterProps): FilterConfig {
  const include = parseSymbols(p.include ?? "");
  const dialect = oneOf<ConditionDialect>(p.conditionDialect, CONDITION_DIALECTS, "auto", "condition dialect");
  const overrides = p.conditionOverrides ? parseOverrides(p.conditionOverrides) : undefined;
  const cfg: FilterConfig = {
    ...DEFAULT_FILTER,
    include: include.length === 0 ? null : new Set(include),
    exclude: new Set(parseSymbols(p.exclude ?? "")),
    types: oneOf<"both" | "trades" | "quotes">(p.types, ["both", "trades", "quotes"], "both", "tick type"),
    priceMin: optNum(p.priceMin, "The minimum price"),
    priceMax: optNum(p.priceMax, "The maximum price"),
    sizeMin: optNum(p.sizeMin, "The minimum size"),
    sizeMax: optNum(p.sizeMax, "The maximum size"),
    conditionMode: oneOf<ConditionMode>(
      p.conditionMode,
      ["off", "excludeOddLots", "lastEligible", "volumeEligible"],
      "off",
      "condition filter",
    ),
    conditions: overrides === undefined ? { dialect } : { dialect, overrides },
    sessions: parseSessions(p.sessions),
    auctionPrints: p.auctionPrints === true,
    auctionWindowUs: Math.round(num(p.auctionWindow, 60, "The auction window") * 1_000_000),
    maxAgeUs: Math.round(num(p.maxAge, 0, "The maximum age") * 1000),
    outlierWindow: Math.floor(num(p.outlierWindow, 0, "The outlier window")),
    outlierPct: num(p.outlierPct, 5, "The outlier deviation"),
    value: oneOf<ValueMode>(p.valueMode, ["off", "rbe", "deadband", "narrowband"], "off", "value filter"),
    gap: num(p.gap, 0, "The band"),
    gapUnit: oneOf<"abs" | "pct">(p.gapUnit, ["abs", "pct"], "abs", "band unit"),
    reference: oneOf<"output" | "input">(p.reference, ["output", "input"], "output", "reference"),
    rateUs: Math.round(num(p.rate, 0, "The rate period") * 1000),
    dedup: p.dedup === true,
    seqCheck: p.seqCheck === true,
    maxSymbols: Math.floor(num(p.maxSymbols, DEFAULT_FILTER.maxSymbols, "The symbol limit")),
  };
  validateFilter(cfg);
  return cfg;
}
