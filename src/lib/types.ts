/**
 * Public message shapes (see the contract): the Tick emitted by tick-subscribe and the Bar
 * emitted by tick-aggregate. Times are integer UTC microseconds since the epoch.
 */

export type ProviderId =
  | "simulator"
  | "generic"
  | "alltick"
  | "polygon"
  | "alpaca"
  | "finnhub"
  | "twelvedata"
  | "tiingo"
  | "binance"
  | "coinbase"
  | "replay";

export type TickType = "trade" | "quote";

/** A subscription channel: what a subscribe node asks for per symbol. */
export type Channel = "trades" | "quotes";

export interface Tick {
  /** Exactly as subscribed (provider notation, e.g. "AAPL.US" for AllTick). */
  symbol: string;
  type: TickType;
  /** Trade price (trades). */
  price?: number;
  /** Trade size in shares/units (trades). */
  size?: number;
  bid?: number;
  bidSize?: number;
  ask?: number;
  askSize?: number;
  /** Event time, integer UTC microseconds. */
  ts: number;
  /** Local receipt time, integer UTC microseconds. */
  recvTs: number;
  exchange?: string | number;
  conditions?: Array<string | number>;
  /** Provider trade id, always a string (exact even above 2^53). */
  id?: string;
  /** Provider sequence number: a number when it is a safe integer, else its exact decimal string. */
  seq?: number | string;
  provider: ProviderId;
  /** True for a trade fetched from the provider's REST history after a reconnect (backfill). */
  backfill?: boolean;
  /** Provider-specific extras that do not fit above (e.g. Binance `m`, Coinbase `side`). */
  extra?: Record<string, unknown>;
}

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
  final: boolean;
  partial?: boolean;
  synthetic?: boolean;
  [key: string]: unknown;
}
