/**
 * The one place where a tick from a provider parser (or replay, or backfill) becomes the Tick
 * tick-subscribe emits: fixed shape and value rules. The feed calls `normalizeTick` on every
 * tick before dedup; what fails is counted as malformed and not emitted, the rest of its frame
 * is delivered.
 *
 * Shape: every key, in this order (debug views and SQL/Redis/InfluxDB mappings rely on it):
 *   symbol, type, price, size, bid, bidSize, ask, askSize, ts, recvTs, exchange, conditions,
 *   id, seq, provider, backfill, extra
 * A value the provider does not send is null; `conditions` is [] when none; `backfill` is false
 * for live ticks; `extra` (provider-specific scalars) is null when none.
 *
 * Value rules (a tick that breaks one is malformed):
 *  - symbol: a non-empty string; type: "trade" | "quote"; provider: a non-empty string.
 *  - trades: price a finite number > 0; quotes: price null (a quote's price is ignored).
 *  - size, bidSize, askSize: finite >= 0, or null.
 *  - bid, ask: finite > 0, or null. A bid or ask of exactly 0 is the wire's way of saying "no
 *    bid/ask" (Polygon, Alpaca): it becomes null (its size too), the tick is kept.
 *  - ts: a safe integer (µs) in [recvTs - TS_MAX_BEHIND_US, recvTs + TS_MAX_AHEAD_US];
 *    recvTs: a positive safe integer. Replay sets recvTs to its replay clock and backfill keeps
 *    the receipt time of the fetch, so the window holds for both (see TS_MAX_BEHIND_US).
 *  - exchange: a string of at most MAX_TEXT characters or a finite number, or null.
 *  - conditions: a flat array of at most MAX_CONDITIONS strings (each at most MAX_TEXT
 *    characters) or finite numbers; nested arrays or objects make the tick malformed.
 *  - id: a non-empty string of at most MAX_ID characters, or null (providers give ids as exact
 *    strings; a number id is a provider bug and is refused rather than rounded).
 *  - seq: a non-negative safe integer, or a string of digits (exact above 2^53), or null.
 *  - extra: a plain object of at most MAX_EXTRA_KEYS keys whose values are strings (at most
 *    MAX_EXTRA_TEXT characters), finite numbers, booleans or null; anything nested is
 *    malformed. Undefined values are left out; an empty extra becomes null.
 */
import type { ExtraValue, RawTick, Tick } from "./types";

/** How far before its receipt time a tick's event time may lie: 10 years (365.25-day years). */
export const TS_MAX_BEHIND_US = 10 * 365.25 * 86_400 * 1_000_000;
/** How far after its receipt time a tick's event time may lie: 1 hour. */
export const TS_MAX_AHEAD_US = 3_600 * 1_000_000;
export const MAX_CONDITIONS = 32;
/** Longest condition code, exchange or extra key. */
export const MAX_TEXT = 64;
export const MAX_ID = 128;
export const MAX_EXTRA_KEYS = 16;
export const MAX_EXTRA_TEXT = 256;
export const MAX_SYMBOL = 256;

/** Why a tick was refused (a short reason for the malformed event). */
export type TickFault = string;

const EMPTY: never[] = [];

function finite(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** size-like: finite >= 0 or null/undefined (-> null); undefined result = bad. */
function sizeOf(v: unknown): number | null | undefined {
  if (v === null || v === undefined) return null;
  return finite(v) && v >= 0 ? v : undefined;
}

/** bid/ask: finite > 0 -> value; 0 -> "none" (null); null/undefined -> null; else bad (undefined). */
function sideOf(v: unknown): number | null | undefined {
  if (v === null || v === undefined) return null;
  if (!finite(v) || v < 0) return undefined;
  return v === 0 ? null : v;
}

function conditionsOf(v: unknown): Array<string | number> | undefined {
  if (v === null || v === undefined) return EMPTY;
  if (!Array.isArray(v) || v.length > MAX_CONDITIONS) return undefined;
  for (let i = 0; i < v.length; i++) {
    const c: unknown = v[i];
    if (typeof c === "string") {
      if (c.length > MAX_TEXT) return undefined;
    } else if (!finite(c)) return undefined;
  }
  // A copy: the emitted tick must not share an array with the provider's frame.
  return v.length === 0 ? [] : (v.slice() as Array<string | number>);
}

function extraOf(v: unknown): Record<string, ExtraValue> | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v !== "object" || Array.isArray(v)) return undefined;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const src = v as Record<string, unknown>;
  let out: Record<string, ExtraValue> | null = null;
  let n = 0;
  for (const k in src) {
    if (!Object.prototype.hasOwnProperty.call(src, k)) continue;
    const x = src[k];
    if (x === undefined) continue;
    if (++n > MAX_EXTRA_KEYS || k.length > MAX_TEXT) return undefined;
    if (typeof x === "string") {
      if (x.length > MAX_EXTRA_TEXT) return undefined;
    } else if (!(x === null || typeof x === "boolean" || finite(x))) return undefined;
    (out ??= {})[k] = x;
  }
  return out;
}

const DIGITS_RE = /^\d{1,40}$/;

function seqOf(v: unknown): number | string | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === "string" && DIGITS_RE.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  return undefined;
}

/**
 * Validates and reshapes one tick. Returns the Tick (a new object in the fixed key order) or a
 * short reason why it was refused. Never throws, whatever `raw` is.
 */
export function normalizeTick(raw: RawTick): Tick | TickFault {
  if (raw === null || typeof raw !== "object") return "not a tick";
  const symbol: unknown = raw.symbol;
  if (typeof symbol !== "string" || symbol === "" || symbol.length > MAX_SYMBOL) return "bad symbol";
  const type: unknown = raw.type;
  if (type !== "trade" && type !== "quote") return `bad type for ${symbol}`;
  const provider: unknown = raw.provider;
  if (typeof provider !== "string" || provider === "") return `no provider for ${symbol}`;

  const recvTs: unknown = raw.recvTs;
  if (!Number.isSafeInteger(recvTs) || (recvTs as number) <= 0) return `bad receipt time for ${symbol}`;
  const ts: unknown = raw.ts;
  if (!Number.isSafeInteger(ts)) return `time not an integer (µs) for ${symbol}`;
  const r = recvTs as number;
  const t = ts as number;
  if (t > r + TS_MAX_AHEAD_US) return `time more than 1 hour after receipt for ${symbol}`;
  if (t < r - TS_MAX_BEHIND_US) return `time more than 10 years before receipt for ${symbol}`;

  let price: number | null = null;
  if (type === "trade") {
    const p: unknown = raw.price;
    if (!finite(p) || p <= 0) return `bad price for ${symbol}`;
    price = p;
  }
  const size = sizeOf(raw.size);
  if (size === undefined) return `bad size for ${symbol}`;
  const bid = sideOf(raw.bid);
  if (bid === undefined) return `bad bid for ${symbol}`;
  const ask = sideOf(raw.ask);
  if (ask === undefined) return `bad ask for ${symbol}`;
  let bidSize = sizeOf(raw.bidSize);
  if (bidSize === undefined) return `bad bid size for ${symbol}`;
  let askSize = sizeOf(raw.askSize);
  if (askSize === undefined) return `bad ask size for ${symbol}`;
  // A side without a price has no size either.
  if (bid === null && bidSize !== null && raw.bid != null) bidSize = null;
  if (ask === null && askSize !== null && raw.ask != null) askSize = null;

  const ex: unknown = raw.exchange;
  let exchange: string | number | null = null;
  if (typeof ex === "string") {
    if (ex.length > MAX_TEXT) return `bad exchange for ${symbol}`;
    exchange = ex === "" ? null : ex;
  } else if (finite(ex)) exchange = ex;
  else if (ex !== null && ex !== undefined) return `bad exchange for ${symbol}`;

  const conditions = conditionsOf(raw.conditions);
  if (conditions === undefined) return `bad conditions for ${symbol} (a flat list of at most ${MAX_CONDITIONS} codes)`;

  const rid: unknown = raw.id;
  let id: string | null = null;
  if (typeof rid === "string") {
    if (rid.length > MAX_ID) return `bad id for ${symbol}`;
    id = rid === "" ? null : rid;
  } else if (rid !== null && rid !== undefined) return `bad id for ${symbol}`;

  const seq = seqOf(raw.seq);
  if (seq === undefined) return `bad seq for ${symbol}`;
  const extra = extraOf(raw.extra);
  if (extra === undefined) return `bad extra for ${symbol}`;

  return {
    symbol,
    type,
    price,
    size,
    bid,
    bidSize,
    ask,
    askSize,
    ts: t,
    recvTs: r,
    exchange,
    conditions: conditions === EMPTY ? [] : conditions,
    id,
    seq,
    provider: provider as Tick["provider"],
    backfill: raw.backfill === true,
    extra,
  } as Tick; // a TradeTick or a QuoteTick: price is a number exactly when type is "trade" (above)
}

/** True when `t` is a Tick that satisfies every rule above (for tests and assertions). */
export function isValidTick(t: unknown): t is Tick {
  if (t === null || typeof t !== "object") return false;
  const r = normalizeTick(t as RawTick);
  if (typeof r === "string") return false;
  const a = Object.keys(t);
  const b = Object.keys(r);
  if (a.length !== b.length || a.some((k, i) => k !== b[i])) return false;
  return JSON.stringify(r) === JSON.stringify(t);
}

/** The fixed key order of a Tick. */
export const TICK_KEYS: readonly string[] = [
  "symbol",
  "type",
  "price",
  "size",
  "bid",
  "bidSize",
  "ask",
  "askSize",
  "ts",
  "recvTs",
  "exchange",
  "conditions",
  "id",
  "seq",
  "provider",
  "backfill",
  "extra",
];
