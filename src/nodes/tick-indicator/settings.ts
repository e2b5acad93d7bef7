/** Turns the tick-indicator node's editor properties into its configuration (pure, unit-tested). */
import { SOURCES, type Source } from "../../lib/indicators/bank";
import { DEFAULT_PARAMS, INDICATORS, resolveParams, type IndicatorName, type IndicatorParams } from "../../lib/indicators/indicators";
import { num, oneOf, optNum } from "../common/props";

export interface TickIndicatorProps {
  indicator?: string;
  period?: string | number;
  fast?: string | number;
  slow?: string | number;
  signal?: string | number;
  k?: string | number;
  smooth?: string | number;
  source?: string;
  emitWarmup?: boolean;
  maxSymbols?: string | number;
}

export interface IndicatorConfig {
  name: IndicatorName;
  params: IndicatorParams;
  source: Source;
  emitWarmup: boolean;
  maxSymbols: number;
}

export const DEFAULT_MAX_SYMBOLS = 10000;

/** Exported to the editor (RED.settings.tickIndicatorParams): the parameters each indicator uses, with their defaults. */
export const EDITOR_SETTINGS = {
  tickIndicatorParams: { value: DEFAULT_PARAMS, exportable: true },
};

export function resolveIndicator(p: TickIndicatorProps): IndicatorConfig {
  const name = oneOf<IndicatorName>(p.indicator, INDICATORS, "sma", "indicator");
  const given: IndicatorParams = {};
  const set = (key: keyof IndicatorParams, v: unknown, what: string): void => {
    const n = optNum(v, what);
    if (n !== null) given[key] = n;
  };
  set("period", p.period, "The period");
  set("fast", p.fast, "The fast period");
  set("slow", p.slow, "The slow period");
  set("signal", p.signal, "The signal period");
  set("k", p.k, "The band width");
  set("smooth", p.smooth, "The %K smoothing");
  const maxSymbols = num(p.maxSymbols, DEFAULT_MAX_SYMBOLS, "The symbol limit");
  if (!(Number.isInteger(maxSymbols) && maxSymbols >= 1))
    throw new Error(`The symbol limit must be a whole number of at least 1; got ${maxSymbols}.`);
  return {
    name,
    params: resolveParams(name, given),
    source: oneOf<Source>(p.source, SOURCES, "close", "source"),
    emitWarmup: p.emitWarmup === true,
    maxSymbols,
  };
}

/** "RSI(14)", "MACD(12,26,9)", "Bollinger(20,2)", "OBV": for labels, statuses and alert sentences. */
export function indicatorLabel(name: IndicatorName, params: IndicatorParams): string {
  const title = name === "bollinger" ? "Bollinger" : name === "stoch" ? "Stoch" : name === "stddev" ? "StdDev" : name.toUpperCase();
  const parts: number[] = [];
  for (const key of ["period", "fast", "slow", "signal", "smooth", "k"] as const) {
    if (name === "stoch" && key === "signal") continue;
    const v = params[key];
    if (v !== undefined) parts.push(v);
  }
  if (name === "stoch" && params.signal !== undefined) parts.push(params.signal);
  return parts.length > 0 ? `${title}(${parts.join(",")})` : title;
}

/**
 * "ema21", "rsi14", "macd12_26_9", "bollinger20_2", "stoch14_3_3", "obv": the key in
 * msg.indicators (a decimal point becomes "p", "bollinger20_2p5", so the key works in a dotted path).
 */
export function indicatorKey(name: IndicatorName, params: IndicatorParams): string {
  const parts: string[] = [];
  for (const k of ["period", "fast", "slow", "smooth", "signal", "k"] as const)
    if (params[k] !== undefined) parts.push(String(params[k]).replace(".", "p"));
  return name + parts.join("_");
}
