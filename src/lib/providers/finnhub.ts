/**
 * `finnhub`: Finnhub trades WebSocket (providers.md section 4).
 *
 *   url:    wss://ws.finnhub.io?token=KEY     (a bad key fails the upgrade with HTTP 401)
 *   client: {"type":"subscribe","symbol":"AAPL"}  one symbol per message, no acknowledgement
 *   server: {"type":"trade","data":[{"s":"AAPL","p":146.76,"t":<ms>,"v":43,"c":["1","24"]}, ...]}
 *           {"type":"ping"} about once a minute; {"type":"error","msg":"Subscribing to too many symbols"}
 *
 * No trade id: ticks are deduplicated by content with the feed's in-frame occurrence index, so
 * identical prints in one message survive while a repeated message does not. Trades inside a
 * message are not time-ordered; they are passed on as received. One connection per key; about
 * 50 symbols on the free plan (the symbols-per-connection setting). The stall timeout defaults
 * to 150 s, longer than the ping interval.
 */
import { toNumber, wireNumber } from "../time";
import { contentKey, makeProvider, numOption, parseFrame, textOf, tradeTick } from "./common";
import { SymbolResolver } from "./resolver";
import { defineProvider } from "./descriptor";
import type { FeedSettings, Provider, ProviderSession, SessionContext, SubscriptionChange } from "./types";

export class FinnhubSession implements ProviderSession {
  private readonly symbols: SymbolResolver;
  /**
   * Symbols subscribed on this connection since the last unsubscribe, in the order sent, and how
   * many "too many symbols" errors have come back for them. The server fills its slots in order
   * and answers each refused subscribe with one error that does not name the symbol, so the k-th
   * error refuses the k-th symbol from the end: after all errors, exactly the refused tail is named.
   */
  private sentAdds: string[] = [];
  private refusedCount = 0;

  constructor(private readonly ctx: SessionContext) {
    this.symbols = new SymbolResolver(ctx);
  }

  open(): void {
    this.ctx.ready(); // the key was checked at the upgrade
  }

  subscribe(change: SubscriptionChange): void {
    this.symbols.update(change.all);
    const removed = change.remove.trades;
    for (const s of removed) this.ctx.send({ type: "unsubscribe", symbol: s });
    for (const s of change.add.trades) this.ctx.send({ type: "subscribe", symbol: s });
    if (removed.length > 0) {
      // A freed slot breaks the "refused = tail" rule: start counting afresh.
      this.sentAdds = [];
      this.refusedCount = 0;
    }
    this.sentAdds.push(...change.add.trades);
    // Finnhub sends no acknowledgement: report what was sent.
    this.ctx.unsubscribed(removed, "trades");
    this.ctx.subscribed(change.add.trades, "trades");
  }

  message(data: Buffer): void {
    const v = parseFrame(data, this.ctx);
    if (v === undefined) return;
    const o = v as { type?: unknown; data?: unknown; msg?: unknown };
    if (o === null || typeof o !== "object") {
      this.ctx.malformed("not an object");
      return;
    }
    if (o.type === "trade" && Array.isArray(o.data)) {
      for (const t of o.data) this.trade(t as Record<string, unknown>);
    } else if (o.type === "error") {
      const msg = textOf(o.msg, "error");
      if (/too many symbols/i.test(msg)) {
        this.refusedCount++;
        const symbol = this.sentAdds[this.sentAdds.length - this.refusedCount];
        if (symbol !== undefined)
          this.ctx.rejected([symbol], "trades", "symbol_limit", msg + " (the plan's symbol limit; unsubscribe others to make room)");
        else this.ctx.warn("symbol_limit", msg);
      } else this.ctx.warn("finnhub_error", msg);
    }
    // "ping" and news types need nothing: any frame keeps the stall watchdog quiet.
  }

  private trade(d: Record<string, unknown>): void {
    if (d === null || typeof d !== "object") return;
    const symbol = this.symbols.find(d.s);
    if (symbol === undefined) return;
    const tick = tradeTick(this.ctx, symbol, toNumber(d.p), wireNumber(d.v), Math.floor(toNumber(d.t) * 1000), "finnhub");
    if (tick === undefined) return;
    if (Array.isArray(d.c)) tick.conditions = d.c as string[];
    this.ctx.tick(tick);
  }
}

export function createFinnhub(settings: FeedSettings): Provider {
  if (settings.apiKey === "") throw new Error("Finnhub needs an API key.");
  return makeProvider(FINNHUB, settings, {
    limits: { symbolsPerConnection: numOption(settings.options, "symbolsPerConnection", 0) || 50 },
    timing: { staleMs: 150_000 },
    channels: ["trades"],
    contentKeys: true,
    keyParam: "token",
    dedupKey: contentKey,
    createSession: (ctx) => new FinnhubSession(ctx),
  });
}

export const FINNHUB = defineProvider({
  id: "finnhub",
  label: "Finnhub",
  apiKey: "required",
  url: "wss://ws.finnhub.io",
  limits: { symbolsPerConnection: 50 },
  backfill: { unsupported: "Finnhub's tick history is premium-only and ends-of-day for US stocks: no same-day gap fill." },
  create: createFinnhub,
});
