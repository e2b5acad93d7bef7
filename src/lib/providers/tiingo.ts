/**
 * `tiingo`: Tiingo IEX real-time WebSocket (providers.md section 6).
 *
 *   url:    wss://api.tiingo.com/iex            (no credentials in the URL)
 *   client: {"eventName":"subscribe","authorization":TOKEN,"eventData":{"thresholdLevel":6,"tickers":["spy","aapl"]}}
 *           later changes reference the subscription the server issued:
 *           {"eventName":"subscribe"|"unsubscribe","authorization":TOKEN,"eventData":{"subscriptionId":ID,"tickers":[...]}}
 *   server: {"messageType":"I","data":{"subscriptionId":ID},"response":{"code":200,"message":"Success"}}
 *           {"messageType":"I","data":{"tickers":[...whole list],"thresholdLevel":"6"},"response":{"code":200,...}}
 *           {"messageType":"H","response":{"code":200,"message":"HeartBeat"}}        (server heartbeat)
 *           {"messageType":"E","response":{"code":400,"message":"thresholdLevel not valid for ..."}}
 *           {"messageType":"A","service":"iex","data":["T"|"Q"|"B", dateISO, epochNs, ticker, bidSize, bidPrice,
 *             midPrice, askPrice, askSize, lastPrice, lastSize, halted, afterHours, iso, oddlot, nmsRule611]}
 *           thresholdLevel 6 (reference price): data = [dateISO, ticker, price]
 *
 * The token travels in every subscribe message, so there is no handshake: the session is ready
 * at open and the first subscribe doubles as the token check (a non-200 `I`, or an `E` naming the
 * token, fails with kind auth). Until the server has issued a subscription id, changes are held
 * and sent as a difference once it arrives. The server's `tickers` list confirms symbols.
 *
 * Times: `data[1]` (ISO 8601 with ns and a New York offset) is the event time; `data[2]` (epoch ns,
 * above 2^53, kept exact by the lossless parser) is the fallback, and is used when the ISO text is
 * coarser than ns but agrees to the second. The exact ns stay in `extra.nanos` (a string). No trade id: the dedup key is (ticker, time to the ns, price, size).
 * Trade breaks (`B`) are not trades: they are reported as `trade_break` warnings. Tickers are
 * lowercase on the wire and matched case-insensitively to the symbols as subscribed.
 *
 * Options: thresholdLevel (0 | 5 | 6; default 6, the only level without an IEX agreement).
 * Limits: none documented; one connection per feed by default. The server heartbeat is about
 * 30 s apart (not confirmed), so the stall timeout defaults to 90 s.
 */
import { toOptNumber, wireNumber } from "../time";
import type { Channel, RawTick } from "../types";
import { BOTH_CHANNELS, contentKey, makeProvider, mentions, newTrade, parseObject, sample } from "./common";
import { defineProvider, selectOption } from "./descriptor";
import { epochNanos, F, FLAGS, isoToNanos } from "./tiingo-wire";
import type { FeedSettings, FailureKind, Provider, ProviderSession, SessionContext, SubscriptionChange } from "./types";

export const TIINGO_DEFAULT_URL = "wss://api.tiingo.com/iex";
export const TIINGO_LIMIT_WAIT_MS = 60_000;
export const TIINGO_THRESHOLD_LEVELS = [0, 5, 6] as const;

export { isoToNanos } from "./tiingo-wire";

interface Frame {
  messageType?: unknown;
  service?: unknown;
  data?: unknown;
  response?: unknown;
}

interface Response {
  code?: unknown;
  message?: unknown;
}

export class TiingoSession implements ProviderSession {
  /** lowercase ticker -> symbol as subscribed (kept for removed ones, to name their confirmations). */
  private readonly names = new Map<string, string>();
  /** Symbols wanted per channel (as subscribed). */
  private readonly wantedBy: Record<Channel, Set<string>> = { trades: new Set(), quotes: new Set() };
  /** Lowercase tickers wanted on the wire (trades ∪ quotes). */
  private wanted = new Set<string>();
  /** Lowercase tickers asked of the server so far (subscribes minus unsubscribes). */
  private requested = new Set<string>();
  /** Lowercase tickers the server's last list contained. */
  private confirmed = new Set<string>();
  /** Per channel: symbols reported subscribed to the slot. */
  private readonly reported: Record<Channel, Set<string>> = { trades: new Set(), quotes: new Set() };
  private subscriptionId: number | string | undefined;
  private firstPending = false;
  /** Tickers of the most recent subscribe request, to name them when the server refuses it. */
  private lastAdded: string[] = [];

  constructor(
    private readonly ctx: SessionContext,
    private readonly thresholdLevel: number,
  ) {}

  open(): void {
    // The token rides in the subscribe message: there is no separate handshake.
    this.ctx.ready();
  }

  subscribe(change: SubscriptionChange): void {
    // thresholdLevel 6 carries reference prices only: quotes cannot be had, say so once per symbol.
    const quotes = this.thresholdLevel === 6 ? [] : change.all.quotes;
    if (this.thresholdLevel === 6 && change.add.quotes.length > 0) {
      this.ctx.rejected(
        change.add.quotes,
        "quotes",
        "no_quotes",
        "Tiingo thresholdLevel 6 sends reference prices only (as trades); quotes need level 0 or 5.",
      );
    }
    this.wantedBy.trades = new Set(change.all.trades);
    this.wantedBy.quotes = new Set(quotes);
    const wanted = new Set<string>();
    for (const s of [...change.all.trades, ...quotes]) {
      const lower = s.toLowerCase();
      // Two spellings of one ticker: the first subscribed wins the name.
      if (!wanted.has(lower)) this.names.set(lower, s);
      wanted.add(lower);
    }
    this.wanted = wanted;
    this.flush();
    this.report();
  }

  message(data: Buffer): void {
    const frame = parseObject<Frame>(data, this.ctx);
    if (frame === undefined) return;
    switch (frame.messageType) {
      case "A":
        this.data(frame);
        return;
      case "I":
        this.info(frame);
        return;
      case "E":
        this.error(frame.response as Response | undefined);
        return;
      case "H":
        return; // the server's heartbeat: any frame keeps the stall watch quiet
      default:
        return; // unknown message types are ignored
    }
  }

  // ------------------------------------------------------------------------------------------

  private send(eventName: "subscribe" | "unsubscribe", eventData: Record<string, unknown>): void {
    this.ctx.send({ eventName, authorization: this.ctx.settings.apiKey, eventData });
  }

  /** Brings the server's list to `wanted`: the first subscribe, or a difference against the issued id. */
  private flush(): void {
    if (this.subscriptionId === undefined) {
      if (this.firstPending || this.wanted.size === 0) return;
      this.firstPending = true;
      this.requested = new Set(this.wanted);
      this.lastAdded = [...this.wanted];
      this.send("subscribe", { thresholdLevel: this.thresholdLevel, tickers: this.lastAdded });
      return;
    }
    const add = [...this.wanted].filter((t) => !this.requested.has(t));
    const remove = [...this.requested].filter((t) => !this.wanted.has(t));
    if (remove.length > 0) this.send("unsubscribe", { subscriptionId: this.subscriptionId, tickers: remove });
    if (add.length > 0) {
      this.lastAdded = add;
      this.send("subscribe", { subscriptionId: this.subscriptionId, thresholdLevel: this.thresholdLevel, tickers: add });
    }
    this.requested = new Set(this.wanted);
  }

  /** Tells the slot which (symbol, channel) pairs the server now carries or dropped. */
  private report(): void {
    for (const ch of BOTH_CHANNELS) {
      const added: string[] = [];
      const removed: string[] = [];
      for (const s of this.wantedBy[ch]) if (!this.reported[ch].has(s) && this.confirmed.has(s.toLowerCase())) added.push(s);
      for (const s of this.reported[ch]) if (!this.wantedBy[ch].has(s) || !this.confirmed.has(s.toLowerCase())) removed.push(s);
      for (const s of removed) this.reported[ch].delete(s);
      for (const s of added) this.reported[ch].add(s);
      if (removed.length > 0) this.ctx.unsubscribed(removed, ch);
      if (added.length > 0) this.ctx.subscribed(added, ch);
    }
  }

  private info(frame: Frame): void {
    const r = (frame.response ?? {}) as Response;
    const code = Number(r.code ?? 200);
    if (code !== 200) {
      this.error(r);
      return;
    }
    const d = frame.data;
    if (d === null || typeof d !== "object" || Array.isArray(d)) return;
    const data = d as { subscriptionId?: unknown; tickers?: unknown };
    if (typeof data.subscriptionId === "number" || (typeof data.subscriptionId === "string" && data.subscriptionId !== "")) {
      const first = this.subscriptionId === undefined;
      this.subscriptionId = data.subscriptionId;
      this.firstPending = false;
      if (first) this.flush(); // changes made while the first subscribe was under way
    }
    if (Array.isArray(data.tickers)) {
      this.confirmed = new Set(data.tickers.filter((t): t is string => typeof t === "string").map((t) => t.toLowerCase()));
      this.report();
    }
  }

  private error(r: Response | undefined): void {
    const code = Number(r?.code ?? NaN);
    const text = typeof r?.message === "string" ? r.message : "";
    const shown = `Tiingo${Number.isNaN(code) ? "" : " " + code}${text ? ": " + text : ""}`;
    const fail = (kind: FailureKind, c: string, message: string, retryAfterMs?: number): void =>
      this.ctx.fail(retryAfterMs === undefined ? { kind, code: c, message } : { kind, code: c, message, retryAfterMs });
    if (code === 401 || code === 403 || (code !== 429 && /auth|token|api ?key|credential/i.test(text))) {
      fail("auth", "auth_failed", `${shown} (check the API token).`);
    } else if (code === 429) {
      fail("limit", /connection/i.test(text) ? "max_connections" : "rate_limited", `${shown}; retrying in a minute.`, TIINGO_LIMIT_WAIT_MS);
    } else if (/threshold|tier|agreement|entitle|permission|plan/i.test(text)) {
      fail(
        "plan",
        "plan",
        `${shown} (thresholdLevel ${this.thresholdLevel} is not in this account's plan; level 6 needs no IEX agreement).`,
      );
    } else if (/ticker/i.test(text) && this.lastAdded.length > 0) {
      const named = this.lastAdded.filter((t) => mentions(text, t, "a-z0-9."));
      const symbols = (named.length > 0 ? named : this.lastAdded).map((t) => this.names.get(t) ?? t);
      const why = /limit|max|too many/i.test(text) ? "symbol_limit" : "rejected";
      for (const ch of BOTH_CHANNELS) {
        const mine = symbols.filter((s) => this.wantedBy[ch].has(s));
        if (mine.length > 0) this.ctx.rejected(mine, ch, why, shown);
      }
    } else if (/too many|rate limit|connection limit|max(imum)? .*connections/i.test(text)) {
      fail("limit", /connection/i.test(text) ? "max_connections" : "rate_limited", `${shown}; retrying in a minute.`, TIINGO_LIMIT_WAIT_MS);
    } else if (this.subscriptionId === undefined) {
      // The first subscribe was refused for a reason we cannot name: start over (with backoff).
      fail("transient", "subscribe_refused", shown);
    } else {
      this.ctx.warn("tiingo_error", shown);
    }
  }

  private data(frame: Frame): void {
    const d = frame.data;
    if (!Array.isArray(d) || d.length === 0) {
      this.ctx.malformed("data message without a data array");
      return;
    }
    const head: unknown = d[0];
    if (typeof head === "string" && head.length === 1) {
      this.iex(d);
      return;
    }
    if (d.length >= 3 && d.length < 16) {
      this.reference(d);
      return;
    }
    this.ctx.malformed("unknown data layout", sample(d));
  }

  /**
   * Event time from data[1] (ISO, to the ns), else data[2] (epoch ns). When the ISO text carries
   * fewer than 9 fraction digits and data[2] is exact and agrees to the second, data[2] is finer.
   */
  private time(iso: unknown, epoch: unknown): { nanos: string; us: number } | undefined {
    const fromIso = typeof iso === "string" ? isoToNanos(iso) : undefined;
    const fromEpoch = epochNanos(epoch);
    if (fromIso === undefined) return fromEpoch;
    if (
      fromEpoch !== undefined &&
      typeof epoch === "string" &&
      !/[.,]\d{9}/.test(iso as string) &&
      Math.abs(fromEpoch.us - fromIso.us) < 1_000_000
    ) {
      return fromEpoch;
    }
    return fromIso;
  }

  private symbolOf(ticker: unknown): string | undefined {
    if (typeof ticker !== "string") return undefined;
    const lower = ticker.toLowerCase();
    return this.wanted.has(lower) ? this.names.get(lower) : undefined;
  }

  /** The 16-field top-of-book / last-trade layout (thresholdLevel 0 and 5). */
  private iex(d: unknown[]): void {
    const type = d[F.type];
    if (type !== "T" && type !== "Q" && type !== "B") return; // new update types are ignored
    const symbol = this.symbolOf(d[F.ticker]);
    if (symbol === undefined) {
      if (typeof d[F.ticker] !== "string") this.ctx.malformed("data without a ticker");
      return; // not ours (a wildcard or a late message after an unsubscribe)
    }
    const time = this.time(d[F.date], d[F.nanos]);
    if (time === undefined) {
      this.ctx.malformed("update without a time for " + symbol);
      return;
    }
    // Allocates only for the few prints that carry a flag.
    let conditions: string[] | undefined;
    for (let k = 0; k < FLAGS.length; k++) {
      const v = d[FLAGS[k][0]];
      if (v === 1 || v === true) (conditions ??= []).push(FLAGS[k][1]);
    }
    if (type === "Q") {
      if (!this.wantedBy.quotes.has(symbol)) return;
      const tick: RawTick = { symbol, type: "quote", ts: time.us, recvTs: this.ctx.frameRecvTs, provider: "tiingo", exchange: "IEX" };
      // Present but not a number: NaN, refused by the feed (counted as malformed), never silently absent.
      const bid = wireNumber(d[F.bidPrice]);
      const bidSize = wireNumber(d[F.bidSize]);
      const ask = wireNumber(d[F.askPrice]);
      const askSize = wireNumber(d[F.askSize]);
      if (bid !== undefined) tick.bid = bid;
      if (bidSize !== undefined) tick.bidSize = bidSize;
      if (ask !== undefined) tick.ask = ask;
      if (askSize !== undefined) tick.askSize = askSize;
      if (conditions !== undefined) tick.conditions = conditions;
      tick.extra = { nanos: time.nanos };
      const mid = toOptNumber(d[F.midPrice]);
      if (mid !== undefined) tick.extra.mid = mid;
      this.ctx.tick(tick);
      return;
    }
    const price = toOptNumber(d[F.lastPrice]);
    const size = wireNumber(d[F.lastSize]);
    if (type === "B") {
      // A break cancels an earlier trade (no id links them): not a trade, so not a tick.
      this.ctx.warn(
        "trade_break",
        `Tiingo trade break for ${symbol}: price ${String(price)}, size ${String(size)}, at ${sample(d[F.date], 64)}`,
      );
      return;
    }
    if (price === undefined) {
      this.ctx.malformed("trade without a price for " + symbol);
      return;
    }
    if (!this.wantedBy.trades.has(symbol)) return;
    const tick = newTrade(symbol, price, size, time.us, this.ctx.frameRecvTs, "tiingo");
    tick.exchange = "IEX";
    if (conditions !== undefined) tick.conditions = conditions;
    tick.extra = { nanos: time.nanos };
    this.ctx.tick(tick);
  }

  /**
   * thresholdLevel 6: [dateISO, ticker, price] (a derived reference price, no size). The order is
   * not confirmed, so the time and the ticker are found by what they look like.
   */
  private reference(d: unknown[]): void {
    const isoAt = d.findIndex((v) => typeof v === "string" && isoToNanos(v) !== undefined);
    const tickerAt = d.findIndex((v, i) => i !== isoAt && typeof v === "string" && /[a-z]/i.test(v) && /^[a-z0-9.\-^/=]+$/i.test(v));
    if (isoAt < 0 || tickerAt < 0) {
      this.ctx.malformed("reference price without a time or ticker", sample(d));
      return;
    }
    const symbol = this.symbolOf(d[tickerAt]);
    if (symbol === undefined || !this.wantedBy.trades.has(symbol)) return;
    const price = toOptNumber(d.find((v, i) => i !== isoAt && i !== tickerAt && toOptNumber(v) !== undefined));
    const time = isoToNanos(d[isoAt] as string);
    if (price === undefined || time === undefined) {
      this.ctx.malformed("reference price without a price for " + symbol);
      return;
    }
    this.ctx.tick({
      symbol,
      type: "trade",
      price,
      ts: time.us,
      recvTs: this.ctx.frameRecvTs,
      provider: "tiingo",
      exchange: "IEX",
      extra: { nanos: time.nanos, reference: true },
    });
  }
}

/**
 * (time to the ns, price, size) within the ticker: Tiingo has no trade id. The ns come from the
 * ISO string (`data[1]`), exact; quotes key on their four book fields, reference prices on the price.
 */
export function tiingoDedupKey(t: RawTick): string {
  const nanos = t.extra != null && typeof t.extra.nanos === "string" ? t.extra.nanos : undefined;
  if (nanos === undefined) return contentKey(t);
  if (t.type === "quote") return "q|" + nanos + "|" + t.bid + "|" + t.bidSize + "|" + t.ask + "|" + t.askSize;
  if (t.extra != null && t.extra.reference === true) return "r|" + nanos + "|" + t.price;
  return "t|" + nanos + "|" + t.price + "|" + t.size;
}

export function createTiingo(settings: FeedSettings): Provider {
  if (settings.apiKey === "") throw new Error("Tiingo needs an API token.");
  const raw = settings.options.thresholdLevel;
  const level = raw === undefined || raw === null || raw === "" ? 6 : Number(raw);
  if (!(TIINGO_THRESHOLD_LEVELS as readonly number[]).includes(level)) {
    throw new Error(`Unknown Tiingo thresholdLevel "${String(raw)}": use 0, 5 or 6.`);
  }
  return makeProvider(TIINGO, settings, {
    // The server heartbeats (about every 30 s); three missed ones mean a stalled connection.
    timing: { staleMs: 90_000 },
    channels: level === 6 ? ["trades"] : BOTH_CHANNELS,
    contentKeys: true,
    dedupKey: tiingoDedupKey,
    createSession: (ctx) => new TiingoSession(ctx, level),
  });
}

export const TIINGO = defineProvider({
  id: "tiingo",
  label: "Tiingo IEX",
  apiKey: "required",
  url: TIINGO_DEFAULT_URL,
  options: [
    selectOption("thresholdLevel", "tick-feed.label.tiingoThreshold", ["6", "5", "0"], "tick-feed.tiingoThreshold.", { width: "300px" }),
  ],
  conditions: "tiingo",
  backfill: { unsupported: "Tiingo's REST history is resampled bars, no individual trades." },
  create: createTiingo,
});
