/**
 * Bar aggregation: the public API of ./aggregate (what the tick-aggregate node, the tests and
 * the bench import). See aggregator.ts for the overview and policy.ts for how bars are cut.
 */
export { ALLOWED_STEPS, DEFAULT_AGGREGATE, intervalLabel, validateConfig } from "./config";
export type { AggregateConfig, BarKind, ClockMode, LatePolicy, PriceSource, TimeUnit } from "./config";
export { barRange } from "./grid";
export type { Range } from "./grid";
export type { AggregateEnv, AggregateOutput, AggregateStats, RejectReason } from "./context";
export { Aggregator } from "./aggregator";
export { isTickInput, pushInput } from "./input";
export { MAX_SPLIT_BARS } from "./threshold-policy";
export { MIN_FLAT_SCAN } from "./time-policy";
