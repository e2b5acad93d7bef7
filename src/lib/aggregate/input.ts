/**
 * The aggregate node's input edge: a value from a flow (msg.payload or one element of an array
 * payload) is aggregated when it is a Tick as far as bars depend on it, else rejected as
 * invalid on the node's second output. Ticks from tick-subscribe always pass; a tick built by a
 * function node may leave optional fields out (they read as null).
 */
import type { Tick } from "../types";
import type { Aggregator } from "./aggregator";

/** An object with a non-empty string `symbol` and a finite `ts`. */
export function isTickInput(v: unknown): v is Tick {
  if (v === null || typeof v !== "object") return false;
  const t = v as { symbol?: unknown; ts?: unknown };
  return typeof t.symbol === "string" && t.symbol !== "" && Number.isFinite(t.ts);
}

/** Aggregates `value` when it is a Tick, else rejects it (counted as invalid). Never throws on bad input. */
export function pushInput(agg: Aggregator, value: unknown): void {
  if (isTickInput(value)) agg.push(value);
  else agg.rejectInvalid(value);
}
