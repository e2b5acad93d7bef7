/**
 * The local WebSocket server behind the simulator and the replay: 127.0.0.1 on an ephemeral
 * port, each client with its trade and quote symbols, set by
 *   {"action":"subscribe"|"unsubscribe","channel":"trades"|"quotes","symbols":[...]}
 * The market that uses it decides what to send and how to answer.
 */
import { WebSocketServer, type WebSocket } from "ws";
import type { AddressInfo } from "net";
import type { Channel } from "../types";

export interface MarketClient {
  ws: WebSocket;
  trades: Set<string>;
  quotes: Set<string>;
}

export interface MarketHandlers {
  /** A client connected (already in `clients`, its listeners attached). */
  connected(client: MarketClient): void;
  message(client: MarketClient, text: string): void;
  /** A client left (already removed from `clients`). */
  closed(client: MarketClient): void;
}

export class LocalMarket {
  readonly clients = new Set<MarketClient>();
  private wss: WebSocketServer | null = null;
  private starting: Promise<string> | null = null;

  constructor(
    private readonly handlers: MarketHandlers,
    private readonly perMessageDeflate?: boolean,
  ) {}

  /** Starts listening (once); resolves to the ws:// URL. */
  start(): Promise<string> {
    if (this.starting !== null) return this.starting;
    this.starting = new Promise<string>((resolve, reject) => {
      const wss = new WebSocketServer({
        host: "127.0.0.1",
        port: 0,
        ...(this.perMessageDeflate !== undefined ? { perMessageDeflate: this.perMessageDeflate } : {}),
      });
      this.wss = wss;
      wss.once("error", reject);
      wss.once("listening", () => {
        wss.off("error", reject);
        wss.on("error", () => undefined);
        resolve(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
      });
      wss.on("connection", (ws) => this.onConnection(ws));
    });
    return this.starting;
  }

  /** Closes every connection; resolves when the port is released. */
  close(): Promise<void> {
    const wss = this.wss;
    this.wss = null;
    this.starting = null;
    if (wss === null) return Promise.resolve();
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    return new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket): void {
    const client: MarketClient = { ws, trades: new Set(), quotes: new Set() };
    this.clients.add(client);
    ws.on("message", (data) => this.handlers.message(client, String(data)));
    ws.on("close", () => {
      this.clients.delete(client);
      this.handlers.closed(client);
    });
    ws.on("error", () => undefined);
    this.handlers.connected(client);
  }
}

/** A subscription change a client asked for (already applied to its sets). */
export interface SubscriptionRequest {
  action: "subscribe" | "unsubscribe";
  channel: Channel;
  symbols: string[];
}

/** Applies a client's subscribe/unsubscribe message to its sets; else says what was wrong with it. */
export function applySubscription(client: MarketClient, text: string): SubscriptionRequest | "invalid JSON" | "unknown action" {
  let msg: { action?: unknown; channel?: unknown; symbols?: unknown };
  try {
    msg = JSON.parse(text) as typeof msg;
  } catch {
    return "invalid JSON";
  }
  const channel: Channel = msg.channel === "quotes" ? "quotes" : "trades";
  const symbols = Array.isArray(msg.symbols) ? msg.symbols.filter((s): s is string => typeof s === "string" && s !== "") : [];
  const set = client[channel];
  if (msg.action === "subscribe") for (const s of symbols) set.add(s);
  else if (msg.action === "unsubscribe") for (const s of symbols) set.delete(s);
  else return "unknown action";
  return { action: msg.action, channel, symbols };
}
