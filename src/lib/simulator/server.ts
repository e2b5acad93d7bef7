/**
 * The simulator's local market: a WebSocket server on 127.0.0.1 (ephemeral port) that streams
 * random-walk trades and quotes for any symbol a client subscribes to. No key, no network, any
 * time of day.
 *
 * Protocol (a dialect of the generic JSON protocol):
 *   client -> {"action":"subscribe","channel":"trades"|"quotes","symbols":["AAPL",...]}
 *             {"action":"unsubscribe", ...same}
 *   server -> {"event":"subscribed"|"unsubscribed","channel":...,"symbols":[...]}
 *             [{"type":"trade","symbol":"AAPL","price":189.23,"size":100,"time":<µs>,"id":"17",
 *               "exchange":"Q","conditions":["@"]}, {"type":"quote",...,"bid","bidSize","ask","askSize"}]
 *             {"event":"heartbeat","time":<µs>}   (every second, so an idle connection is visibly alive)
 *
 * Each symbol trades as a Poisson process at `ratePerSymbol` trades/s (quotes at twice that);
 * prices take log-normal steps and round to the cent; about one trade in ten is an odd lot,
 * flagged with condition "I" (the odd-lot code in both CTA and UTP).
 *
 * Clock: `live` (default) stamps ticks with the current time. `session` replays the regular
 * session of the last trading day in real time: the stream starts SESSION_LEAD_US after that
 * session's open (09:30 New York, from ../calendar.ts) and event times then advance with the
 * wall clock at a constant offset, through the regular session into the post-market. Sessions,
 * condition rules and bars then behave as during market hours, whatever the time of day.
 */
import { WebSocket } from "ws";
import { lastRegularOpen } from "../calendar";
import { nowMicros } from "../time";
import { applySubscription, LocalMarket, type MarketClient as Client } from "./local-market";

export interface SimulatorOptions {
  /** Average trades per second per symbol. */
  ratePerSymbol: number;
  /** How often the server sends a frame (ms). */
  frameMs: number;
  /** Seed for reproducible streams (0 = random). */
  seed: number;
  /** `live`: event time = now; `session`: the last trading day's regular session, replayed in real time. */
  clock: "live" | "session";
}

export const DEFAULT_SIMULATOR: SimulatorOptions = { ratePerSymbol: 4, frameMs: 100, seed: 0, clock: "live" };

/** Where a session replay starts: 50 s after the open, so the first 1-minute bar closes 10 s after a deploy. */
export const SESSION_LEAD_US = 50_000_000;

/** How far (µs) event times lie behind the wall clock for a clock mode started at `nowUs`. */
export function clockOffset(clock: SimulatorOptions["clock"], nowUs: number): number {
  if (clock !== "session") return 0;
  let open = lastRegularOpen(nowUs);
  if (open + SESSION_LEAD_US > nowUs) open = lastRegularOpen(open - 1); // the first seconds of a session: the day before
  return nowUs - (open + SESSION_LEAD_US);
}

const EXCHANGES = ["Q", "N", "P", "Z", "K", "V", "D"];

interface SymState {
  price: number;
  nextTrade: number; // ms
  nextQuote: number;
  id: number;
  spread: number;
}

/** Small fast PRNG (mulberry32) so streams can be reproduced with a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function startPrice(symbol: string): number {
  let h = 2166136261;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 16777619);
  return 20 + ((h >>> 0) % 48000) / 100; // 20.00 .. 500.00, stable per symbol
}

export class SimulatorServer {
  private timer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly market: LocalMarket;
  private readonly clients: Set<Client>;
  private readonly symbols = new Map<string, SymState>();
  private readonly random: () => number;
  private readonly opts: SimulatorOptions;
  /** Event time = wall time - offset (0 for the live clock; fixed when the server is created). */
  readonly offsetUs: number;

  constructor(opts: Partial<SimulatorOptions> = {}) {
    this.opts = { ...DEFAULT_SIMULATOR, ...opts };
    this.random = this.opts.seed !== 0 ? prng(this.opts.seed) : Math.random;
    this.offsetUs = clockOffset(this.opts.clock, nowMicros());
    this.market = new LocalMarket({
      connected: () => this.startTimers(),
      message: (client, text) => this.onMessage(client, text),
      closed: () => {
        if (this.clients.size === 0) this.stopTimers();
      },
    });
    this.clients = this.market.clients;
  }

  /** Starts listening (once); resolves to the ws:// URL. */
  start(): Promise<string> {
    return this.market.start();
  }

  get url(): Promise<string> {
    return this.start();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Stops the market and closes every connection; resolves when the port is released. */
  close(): Promise<void> {
    this.stopTimers();
    return this.market.close();
  }

  private onMessage(client: Client, text: string): void {
    const req = applySubscription(client, text);
    if (typeof req === "string") {
      client.ws.send(JSON.stringify({ event: "error", message: req }));
      return;
    }
    if (req.action === "subscribe") {
      const now = Date.now();
      for (const s of req.symbols) {
        if (!this.symbols.has(s)) {
          this.symbols.set(s, { price: startPrice(s), nextTrade: now + this.exp(), nextQuote: now + this.exp() / 2, id: 0, spread: 0.01 });
        }
      }
    }
    client.ws.send(JSON.stringify({ event: req.action + "d", channel: req.channel, symbols: req.symbols }));
  }

  /** Exponential inter-arrival time (ms) for the per-symbol rate. */
  private exp(): number {
    return (-Math.log(1 - this.random()) * 1000) / Math.max(0.001, this.opts.ratePerSymbol);
  }

  private startTimers(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.frame(), this.opts.frameMs);
    this.heartbeatTimer = setInterval(() => {
      const text = JSON.stringify({ event: "heartbeat", time: nowMicros() - this.offsetUs });
      for (const c of this.clients) if (c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
    }, 1000);
  }

  private stopTimers(): void {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.timer = null;
    this.heartbeatTimer = null;
  }

  /** Advances every subscribed symbol to now and sends each client its ticks in one frame. */
  private frame(): void {
    const now = Date.now();
    const nowUs = nowMicros() - this.offsetUs;
    const wanted = new Set<string>();
    for (const c of this.clients) {
      for (const s of c.trades) wanted.add(s);
      for (const s of c.quotes) wanted.add(s);
    }
    const trades = new Map<string, object[]>();
    const quotes = new Map<string, object[]>();
    for (const symbol of wanted) {
      const st = this.symbols.get(symbol);
      if (st === undefined) continue;
      // Events between the last frame and now get times spread over that span (µs, increasing).
      while (st.nextTrade <= now || st.nextQuote <= now) {
        if (st.nextTrade <= st.nextQuote) {
          const tUs = Math.min(nowUs, Math.floor(nowUs - (now - st.nextTrade) * 1000));
          st.price = Math.max(0.01, Math.round(st.price * Math.exp((this.random() - 0.5) * 0.002) * 100) / 100);
          const odd = this.random() < 0.1;
          const size = odd ? 1 + Math.floor(this.random() * 99) : 100 * (1 + Math.floor(this.random() * this.random() * 20));
          st.id++;
          const tick = {
            type: "trade",
            symbol,
            price: st.price,
            size,
            time: tUs,
            id: String(st.id),
            exchange: EXCHANGES[Math.floor(this.random() * EXCHANGES.length)],
            conditions: odd ? ["@", "I"] : ["@"],
          };
          push(trades, symbol, tick);
          st.nextTrade += this.exp();
        } else {
          const tUs = Math.min(nowUs, Math.floor(nowUs - (now - st.nextQuote) * 1000));
          const half = Math.max(0.01, Math.round(st.price * 0.0002 * 100) / 100) / 2;
          const q = {
            type: "quote",
            symbol,
            bid: Math.round((st.price - half) * 100) / 100,
            bidSize: 100 * (1 + Math.floor(this.random() * 10)),
            ask: Math.round((st.price + half + 0.01) * 100) / 100,
            askSize: 100 * (1 + Math.floor(this.random() * 10)),
            time: tUs,
          };
          push(quotes, symbol, q);
          st.nextQuote += this.exp() / 2;
        }
      }
    }
    for (const s of this.symbols.keys()) if (!wanted.has(s)) this.symbols.delete(s);
    for (const c of this.clients) {
      if (c.ws.readyState !== WebSocket.OPEN) continue;
      const out: object[] = [];
      for (const s of c.trades) {
        const list = trades.get(s);
        if (list !== undefined) for (const t of list) out.push(t);
      }
      for (const s of c.quotes) {
        const list = quotes.get(s);
        if (list !== undefined) for (const q of list) out.push(q);
      }
      if (out.length > 0) c.ws.send(JSON.stringify(out));
    }
  }
}

function push(map: Map<string, object[]>, key: string, value: object): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
