/**
 * `alltick`: AllTick real-time trades and order book (providers.md section 1).
 *
 *   url:    wss://quote.alltick.co/quote-stock-b-ws-api?token=T   (stocks: AAPL.US, 700.HK, 600519.SH)
 *           wss://quote.alltick.co/quote-b-ws-api?token=T         (FX, metals, crypto: EURUSD, GOLD, BTCUSDT)
 *   client: {"cmd_id":22004,"seq_id":n,"trace":"...","data":{"symbol_list":[{"code":"AAPL.US"},...]}}
 *           trades; 22002 the order book (depth_level 1). Each request REPLACES the previous list of
 *           its kind on that connection, so the whole list is always sent; 22006 cancels a kind.
 *   server: {"ret":200,"msg":"ok","cmd_id":22005,"seq_id":n,...}   replies echo seq_id/trace
 *           {"cmd_id":22998,"data":{"code","seq","tick_time","price","volume","turnover","trade_direction"}}
 *           {"cmd_id":22999,"data":{"code","seq","tick_time","bids":[{"price","volume"}],"asks":[...]}}
 *   keepalive: the client sends 22000 every 10 s (reply 22001); the server drops a socket after 30 s
 *           without one.
 *
 * The token is checked by the server at the upgrade (HTTP 401) or, per the docs' error table, by a
 * `ret: 401` frame; to know which, the session sends a heartbeat on open and is ready at its
 * answer. Limits come from the plan (option `plan`: free 5 symbols x 1 connection, basic 100 x 1,
 * premium 200 x 3, pro 3000 x 10). Requests are paced at one per ~1.1 s per connection (the plan
 * allows one per second); a still-queued list is replaced by a newer one, so a burst of changes
 * costs one request. `seq` and `tick_time` arrive as strings or integers, `tick_time` in seconds or
 * milliseconds: all accepted; `seq` stays exact. Dedup key: (seq, tick_time) per code, else content.
 *
 * Options: plan, market (stock | forex), host, heartbeatMs, requestGapMs (tests shorten these),
 * limitRetryMs (wait after the server refuses a connection over the plan, default 30 s).
 */
import { toMicros, toNumber, toSeq, wireNumber } from "../time";
import type { Channel, RawTick } from "../types";
import { contentKey, limitClose, makeProvider, numOption, parseObject, strOption, tradeTick, BOTH_CHANNELS } from "./common";
import { SymbolResolver } from "./resolver";
import { defineProvider, selectOption, selectTexts } from "./descriptor";
import type { FeedSettings, Provider, ProviderSession, SessionContext, SubscriptionChange } from "./types";

export const ALLTICK_PLANS: Record<string, { symbols: number; connections: number }> = {
  free: { symbols: 5, connections: 1 },
  basic: { symbols: 100, connections: 1 },
  premium: { symbols: 200, connections: 3 },
  pro: { symbols: 3000, connections: 10 },
};

const CMD = {
  heartbeat: 22000,
  heartbeatReply: 22001,
  depth: 22002,
  depthReply: 22003,
  trades: 22004,
  tradesReply: 22005,
  cancel: 22006,
  cancelReply: 22007,
  tradePush: 22998,
  depthPush: 22999,
} as const;

/** Subscribe refusals (`ret`): the rejection code and a hint for its message. */
const REFUSALS = new Map<number, readonly [string, string]>([
  [600, ["invalid_symbol", " (check the code and that it belongs to this endpoint: stocks vs FX/crypto)"]],
  [603, ["symbol_limit", " (more codes than the plan allows per connection)"]],
  [604, ["not_entitled", ""]],
]);

/** What a subscribe/cancel request carried, to match its reply (by seq_id). */
interface Request {
  channel: Channel;
  codes: string[];
}

interface Frame {
  ret?: unknown;
  msg?: unknown;
  cmd_id?: unknown;
  seq_id?: unknown;
  data?: unknown;
}

interface PushData {
  code?: unknown;
  seq?: unknown;
  tick_time?: unknown;
  price?: unknown;
  volume?: unknown;
  turnover?: unknown;
  trade_direction?: unknown;
  bids?: unknown;
  asks?: unknown;
}

interface Level {
  price?: unknown;
  volume?: unknown;
}

export class AllTickSession implements ProviderSession {
  private readonly symbols: SymbolResolver;
  private seqId = 0;
  private readonly requests = new Map<number, Request>();
  /** Lists the server confirmed, per channel (what it serves now). */
  private readonly confirmed: Record<Channel, Set<string>> = { trades: new Set(), quotes: new Set() };
  /** The list we want the server to have, per channel (resent after a 429). */
  private readonly wanted: Record<Channel, string[]> = { trades: [], quotes: [] };
  private readyDone = false;

  constructor(
    private readonly ctx: SessionContext,
    private readonly planSymbols: number,
    private readonly retryMs: number,
  ) {
    this.symbols = new SymbolResolver(ctx);
  }

  open(): void {
    // The first heartbeat doubles as the token check: its answer (or any push) means the server took us.
    this.heartbeat();
  }

  heartbeat(): void {
    this.ctx.send({ cmd_id: CMD.heartbeat, seq_id: this.nextSeq(), trace: "hb", data: {} }, "hb");
  }

  subscribe(change: SubscriptionChange): void {
    this.symbols.update(change.all);
    for (const channel of BOTH_CHANNELS) {
      if (change.add[channel].length === 0 && change.remove[channel].length === 0) continue;
      this.request(channel, change.all[channel]);
    }
  }

  message(data: Buffer): void {
    const frame = parseObject<Frame>(data, this.ctx);
    if (frame === undefined) return;
    const cmd = typeof frame.cmd_id === "number" ? frame.cmd_id : Number(frame.cmd_id);
    if (cmd === CMD.tradePush) {
      this.markReady();
      this.trade(frame.data as PushData);
      return;
    }
    if (cmd === CMD.depthPush) {
      this.markReady();
      this.depth(frame.data as PushData);
      return;
    }
    if (frame.ret === undefined) return; // unknown push types are ignored
    const ret = Number(frame.ret);
    const msg = typeof frame.msg === "string" ? frame.msg : "";
    if (ret === 401) {
      this.ctx.fail({ kind: "auth", code: "auth_failed", message: `AllTick refused the token (${msg || "token invalid"}).` });
      return;
    }
    if (ret === 606) {
      // "too many requests and connection will be closed": come back after a pause.
      this.ctx.fail({
        kind: "limit",
        code: "rate_limited",
        message: `AllTick: ${msg || "too many requests"}; reconnecting shortly.`,
        retryAfterMs: 3000,
      });
      return;
    }
    const seq = Number(frame.seq_id);
    const req = this.requests.get(seq);
    if (req !== undefined) this.requests.delete(seq);
    if (cmd === CMD.heartbeatReply) {
      if (ret === 200) this.markReady();
      else this.ctx.warn("alltick_" + ret, msg || "heartbeat refused");
      return;
    }
    if (cmd !== CMD.tradesReply && cmd !== CMD.depthReply && cmd !== CMD.cancelReply) return;
    this.markReady();
    if (req === undefined) return; // a reply to a request of an earlier socket, or replaced
    if (ret === 200) {
      this.confirm(req.channel, req.codes);
      return;
    }
    this.refused(req, ret, msg);
  }

  // ------------------------------------------------------------------------------------------

  private nextSeq(): number {
    this.seqId = this.seqId >= 0xfffffffe ? 1 : this.seqId + 1;
    return this.seqId;
  }

  private markReady(): void {
    if (this.readyDone) return;
    this.readyDone = true;
    this.ctx.ready();
  }

  /** Sends the whole list of one channel (or a cancel when it is empty); replaces a queued one. */
  private request(channel: Channel, codes: string[]): void {
    this.wanted[channel] = codes;
    const seqId = this.nextSeq();
    // Only the newest request per channel can be answered: forget the others.
    for (const [k, r] of this.requests) if (r.channel === channel) this.requests.delete(k);
    this.requests.set(seqId, { channel, codes });
    const trace = (channel === "trades" ? "t" : "d") + seqId;
    if (codes.length === 0) {
      this.ctx.send({ cmd_id: CMD.cancel, seq_id: seqId, trace, data: { cancel_type: channel === "trades" ? 2 : 1 } }, channel);
    } else if (channel === "trades") {
      this.ctx.send({ cmd_id: CMD.trades, seq_id: seqId, trace, data: { symbol_list: codes.map((code) => ({ code })) } }, channel);
    } else {
      this.ctx.send(
        { cmd_id: CMD.depth, seq_id: seqId, trace, data: { symbol_list: codes.map((code) => ({ code, depth_level: 1 })) } },
        channel,
      );
    }
  }

  private confirm(channel: Channel, codes: string[]): void {
    const before = this.confirmed[channel];
    const after = new Set(codes);
    const added = codes.filter((c) => !before.has(c));
    const removed = [...before].filter((c) => !after.has(c));
    this.confirmed[channel] = after;
    this.ctx.unsubscribed(removed, channel);
    this.ctx.subscribed(added, channel);
  }

  private refused(req: Request, ret: number, msg: string): void {
    const text = `AllTick ${ret}${msg ? ": " + msg : ""}`;
    if (ret === 429 || ret === 605) {
      // Refused for pace: ask again (the newest list) after a pause; nothing is dropped.
      const channel = req.channel;
      const timer = setTimeout(() => this.request(channel, this.wanted[channel]), this.retryMs);
      timer.unref();
      this.ctx.warn("rate_limited", text + "; retrying");
      return;
    }
    const fresh = req.codes.filter((c) => !this.confirmed[req.channel].has(c));
    let named: string[];
    if (ret === 603 && req.codes.length > this.planSymbols) named = req.codes.slice(this.planSymbols);
    else {
      // 600 code invalid / 604 code unauthorized: name the codes the message mentions, else the new ones.
      const mentioned = req.codes.filter((c) => msg.includes(c));
      named = mentioned.length > 0 ? mentioned : fresh.length > 0 ? fresh : req.codes;
    }
    const [code, hint] = REFUSALS.get(ret) ?? ["rejected", ""];
    this.ctx.rejected(named, req.channel, code, text + hint);
  }

  /** The subscribed symbol a push is for, else undefined (a push without data is reported). */
  private pushSymbol(d: PushData, what: string): string | undefined {
    if (d === null || typeof d !== "object") {
      this.ctx.malformed(what + " push without data");
      return undefined;
    }
    return this.symbols.find(d.code);
  }

  private trade(d: PushData): void {
    const symbol = this.pushSymbol(d, "trade");
    if (symbol === undefined) return;
    const tick = tradeTick(this.ctx, symbol, toNumber(d.price), wireNumber(d.volume), toMicros(d.tick_time), "alltick");
    if (tick === undefined) return;
    const seq = toSeq(d.seq);
    if (seq !== undefined) tick.seq = seq;
    if (d.trade_direction !== undefined || d.turnover !== undefined) {
      tick.extra = {};
      const direction = toNumber(d.trade_direction);
      if (Number.isFinite(direction)) tick.extra.direction = direction;
      const turnover = toNumber(d.turnover);
      if (!Number.isNaN(turnover)) tick.extra.turnover = turnover;
    }
    this.ctx.tick(tick);
  }

  private depth(d: PushData): void {
    const symbol = this.pushSymbol(d, "depth");
    if (symbol === undefined) return;
    const ts = toMicros(d.tick_time);
    if (Number.isNaN(ts)) {
      this.ctx.malformed("depth without time for " + symbol);
      return;
    }
    const tick: RawTick = { symbol, type: "quote", ts, recvTs: this.ctx.frameRecvTs, provider: "alltick" };
    const bid = Array.isArray(d.bids) && d.bids.length > 0 ? (d.bids[0] as Level) : undefined;
    const ask = Array.isArray(d.asks) && d.asks.length > 0 ? (d.asks[0] as Level) : undefined;
    if (bid !== undefined && bid !== null) {
      const p = wireNumber(bid.price);
      const v = wireNumber(bid.volume);
      if (p !== undefined) tick.bid = p;
      if (v !== undefined) tick.bidSize = v;
    }
    if (ask !== undefined && ask !== null) {
      const p = wireNumber(ask.price);
      const v = wireNumber(ask.volume);
      if (p !== undefined) tick.ask = p;
      if (v !== undefined) tick.askSize = v;
    }
    const seq = toSeq(d.seq);
    if (seq !== undefined) tick.seq = seq;
    this.ctx.tick(tick);
  }
}

/**
 * (code, seq): the key is per symbol already. seq's semantics are undocumented (per code? reset
 * daily?), so the event time is part of the key: a replayed push repeats both, a reset seq does not.
 */
export function alltickDedupKey(t: RawTick): string {
  if (t.seq == null) return contentKey(t);
  return (t.type === "trade" ? "t" : "q") + t.seq + "@" + t.ts;
}

export const ALLTICK_LIMIT_RETRY_MS = 30_000;

export function createAllTick(settings: FeedSettings): Provider {
  if (settings.apiKey === "") throw new Error("AllTick needs an API token.");
  const o = settings.options;
  const planName = strOption(o, "plan", "free").toLowerCase();
  const plan = ALLTICK_PLANS[planName];
  if (plan === undefined) throw new Error(`Unknown AllTick plan "${planName}": use free, basic, premium or pro.`);
  const market = strOption(o, "market", "stock").toLowerCase();
  if (market !== "stock" && market !== "forex") throw new Error(`Unknown AllTick market "${market}": use stock or forex.`);
  const host = strOption(o, "host", "quote.alltick.co");
  const url = settings.url !== "" ? settings.url : `wss://${host}/${market === "stock" ? "quote-stock-b-ws-api" : "quote-b-ws-api"}`;
  const heartbeatMs = numOption(o, "heartbeatMs", 10_000) || 10_000;
  const requestGapMs = numOption(o, "requestGapMs", 1100) || 1100;
  const limitRetryMs = numOption(o, "limitRetryMs", 0) || ALLTICK_LIMIT_RETRY_MS;
  return makeProvider(ALLTICK, settings, {
    limits: { symbolsPerConnection: plan.symbols, maxConnections: plan.connections, messagesPerSecond: 1000 / requestGapMs },
    // Heartbeat replies count as frames: three missed ones mean a dead or stalled connection.
    timing: { heartbeatMs, staleMs: 3 * heartbeatMs, pingMs: 0 },
    url,
    keyParam: "token",
    dedupKey: alltickDedupKey,
    // "Excess connections are disconnected immediately": a policy close nothing explained is that
    // refusal. Retrying at once would only be refused again while the other connection lives.
    closeFailure: limitClose("AllTick", /limit/i, "the token's connections are in use (plan limit)", limitRetryMs),
    createSession: (ctx) => new AllTickSession(ctx, plan.symbols, requestGapMs),
  });
}

export const ALLTICK = defineProvider({
  id: "alltick",
  label: "AllTick",
  apiKey: "required",
  url: "wss://quote.alltick.co/quote-stock-b-ws-api",
  options: [
    selectTexts(
      "plan",
      "tick-feed.label.alltickPlan",
      [
        ["free", "Free (5 codes, 1 conn.)"],
        ["basic", "Basic (100 codes, 1 conn.)"],
        ["premium", "Premium (200 codes, 3 conn.)"],
        ["pro", "Professional / All-market (3000, 10)"],
      ],
      { width: "200px" },
    ),
    selectOption("market", "tick-feed.label.alltickMarket", ["stock", "forex"], "tick-feed.alltickMarket.", { width: "200px" }),
    { name: "host", input: "text", label: "tick-feed.label.alltickHost", default: "quote.alltick.co", inline: true, width: "130px" },
  ],
  limits: {
    symbolsPerConnection: ALLTICK_PLANS.free.symbols,
    maxConnections: ALLTICK_PLANS.free.connections,
    messagesPerSecond: 1000 / 1100,
  },
  testSymbol: "AAPL.US",
  testSymbolBy: { option: "market", values: { forex: "EURUSD" } },
  backfill: { unsupported: "AllTick's /trade-tick returns the latest trade only; its history is K-lines." },
  create: createAllTick,
});
