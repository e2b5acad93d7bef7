/**
 * `binance`: Binance spot market streams (providers.md section 7). Public, no key.
 *
 *   url:    wss://stream.binance.com:9443/stream  (combined: data wrapped in {"stream","data"})
 *   client: {"method":"SUBSCRIBE","params":["btcusdt@trade","ethusdt@bookTicker"],"id":1}
 *   server: {"result":null,"id":1}  |  {"error":{"code":2,"msg":"Invalid request: ..."},"id":1}
 *   data:   trade {"e":"trade","s":"BTCUSDT","t":12345,"p":"0.001","q":"100","T":<ms>,"m":true}
 *           aggTrade (option stream: "aggTrade", id `a`), bookTicker {"u","s","b","B","a","A"} as quotes
 *           {"e":"serverShutdown"}: reconnect promptly
 *
 * Symbols are written as Binance does in stream names (lowercase, e.g. `btcusdt`); ticks carry
 * the subscribed spelling. Limits: 1024 streams per connection, 5 incoming messages per second
 * per connection (we send at most 4, leaving room for pongs), 24 h connection lifetime (a normal
 * reconnect). Dedup key: the trade id (`t`, or `a` for aggTrade) per symbol.
 * Options: endpoint ("stream" | "data-stream"), stream ("trade" | "aggTrade"), timeUnit ("ms" | "us"),
 * stallSec (data watchdog, default 0 = off: reconnect when no trade or quote arrived for this long
 * while subscribed; the server's pings keep the feed's stale timer quiet, so a stream that was
 * acknowledged and then went silent is only caught by this).
 *
 * Stream names are letters and digits only: other symbols are refused by name before anything is
 * sent, since Binance refuses a whole SUBSCRIBE for one bad stream (and does not always name it).
 */
import { toIdString, toNumber, toSeq } from "../time";
import type { Channel, RawTick } from "../types";
import { makeProvider, numOption, parseObject, strOption, textOf, withQuery, BOTH_CHANNELS } from "./common";
import { SymbolResolver } from "./resolver";
import { defineProvider, numberOption, selectTexts } from "./descriptor";
import type { FeedSettings, Provider, ProviderSession, SessionContext, SubscriptionChange } from "./types";
import { DataWatchdog, watchdogPeriodMs } from "./watchdog";

const MAX_PARAMS = 200;
const SYMBOL_RE = /^[a-z0-9]+$/i;

interface Pending {
  method: "SUBSCRIBE" | "UNSUBSCRIBE";
  symbols: string[];
  channel: Channel;
}

export class BinanceSession implements ProviderSession {
  private readonly symbols: SymbolResolver;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly watchdog: DataWatchdog;

  constructor(
    private readonly ctx: SessionContext,
    private readonly tradeStream: "trade" | "aggTrade",
    private readonly micros: boolean,
    stallMs: number = 0,
  ) {
    this.symbols = new SymbolResolver(ctx);
    this.watchdog = new DataWatchdog(ctx, { stallMs, hours: "always", delayMs: 0, provider: "Binance" });
  }

  /** Runs every few hundred ms when `stallSec` is set: the data watchdog. */
  heartbeat(): void {
    this.watchdog.check();
  }

  open(): void {
    this.ctx.ready(); // public streams: no handshake beyond the WebSocket one
  }

  subscribe(change: SubscriptionChange): void {
    this.symbols.update(change.all);
    for (const ch of BOTH_CHANNELS) {
      this.request("UNSUBSCRIBE", change.remove[ch], ch);
      this.request("SUBSCRIBE", change.add[ch], ch);
    }
  }

  private request(method: "SUBSCRIBE" | "UNSUBSCRIBE", all: string[], channel: Channel): void {
    const symbols = all.filter((s) => SYMBOL_RE.test(s));
    const bad = all.filter((s) => !SYMBOL_RE.test(s));
    if (bad.length > 0 && method === "SUBSCRIBE") {
      this.ctx.rejected(bad, channel, "invalid_symbol", "Not a Binance symbol (letters and digits only, e.g. btcusdt).");
    }
    const suffix = channel === "trades" ? "@" + this.tradeStream : "@bookTicker";
    for (let i = 0; i < symbols.length; i += MAX_PARAMS) {
      const chunk = symbols.slice(i, i + MAX_PARAMS);
      const id = this.nextId++;
      this.pending.set(id, { method, symbols: chunk, channel });
      this.ctx.send({ method, params: chunk.map((s) => s.toLowerCase() + suffix), id });
    }
  }

  message(data: Buffer): void {
    const o = parseObject(data, this.ctx, true, "not an object");
    if (o === undefined) return;
    if ("id" in o && ("result" in o || "error" in o)) {
      this.answer(o);
      return;
    }
    const d = (typeof o.stream === "string" && o.data !== null && typeof o.data === "object" ? o.data : o) as Record<string, unknown>;
    if (d.e === "trade" || d.e === "aggTrade") {
      this.watchdog.data();
      this.trade(d);
    } else if (d.e === "serverShutdown")
      this.ctx.fail({ kind: "transient", code: "server_shutdown", message: "Binance is restarting this server: reconnecting." });
    else if (d.e === undefined && typeof d.s === "string" && d.b !== undefined && d.a !== undefined) {
      this.watchdog.data();
      this.quote(d);
    }
  }

  private answer(o: Record<string, unknown>): void {
    const id = typeof o.id === "number" ? o.id : Number(o.id);
    const req = this.pending.get(id);
    this.pending.delete(id);
    if (o.error !== undefined && o.error !== null) {
      const e = o.error as { code?: unknown; msg?: unknown };
      const message = textOf(e.msg, "request refused");
      const code = "binance_" + textOf(e.code, "error", 32);
      if (req !== undefined && req.method === "SUBSCRIBE") {
        // One bad stream refuses the whole request: when the message names it, refuse that one and ask again for the rest.
        const named = req.symbols.filter((s) => new RegExp("\\b" + s.toLowerCase() + "@").test(message));
        if (named.length > 0 && named.length < req.symbols.length) {
          this.ctx.rejected(named, req.channel, code, message);
          this.request(
            "SUBSCRIBE",
            req.symbols.filter((s) => !named.includes(s)),
            req.channel,
          );
        } else this.ctx.rejected(req.symbols, req.channel, code, message);
      } else this.ctx.warn(code, message);
      return;
    }
    if (req === undefined) return;
    if (req.method === "SUBSCRIBE") this.ctx.subscribed(req.symbols, req.channel);
    else this.ctx.unsubscribed(req.symbols, req.channel);
  }

  private trade(d: Record<string, unknown>): void {
    const symbol = this.symbols.find(d.s);
    if (symbol === undefined) return;
    const tick = binanceTradeTick(d, symbol, this.micros, this.ctx.frameRecvTs);
    if (tick === undefined) {
      this.ctx.malformed("trade without price, time or id for " + symbol);
      return;
    }
    this.ctx.tick(tick);
  }

  private quote(d: Record<string, unknown>): void {
    const symbol = this.symbols.resolve(d.s as string);
    if (symbol === undefined) return;
    // Spot bookTicker carries no time: the receipt time stands in for it.
    const tick: RawTick = {
      symbol,
      type: "quote",
      bid: toNumber(d.b),
      bidSize: toNumber(d.B),
      ask: toNumber(d.a),
      askSize: toNumber(d.A),
      ts: this.ctx.frameRecvTs,
      recvTs: this.ctx.frameRecvTs,
      provider: "binance",
    };
    const seq = toSeq(d.u);
    if (seq !== undefined) tick.seq = seq;
    this.ctx.tick(tick);
  }
}

/**
 * A `trade` / `aggTrade` stream payload (`e`, `t` or `a`, `p`, `q`, `T`, `m`) as a Tick;
 * undefined without price, time or id. `micros`: `T` is in µs (timeUnit MICROSECOND). The REST
 * backfill maps `aggTrades` / `historicalTrades` rows to this shape and calls it too.
 */
export function binanceTradeTick(d: Record<string, unknown>, symbol: string, micros: boolean, recvTs: number): RawTick | undefined {
  // Strict decimal text: Number("") is 0 and Number("0x10") is 16, which a price must never be.
  const price = toNumber(d.p);
  const size = toNumber(d.q);
  const t = toNumber(d.T);
  const id = toIdString(d.e === "aggTrade" ? d.a : d.t);
  if (Number.isNaN(price) || Number.isNaN(t) || id === undefined) return undefined;
  const tick: RawTick = {
    symbol,
    type: "trade",
    price,
    size,
    ts: micros ? Math.floor(t) : Math.floor(t * 1000),
    recvTs,
    id,
    provider: "binance",
  };
  if (typeof d.m === "boolean") tick.extra = { buyerIsMaker: d.m };
  return tick;
}

export function createBinance(settings: FeedSettings): Provider {
  const endpoint = strOption(settings.options, "endpoint", "stream");
  const base = endpoint === "data-stream" ? "wss://data-stream.binance.vision/stream" : "wss://stream.binance.com:9443/stream";
  const micros = strOption(settings.options, "timeUnit", "ms") === "us";
  let url = settings.url !== "" ? settings.url : base;
  if (micros) url = withQuery(url, "timeUnit", "MICROSECOND");
  const tradeStream = strOption(settings.options, "stream", "trade") === "aggTrade" ? "aggTrade" : "trade";
  const stallMs = Math.round(numOption(settings.options, "stallSec", 0) * 1000);
  const watchMs = watchdogPeriodMs(stallMs);
  return makeProvider(BINANCE, settings, {
    limits: {
      symbolsPerConnection: 1024,
      maxConnections: numOption(settings.options, "maxConnections", 0) || 10,
      messagesPerSecond: 4,
    },
    // The server pings us every 20 s (ws answers; pings also keep the stale timer quiet); the
    // optional data watchdog runs on the heartbeat hook (nothing is sent).
    timing: { pingMs: 0, staleMs: 60_000, heartbeatMs: watchMs },
    url,
    createSession: (ctx) => new BinanceSession(ctx, tradeStream, micros, stallMs),
  });
}

export const BINANCE = defineProvider({
  id: "binance",
  label: "Binance",
  url: "wss://stream.binance.com:9443/stream",
  options: [
    selectTexts(
      "stream",
      "tick-feed.label.binanceStream",
      [
        ["trade", "trade"],
        ["aggTrade", "aggTrade"],
      ],
      { width: "130px" },
    ),
    selectTexts(
      "endpoint",
      "tick-feed.label.binanceEndpoint",
      [
        ["stream", "stream.binance.com"],
        ["data-stream", "data-stream.binance.vision"],
      ],
      { inline: true, width: "180px" },
    ),
    numberOption("stallSec", "tick-feed.label.binanceStall", 0, "non-negative", "0", { width: "70px" }),
  ],
  limits: { symbolsPerConnection: 1024, maxConnections: 10, messagesPerSecond: 4 },
  backfill: { restUrl: "https://api.binance.com", minIntervalMs: 100 }, // 6,000 weight a minute per IP; historicalTrades costs 25
  testSymbol: "BTCUSDT",
  create: createBinance,
});
