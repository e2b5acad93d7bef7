/** Alpaca trade and quote fields as Tick parts, shared by the stream (./alpaca.ts) and the REST backfill. */
import { toIdString, toNumber, wireNumber } from "../time";
import type { RawTick } from "../types";
import { newTrade } from "./common";

/** Nanoseconds within the microsecond of an RFC 3339 time with more than 6 fraction digits. */
function subMicroNanos(text: string): number | undefined {
  const m = /[.,](\d{7,})/.exec(text);
  if (m === null) return undefined;
  return Number((m[1] + "00").slice(6, 9));
}

export function alpacaExtras(e: Record<string, unknown>, tick: RawTick, pairs: Array<[string, string]>): void {
  const extra: Record<string, unknown> = {};
  let any = false;
  for (const [from, to] of pairs) {
    if (e[from] !== undefined && e[from] !== null) {
      extra[to] = e[from];
      any = true;
    }
  }
  const nanos = typeof e.t === "string" ? subMicroNanos(e.t) : undefined;
  if (nanos !== undefined) {
    extra.nanos = nanos;
    any = true;
  }
  if (any) tick.extra = extra;
}

/**
 * A trade message (`p`, `s`, `x`, `c`, `i`, `z`, `tks`, `t` RFC 3339) as a Tick, `ts` already
 * parsed from `t`; undefined without a price. The REST backfill calls it with the rows of the
 * trades endpoints (same field names), so a trade is the same Tick from either source.
 */
export function alpacaTradeTick(e: Record<string, unknown>, symbol: string, ts: number, recvTs: number): RawTick | undefined {
  const price = toNumber(e.p);
  if (Number.isNaN(price)) return undefined;
  const tick = newTrade(symbol, price, wireNumber(e.s), ts, recvTs, "alpaca");
  if (typeof e.x === "string" && e.x !== "") tick.exchange = e.x;
  if (Array.isArray(e.c)) tick.conditions = e.c.filter((c): c is string | number => typeof c === "string" || typeof c === "number");
  const id = toIdString(e.i);
  if (id !== undefined) tick.id = id;
  alpacaExtras(e, tick, [
    ["z", "tape"],
    ["tks", "takerSide"],
  ]);
  return tick;
}
