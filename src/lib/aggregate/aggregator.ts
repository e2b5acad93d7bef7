/**
 * Bar building (aggregation.md §2, §7): time bars on an event-time grid [start, end), tick /
 * volume / value bars, condition-aware OHLC, volume and VWAP, closing on the next tick or on a
 * clock (wall clock or event-time watermark), flat bars, partial updates, late-tick policies,
 * bounded per-symbol state.
 *
 * Pure: no timers and no Node-RED. The owner calls `push(tick)` for each tick and
 * `advance(now)` when the clock passes `deadline` (the node runs one timer for that); output
 * goes to the `emit` callback synchronously. What reaches `push` is a Tick: a value from a flow
 * goes through `pushInput` (./input.ts) first.
 */
import { sessionAt } from "../calendar";
import { tradeFlags, type TradeFlags } from "../conditions";
import type { Tick } from "../types";
import { intervalLabel, validateConfig, type AggregateConfig } from "./config";
import { AggContext, newSymbolState, type AggregateEnv, type AggregateStats, type SymbolState } from "./context";
import { makePolicy, type BarPolicy } from "./policy";
import { priceOf, sizeOf } from "./sample";

const ALL_FLAGS: TradeFlags = { last: true, highLow: true, volume: true };

export class Aggregator {
  readonly config: AggregateConfig;
  readonly interval: string;
  readonly stats: AggregateStats;
  private readonly ctx: AggContext;
  private readonly policy: BarPolicy;
  private readonly symbols = new Map<string, SymbolState>();
  private readonly unknownSeen = new Set<string>();

  constructor(config: AggregateConfig, env: AggregateEnv) {
    validateConfig(config);
    this.config = config;
    this.interval = intervalLabel(config);
    this.ctx = new AggContext(config, this.interval, env);
    this.stats = this.ctx.stats;
    this.policy = makePolicy(this.ctx);
  }

  get symbolCount(): number {
    return this.symbols.size;
  }

  /** Earliest clock time (µs, event-time domain) at which `advance` has something to close; Infinity = nothing. */
  get deadline(): number {
    return this.ctx.deadline;
  }

  /**
   * Wall clock mode: the feed's delay, learned as the lowest receipt delay (recvTs - ts) of the
   * last minute (see ./lag.ts). 0 until a tick arrives.
   */
  get lagUs(): number {
    return this.ctx.lag.lagUs;
  }

  /** Aggregates one tick. A tick that cannot be aggregated is counted, or rejected through `emit`; never thrown. */
  push(tick: Tick): void {
    const c = this.config;
    const price = priceOf(tick, c.priceSource);
    if (price === undefined) {
      this.stats.ignored++;
      return;
    }
    const ts = Math.trunc(tick.ts);
    if (c.sessions !== null && !c.sessions.has(sessionAt(ts))) {
      this.stats.outsideSession++;
      return;
    }
    if (c.clock === "wall" && c.maxSkewUs > 0 && ts > this.ctx.now() + c.maxSkewUs) {
      this.stats.future++;
      this.ctx.reject(tick, "future", "event time is in the future (bad clock?)");
      return;
    }
    // A backfilled trade's receipt time says nothing about the feed's delay.
    if (c.clock === "wall" && tick.backfill !== true) this.ctx.lag.note(tick.recvTs, ts);
    const st = this.stateOf(tick);
    if (st === undefined) return;
    let flags = ALL_FLAGS;
    if (c.priceSource === "trade") {
      const r = tradeFlags(tick, c.conditions);
      flags = r.flags;
      if (r.unknown.length > 0) this.noteUnknown(r.unknown);
    }
    const size = c.priceSource === "trade" ? sizeOf(tick) : 0;
    this.stats.ticks++;
    this.policy.push(st, { tick, ts, price, size, flags, counts: flags.last || flags.highLow || flags.volume });
    if (c.clock === "event" && ts > this.ctx.watermark) {
      this.ctx.watermark = ts;
      if (ts >= this.ctx.deadline) this.advance(ts);
    }
  }

  /** Counts and rejects a flow value that is not a Tick (called by `pushInput`). */
  rejectInvalid(value: unknown): void {
    this.stats.invalid++;
    this.ctx.reject(value, "invalid", "not a Tick (needs symbol and ts)");
  }

  /** Closes every time bar (and makes the flat bars) whose end + delay is at or before `clock` (µs). */
  advance(clock: number): void {
    this.ctx.deadline = this.policy.advance(this.symbols.values(), clock);
  }

  /** Wall clock mode: the earliest wall time (µs) at which `advanceWall` has something to do. */
  get wallDeadline(): number {
    return this.ctx.deadline + this.ctx.lag.lagUs;
  }

  /** Wall clock mode: `advance` for the wall time `nowUs`, corrected for the feed's delay. */
  advanceWall(nowUs: number): void {
    this.advance(nowUs - this.ctx.lag.lagUs);
  }

  /** Closes the open bars of one symbol or all now (end of a replay). */
  flush(symbol?: string): void {
    const clock = this.ctx.clockNow();
    for (const st of this.statesOf(symbol)) this.policy.flush(st, clock);
    this.ctx.deadline = this.policy.deadline(this.symbols.values());
  }

  /** Forgets the state of one symbol or all, without emitting. */
  reset(symbol?: string): void {
    if (symbol === undefined) {
      this.symbols.clear();
      this.ctx.watermark = -Infinity;
      this.ctx.startedAt = this.ctx.now();
    } else this.symbols.delete(symbol);
    this.ctx.deadline = this.policy.deadline(this.symbols.values());
  }

  /** Open bars right now (for status). */
  openBars(): number {
    let n = 0;
    for (const st of this.symbols.values()) if (st.open !== undefined) n++;
    return n;
  }

  /** The state of the tick's symbol, made on its first tick; undefined (rejected) beyond maxSymbols. */
  private stateOf(tick: Tick): SymbolState | undefined {
    const known = this.symbols.get(tick.symbol);
    if (known !== undefined) return known;
    if (this.symbols.size >= this.config.maxSymbols) {
      this.stats.symbolsRefused++;
      this.ctx.reject(tick, "symbols", `more than ${this.config.maxSymbols} symbols`);
      return undefined;
    }
    const st = newSymbolState(tick.symbol);
    this.symbols.set(tick.symbol, st);
    return st;
  }

  private statesOf(symbol?: string): SymbolState[] {
    if (symbol === undefined) return [...this.symbols.values()];
    const st = this.symbols.get(symbol);
    return st === undefined ? [] : [st];
  }

  private noteUnknown(codes: string[]): void {
    for (const code of codes) {
      if (this.unknownSeen.has(code) || this.unknownSeen.size >= 50) continue;
      this.unknownSeen.add(code);
      this.stats.unknownConditions.push(code);
    }
  }
}
