/**
 * `twelvedata`: Twelve Data real-time price WebSocket (providers.md section 5).
 *
 *   url:    wss://ws.twelvedata.com/v1/quotes/price?apikey=KEY   (no handshake after the upgrade)
 *   client: {"action":"subscribe","params":{"symbols":"AAPL,RY:TSX,EUR/USD"}}   additive
 *           {"action":"unsubscribe","params":{"symbols":"AAPL"}}
 *           {"action":"heartbeat"}   about every 10 s
 *   server: {"event":"subscribe-status","status":"ok"|"warning"|"error",
 *            "success":[{"symbol","exchange",...}],"fails":[{"symbol","message"}],"messages":[...]}
 *           {"event":"price","symbol":"AAPL","exchange":"NASDAQ","timestamp":<s>,"price":342.01,
 *            "day_volume":27631112,"bid"?,"ask"?}
 *           {"event":"heartbeat","status":"ok"}
 *
 * Price events are last-price ticks, not individual trades: they become `trade` ticks with no
 * size (`extra.dayVolume` carries the cumulative day volume); when an event carries bid/ask
 * (forex, metals) those ride on the trade tick and, for symbols on the quotes channel, also make
 * a `quote` tick. A symbol wanted on either channel is one upstream subscription.
 *
 * A bad key is refused at the upgrade (HTTP 401) or answered in band by an error frame naming
 * the key (REST-style `{"code":401,"status":"error","message":"...apikey..."}`): both stop the
 * feed. Symbols written `SYM:EXCHANGE` come back as `symbol` + `exchange`; they are matched back
 * to the spelling the user subscribed. Refused symbols (`fails`) are named: not entitled, over
 * the plan's limit, or unknown.
 *
 * Limits: option `plan` "basic" (Basic/Grow: 8 trial symbols, 1 connection) or "pro" (Pro and
 * above: no symbol cap, up to 3 connections per key; a 4th closes the oldest: a server close
 * with 1008 (policy) or a reason naming a limit is taken as that eviction and the evicted
 * connection waits `limitRetryMs` (default 60 s) before coming back, instead of evicting the
 * other application's oldest connection in turn). The server takes a
 * bounded number of client events (100, period undocumented): outbound messages are paced at
 * `messagesPerSecond` (default 1) and a subscribe carries many symbols (chunked well below the
 * 1 MB message limit). Heartbeats every `heartbeatMs` (10 s); the heartbeat replies keep a quiet
 * market from looking stalled, so the stall timeout defaults to three and a half heartbeats (35 s).
 *
 * Dedup key (per symbol): timestamp + price + day volume (+ bid/ask when present). Timestamps
 * are whole seconds, so many legitimate ticks share one; a replayed event repeats all fields.
 */
import { toMicros, toOptNumber, wireNumber } from "../time";
import type { Channel, RawTick } from "../types";
import { contentKey, limitClose, makeProvider, newTrade, numOption, parseObject, strOption, BOTH_CHANNELS } from "./common";
import { defineProvider, selectOption } from "./descriptor";
import { chunkSymbols, failCode, fold, isKeyError, stringList } from "./twelvedata-wire";
import type { FeedSettings, Provider, ProviderSession, SessionContext, SubscriptionChange } from "./types";

export const TWELVEDATA_LIMIT_RETRY_MS = 60_000;

export { chunkSymbols, failCode } from "./twelvedata-wire";

export const TWELVEDATA_PLANS: Record<string, { symbols: number; connections: number }> = {
  basic: { symbols: 8, connections: 1 },
  pro: { symbols: Infinity, connections: 3 },
};

interface TdFrame {
  event?: unknown;
  status?: unknown;
  code?: unknown;
  message?: unknown;
  messages?: unknown;
  success?: unknown;
  fails?: unknown;
  symbol?: unknown;
  exchange?: unknown;
  mic_code?: unknown;
  timestamp?: unknown;
  price?: unknown;
  day_volume?: unknown;
  bid?: unknown;
  ask?: unknown;
  currency?: unknown;
  currency_base?: unknown;
  currency_quote?: unknown;
  type?: unknown;
}

interface TdEntry {
  symbol?: unknown;
  exchange?: unknown;
  mic_code?: unknown;
  message?: unknown;
}

export class TwelveDataSession implements ProviderSession {
  /** Per channel: the symbols the feed wants (for dispatch and acknowledgements). */
  private readonly wanted: Record<Channel, Set<string>> = { trades: new Set(), quotes: new Set() };
  /** Symbols subscribed upstream on this socket (requested or confirmed). */
  private readonly live = new Set<string>();
  private readonly confirmed = new Set<string>();
  /** Subscribe requests not yet fully answered, oldest first (symbols still awaiting a status). */
  private readonly pending: Array<Set<string>> = [];
  /** Symbols the server refused on this socket: not asked for again until the user re-adds them. */
  private readonly refused = new Set<string>();
  /** Folded spelling -> subscribed spelling, over `live`. */
  private index = new Map<string, string>();
  /** Folded symbol without its `:EXCHANGE` -> subscribed spellings, over `live`. */
  private byBase = new Map<string, string[]>();

  constructor(private readonly ctx: SessionContext) {}

  open(): void {
    // The key travels in the URL and is checked at the upgrade; nothing to send first.
    this.ctx.ready();
  }

  heartbeat(): void {
    this.ctx.send({ action: "heartbeat" }, "hb");
  }

  subscribe(change: SubscriptionChange): void {
    this.wanted.trades = new Set(change.all.trades);
    this.wanted.quotes = new Set(change.all.quotes);
    const union = new Set([...change.all.trades, ...change.all.quotes]);
    const addedNow = new Set([...change.add.trades, ...change.add.quotes]);
    for (const s of [...this.refused]) if (!union.has(s) || addedNow.has(s)) this.refused.delete(s);
    const toRemove = [...this.live].filter((s) => !union.has(s));
    const toAdd = [...union].filter((s) => !this.live.has(s) && !this.refused.has(s));

    for (const part of chunkSymbols(toRemove)) this.ctx.send({ action: "unsubscribe", params: { symbols: part } });
    for (const s of toRemove) {
      this.live.delete(s);
      this.confirmed.delete(s);
      for (const p of this.pending) p.delete(s);
    }
    this.dropAnswered();
    // The shape of `unsubscribe-status` is undocumented: removals are reported as sent.
    for (const ch of BOTH_CHANNELS) if (change.remove[ch].length > 0) this.ctx.unsubscribed(change.remove[ch], ch);

    // A symbol newly wanted on one channel that is already live needs no message.
    for (const ch of BOTH_CHANNELS) {
      const already = change.add[ch].filter((s) => this.confirmed.has(s));
      if (already.length > 0) this.ctx.subscribed(already, ch);
    }

    for (const part of chunkSymbols(toAdd)) {
      const symbols = part.split(",");
      this.pending.push(new Set(symbols));
      this.ctx.send({ action: "subscribe", params: { symbols: part } });
    }
    for (const s of toAdd) this.live.add(s);
    this.reindex();
  }

  message(data: Buffer): void {
    const f = parseObject<TdFrame>(data, this.ctx, false);
    if (f === undefined) return;
    switch (f.event) {
      case "price":
        this.price(f);
        return;
      case "heartbeat":
        return; // any frame keeps the stall watchdog quiet
      case "subscribe-status":
        this.subscribeStatus(f);
        return;
      case "unsubscribe-status":
      case "reset-status":
        return;
      default:
        if (f.status === "error" || f.event === "error") this.error(f);
        return; // unknown events are ignored
    }
  }

  // ------------------------------------------------------------------------------------------

  private reindex(): void {
    const m = new Map<string, string>();
    const b = new Map<string, string[]>();
    for (const s of this.live) {
      const f = fold(s);
      m.set(f, s);
      const colon = f.indexOf(":");
      if (colon > 0) {
        const base = f.slice(0, colon);
        const list = b.get(base);
        if (list === undefined) b.set(base, [s]);
        else list.push(s);
      }
    }
    this.index = m;
    this.byBase = b;
  }

  /** The subscribed spelling for a wire symbol (+ exchange / MIC), or undefined. */
  private resolve(symbol: unknown, exchange: unknown, mic: unknown): string | undefined {
    if (typeof symbol !== "string" || symbol === "") return undefined;
    const s = fold(symbol);
    if (typeof exchange === "string" && exchange !== "") {
      const hit = this.index.get(s + ":" + fold(exchange));
      if (hit !== undefined) return hit;
    }
    if (typeof mic === "string" && mic !== "") {
      const hit = this.index.get(s + ":" + fold(mic));
      if (hit !== undefined) return hit;
    }
    const plain = this.index.get(s);
    if (plain !== undefined) return plain;
    // `RY:TSX` answered as `RY` with the exchange spelled otherwise (or not at all): the server only
    // sends what was asked for, so a single listing of that symbol is the one.
    const listings = this.byBase.get(s);
    return listings !== undefined && listings.length === 1 ? listings[0] : undefined;
  }

  private channelsOf(symbol: string): Channel[] {
    const out: Channel[] = [];
    if (this.wanted.trades.has(symbol)) out.push("trades");
    if (this.wanted.quotes.has(symbol)) out.push("quotes");
    return out;
  }

  private settle(symbol: string): void {
    for (const p of this.pending) p.delete(symbol);
  }

  private dropAnswered(): void {
    while (this.pending.length > 0 && this.pending[0].size === 0) this.pending.shift();
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i].size === 0) this.pending.splice(i, 1);
  }

  private subscribeStatus(f: TdFrame): void {
    const success = Array.isArray(f.success) ? (f.success as TdEntry[]) : [];
    const fails = Array.isArray(f.fails) ? (f.fails as TdEntry[]) : [];
    for (const e of success) {
      if (e === null || typeof e !== "object") continue;
      const s = this.resolve(e.symbol, e.exchange, e.mic_code);
      if (s === undefined) continue; // unsubscribed meanwhile
      this.settle(s);
      if (this.confirmed.has(s)) continue;
      this.confirmed.add(s);
      for (const ch of this.channelsOf(s)) this.ctx.subscribed([s], ch);
    }
    for (const e of fails) {
      if (e === null || typeof e !== "object") continue;
      const s = this.resolve(e.symbol, e.exchange, e.mic_code);
      const message = typeof e.message === "string" && e.message !== "" ? e.message : "refused";
      if (s === undefined) continue;
      this.refuse([s], failCode(message), `Twelve Data refused ${s}: ${message}`);
    }
    if (f.status === "error" && success.length === 0 && fails.length === 0) {
      const texts = stringList(f.messages ?? f.message);
      const text = texts.join("; ") || "subscribe refused";
      if (isKeyError(Number(f.code), text)) {
        this.authFailed(text);
        return;
      }
      // Not tied to symbols: it answers the oldest request still waiting.
      const req = this.pending.shift();
      if (req !== undefined && req.size > 0) this.refuse([...req], failCode(text), `Twelve Data refused the subscription: ${text}`);
      else this.ctx.warn("twelvedata_error", text);
    }
    this.dropAnswered();
  }

  private refuse(symbols: string[], code: string, message: string): void {
    for (const s of symbols) {
      this.settle(s);
      this.refused.add(s);
      this.live.delete(s);
      this.confirmed.delete(s);
    }
    this.reindex();
    for (const ch of BOTH_CHANNELS) {
      const mine = symbols.filter((s) => this.wanted[ch].has(s));
      if (mine.length > 0) this.ctx.rejected(mine, ch, code, message);
    }
  }

  private error(f: TdFrame): void {
    const text = [...stringList(f.message), ...stringList(f.messages)].join("; ") || "error";
    const code = Number(f.code);
    if (isKeyError(code, text)) {
      this.authFailed(text);
      return;
    }
    if (code === 403) {
      this.ctx.fail({ kind: "plan", code: "plan", message: `Twelve Data: ${text} (your plan does not include this WebSocket access).` });
      return;
    }
    if (code === 429) {
      this.ctx.fail({
        kind: "limit",
        code: "rate_limited",
        message: `Twelve Data: ${text}; reconnecting in a minute.`,
        retryAfterMs: 60_000,
      });
      return;
    }
    this.ctx.warn("twelvedata_error", text);
  }

  private authFailed(text: string): void {
    // The server's text may quote the request; keep the key out of it.
    const key = this.ctx.settings.apiKey;
    const safe = key !== "" ? text.split(key).join("***") : text;
    this.ctx.fail({ kind: "auth", code: "auth_failed", message: `Twelve Data refused the API key (${safe}).` });
  }

  private price(f: TdFrame): void {
    const symbol = this.resolve(f.symbol, f.exchange, f.mic_code);
    if (symbol === undefined) return; // not (or no longer) subscribed here
    const ts = toMicros(f.timestamp);
    if (Number.isNaN(ts)) {
      this.ctx.malformed("price without a timestamp for " + symbol);
      return;
    }
    const price = toOptNumber(f.price);
    const bid = wireNumber(f.bid);
    const ask = wireNumber(f.ask);
    const dayVolume = toOptNumber(f.day_volume);
    if (price === undefined && bid === undefined && ask === undefined) {
      this.ctx.malformed("price event without a price for " + symbol);
      return;
    }
    const exchange = typeof f.exchange === "string" && f.exchange !== "" ? f.exchange : undefined;
    const recvTs = this.ctx.frameRecvTs;
    if (price !== undefined && this.wanted.trades.has(symbol)) {
      const tick = newTrade(symbol, price, undefined, ts, recvTs, "twelvedata");
      if (bid !== undefined) tick.bid = bid;
      if (ask !== undefined) tick.ask = ask;
      if (exchange !== undefined) tick.exchange = exchange;
      const extra: Record<string, unknown> = {};
      if (dayVolume !== undefined) extra.dayVolume = dayVolume;
      if (typeof f.currency === "string") extra.currency = f.currency;
      if (typeof f.currency_base === "string") extra.currencyBase = f.currency_base;
      if (typeof f.currency_quote === "string") extra.currencyQuote = f.currency_quote;
      if (Object.keys(extra).length > 0) tick.extra = extra;
      this.ctx.tick(tick);
    }
    if ((bid !== undefined || ask !== undefined) && this.wanted.quotes.has(symbol)) {
      const q: RawTick = { symbol, type: "quote", ts, recvTs, provider: "twelvedata" };
      if (bid !== undefined) q.bid = bid;
      if (ask !== undefined) q.ask = ask;
      if (exchange !== undefined) q.exchange = exchange;
      this.ctx.tick(q);
    }
  }
}

/** (timestamp, price, day_volume) per symbol, plus bid/ask when the event carries them. */
export function twelvedataDedupKey(t: RawTick): string {
  if (t.type === "quote") return contentKey(t);
  const dv = t.extra != null && t.extra.dayVolume != null ? String(t.extra.dayVolume) : "";
  const ba = t.bid != null || t.ask != null ? "|" + (t.bid ?? "") + "/" + (t.ask ?? "") : "";
  return t.ts + "|" + t.price + "|" + dv + ba;
}

export function createTwelveData(settings: FeedSettings): Provider {
  if (settings.apiKey === "") throw new Error("Twelve Data needs an API key.");
  const o = settings.options;
  const planName = strOption(o, "plan", "basic").toLowerCase();
  const plan = TWELVEDATA_PLANS[planName];
  if (plan === undefined) throw new Error(`Unknown Twelve Data plan "${planName}": use basic or pro.`);
  const heartbeatMs = numOption(o, "heartbeatMs", 10_000) || 10_000;
  const messagesPerSecond = numOption(o, "messagesPerSecond", 1) || 1;
  const limitRetryMs = numOption(o, "limitRetryMs", 0) || TWELVEDATA_LIMIT_RETRY_MS;
  return makeProvider(TWELVEDATA, settings, {
    limits: { symbolsPerConnection: plan.symbols, maxConnections: plan.connections, messagesPerSecond },
    timing: { heartbeatMs, staleMs: Math.round(3.5 * heartbeatMs) },
    contentKeys: true,
    keyParam: "apikey",
    dedupKey: twelvedataDedupKey,
    closeFailure: limitClose(
      "Twelve Data",
      /limit|too many/i,
      "more connections on this key than the plan allows (or too many events)",
      limitRetryMs,
    ),
    createSession: (ctx) => new TwelveDataSession(ctx),
  });
}

export const TWELVEDATA = defineProvider({
  id: "twelvedata",
  label: "Twelve Data",
  apiKey: "required",
  url: "wss://ws.twelvedata.com/v1/quotes/price",
  options: [selectOption("plan", "tick-feed.label.twelvedataPlan", ["basic", "pro"], "tick-feed.twelvedataPlan.", { width: "260px" })],
  limits: {
    symbolsPerConnection: TWELVEDATA_PLANS.basic.symbols,
    maxConnections: TWELVEDATA_PLANS.basic.connections,
    messagesPerSecond: 1,
  },
  backfill: { unsupported: "Twelve Data has bars only (1 minute and up), no trade history." },
  create: createTwelveData,
});
