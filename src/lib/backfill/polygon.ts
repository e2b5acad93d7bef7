/**
 * Polygon / Massive stocks trade history: `GET /v3/trades/{stockTicker}` (docs/providers-rest.md).
 *
 *   GET {base}/v3/trades/AAPL?timestamp.gte=<ns>&timestamp.lte=<ns>&order=asc&sort=timestamp&limit=50000
 *   Authorization: Bearer <key>            (the key stays out of URLs and logs)
 *   200 {"status":"OK","results":[{sip_timestamp,participant_timestamp,trf_timestamp,price,size,
 *        exchange,conditions,id,sequence_number,tape,trf_id,...}],"next_url":"https://.../v3/trades/AAPL?cursor=..."}
 *
 * `next_url` is followed as given, its host replaced by the configured base (a `restUrl`
 * override or a proxy keeps working). Nanosecond times are read exactly (the body is parsed
 * losslessly: a double near 1.7e18 is off by up to 256 ns). Each row is mapped to the socket's
 * trade shape and built by the same function as live ticks, so `ts` is the SIP time truncated
 * to the millisecond like the socket's `t`, and the dedup key (exchange, id, trf_id) is equal.
 */
import { nowMicros } from "../time";
import { POLYGON, polygonTradeTick } from "../providers/polygon";
import { restUrlOf } from "../providers/descriptor";
import type { FeedSettings } from "../providers/types";
import type { RawTick } from "../types";
import { objectBody, RestError, type RestSession } from "./http";
import { RestHistory } from "./client";
import type { Gap } from "./types";

/** The default REST base URL (the provider descriptor's). */
export const POLYGON_REST_URL = restUrlOf(POLYGON);
const PAGE_LIMIT = 50_000;

/** Exact integer µs -> ns decimal string. */
function nsString(us: number): string {
  return String(BigInt(Math.trunc(us)) * 1000n);
}

/** ns (exact digits or number) -> ms as a number, truncated. */
function nsToMs(v: unknown): number | undefined {
  if (typeof v === "string" && /^\d+$/.test(v)) return v.length > 6 ? Number(v.slice(0, v.length - 6)) : 0;
  if (typeof v === "number" && Number.isFinite(v)) return Math.floor(v / 1e6);
  return undefined;
}

/** A REST row in the socket's trade shape. */
export function polygonRowToEvent(r: Record<string, unknown>): Record<string, unknown> {
  const e: Record<string, unknown> = { p: r.price, s: r.size, t: nsToMs(r.sip_timestamp) };
  if (typeof r.exchange === "number") e.x = r.exchange;
  if (Array.isArray(r.conditions)) e.c = r.conditions;
  if (r.id !== undefined && r.id !== null) e.i = r.id;
  const seq = r.sequence_number;
  if (typeof seq === "number") e.q = seq;
  else if (typeof seq === "string" && /^\d+$/.test(seq) && Number.isSafeInteger(Number(seq))) e.q = Number(seq);
  if (r.trf_id !== undefined && r.trf_id !== null) e.trfi = r.trf_id;
  const trft = nsToMs(r.trf_timestamp);
  if (trft !== undefined) e.trft = trft;
  if (r.tape !== undefined && r.tape !== null) e.z = r.tape;
  return e;
}

export function polygonRowToTick(r: Record<string, unknown>, symbol: string, recvTs: number): RawTick | undefined {
  return polygonTradeTick(polygonRowToEvent(r), symbol, recvTs);
}

export class PolygonHistory extends RestHistory {
  private readonly key: string;

  constructor(settings: FeedSettings, restUrl: string) {
    super("polygon", restUrl, POLYGON_REST_URL, [settings.apiKey]);
    this.key = settings.apiKey;
  }

  /** The first page's URL. */
  firstUrl(gap: Gap): string {
    const q = new URLSearchParams({
      "timestamp.gte": nsString(Math.floor(gap.fromTs / 1000) * 1000),
      // The socket's ts has ms resolution: take the whole millisecond of the upper bound.
      "timestamp.lte": String((BigInt(Math.floor(gap.toTs / 1000)) + 1n) * 1_000_000n - 1n),
      order: "asc",
      sort: "timestamp",
      limit: String(PAGE_LIMIT),
    });
    return `${this.baseUrl}/v3/trades/${encodeURIComponent(gap.symbol)}?${q}`;
  }

  /** `next_url` on the configured base (keeps path and query). */
  nextUrl(next: string): string {
    try {
      const u = new URL(next);
      return this.baseUrl + u.pathname + u.search;
    } catch {
      return next.startsWith("/") ? this.baseUrl + next : next;
    }
  }

  async *pages(gap: Gap, rest: RestSession, signal: AbortSignal): AsyncGenerator<RawTick[], void, void> {
    let url: string | undefined = this.firstUrl(gap);
    const headers = { Authorization: `Bearer ${this.key}`, Accept: "application/json" };
    while (url !== undefined) {
      const res = await rest.request(url, headers, signal);
      const recvTs = nowMicros();
      const body = objectBody(res.body, "Polygon");
      if (body.status !== undefined && body.status !== "OK" && body.status !== "DELAYED") {
        throw new RestError("provider_error", `Polygon: ${String(body.error ?? body.message ?? body.status)}`);
      }
      const rows = Array.isArray(body.results) ? (body.results as Array<Record<string, unknown>>) : [];
      const ticks: RawTick[] = [];
      for (const r of rows) {
        if (r === null || typeof r !== "object") continue;
        const t = polygonRowToTick(r, gap.symbol, recvTs);
        if (t !== undefined) ticks.push(t);
      }
      yield ticks;
      url = typeof body.next_url === "string" && body.next_url !== "" ? this.nextUrl(body.next_url) : undefined;
    }
  }
}
