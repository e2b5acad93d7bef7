/**
 * `polygon`: Polygon.io / Massive stocks WebSocket (providers.md section 2).
 *
 *   server: [{"ev":"status","status":"connected",...}]
 *   client: {"action":"auth","params":"KEY"}
 *   server: [{"ev":"status","status":"auth_success"}] | auth_failed (bad key, or "Your plan doesn't include websocket access.")
 *   client: {"action":"subscribe","params":"T.AAPL,Q.AAPL"}  (unsubscribe alike)
 *   server: [{"ev":"status","status":"success","message":"subscribed to: T.AAPL"}]
 *   server: arrays mixing T (trades), Q (quotes) and status events
 *
 * Options: `delayed` (true: the 15-minute delayed endpoint), `cluster` (default "stocks"),
 * `limitRetryMs` (wait after a `max_connections` eviction, default 60000), `stallSec` (data
 * watchdog, default 300; 0 = off) and `stallHours` ("regular" US hours, the default except for
 * the crypto cluster | "always" | "never"). Polygon connections are reported to go silent while
 * the socket lives (pings answered): the watchdog reconnects after `stallSec` without any data
 * event while subscribed, only in the watched hours (a closed market is silent).
 * Limits: one connection per cluster; no symbol cap. A second session evicts the older one with
 * `max_connections`: we wait a minute before coming back, so two instances do not kick each
 * other in a loop. Dedup key (sym, x, i, trfi); `q` is not unique enough to use.
 */
import { toIdString, toNumber, toSeq, wireNumber } from "../time";
import type { RawTick } from "../types";
import { contentKey, makeProvider, newTrade, numOption, forEachEvent, strOption, textOf } from "./common";
import { SymbolResolver } from "./resolver";
import { DataWatchdog, type StallHours, watchdogPeriodMs } from "./watchdog";
import { defineProvider, numberOption } from "./descriptor";
import type { FeedSettings, Provider, ProviderSession, SessionContext, SubscriptionChange } from "./types";

export const POLYGON_EVICTION_WAIT_MS = 60_000;
export const POLYGON_STALL_SEC = 300;

export interface PolygonOptions {
  limitRetryMs: number;
  stallMs: number;
  stallHours: StallHours;
  /** How far the feed lags real time (15 min delayed): the watched hours shift by it. */
  delayMs: number;
}

interface PolygonEvent {
  ev?: unknown;
  status?: unknown;
  message?: unknown;
  sym?: unknown;
  [key: string]: unknown;
}

/** Numbers as Polygon sends them (numbers, or plain decimal text); NaN for anything else. */
const num = toNumber;

export class PolygonSession implements ProviderSession {
  private readonly symbols: SymbolResolver;
  private authSent = false;
  private readonly opts: PolygonOptions;
  /** Last data event (ms) and whether the previous check was inside the watched hours. */
  private readonly watchdog: DataWatchdog;

  constructor(
    private readonly ctx: SessionContext,
    opts: Partial<PolygonOptions> = {},
  ) {
    this.symbols = new SymbolResolver(ctx);
    this.opts = { limitRetryMs: POLYGON_EVICTION_WAIT_MS, stallMs: 0, stallHours: "regular", delayMs: 0, ...opts };
    const o = this.opts;
    this.watchdog = new DataWatchdog(ctx, { stallMs: o.stallMs, hours: o.stallHours, delayMs: o.delayMs, provider: "Polygon" });
  }

  /** Called every few seconds while open (when the watchdog is on): the data watchdog. */
  heartbeat(): void {
    this.watchdog.check();
  }

  open(): void {
    // The server speaks first ("connected"); auth follows it. The slot's auth deadline covers a silent server.
  }

  message(data: Buffer): void {
    // An array inside the array has no `ev`: ignored like an unknown event type.
    forEachEvent<PolygonEvent>(
      data,
      this.ctx,
      "event",
      (e) => {
        switch (e.ev) {
          case "T":
            this.watchdog.data();
            this.trade(e);
            break;
          case "Q":
            this.watchdog.data();
            this.quote(e);
            break;
          case "status":
            this.status(e);
            break;
          default:
            break; // aggregates and new event types are ignored
        }
      },
      true,
    );
  }

  subscribe(change: SubscriptionChange): void {
    this.symbols.update(change.all);
    const add = [...change.add.trades.map((s) => "T." + s), ...change.add.quotes.map((s) => "Q." + s)];
    const remove = [...change.remove.trades.map((s) => "T." + s), ...change.remove.quotes.map((s) => "Q." + s)];
    if (remove.length > 0) this.ctx.send({ action: "unsubscribe", params: remove.join(",") });
    if (add.length > 0) this.ctx.send({ action: "subscribe", params: add.join(",") });
  }

  private status(e: PolygonEvent): void {
    const status = textOf(e.status, "", 64);
    const message = textOf(e.message, "");
    switch (status) {
      case "connected":
        if (!this.authSent) {
          this.authSent = true;
          this.ctx.send({ action: "auth", params: this.ctx.settings.apiKey });
        }
        return;
      case "auth_success":
        this.ctx.ready();
        return;
      case "auth_failed":
        this.ctx.fail({
          kind: /plan/i.test(message) ? "plan" : "auth",
          code: /plan/i.test(message) ? "plan" : "auth_failed",
          message: message || "Authentication failed: check the API key.",
        });
        return;
      case "auth_timeout":
        this.ctx.fail({ kind: "transient", code: "auth_timeout", message: message || "No authentication request received." });
        return;
      case "max_connections":
        this.ctx.fail({
          kind: "limit",
          code: "max_connections",
          message:
            (message || "Maximum number of websocket connections exceeded.") +
            ` Another session uses this key; retrying in ${Math.round(this.opts.limitRetryMs / 1000)} s.`,
          retryAfterMs: this.opts.limitRetryMs,
        });
        return;
      case "success": {
        const m = /^(un)?subscribed to: (.*)$/.exec(message);
        if (m === null) return;
        for (const topic of m[2].split(",")) {
          const dot = topic.indexOf(".");
          const channel = topic.slice(0, dot) === "Q" ? "quotes" : "trades";
          const symbol = this.symbols.resolve(topic.slice(dot + 1).trim());
          if (symbol === undefined) continue;
          if (m[1] === "un") this.ctx.unsubscribed([symbol], channel);
          else this.ctx.subscribed([symbol], channel);
        }
        return;
      }
      case "error":
        this.ctx.warn("provider_error", message);
        return;
      default:
        return;
    }
  }

  private trade(e: PolygonEvent): void {
    const symbol = this.symbols.find(e.sym);
    if (symbol === undefined) return;
    const tick = polygonTradeTick(e, symbol, this.ctx.frameRecvTs);
    if (tick === undefined) {
      this.ctx.malformed("trade without price or time for " + symbol);
      return;
    }
    this.ctx.tick(tick);
  }

  private quote(e: PolygonEvent): void {
    const symbol = this.symbols.find(e.sym);
    if (symbol === undefined) return;
    const t = num(e.t);
    if (Number.isNaN(t)) {
      this.ctx.malformed("quote without time for " + symbol);
      return;
    }
    const tick: RawTick = { symbol, type: "quote", ts: Math.floor(t * 1000), recvTs: this.ctx.frameRecvTs, provider: "polygon" };
    // Present but not a number: NaN, which the feed refuses (the element is counted as malformed).
    const bp = wireNumber(e.bp);
    const ap = wireNumber(e.ap);
    const bs = wireNumber(e.bs);
    const as = wireNumber(e.as);
    if (bp !== undefined) tick.bid = bp;
    if (ap !== undefined) tick.ask = ap;
    // Quote sizes are in round lots on the wire; the Tick carries shares.
    if (bs !== undefined) tick.bidSize = bs * 100;
    if (as !== undefined) tick.askSize = as * 100;
    if (typeof e.c === "number") tick.conditions = [e.c];
    const seq = toSeq(e.q);
    if (seq !== undefined) tick.seq = seq;
    if (typeof e.bx === "number" || typeof e.ax === "number") tick.extra = { bidExchange: e.bx, askExchange: e.ax };
    this.ctx.tick(tick);
  }
}

/**
 * A trade event in the socket's shape (`p`, `s`, `t` ms, `x`, `c`, `i`, `q`, `trfi`, `trft`, `z`)
 * as a Tick; undefined without a price or time. The REST backfill maps its rows to this shape and
 * calls it too, so a trade is the same Tick from either source.
 */
export function polygonTradeTick(e: Record<string, unknown>, symbol: string, recvTs: number): RawTick | undefined {
  const price = num(e.p);
  const t = num(e.t);
  if (Number.isNaN(price) || Number.isNaN(t)) return undefined;
  const tick = newTrade(symbol, price, wireNumber(e.s), Math.floor(t * 1000), recvTs, "polygon");
  if (typeof e.x === "number") tick.exchange = e.x;
  if (Array.isArray(e.c)) tick.conditions = e.c as number[];
  const id = toIdString(e.i);
  if (id !== undefined) tick.id = id;
  const seq = toSeq(e.q);
  if (seq !== undefined) tick.seq = seq;
  if (e.trfi !== undefined || e.z !== undefined) {
    tick.extra = {};
    if (e.trfi !== undefined) tick.extra.trfi = e.trfi;
    if (e.trft !== undefined) tick.extra.trft = e.trft;
    if (e.z !== undefined) tick.extra.tape = e.z;
  }
  return tick;
}

/** Polygon trade ids are unique per exchange (and TRF), not per symbol. */
export function polygonDedupKey(t: RawTick): string {
  if (t.type !== "trade" || t.id == null) return contentKey(t);
  const trfi = t.extra != null && t.extra.trfi != null ? ":" + String(t.extra.trfi) : "";
  return String(t.exchange ?? "") + ":" + t.id + trfi;
}

export function createPolygon(settings: FeedSettings): Provider {
  if (settings.apiKey === "") throw new Error("Polygon / Massive needs an API key.");
  const cluster = strOption(settings.options, "cluster", "stocks");
  const delayed = settings.options.delayed === true || settings.options.delayed === "true";
  const url = settings.url !== "" ? settings.url : `wss://${delayed ? "delayed" : "socket"}.massive.com/${cluster}`;
  const limitRetryMs = numOption(settings.options, "limitRetryMs", 0) || POLYGON_EVICTION_WAIT_MS;
  const stallMs = Math.round(numOption(settings.options, "stallSec", POLYGON_STALL_SEC) * 1000);
  const hoursOpt = strOption(settings.options, "stallHours", cluster === "crypto" ? "always" : "regular");
  if (hoursOpt !== "regular" && hoursOpt !== "always" && hoursOpt !== "never")
    throw new Error(`Unknown stallHours "${hoursOpt}": use regular, always or never.`);
  const stallHours: StallHours = hoursOpt;
  // The watchdog runs on the heartbeat hook (nothing is sent): a few checks per stall period.
  const watchMs = stallHours !== "never" ? watchdogPeriodMs(stallMs) : 0;
  const sessionOpts: PolygonOptions = { limitRetryMs, stallMs, stallHours, delayMs: delayed ? 15 * 60_000 : 0 };
  return makeProvider(POLYGON, settings, {
    timing: { heartbeatMs: watchMs },
    url,
    dedupKey: polygonDedupKey,
    createSession: (ctx) => new PolygonSession(ctx, sessionOpts),
  });
}

export const POLYGON = defineProvider({
  id: "polygon",
  label: "Polygon / Massive",
  apiKey: "required",
  url: "wss://socket.massive.com/stocks",
  options: [
    { name: "delayed", input: "checkbox", label: "tick-feed.label.delayed", default: false },
    numberOption("stallSec", "tick-feed.label.polygonStall", POLYGON_STALL_SEC, "non-negative", "0", { inline: true, width: "70px" }),
  ],
  conditions: "polygon",
  backfill: {
    restUrl: "https://api.polygon.io",
    minIntervalMs: 0,
    rateLimitMs: 12_000, // a 429 without Retry-After: the free plan's 5 requests a minute refill one every 12 s
  },
  create: createPolygon,
});
