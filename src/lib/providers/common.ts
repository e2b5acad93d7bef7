/** Small helpers shared by provider modules. */
import type { Channel, ProviderId, RawTick } from "../types";
import { frameText, parseLossless } from "../json";
import { looseNumber } from "../numbers";
import type { ProviderDescriptor } from "./descriptor";
import type { ChannelLists, FeedSettings, Provider, ProviderLimits, ProviderTiming, SessionContext } from "./types";

/** Dedup key from the provider's trade id, scoped by exchange when there is one. */
export function idKey(t: RawTick): string {
  return t.exchange == null ? (t.id as string) : t.exchange + ":" + (t.id as string);
}

/** Content key for ticks without an id. Equal real prints in one frame are kept apart by the slot's occurrence index. */
export function contentKey(t: RawTick): string {
  if (t.type === "quote") {
    return "q|" + t.ts + "|" + t.bid + "|" + t.bidSize + "|" + t.ask + "|" + t.askSize;
  }
  const c = t.conditions == null ? "" : t.conditions.join(",");
  return t.ts + "|" + t.price + "|" + t.size + "|" + (t.exchange ?? "") + "|" + c;
}

/** Id key when the tick has an id, else the content key. */
export function defaultDedupKey(t: RawTick): string {
  return t.id != null && t.type === "trade" ? idKey(t) : contentKey(t);
}

const SECRET_PARAMS = /([?&](?:token|apikey|api_key|apiKey|key|secret|auth|access_token|jwt)=)[^&#]*/gi;

/** The URL with credential-looking query parameters and userinfo masked. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, "$1***").replace(/\/\/[^/@]*@/, "//***@");
}

/** Adds (or replaces) a query parameter, URL-encoding the value. */
export function withQuery(url: string, name: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.toString();
}

export function emptyLists(): ChannelLists {
  return { trades: [], quotes: [] };
}

export const NO_LIMITS: ProviderLimits = { symbolsPerConnection: Infinity, maxConnections: 1, messagesPerSecond: Infinity };

export const DEFAULT_TIMING: ProviderTiming = { heartbeatMs: 0, staleMs: 0, pingMs: 20_000, authTimeoutMs: 10_000 };

/** Provider members `makeProvider` defaults: both channels, no content keys, the URL's, defaultDedupKey. */
type Defaulted = "channels" | "contentKeys" | "connectUrl" | "displayUrl" | "dedupKey";

/** What a provider factory declares; `makeProvider` fills in the usual values of what it leaves out. */
export interface ProviderParts
  extends Omit<Provider, Defaulted | "id" | "settings" | "limits" | "timing">, Partial<Pick<Provider, Defaulted>> {
  /** Over NO_LIMITS (no symbol cap, one connection, no message pace). */
  readonly limits?: Partial<ProviderLimits>;
  /** Over DEFAULT_TIMING. */
  readonly timing?: Partial<ProviderTiming>;
  /** The endpoint (default: the feed's URL, else the descriptor's): `connectUrl` and `displayUrl` (without secrets) default to it. */
  readonly url?: string;
  /** The query parameter that carries the API key on the connect URL (never on the display URL). */
  readonly keyParam?: string;
}

/** The provider of descriptor `d` for a feed's settings, from what its factory declares. */
export function makeProvider(d: ProviderDescriptor<ProviderId>, settings: FeedSettings, parts: ProviderParts): Provider {
  const { url = settings.url !== "" ? settings.url : d.url, keyParam, limits, timing, ...rest } = parts;
  return {
    id: d.id,
    settings,
    channels: BOTH_CHANNELS,
    contentKeys: false,
    connectUrl: keyParam === undefined ? () => url : () => withQuery(url, keyParam, settings.apiKey),
    displayUrl: () => redactUrl(url),
    dedupKey: defaultDedupKey,
    ...rest,
    limits: { ...NO_LIMITS, ...limits },
    timing: { ...DEFAULT_TIMING, ...timing },
  };
}

/**
 * A `closeFailure` for servers that refuse connections over the plan by closing them: a policy
 * close (1008) or a reason that matches `reasons` is that refusal, and retrying at once would only
 * be refused again, so it waits `retryAfterMs`. `why` says what the refusal means.
 */
export function limitClose(name: string, reasons: RegExp, why: string, retryAfterMs: number): NonNullable<Provider["closeFailure"]> {
  return (code, reason) =>
    code === 1008 || reasons.test(reason)
      ? {
          kind: "limit",
          code: "connection_limit",
          message: `${name} closed the connection (${code}${reason ? " " + reason : ""}): ${why}; retrying in ${Math.round(retryAfterMs / 1000)} s.`,
          retryAfterMs,
        }
      : undefined;
}

/**
 * A trade Tick with its required fields and its size when the wire has one (a size present but not
 * a number is NaN, which the feed refuses); the caller adds the other optional fields.
 */
export function newTrade(
  symbol: string,
  price: number,
  size: number | undefined,
  ts: number,
  recvTs: number,
  provider: ProviderId,
): RawTick {
  const tick: RawTick = { symbol, type: "trade", price, ts, recvTs, provider };
  if (size !== undefined) tick.size = size;
  return tick;
}

/** newTrade in a session, or undefined when the price or the time is not a number: then reported as malformed. */
export function tradeTick(
  ctx: SessionContext,
  symbol: string,
  price: number,
  size: number | undefined,
  ts: number,
  provider: ProviderId,
): RawTick | undefined {
  if (Number.isNaN(price) || Number.isNaN(ts)) {
    ctx.malformed("trade without price or time for " + symbol);
    return undefined;
  }
  return newTrade(symbol, price, size, ts, ctx.frameRecvTs, provider);
}

/** Reads a positive number option, falling back to `dflt`. */
export function numOption(options: Record<string, unknown>, name: string, dflt: number): number {
  const n = looseNumber(options[name]);
  return n !== undefined && n >= 0 ? n : dflt;
}

export function strOption(options: Record<string, unknown>, name: string, dflt: string): string {
  const v = options[name];
  return typeof v === "string" && v.trim() !== "" ? v.trim() : dflt;
}

/**
 * Decodes a JSON frame; on bad JSON reports it as malformed (with a sample) and returns
 * undefined. `lossless` keeps integers of 16+ digits exact as strings.
 */
export function parseFrame(data: Buffer, ctx: SessionContext, lossless = false): unknown {
  const text = frameText(data);
  try {
    return lossless ? parseLossless(text) : JSON.parse(text);
  } catch {
    ctx.malformed("invalid JSON", text.slice(0, 200));
    return undefined;
  }
}

/**
 * Decodes a frame that must be one JSON object (lossless by default); reports bad JSON or
 * anything else (`reason`) as malformed and returns undefined.
 */
export function parseObject<T extends object = Record<string, unknown>>(
  data: Buffer,
  ctx: SessionContext,
  lossless = true,
  reason = "frame is not an object",
): T | undefined {
  const v = parseFrame(data, ctx, lossless);
  if (v === undefined) return undefined;
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    ctx.malformed(reason);
    return undefined;
  }
  return v as T;
}

/**
 * Calls `each` for every event of a frame that is one JSON object or an array of them (decoded
 * losslessly); an element that is not an object is reported as malformed (`what` names it) and
 * skipped. `arrays`: an array element is an event too (the provider ignores it by its type).
 */
export function forEachEvent<T>(data: Buffer, ctx: SessionContext, what: string, each: (e: T) => void, arrays = false): void {
  const frame = parseFrame(data, ctx, true);
  if (frame === undefined) return;
  const events: unknown[] = Array.isArray(frame) ? frame : [frame];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e === null || typeof e !== "object" || (!arrays && Array.isArray(e))) ctx.malformed(`${what} is not an object`);
    else each(e as T);
  }
}

/**
 * Text of a wire value for a malformed sample or a message: never throws (a 10,000-deep nested
 * array makes String() and JSON.stringify overflow the stack) and never longer than `max`.
 */
export function sample(v: unknown, max = 200): string {
  if (typeof v === "string") return v.length > max ? v.slice(0, max) : v;
  if (v === null || v === undefined || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  try {
    const t = JSON.stringify(v);
    return t === undefined ? "" : t.slice(0, max);
  } catch {
    return "(unprintable)";
  }
}

/** A provider's message text (e.g. an error's `msg`): `dflt` when absent, else its text, bounded. */
export function textOf(v: unknown, dflt: string, max = 1000): string {
  return v === null || v === undefined ? dflt : sample(v, max);
}

/**
 * Whether `text` names `word` as a whole token, any case: not preceded or followed by one of
 * `tokenChars` (a regex character-class body, e.g. "a-z0-9." for tickers).
 */
export function mentions(text: string, word: string, tokenChars: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  return new RegExp(`(^|[^${tokenChars}])${escaped}($|[^${tokenChars}])`, "i").test(text);
}

/** Both channels, in the order providers subscribe them. */
export const BOTH_CHANNELS: readonly Channel[] = ["trades", "quotes"];
