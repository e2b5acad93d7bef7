/**
 * Coinbase Advanced Trade public market trades (docs/providers-rest.md), no key:
 *
 *   GET {base}/api/v3/brokerage/market/products/BTC-USD/ticker?limit=1000&start=<unix s>&end=<unix s>
 *   200 {"trades":[{"trade_id","product_id","price","size","time","side","exchange"}],"best_bid","best_ask"}
 *
 * There is no cursor, the order is not documented and neither is whether `start`/`end` are
 * inclusive. So the window is widened by a second on each side, a window that comes back full
 * (`limit` trades) is split in two until each part fits, and everything is collected, de-duplicated
 * by `trade_id` and sorted (time, then numeric id) before it is handed on. A one-second window
 * that is still full cannot be recovered completely: the gap is reported as incomplete. Rows
 * are built by the live parser's function, so `ts` and the dedup key (product, trade_id) are equal.
 */
import { COINBASE, compareTradeIds, coinbaseTradeTick } from "../providers/coinbase";
import { numOption } from "../providers/common";
import { restUrlOf } from "../providers/descriptor";
import type { FeedSettings } from "../providers/types";
import { nowMicros } from "../time";
import type { RawTick } from "../types";
import { jsonBody, type RestSession } from "./http";
import { RestHistory } from "./client";
import type { Gap, GapInfo } from "./types";

/** The default REST base URL (the provider descriptor's). */
export const COINBASE_REST_URL = restUrlOf(COINBASE);
const DEFAULT_LIMIT = 1000;

export class CoinbaseHistory extends RestHistory {
  private readonly limit: number;

  constructor(settings: FeedSettings, restUrl: string) {
    super("coinbase", restUrl, COINBASE_REST_URL, [settings.apiKey, settings.apiSecret]);
    this.limit = Math.max(1, Math.floor(numOption(settings.options, "restLimit", DEFAULT_LIMIT)) || DEFAULT_LIMIT);
  }

  url(symbol: string, startSec: number, endSec: number): string {
    return `${this.baseUrl}/api/v3/brokerage/market/products/${encodeURIComponent(symbol.toUpperCase())}/ticker?limit=${this.limit}&start=${startSec}&end=${endSec}`;
  }

  async *pages(gap: Gap, rest: RestSession, signal: AbortSignal, info: GapInfo): AsyncGenerator<RawTick[], void, void> {
    const byId = new Map<string, RawTick>();
    const windows: Array<[number, number]> = [[Math.floor(gap.fromTs / 1e6) - 1, Math.ceil(gap.toTs / 1e6) + 1]];
    const cap = gap.maxTrades ?? Infinity;
    while (windows.length > 0) {
      const [s, e] = windows.pop() as [number, number];
      const res = await rest.request(this.url(gap.symbol, s, e), { Accept: "application/json" }, signal);
      const recvTs = nowMicros();
      const body = jsonBody(res.body, "Coinbase", false) as { trades?: unknown } | null;
      const rows = body !== null && typeof body === "object" && Array.isArray(body.trades) ? (body.trades as unknown[]) : [];
      for (const r of rows) {
        if (r === null || typeof r !== "object") continue;
        const t = coinbaseTradeTick(r as Record<string, unknown>, gap.symbol, false, recvTs);
        if (t === undefined || t.ts < gap.fromTs || t.ts > gap.toTs) continue;
        byId.set(t.id ?? `${t.ts}|${t.price}|${t.size}`, t);
      }
      if (rows.length >= this.limit) {
        if (e - s > 1) {
          const mid = Math.floor((s + e) / 2);
          windows.push([mid, e], [s, mid]); // older half first
        } else
          info.incomplete = `more than ${this.limit} trades in one second (${new Date(s * 1000).toISOString()}): Coinbase has no cursor to page within it`;
      }
      if (byId.size > cap) break;
    }
    const ticks = [...byId.values()].sort((a, b) => a.ts - b.ts || compareTradeIds(a.id, b.id));
    for (let i = 0; i < ticks.length; i += 1000) yield ticks.slice(i, i + 1000);
  }
}
