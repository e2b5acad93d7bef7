/**
 * Public message shapes (see the contract): the Tick emitted by tick-subscribe and the Bar
 * emitted by tick-aggregate. Times are integer UTC microseconds since the epoch.
 */

/** A provider id: derived from the provider registry (src/lib/providers/index.ts). */
import type { ProviderId } from "./providers";
export type { ProviderId };

export type TickType = "trade" | "quote";

/** A subscription channel: what a subscribe node asks for per symbol. */
export type Channel = "trades" | "quotes";

/** A scalar a Tick's `extra` may hold. */
export type ExtraValue = string | number | boolean | null;

/**
 * A tick as a provider parser (or replay, or backfill) produces it: optional fields may be left
 * out. The feed turns it into a {@link Tick} (fixed shape, validated values) in one place
 * (../lib/ticknorm.ts) before dedup; filter and aggregate accept either form.
 */
export interface RawTick {
  /** Exactly as subscribed (provider notation, e.g. "AAPL.US" for AllTick). */
  symbol: string;
  type: TickType;
  /** Trade price (trades). */
  price?: number | null;
  /** Trade size in shares/units (trades). */
  size?: number | null;
  bid?: number | null;
  bidSize?: number | null;
  ask?: number | null;
  askSize?: number | null;
  /** Event time, integer UTC microseconds. */
  ts: number;
  /** Local receipt time, integer UTC microseconds. */
  recvTs: number;
  exchange?: string | number | null;
  conditions?: Array<string | number> | null;
  /** Provider trade id, always a string (exact even above 2^53). */
  id?: string | null;
  /** Provider sequence number: a number when it is a safe integer, else its exact decimal string. */
  seq?: number | string | null;
  provider: ProviderId;
  /** True for a trade fetched from the provider's REST history after a reconnect (backfill). */
  backfill?: boolean;
  /** Provider-specific extras that do not fit above (e.g. Binance `m`, Coinbase `side`). */
  extra?: Record<string, unknown> | null;
}

/**
 * The fields every Tick has. tick-subscribe emits every key, always in this order (values the
 * provider does not send are null; `conditions` is [] when none; `extra` null when none).
 */
interface TickFields {
  symbol: string;
  type: TickType;
  price: number | null;
  size: number | null;
  bid: number | null;
  bidSize: number | null;
  ask: number | null;
  askSize: number | null;
  ts: number;
  recvTs: number;
  exchange: string | number | null;
  conditions: Array<string | number>;
  id: string | null;
  seq: number | string | null;
  provider: ProviderId;
  backfill: boolean;
  /** Provider-specific extras: a flat object of scalars, or null. */
  extra: Record<string, ExtraValue> | null;
}

/** A trade: its price (> 0) and size; some providers also send the quote at the time of the trade. */
export interface TradeTick extends TickFields {
  type: "trade";
  price: number;
}

/** A quote: bid and/or ask with their sizes; never a price. */
export interface QuoteTick extends TickFields {
  type: "quote";
  price: null;
}

/** The Tick tick-subscribe emits (made by ../lib/ticknorm.ts): a trade or a quote, by `type`. */
export type Tick = TradeTick | QuoteTick;

export interface Bar {
  symbol: string;
  interval: string;
  start: number;
  end: number;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number;
  vwap: number | null;
  count: number;
  firstTs: number | null;
  lastTs: number | null;
  /** false on in-progress updates. */
  final: boolean;
  /** The bar may have missed ticks (first bar after a start, a short session bar, a flush, an oversized split bar). */
  partial: boolean;
  /** A flat bar made for an interval without ticks. */
  synthetic: boolean;
  /** 0 on the first emission of a bar; 1, 2, ... for revisions (late ticks under the revise policy). */
  revision: number;
  /** Wall time (µs) the bar was emitted. */
  emittedAt: number;
  /** Session of an intraday bar. */
  session?: string;
  /** NY date of a day bar. */
  date?: string;
  /** 0 when no trade of the bar could update a price (volume-only bars). */
  priceUpdates?: number;
  /** Volume/value bars: this bar holds the rest of one trade beyond the split cap (see tick-aggregate help). */
  oversized?: boolean;
}
