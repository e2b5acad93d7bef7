/**
 * One tick as a bar policy sees it: its price for the configured source, the size it counts,
 * what its trade conditions let it update, and its time in whole µs.
 */
import type { TradeFlags } from "../conditions";
import type { Tick } from "../types";
import type { PriceSource } from "./config";

export interface Sample {
  readonly tick: Tick;
  /** Event time, whole µs. */
  readonly ts: number;
  readonly price: number;
  /** The size it adds (0 for bid/ask/mid bars and trades without a size). */
  readonly size: number;
  readonly flags: TradeFlags;
  /** It updates something (last, high/low or volume); false = its conditions exclude it. */
  readonly counts: boolean;
}

function finite(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** The price a tick gives for `source`, or undefined when it has none (e.g. a quote for trade bars). */
export function priceOf(t: Tick, source: PriceSource): number | undefined {
  switch (source) {
    case "trade":
      return t.type === "trade" && finite(t.price) ? t.price : undefined;
    case "bid":
      return finite(t.bid) ? t.bid : undefined;
    case "ask":
      return finite(t.ask) ? t.ask : undefined;
    default:
      return finite(t.bid) && finite(t.ask) ? (t.bid + t.ask) / 2 : undefined;
  }
}

/** The size a trade tick counts: its size when it is a finite number, else 0. */
export function sizeOf(t: Tick): number {
  return finite(t.size) ? t.size : 0;
}
