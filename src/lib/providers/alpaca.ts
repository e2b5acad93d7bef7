/**
 * `alpaca`: Alpaca market data stream v2, stocks and crypto (providers.md section 3).
 *
 *   url:    wss://stream.data.alpaca.markets/v2/{iex|sip|delayed_sip|test}   (stocks; test: FAKEPACA)
 *           wss://stream.data.alpaca.markets/v1beta1/{boats|overnight}
 *           wss://stream.data.alpaca.markets/v1beta3/crypto/us              (crypto: BTC/USD)
 *   server: [{"T":"success","msg":"connected"}]
 *   client: {"action":"auth","key":K,"secret":S}              (within 10 s)
 *   server: [{"T":"success","msg":"authenticated"}] | [{"T":"error","code":402,"msg":"auth failed"}]
 *   client: {"action":"subscribe","trades":["AAPL"]}     additive, one per channel; unsubscribe subtractive
 *   server: [{"T":"subscription","trades":[...],"quotes":[...],...}]     the FULL current state, after every request
 *   server: arrays of data messages: T "t" trade, "q" quote (others ignored)
 *
 * Control messages arrive alone; data is batched. Errors are `{"T":"error","code":N,"msg":...}`:
 * 402/411 stop the feed (key), 408/409 at login stop it (plan), 406 (another session, or a dead
 * one the server keeps ~90 s after a network drop) waits `limitRetryMs` before retrying, 405/410
 * (and 409 after login) refuse the symbols of the request they answer. Requests are answered in
 * order, so a FIFO of what was asked names the refused symbols.
 *
 * Dedup key: stocks (x, i) per symbol (trade ids are per exchange); crypto (i), an int64 above
 * 2^53, parsed losslessly and kept as its exact digits. `t` is RFC 3339 with up to 9 fraction
 * digits: `ts` keeps the microseconds, `extra.nanos` the nanoseconds within it when sent.
 * Corrections (`c`) and cancels (`x`) cannot retract an emitted tick: they are ignored.
 *
 * Keepalive: WebSocket pings every 10 s (no application heartbeat). Alpaca connections are known
 * to go silent while pings still succeed, so a data watchdog reconnects after `stallSec` without
 * any data message while subscribed: during US regular hours for stock feeds, always for crypto
 * and the test feed, off for boats/overnight unless set.
 *
 * Options: feed (iex | sip | delayed_sip | test | boats | overnight | crypto), sandbox, plan
 * (basic: 30 symbols | plus: unlimited), stallSec, limitRetryMs.
 */
import { parseIsoMicros, wireNumber } from "../time";
import type { Channel, RawTick } from "../types";
import { contentKey, idKey, makeProvider, numOption, forEachEvent, sample, strOption, BOTH_CHANNELS } from "./common";
import { SymbolResolver } from "./resolver";
import { defineProvider, numberOption, selectOption } from "./descriptor";
import type { FeedSettings, Provider, ProviderFailure, ProviderSession, SessionContext, SubscriptionChange } from "./types";
import { alpacaExtras, alpacaTradeTick } from "./alpaca-ticks";
import { DataWatchdog, type StallHours, watchdogPeriodMs } from "./watchdog";

export const ALPACA_FEEDS: Record<string, string> = {
  iex: "v2/iex",
  sip: "v2/sip",
  delayed_sip: "v2/delayed_sip",
  test: "v2/test",
  boats: "v1beta1/boats",
  overnight: "v1beta1/overnight",
  crypto: "v1beta3/crypto/us",
};

/** Symbols per connection by plan: Basic (free) 30 for trades + quotes; Algo Trader Plus unlimited. */
export const ALPACA_PLANS: Record<string, number> = { basic: 30, plus: Infinity };

/** A refused connection (406): another session holds the key, or a dead one lingers ~90 s. */
export const ALPACA_LIMIT_RETRY_MS = 30_000;

/** Default data watchdog (s). */
export const ALPACA_STALL_SEC = 300;

export { alpacaTradeTick } from "./alpaca-ticks";

interface AlpacaMessage {
  T?: unknown;
  S?: unknown;
  code?: unknown;
  msg?: unknown;
  [key: string]: unknown;
}

/** Errors that answer a request (after login): the rejection code and a hint for its message. */
const REFUSALS = new Map<number, readonly [string, string]>([
  [400, ["rejected", ""]],
  [405, ["symbol_limit", " (more symbols than the plan allows; the earlier subscriptions stay)"]],
  [409, ["not_entitled", " (not in your plan)"]],
  [410, ["invalid_channel", " (this feed does not offer that channel)"]],
]);

/** A request in flight: the server answers each with a subscription state or an error, in order. */
interface PendingRequest {
  action: "subscribe" | "unsubscribe";
  channel: Channel;
  symbols: string[];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

export interface AlpacaSessionOptions {
  limitRetryMs: number;
  stallMs: number;
  stallHours: StallHours;
  /** The feed's delay (delayed_sip: 15 min): regular hours are shifted by it. */
  delayMs: number;
}

export class AlpacaSession implements ProviderSession {
  private readonly symbols: SymbolResolver;
  private authSent = false;
  private readyDone = false;
  private readonly pending: PendingRequest[] = [];
  /** What the server says it streams now: wire symbol -> the spelling the user subscribed. */
  private readonly confirmed: Record<Channel, Map<string, string>> = { trades: new Map(), quotes: new Map() };
  private readonly watchdog: DataWatchdog;

  constructor(
    private readonly ctx: SessionContext,
    private readonly opts: AlpacaSessionOptions,
  ) {
    this.symbols = new SymbolResolver(ctx);
    this.watchdog = new DataWatchdog(ctx, { stallMs: opts.stallMs, hours: opts.stallHours, delayMs: opts.delayMs, provider: "Alpaca" });
  }

  open(): void {
    // The server speaks first ("connected"); auth follows it. The slot's auth deadline covers a silent server.
  }

  message(data: Buffer): void {
    forEachEvent<AlpacaMessage>(data, this.ctx, "message", (e) => {
      switch (e.T) {
        case "t":
          this.watchdog.data();
          this.trade(e);
          break;
        case "q":
          this.watchdog.data();
          this.quote(e);
          break;
        case "success":
          this.success(e);
          break;
        case "subscription":
          this.subscription(e);
          break;
        case "error":
          this.error(e);
          break;
        default:
          // Bars, statuses, LULDs, corrections ("c"), cancels ("x"), order books and types added
          // without notice: not ticks, but proof that data flows.
          if (typeof e.T === "string" && typeof e.S === "string") this.watchdog.data();
          break;
      }
    });
  }

  subscribe(change: SubscriptionChange): void {
    this.symbols.update(change.all);
    // One request per channel and action: a refusal (405 symbol limit, 410 channel not on this
    // feed) then names exactly the symbols and channel it concerns, and leaves the other channel be.
    for (const action of ["unsubscribe", "subscribe"] as const) {
      for (const channel of BOTH_CHANNELS) {
        const list = (action === "subscribe" ? change.add : change.remove)[channel];
        if (list.length > 0)
          this.request(
            action,
            channel,
            list.map((sym) => sym.toUpperCase()),
          );
      }
    }
  }

  /** Called every few seconds while open: the data watchdog. */
  heartbeat(): void {
    this.watchdog.check();
  }

  // ------------------------------------------------------------------------------------------

  private request(action: "subscribe" | "unsubscribe", channel: Channel, symbols: string[]): void {
    this.pending.push({ action, channel, symbols });
    this.ctx.send({ action, [channel]: symbols });
  }

  private success(e: AlpacaMessage): void {
    const msg = typeof e.msg === "string" ? e.msg : "";
    if (msg === "connected") {
      if (!this.authSent && !this.readyDone) {
        this.authSent = true;
        const s = this.ctx.settings;
        this.ctx.send({ action: "auth", key: s.apiKey, secret: s.apiSecret });
      }
      return;
    }
    if (msg === "authenticated" && !this.readyDone) {
      // Also taken when it comes unasked (header authentication through a relay).
      this.readyDone = true;
      this.watchdog.data();
      this.ctx.ready();
    }
  }

  /** The full current state: report the difference to what was confirmed before. */
  private subscription(e: AlpacaMessage): void {
    this.pending.shift();
    for (const channel of BOTH_CHANNELS) {
      if (!Array.isArray(e[channel])) continue; // a state without this channel says nothing about it
      const now = new Set(strings(e[channel]));
      const before = this.confirmed[channel];
      const removed: string[] = [];
      for (const [wire, user] of before) {
        if (!now.has(wire)) {
          before.delete(wire);
          removed.push(user);
        }
      }
      const added: string[] = [];
      for (const wire of now) {
        if (before.has(wire)) continue;
        const user = this.symbols.resolve(wire) ?? wire;
        before.set(wire, user);
        added.push(user);
      }
      this.ctx.unsubscribed(removed, channel);
      this.ctx.subscribed(added, channel);
    }
  }

  private error(e: AlpacaMessage): void {
    const code = Number(e.code);
    const msg = typeof e.msg === "string" ? e.msg : "";
    const text = `Alpaca ${Number.isFinite(code) ? code : "error"}${msg ? ": " + msg : ""}`;
    const fail = (f: ProviderFailure): void => this.ctx.fail(f);
    switch (code) {
      case 402:
        return fail({ kind: "auth", code: "auth_failed", message: `${text}: check the API key ID and the secret key.` });
      case 411:
        return fail({ kind: "auth", code: "insufficient_scope", message: `${text}: the token lacks the market data scope.` });
      case 408:
        return fail({ kind: "plan", code: "plan", message: `${text}: the account has no market data v2 access.` });
      case 406:
        return fail({
          kind: "limit",
          code: "connection_limit",
          message: `${text}: another session uses this key (or a dropped one the server still holds, up to ~90 s); retrying in ${Math.round(this.opts.limitRetryMs / 1000)} s.`,
          retryAfterMs: this.opts.limitRetryMs,
        });
      case 404:
        return fail({ kind: "transient", code: "auth_timeout", message: text });
      case 401:
        return fail({ kind: "transient", code: "not_authenticated", message: text });
      case 407:
        return fail({
          kind: "transient",
          code: "slow_client",
          message: `${text}: the server dropped data because ticks were read too slowly.`,
        });
      case 403:
        return; // already authenticated: harmless
      default:
        break;
    }
    if (!this.readyDone) {
      if (code === 409)
        return fail({
          kind: "plan",
          code: "plan",
          message: `${text}: this feed is not in your plan (the free plan has iex, delayed_sip and crypto).`,
        });
      return fail({ kind: "transient", code: "alpaca_" + (Number.isFinite(code) ? code : "error"), message: text });
    }
    const refusal = REFUSALS.get(code);
    const req = refusal !== undefined ? this.pending.shift() : undefined;
    if (refusal === undefined || req === undefined || req.action !== "subscribe") {
      this.ctx.warn("alpaca_" + (Number.isFinite(code) ? code : "error"), text);
      return;
    }
    const [kind, hint] = refusal;
    const refused = req.symbols.filter((w) => !this.confirmed[req.channel].has(w)).map((w) => this.symbols.resolve(w) ?? w);
    if (refused.length > 0) this.ctx.rejected(refused, req.channel, kind, text + hint);
  }

  private base(e: AlpacaMessage, what: string): { symbol: string; ts: number } | undefined {
    const symbol = this.symbols.find(e.S);
    if (symbol === undefined) return undefined; // not (or no longer) subscribed
    const ts = typeof e.t === "string" ? parseIsoMicros(e.t) : NaN;
    if (Number.isNaN(ts)) {
      this.ctx.malformed(`${what} without a valid time for ${symbol}`, sample(e));
      return undefined;
    }
    return { symbol, ts };
  }

  private trade(e: AlpacaMessage): void {
    const b = this.base(e, "trade");
    if (b === undefined) return;
    const tick = alpacaTradeTick(e, b.symbol, b.ts, this.ctx.frameRecvTs);
    if (tick === undefined) {
      this.ctx.malformed("trade without a price for " + b.symbol, sample(e));
      return;
    }
    this.ctx.tick(tick);
  }

  private quote(e: AlpacaMessage): void {
    const b = this.base(e, "quote");
    if (b === undefined) return;
    const tick: RawTick = { symbol: b.symbol, type: "quote", ts: b.ts, recvTs: this.ctx.frameRecvTs, provider: "alpaca" };
    // Present but not a number: NaN, which the feed refuses (the element is counted as malformed).
    const bp = wireNumber(e.bp);
    const bs = wireNumber(e.bs);
    const ap = wireNumber(e.ap);
    const as = wireNumber(e.as);
    if (bp !== undefined) tick.bid = bp;
    if (bs !== undefined) tick.bidSize = bs;
    if (ap !== undefined) tick.ask = ap;
    if (as !== undefined) tick.askSize = as;
    if (tick.bid === undefined && tick.ask === undefined) {
      this.ctx.malformed("quote without prices for " + b.symbol, sample(e));
      return;
    }
    if (Array.isArray(e.c)) tick.conditions = e.c.filter((c): c is string | number => typeof c === "string" || typeof c === "number");
    alpacaExtras(e, tick, [
      ["bx", "bidExchange"],
      ["ax", "askExchange"],
      ["z", "tape"],
    ]);
    this.ctx.tick(tick);
  }
}

/** Stocks: (x, i), trade ids are unique per exchange; crypto: (i). Quotes by content. */
export function alpacaDedupKey(t: RawTick): string {
  return t.type === "trade" && t.id != null ? idKey(t) : contentKey(t);
}

export function createAlpaca(settings: FeedSettings): Provider {
  if (settings.apiKey === "" || settings.apiSecret === "") throw new Error("Alpaca needs an API key ID and a secret key.");
  const o = settings.options;
  const feed = strOption(o, "feed", "iex").toLowerCase();
  const path = ALPACA_FEEDS[feed];
  if (path === undefined) throw new Error(`Unknown Alpaca feed "${feed}": use ${Object.keys(ALPACA_FEEDS).join(", ")}.`);
  const planName = strOption(o, "plan", feed === "sip" || feed === "boats" || feed === "overnight" ? "plus" : "basic").toLowerCase();
  const planSymbols = ALPACA_PLANS[planName];
  if (planSymbols === undefined) throw new Error(`Unknown Alpaca plan "${planName}": use basic or plus.`);
  const sandbox = o.sandbox === true || o.sandbox === "true";
  const url = settings.url !== "" ? settings.url : `wss://stream.data.${sandbox ? "sandbox." : ""}alpaca.markets/${path}`;
  const stallMs = numOption(o, "stallSec", ALPACA_STALL_SEC) * 1000;
  const explicitStall = o.stallSec !== undefined && o.stallSec !== "";
  const stallHours: StallHours =
    feed === "crypto" || feed === "test"
      ? "always"
      : feed === "boats" || feed === "overnight"
        ? explicitStall
          ? "always"
          : "never"
        : "regular";
  const limitRetryMs = numOption(o, "limitRetryMs", ALPACA_LIMIT_RETRY_MS) || ALPACA_LIMIT_RETRY_MS;
  // The watchdog runs on the heartbeat hook (nothing is sent): a few checks per stall period.
  const watchMs = watchdogPeriodMs(stallMs);
  return makeProvider(ALPACA, settings, {
    limits: { symbolsPerConnection: planSymbols },
    timing: { heartbeatMs: watchMs, pingMs: 10_000 },
    url,
    httpFailure: (status: number): ProviderFailure | undefined =>
      status === 429
        ? {
            kind: "limit",
            code: "connection_limit",
            message: "Alpaca refused the connection (HTTP 429): too many connections for this key.",
            retryAfterMs: limitRetryMs,
          }
        : undefined,
    dedupKey: alpacaDedupKey,
    createSession: (ctx) =>
      new AlpacaSession(ctx, { limitRetryMs, stallMs, stallHours, delayMs: feed === "delayed_sip" ? 15 * 60_000 : 0 }),
  });
}

export const ALPACA = defineProvider({
  id: "alpaca",
  label: "Alpaca",
  apiKey: "required",
  apiSecret: "required",
  url: "wss://stream.data.alpaca.markets/" + ALPACA_FEEDS.iex,
  options: [
    selectOption(
      "feed",
      "tick-feed.label.alpacaFeed",
      ["iex", "sip", "delayed_sip", "boats", "overnight", "crypto", "test"],
      "tick-feed.alpacaFeed.",
      { width: "200px" },
    ),
    { name: "sandbox", input: "checkbox", label: "tick-feed.label.alpacaSandbox", default: false, inline: true },
    selectOption("plan", "tick-feed.label.alpacaPlan", ["", "basic", "plus"], "tick-feed.alpacaPlan.", { width: "200px" }),
    numberOption("stallSec", "tick-feed.label.alpacaStall", ALPACA_STALL_SEC, "non-negative", "0", { inline: true, width: "70px" }),
  ],
  limits: { symbolsPerConnection: ALPACA_PLANS.basic },
  conditions: "sip",
  backfill: {
    restUrl: "https://data.alpaca.markets",
    minIntervalMs: 300, // free plan: 200 requests a minute
    rateLimitMs: 3000, // a 429 without a reset time: the official SDK retries 3 s later
  },
  testSymbolBy: { option: "feed", values: { crypto: "BTC/USD", test: "FAKEPACA" } },
  create: createAlpaca,
});
