/**
 * Backfill: the REST trade-history side of a provider. One module per provider
 * (src/lib/backfill/<provider>.ts) implements `HistoryClient`; the coordinator
 * (./coordinator.ts) decides what to fetch and delivers it through the feed's dedup.
 */
import type { ProviderId, RawTick } from "../types";
import type { RestSession } from "./http";

/** The stretch of one symbol's trades to fetch. Times are integer UTC µs, both bounds inclusive. */
export interface Gap {
  symbol: string;
  fromTs: number;
  toTs: number;
  /** Provider trade id of the last live trade before the drop / the first after it (when known). */
  fromId?: string;
  toId?: string;
  /** Most trades wanted (clients that must collect before sorting stop there). */
  maxTrades?: number;
}

/** What a client learned about the gap beyond its trades. */
export interface GapInfo {
  /** Set when the provider cannot return every trade of the gap (the reason, human). */
  incomplete?: string;
}

export interface HistoryClient {
  readonly provider: ProviderId;
  /** Base URL in use (no credentials), for events. */
  readonly baseUrl: string;
  /** Secrets to mask in anything reported. */
  readonly secrets: readonly string[];
  /**
   * The trades of `gap`, page by page, each page in ascending time order and pages in ascending
   * order, as Ticks exactly as the live socket makes them (`recvTs` = when the page arrived).
   * Stops by itself when the gap is covered; the caller may stop earlier (the trade cap).
   */
  pages(gap: Gap, rest: RestSession, signal: AbortSignal, info: GapInfo): AsyncGenerator<RawTick[], void, void>;
}
