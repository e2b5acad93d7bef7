/**
 * `coinbase`: Coinbase Advanced Trade market data, `market_trades` + `heartbeats` channels
 * (providers.md section 8).
 *
 *   url:    wss://advanced-trade-ws.coinbase.com
 *   client: {"type":"subscribe","product_ids":["BTC-USD","ETH-USD"],"channel":"market_trades"[,"jwt":"..."]}
 *           {"type":"subscribe","channel":"heartbeats"}   (one channel per message; "unsubscribe" alike)
 *   server: envelope {"channel","client_id","timestamp","sequence_num","events":[...]}
 *           subscriptions  events:[{"subscriptions":{"market_trades":["BTC-USD"],"heartbeats":["heartbeats"]}}]
 *           market_trades  events:[{"type":"snapshot"|"update","trades":[{"trade_id","product_id","price",
 *                          "size","side","time"}]}]   (prices/sizes decimal strings, time RFC 3339)
 *           heartbeats     events:[{"current_time","heartbeat_counter"}] every second
 *           errors         {"type":"error","message":"Failed to subscribe","reason":"X is not a valid product"}
 *
 * No key is needed for market_trades. With a CDP API key (key name + EC or Ed25519 private key) every
 * message carries a fresh JWT (valid 2 minutes), which Coinbase says makes the feed more reliable and
 * lifts the unauthenticated message limit. The heartbeats channel is subscribed on open: it is the
 * "subscribe within 5 s" answer, keeps quiet products from being closed after 60-90 s, and feeds the
 * stale watch (no frame for `staleMs`, default 10 s, = reconnect).
 *
 * Limits: 8 unauthenticated messages per second per IP: requests are paced at 4 per second per
 * connection (option messagesPerSecond). No documented cap of products per connection. Dedup key:
 * (product_id, trade_id); the snapshot sent after every (re)subscribe replays recent trades, which the
 * feed's dedup drops (and snapshot trades older than the newest one already delivered for the symbol are
 * dropped here, since the dedup window may have forgotten them), so a reconnect fills its gap with what
 * the snapshot holds and repeats nothing.
 * Trades of one event are emitted oldest first. `-USDC` products on public channels carry the `-USD`
 * data: a trade for BTC-USD is also delivered to a BTC-USDC subscription. `side` is passed through
 * unchanged in `extra.side` (its maker/taker meaning is disputed); snapshot trades carry
 * `extra.snapshot: true`. `sequence_num` counts messages per connection: gaps are reported as warnings.
 *
 * Options: snapshot (true: emit the snapshot trades, default), staleMs, messagesPerSecond.
 */
import { parseIsoMicros, toIdString, toMicros, toNumber, wireNumber } from "../time";
import type { RawTick } from "../types";
import { TS_MAX_AHEAD_US } from "../ticknorm";
import { CoinbaseJwt } from "./coinbase-jwt";
import { makeProvider, mentions, newTrade, numOption, parseObject, sample } from "./common";
import { defineProvider, numberOption } from "./descriptor";
import type { FeedSettings, Provider, ProviderSession, SessionContext, SubscriptionChange } from "./types";

export const COINBASE_URL = "wss://advanced-trade-ws.coinbase.com";
const TRADES = "market_trades";
const HEARTBEATS = "heartbeats";
/** Wait after a rate-limit error before reconnecting. */
export const COINBASE_RATE_WAIT_MS = 5000;
/** At most one sequence-gap warning per this many ms per connection (gaps are summed). */
const GAP_WARN_EVERY_MS = 10_000;

export { CoinbaseJwt, parsePrivateKey } from "./coinbase-jwt";

/** Wire product ids (uppercase) -> the symbols subscribed under them, with the -USDC -> -USD alias. */
export class ProductMap {
  private map = new Map<string, string[]>();

  update(symbols: Iterable<string>): void {
    const map = new Map<string, string[]>();
    const add = (wire: string, s: string): void => {
      const list = map.get(wire);
      if (list === undefined) map.set(wire, [s]);
      else if (!list.includes(s)) list.push(s);
    };
    for (const s of symbols) {
      const u = s.toUpperCase();
      add(u, s);
      if (u.endsWith("-USDC")) add(u.slice(0, -1), s);
    }
    this.map = map;
  }

  resolve(wire: string): readonly string[] {
    return this.map.get(wire.toUpperCase()) ?? [];
  }
}

/** Whether a symbol is in a server's product list (directly, or a -USDC symbol served as -USD). */
function listed(symbol: string, wire: ReadonlySet<string>): boolean {
  const u = symbol.toUpperCase();
  return wire.has(u) || (u.endsWith("-USDC") && wire.has(u.slice(0, -1)));
}

interface Request {
  type: "subscribe" | "unsubscribe";
  channel: string;
  symbols: string[];
}

interface RawTrade {
  trade_id?: unknown;
  product_id?: unknown;
  price?: unknown;
  size?: unknown;
  side?: unknown;
  time?: unknown;
}

/** Shared by every connection of one feed. */
export interface CoinbaseShared {
  /** Products (uppercase) Coinbase said are not valid. */
  invalid: Set<string>;
  /** Per subscribed symbol: the newest trade time (µs) handed on, to drop older snapshot replays. */
  newest: Map<string, number>;
}

export class CoinbaseSession implements ProviderSession {
  private readonly products = new ProductMap();
  /** Requests sent and not answered yet, oldest first (Coinbase answers each with one message). */
  private readonly pending: Request[] = [];
  /** Symbols the server's last subscriptions list carried. */
  private confirmed = new Set<string>();
  /** Symbols we asked for (desired trades list). */
  private wanted: string[] = [];
  private lastSeq = -1;
  private gapMissed = 0;
  private gapWarnedAt = 0;

  constructor(
    private readonly ctx: SessionContext,
    private readonly jwt: CoinbaseJwt | undefined,
    private readonly shared: CoinbaseShared,
    private readonly emitSnapshot: boolean,
  ) {}

  open(): void {
    // Heartbeats first: they answer the subscribe-within-5-s rule even before any symbol is asked for.
    this.request("subscribe", HEARTBEATS, []);
    this.ctx.ready();
  }

  subscribe(change: SubscriptionChange): void {
    this.wanted = change.all.trades;
    this.products.update(change.all.trades);
    if (change.add.quotes.length > 0) {
      this.ctx.rejected(change.add.quotes, "quotes", "not_supported", "Coinbase market_trades carries trades only: no quotes.");
    }
    // Products refused as invalid were never subscribed upstream: forget them without asking the server.
    const invalid = change.remove.trades.filter((s) => this.shared.invalid.has(s.toUpperCase()));
    for (const s of invalid) this.shared.invalid.delete(s.toUpperCase());
    if (invalid.length > 0) this.ctx.unsubscribed(invalid, "trades");
    for (const s of change.remove.trades) this.shared.newest.delete(s);
    // Another spelling of the same product may still be wanted (btc-usd vs BTC-USD): keep it upstream.
    const still = new Set(change.all.trades.map((s) => s.toUpperCase()));
    const remove = change.remove.trades.filter((s) => !invalid.includes(s) && !still.has(s.toUpperCase()));
    if (remove.length > 0) this.request("unsubscribe", TRADES, remove);

    const known = change.add.trades.filter((s) => this.shared.invalid.has(s.toUpperCase()));
    if (known.length > 0) this.ctx.rejected(known, "trades", "invalid_product", `Coinbase: not a valid product: ${known.join(", ")}.`);
    const add = change.add.trades.filter((s) => !this.shared.invalid.has(s.toUpperCase()));
    if (add.length > 0) this.request("subscribe", TRADES, add);
  }

  message(data: Buffer): void {
    const o = parseObject(data, this.ctx);
    if (o === undefined) return;
    if (o.type === "error") {
      this.error(o);
      return;
    }
    this.sequence(o.sequence_num);
    const events = o.events;
    switch (o.channel) {
      case TRADES:
        if (!Array.isArray(events)) {
          this.ctx.malformed("market_trades message without events");
          return;
        }
        for (const e of events) this.tradeEvent(e);
        return;
      case "subscriptions":
        if (!Array.isArray(events)) {
          this.ctx.malformed("subscriptions message without events");
          return;
        }
        this.acknowledged(events);
        return;
      default:
        return; // heartbeats (counted as frames by the slot's stale watch) and new channels
    }
  }

  // ------------------------------------------------------------------------------------------

  private request(type: "subscribe" | "unsubscribe", channel: string, symbols: string[]): void {
    const msg: Record<string, unknown> = { type };
    if (channel !== HEARTBEATS) msg.product_ids = [...new Set(symbols.map((s) => s.toUpperCase()))];
    msg.channel = channel;
    if (this.jwt !== undefined) msg.jwt = this.jwt.token();
    this.pending.push({ type, channel, symbols });
    this.ctx.send(msg);
  }

  private sequence(raw: unknown): void {
    const seq = toNumber(raw);
    if (!Number.isSafeInteger(seq)) return;
    if (this.lastSeq >= 0 && seq > this.lastSeq + 1) this.gapMissed += seq - this.lastSeq - 1;
    if (seq > this.lastSeq) this.lastSeq = seq;
    if (this.gapMissed > 0) {
      const now = Date.now();
      if (now - this.gapWarnedAt >= GAP_WARN_EVERY_MS) {
        this.gapWarnedAt = now;
        this.ctx.warn("sequence_gap", `Coinbase: ${this.gapMissed} message(s) missing on this connection (sequence_num gap).`);
        this.gapMissed = 0;
      }
    }
  }

  /** A subscriptions message: the server's whole current list. */
  private acknowledged(events: unknown[]): void {
    const wire = new Set<string>();
    let sawList = false;
    for (const e of events) {
      const subs = e !== null && typeof e === "object" ? (e as { subscriptions?: unknown }).subscriptions : undefined;
      if (subs === null || typeof subs !== "object") continue;
      sawList = true;
      const list = (subs as Record<string, unknown>)[TRADES];
      if (Array.isArray(list)) for (const p of list) if (typeof p === "string") wire.add(p.toUpperCase());
    }
    if (!sawList) {
      this.ctx.malformed("subscriptions message without a subscriptions list");
      return;
    }
    this.pending.shift();
    const now = new Set([...this.wanted, ...this.confirmed].filter((s) => listed(s, wire)));
    const added = [...now].filter((s) => !this.confirmed.has(s));
    const removed = [...this.confirmed].filter((s) => !now.has(s));
    this.confirmed = now;
    if (removed.length > 0) this.ctx.unsubscribed(removed, "trades");
    if (added.length > 0) this.ctx.subscribed(added, "trades");
  }

  private error(o: Record<string, unknown>): void {
    const message = typeof o.message === "string" ? o.message : "";
    const reason = typeof o.reason === "string" ? o.reason : "";
    const detail = [message, reason].filter((x) => x !== "").join(": ");
    const text = "Coinbase: " + (detail !== "" ? detail : "error");
    const req = this.pending[0];
    const tradesSub = req !== undefined && req.type === "subscribe" && req.channel === TRADES;
    // Products the error names (checked first: "AUTH-USD is not a valid product" is not an auth failure).
    const named = tradesSub ? req.symbols.filter((s) => mentions(message + " " + reason, s, "A-Z0-9-")) : [];
    if (named.length === 0) {
      const both = message + " " + reason;
      if (/authenticat|unauthori[sz]ed|\bjwt\b|signature|forbidden/i.test(both)) {
        this.ctx.fail({
          kind: "auth",
          code: "auth_failed",
          message: text + " (check the API key name and private key, or clear both to use the public feed).",
        });
        return;
      }
      if (/rate limit|too many/i.test(both)) {
        this.ctx.fail({
          kind: "limit",
          code: "rate_limited",
          message: text + "; reconnecting shortly.",
          retryAfterMs: COINBASE_RATE_WAIT_MS,
        });
        return;
      }
    }
    this.pending.shift();
    if (!tradesSub) {
      this.ctx.warn("coinbase_error", text);
      return;
    }
    // Coinbase refuses a whole subscribe request for one bad product: name the bad ones, ask again for the rest.
    if (named.length === 0) {
      const fresh = req.symbols.filter((s) => !this.confirmed.has(s));
      if (fresh.length > 0) this.ctx.rejected(fresh, "trades", "subscribe_failed", text);
      return;
    }
    for (const s of named) this.shared.invalid.add(s.toUpperCase());
    this.ctx.rejected(named, "trades", "invalid_product", text);
    const wanted = new Set(this.wanted);
    const rest = req.symbols.filter((s) => !named.includes(s) && wanted.has(s));
    if (rest.length > 0) this.request("subscribe", TRADES, rest);
  }

  private tradeEvent(e: unknown): void {
    if (e === null || typeof e !== "object") {
      this.ctx.malformed("market_trades event is not an object");
      return;
    }
    const ev = e as { type?: unknown; trades?: unknown };
    const snapshot = ev.type === "snapshot";
    if (snapshot && !this.emitSnapshot) return;
    if (!Array.isArray(ev.trades)) {
      this.ctx.malformed("market_trades event without trades");
      return;
    }
    const ticks: RawTick[] = [];
    for (const t of ev.trades as RawTrade[]) {
      if (t === null || typeof t !== "object") {
        this.ctx.malformed("trade is not an object");
        continue;
      }
      const symbols = typeof t.product_id === "string" ? this.products.resolve(t.product_id) : [];
      if (symbols.length === 0) {
        if (typeof t.product_id !== "string") this.ctx.malformed("trade without product_id");
        continue; // a product no longer subscribed
      }
      for (const symbol of symbols) {
        const tick = coinbaseTradeTick(t as Record<string, unknown>, symbol, snapshot, this.ctx.frameRecvTs);
        if (tick === undefined) {
          this.ctx.malformed("trade without price or time for " + sample(t.product_id, 64), sample(t));
          break;
        }
        ticks.push(tick);
      }
    }
    // Coinbase lists a batch newest first: emit oldest first (stable; same time ordered by trade id).
    ticks.sort((a, b) => a.ts - b.ts || compareIds(a.id, b.id));
    const newest = this.shared.newest;
    for (const t of ticks) {
      const high = newest.get(t.symbol);
      // A snapshot replays recent trades: those older than the newest one already handed on were seen
      // (a product's trades are in time order), perhaps so long ago that the dedup window forgot them.
      if (snapshot && high !== undefined && t.ts < high) continue;
      // Only a plausible time moves the mark (a hostile far-future time would hide later snapshots; the feed refuses that tick).
      if ((high === undefined || t.ts > high) && Number.isSafeInteger(t.ts) && t.ts <= t.recvTs + TS_MAX_AHEAD_US)
        newest.set(t.symbol, t.ts);
      this.ctx.tick(t);
    }
  }
}

/**
 * A `market_trades` trade (`trade_id`, `price`, `size`, `side`, `time`) as a Tick for `symbol`;
 * undefined without price or time. The REST backfill calls it with the rows of the public
 * market-trades endpoint (same field names), so a trade is the same Tick from either source.
 */
export function coinbaseTradeTick(t: Record<string, unknown>, symbol: string, snapshot: boolean, recvTs: number): RawTick | undefined {
  const price = toNumber(t.price);
  const ts = typeof t.time === "string" ? parseIsoMicros(t.time) : toMicros(t.time);
  if (Number.isNaN(price) || Number.isNaN(ts)) return undefined;
  const tick = newTrade(symbol, price, wireNumber(t.size), ts, recvTs, "coinbase");
  const id = toIdString(t.trade_id);
  if (id !== undefined && id !== "") tick.id = id;
  if (t.side !== undefined || snapshot) {
    tick.extra = {};
    if (typeof t.side === "string") tick.extra.side = t.side;
    if (snapshot) tick.extra.snapshot = true;
  }
  return tick;
}

/** Numeric trade ids compare as numbers (by length, then digits), others as strings. */
export function compareTradeIds(a: string | null | undefined, b: string | null | undefined): number {
  return compareIds(a, b);
}

/** Numeric trade ids compare as numbers (by length, then digits), others as strings. */
function compareIds(a: string | null | undefined, b: string | null | undefined): number {
  if (a == null || b == null || a === b) return 0;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : 1);
  return 0;
}

export function createCoinbase(settings: FeedSettings): Provider {
  const o = settings.options;
  const keyName = settings.apiKey.trim();
  const secret = settings.apiSecret.trim();
  if ((keyName === "") !== (secret === "")) {
    throw new Error("Coinbase: give both the API key name and its private key, or neither (the public market_trades feed needs no key).");
  }
  const jwt = keyName !== "" ? new CoinbaseJwt(keyName, secret) : undefined;
  const emitSnapshot = !(o.snapshot === false || o.snapshot === "false");
  const shared: CoinbaseShared = { invalid: new Set(), newest: new Map() };
  return makeProvider(COINBASE, settings, {
    // 8 unauthenticated messages per second per IP: stay well under it.
    limits: { messagesPerSecond: numOption(o, "messagesPerSecond", 0) || 4 },
    // Heartbeats arrive every second: 10 s without any frame means a dead or stalled socket.
    timing: { pingMs: 0, staleMs: numOption(o, "staleMs", 0) || 10_000 },
    channels: ["trades"],
    // Coinbase limits new connections per second per IP: a 429 needs seconds, not the default minute.
    httpFailure: (status) =>
      status === 429
        ? {
            kind: "limit",
            code: "http_429",
            message: "Coinbase: too many connections from this IP (HTTP 429); retrying shortly.",
            retryAfterMs: COINBASE_RATE_WAIT_MS,
          }
        : undefined,
    createSession: (ctx) => new CoinbaseSession(ctx, jwt, shared, emitSnapshot),
  });
}

export const COINBASE = defineProvider({
  id: "coinbase",
  label: "Coinbase Advanced Trade",
  apiKey: "paired",
  apiSecret: "paired",
  url: COINBASE_URL,
  options: [
    { name: "snapshot", input: "checkbox", label: "tick-feed.label.coinbaseSnapshot", default: true },
    numberOption("messagesPerSecond", "tick-feed.label.coinbaseRate", 4, "positive", "0.1", { inline: true, width: "70px" }),
  ],
  limits: { messagesPerSecond: 4 },
  backfill: { restUrl: "https://api.coinbase.com", minIntervalMs: 150 }, // public endpoints: 10 requests a second per IP
  testSymbol: "BTC-USD",
  create: createCoinbase,
});
