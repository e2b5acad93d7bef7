/**
 * Binance spot trade history (docs/providers-rest.md), public, no key:
 *
 *   live stream `trade`    -> GET {base}/api/v3/historicalTrades?symbol=BTCUSDT&fromId=<id>&limit=1000   (weight 25)
 *   live stream `aggTrade` -> GET {base}/api/v3/aggTrades?symbol=BTCUSDT&fromId=<a>&limit=1000          (weight 4)
 *
 * Ids make the gap exact: from the id after the last live trade up to the first live id after
 * the reconnect (both known from the live stream). When no live trade was seen before the drop,
 * one `aggTrades?startTime=` call finds the first id (an aggregate's `f` is its first raw trade
 * id). Rows are mapped to the stream's payload shape and built by the live parser's function,
 * so `ts` and the dedup key (the trade id `t`, or `a`) are equal. With the feed's `timeUnit`
 * µs option the header `X-MBX-TIME-UNIT: MICROSECOND` asks for µs times as the stream gives.
 * `historicalTrades` is not served by data-api.binance.vision: the default base is api.binance.com.
 */
import { nowMicros } from "../time";
import { BINANCE, binanceTradeTick } from "../providers/binance";
import { strOption } from "../providers/common";
import { restUrlOf } from "../providers/descriptor";
import type { FeedSettings } from "../providers/types";
import type { RawTick } from "../types";
import { jsonBody, RestError, type RestSession } from "./http";
import { RestHistory } from "./client";
import type { Gap } from "./types";

/** The default REST base URL (the provider descriptor's). */
export const BINANCE_REST_URL = restUrlOf(BINANCE);
const PAGE_LIMIT = 1000;

function nextId(id: string): string {
  return /^\d+$/.test(id) ? String(BigInt(id) + 1n) : id;
}

function idGte(a: string, b: string): boolean {
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) >= BigInt(b);
}

export class BinanceHistory extends RestHistory {
  readonly agg: boolean;
  private readonly micros: boolean;
  private readonly headers: Record<string, string>;

  constructor(settings: FeedSettings, restUrl: string) {
    super("binance", restUrl, BINANCE_REST_URL, []);
    this.agg = strOption(settings.options, "stream", "trade") === "aggTrade";
    this.micros = strOption(settings.options, "timeUnit", "ms") === "us";
    this.headers = { Accept: "application/json" };
    if (this.micros) this.headers["X-MBX-TIME-UNIT"] = "MICROSECOND";
  }

  private async json(url: string, rest: RestSession, signal: AbortSignal): Promise<unknown[]> {
    const res = await rest.request(url, this.headers, signal);
    const body = jsonBody(res.body, "Binance");
    if (!Array.isArray(body)) {
      const o = body as { code?: unknown; msg?: unknown } | null;
      throw new RestError(
        "provider_error",
        `Binance: ${String(o?.msg ?? "unexpected answer")}${o?.code !== undefined ? ` (${String(o.code)})` : ""}`,
      );
    }
    return body as unknown[];
  }

  /** Maps a REST row to the stream payload shape. */
  static rowToPayload(r: Record<string, unknown>, agg: boolean): Record<string, unknown> {
    return agg
      ? { e: "aggTrade", a: r.a, p: r.p, q: r.q, T: r.T, m: r.m }
      : { e: "trade", t: r.id, p: r.price, q: r.qty, T: r.time, m: r.isBuyerMaker };
  }

  async *pages(gap: Gap, rest: RestSession, signal: AbortSignal): AsyncGenerator<RawTick[], void, void> {
    const sym = encodeURIComponent(gap.symbol.toUpperCase());
    let from: string | undefined = gap.fromId !== undefined ? nextId(gap.fromId) : undefined;
    if (from === undefined) {
      // No live id before the gap: find the first trade at or after its start.
      const startMs = Math.floor(gap.fromTs / 1000);
      const first = await this.json(`${this.baseUrl}/api/v3/aggTrades?symbol=${sym}&startTime=${startMs}&limit=1`, rest, signal);
      const row = first[0] as Record<string, unknown> | undefined;
      if (row === undefined) return;
      from = String(this.agg ? row.a : row.f);
    }
    for (;;) {
      const url = this.agg
        ? `${this.baseUrl}/api/v3/aggTrades?symbol=${sym}&fromId=${from}&limit=${PAGE_LIMIT}`
        : `${this.baseUrl}/api/v3/historicalTrades?symbol=${sym}&fromId=${from}&limit=${PAGE_LIMIT}`;
      const rows = await this.json(url, rest, signal);
      const recvTs = nowMicros();
      const ticks: RawTick[] = [];
      // A short page is the end of the data so far; with the first post-reconnect id known we page
      // on until we reach it (a proxy or mirror may cap pages below `limit`).
      let done = rows.length === 0 || (rows.length < PAGE_LIMIT && gap.toId === undefined);
      let last: string | undefined;
      for (const raw of rows) {
        if (raw === null || typeof raw !== "object") continue;
        const t = binanceTradeTick(BinanceHistory.rowToPayload(raw as Record<string, unknown>, this.agg), gap.symbol, this.micros, recvTs);
        if (t === undefined || t.id == null) continue;
        last = t.id;
        if ((gap.toId !== undefined && idGte(t.id, gap.toId)) || t.ts > gap.toTs) {
          done = true; // the live stream has this one and everything after it
          if (gap.toId !== undefined && t.id === gap.toId) ticks.push(t);
          break;
        }
        ticks.push(t);
      }
      yield ticks;
      if (done || last === undefined) return;
      from = nextId(last);
    }
  }
}
