/**
 * Alpaca trade history (docs/providers-rest.md): stocks `GET /v2/stocks/{symbol}/trades`,
 * crypto `GET /v1beta3/crypto/us/trades?symbols=BTC/USD`.
 *
 *   GET {base}/v2/stocks/AAPL/trades?start=<RFC 3339>&end=<RFC 3339>&limit=10000&feed=iex&sort=asc[&page_token=...]
 *   APCA-API-KEY-ID / APCA-API-SECRET-KEY headers (crypto: optional, they raise the rate limit)
 *   200 {"trades":[{"t","x","p","s","c","i","z"}],"symbol":"AAPL","next_page_token":"..."|null}
 *   crypto: {"trades":{"BTC/USD":[{"t","p","s","tks","i"}]},"next_page_token":...}
 *
 * `start`/`end` are inclusive; the feed is the live socket's (iex on the free plan, which is
 * also the only stocks feed a free key may read for the last 15 minutes). The body is parsed
 * losslessly (crypto ids exceed 2^53) and each row is built by the live parser's function, so
 * `ts` (µs from the RFC 3339 digits), `id` and the dedup key (x, i) / (i) are equal.
 */
import { nowMicros, parseIsoMicros } from "../time";
import { ALPACA, alpacaTradeTick } from "../providers/alpaca";
import { strOption } from "../providers/common";
import { restUrlOf } from "../providers/descriptor";
import type { FeedSettings } from "../providers/types";
import type { RawTick } from "../types";
import { objectBody, type RestSession } from "./http";
import { RestHistory } from "./client";
import type { Gap } from "./types";

/** The default REST base URL (the provider descriptor's). */
export const ALPACA_REST_URL = restUrlOf(ALPACA);
export const ALPACA_SANDBOX_REST_URL = "https://data.sandbox.alpaca.markets";
const PAGE_LIMIT = 10_000;
/** Live feeds with a REST twin (the `feed` query parameter); `crypto` uses the crypto endpoint. */
export const ALPACA_REST_FEEDS = ["iex", "sip", "delayed_sip", "boats", "overnight", "crypto"];

/** Integer µs -> RFC 3339 with 6 fraction digits (`extraDigits` appended, e.g. "999" for the end of the µs). */
export function rfc3339Micros(us: number, extraDigits = ""): string {
  const ms = Math.floor(us / 1000);
  const frac = String(us - ms * 1000).padStart(3, "0");
  return new Date(ms).toISOString().replace("Z", frac + extraDigits + "Z");
}

export class AlpacaHistory extends RestHistory {
  private readonly feed: string;
  private readonly headers: Record<string, string>;

  constructor(settings: FeedSettings, restUrl: string) {
    const feed = strOption(settings.options, "feed", "iex").toLowerCase();
    if (!ALPACA_REST_FEEDS.includes(feed)) throw new Error(`Alpaca feed "${feed}" has no trade history to backfill from.`);
    const sandbox = settings.options.sandbox === true || settings.options.sandbox === "true";
    super("alpaca", restUrl, sandbox ? ALPACA_SANDBOX_REST_URL : ALPACA_REST_URL, [settings.apiKey, settings.apiSecret]);
    this.feed = feed;
    this.headers = { Accept: "application/json", "Accept-Encoding": "gzip" };
    if (settings.apiKey !== "") this.headers["APCA-API-KEY-ID"] = settings.apiKey;
    if (settings.apiSecret !== "") this.headers["APCA-API-SECRET-KEY"] = settings.apiSecret;
  }

  get crypto(): boolean {
    return this.feed === "crypto";
  }

  url(gap: Gap, pageToken: string | undefined): string {
    const q = new URLSearchParams();
    if (this.crypto) q.set("symbols", gap.symbol.toUpperCase());
    q.set("start", rfc3339Micros(gap.fromTs));
    q.set("end", rfc3339Micros(gap.toTs, "999"));
    q.set("limit", String(PAGE_LIMIT));
    if (!this.crypto) q.set("feed", this.feed);
    q.set("sort", "asc");
    if (pageToken !== undefined) q.set("page_token", pageToken);
    const path = this.crypto ? "/v1beta3/crypto/us/trades" : `/v2/stocks/${encodeURIComponent(gap.symbol.toUpperCase())}/trades`;
    return `${this.baseUrl}${path}?${q}`;
  }

  async *pages(gap: Gap, rest: RestSession, signal: AbortSignal): AsyncGenerator<RawTick[], void, void> {
    let token: string | undefined;
    const seenTokens = new Set<string>();
    for (;;) {
      const res = await rest.request(this.url(gap, token), this.headers, signal);
      const recvTs = nowMicros();
      const body = objectBody(res.body, "Alpaca");
      let rows: unknown = body.trades;
      if (rows !== null && typeof rows === "object" && !Array.isArray(rows)) {
        const byKey = rows as Record<string, unknown>;
        const key = Object.keys(byKey).find((k) => k.toUpperCase() === gap.symbol.toUpperCase());
        rows = key === undefined ? [] : byKey[key];
      }
      const ticks: RawTick[] = [];
      if (Array.isArray(rows)) {
        for (const r of rows as Array<Record<string, unknown>>) {
          if (r === null || typeof r !== "object" || typeof r.t !== "string") continue;
          const ts = parseIsoMicros(r.t);
          if (Number.isNaN(ts)) continue;
          const t = alpacaTradeTick(r, gap.symbol, ts, recvTs);
          if (t !== undefined) ticks.push(t);
        }
      }
      ticks.sort((a, b) => a.ts - b.ts);
      yield ticks;
      const next = body.next_page_token;
      if (typeof next !== "string" || next === "" || seenTokens.has(next)) return;
      seenTokens.add(next);
      token = next;
    }
  }
}
