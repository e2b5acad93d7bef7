/**
 * How bars are cut: on the time grid (time bars) or when a threshold is reached (tick, volume,
 * value bars). The Aggregator prepares each sample and the symbol's state; its policy does the
 * rest through this one interface.
 */
import type { AggContext, SymbolState } from "./context";
import type { Sample } from "./sample";
import { ThresholdPolicy } from "./threshold-policy";
import { TimePolicy } from "./time-policy";

export interface BarPolicy {
  /** Aggregates one sample into the bars of `st` (a sample that does not count is only counted as excluded). */
  push(st: SymbolState, s: Sample): void;
  /** Closes what is due at `clock` (event-time µs) and makes flat bars; returns the next deadline (Infinity = none). */
  advance(states: Iterable<SymbolState>, clock: number): number;
  /** Closes the open bar of `st` now (event-time `clock`), partial when cut before its end. */
  flush(st: SymbolState, clock: number): void;
  /** The earliest clock time at which `advance` has something to do for `states` (Infinity = never). */
  deadline(states: Iterable<SymbolState>): number;
}

export function makePolicy(ctx: AggContext): BarPolicy {
  return ctx.config.kind === "time" ? new TimePolicy(ctx) : new ThresholdPolicy(ctx);
}
