/** Turns the tick-aggregate node's editor properties into an AggregateConfig (pure, unit-tested). */
import {
  ALLOWED_STEPS,
  DEFAULT_AGGREGATE,
  validateConfig,
  type AggregateConfig,
  type BarKind,
  type ClockMode,
  type LatePolicy,
  type PriceSource,
  type TimeUnit,
} from "../../lib/aggregate";
import { parseSessions } from "../../lib/calendar";
import { CONDITION_DIALECTS, parseOverrides, type ConditionDialect } from "../../lib/conditions";
import { barFieldsAndTags } from "../../lib/influx";
import type { Bar } from "../../lib/types";
import { num, oneOf } from "../common/props";

export interface TickAggregateProps {
  barType?: string;
  interval?: string | number;
  unit?: string;
  threshold?: string | number;
  splitLargeTrades?: boolean;
  clock?: string;
  closeDelay?: string | number;
  emptyBars?: string;
  skipFirstPartial?: boolean;
  updates?: string;
  updatesInterval?: string | number;
  latePolicy?: string;
  reviseWindow?: string | number;
  priceSource?: string;
  conditionDialect?: string;
  conditionOverrides?: string;
  vwapBasis?: string;
  sessions?: string;
  maxSymbols?: string | number;
}

/**
 * What the editor reads from the runtime (RED.settings.<name>): the bar steps each time unit
 * allows and the condition dialects, so the dialog can never disagree with the runtime.
 */
export const EDITOR_SETTINGS = {
  tickAggregateSteps: { value: ALLOWED_STEPS, exportable: true },
  tickAggregateDialects: { value: [...CONDITION_DIALECTS], exportable: true },
};

export function resolveAggregate(p: TickAggregateProps): AggregateConfig {
  const kind = oneOf<BarKind>(p.barType, ["time", "tick", "volume", "value"], "time", "bar type");
  const dialect = oneOf<ConditionDialect>(p.conditionDialect, CONDITION_DIALECTS, "auto", "condition dialect");
  const overrides = p.conditionOverrides ? parseOverrides(p.conditionOverrides) : undefined;
  const cfg: AggregateConfig = {
    ...DEFAULT_AGGREGATE,
    kind,
    step: num(p.interval, 1, "The interval"),
    unit: oneOf<TimeUnit>(p.unit, ["s", "min", "h", "day"], "min", "interval unit"),
    threshold: num(p.threshold, DEFAULT_AGGREGATE.threshold, "The threshold"),
    splitLargeTrades: p.splitLargeTrades === true,
    clock: oneOf<ClockMode>(p.clock, ["wall", "event"], "wall", "clock"),
    closeDelayUs: Math.round(num(p.closeDelay, 250, "The close delay") * 1000),
    emptyBars: oneOf<"none" | "flat">(p.emptyBars, ["none", "flat"], "none", "empty-bar option"),
    skipFirstPartial: p.skipFirstPartial === true,
    updates: oneOf<"off" | "tick" | "throttle">(p.updates, ["off", "tick", "throttle"], "off", "updates option"),
    updatesUs: Math.round(num(p.updatesInterval, 1000, "The update interval") * 1000),
    latePolicy: oneOf<LatePolicy>(p.latePolicy, ["drop", "revise", "current"], "drop", "late-tick policy"),
    reviseWindowUs: Math.round(num(p.reviseWindow, 30, "The revise window") * 1_000_000),
    priceSource: oneOf<PriceSource>(p.priceSource, ["trade", "bid", "ask", "mid"], "trade", "price source"),
    conditions: overrides === undefined ? { dialect } : { dialect, overrides },
    vwapBasis: oneOf<"volume" | "priceEligible">(p.vwapBasis, ["volume", "priceEligible"], "volume", "VWAP basis"),
    sessions: parseSessions(p.sessions),
    maxSymbols: Math.floor(num(p.maxSymbols, DEFAULT_AGGREGATE.maxSymbols, "The symbol limit")),
  };
  if (cfg.closeDelayUs < 0 || cfg.updatesUs < 0 || cfg.reviseWindowUs < 0) throw new Error("Delays and windows cannot be negative.");
  validateConfig(cfg);
  return cfg;
}

/**
 * InfluxDB "out" node shape: [fields, tags], nulls left out, final/partial/synthetic/revision
 * always present, count and revision (and volume when `intVolume`) as integer "<n>i" strings,
 * time as a Date. See lib/influx.ts.
 */
export function influxPayload(bar: Bar, labelOn: "start" | "end", intVolume = false): ReturnType<typeof barFieldsAndTags> {
  return barFieldsAndTags(bar, labelOn, { intVolume });
}
