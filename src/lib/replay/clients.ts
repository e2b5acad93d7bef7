/**
 * The replay's clients (./server.ts): the local WebSocket server they connect to, the answers to
 * their subscribe/unsubscribe messages, and what is sent to them, counting the bytes not yet
 * handed to the kernel so that speed 0 waits for a slow flow.
 */
import { WebSocket } from "ws";
import type { RawTick } from "../types";
import { applySubscription, LocalMarket, type MarketClient as Client } from "../simulator/local-market";

/** Bytes sent but not yet handed to the kernel before sends wait (speed 0 backpressure). */
const HIGH_WATER = 256 * 1024;

export class ReplayClients {
  private readonly market: LocalMarket;
  private readonly clients: Set<Client>;
  private inflight = 0;

  /**
   * `connected`: a client connected. `wake`: something the replay waits for changed (a
   * subscription, a client left, sends drained below half the high water).
   */
  constructor(
    connected: (client: Client) => void,
    private readonly wake: () => void,
  ) {
    this.market = new LocalMarket(
      {
        connected,
        message: (client, text) => this.onMessage(client, text),
        closed: () => this.wake(),
      },
      false,
    );
    this.clients = this.market.clients;
  }

  start(): Promise<string> {
    return this.market.start();
  }

  close(): Promise<void> {
    return this.market.close();
  }

  /** More than HIGH_WATER bytes not yet handed to the kernel: sending waits. */
  get backedUp(): boolean {
    return this.inflight > HIGH_WATER;
  }

  private onMessage(client: Client, text: string): void {
    const req = applySubscription(client, text);
    if (typeof req === "string") return;
    // "subscribed"/"unsubscribed", as the header says and the replay provider expects.
    this.sendTo(client, { event: `${req.action}d`, channel: req.channel, symbols: req.symbols });
    this.wake();
  }

  sendTo(client: Client, msg: object): void {
    if (client.ws.readyState === WebSocket.OPEN) client.ws.send(JSON.stringify(msg));
  }

  broadcastText(text: string): void {
    for (const c of this.clients) {
      if (c.ws.readyState !== WebSocket.OPEN) continue;
      const n = text.length;
      this.inflight += n;
      c.ws.send(text, () => {
        this.inflight -= n;
        if (this.inflight < HIGH_WATER / 2) this.wake();
      });
    }
  }

  /** Some client is subscribed to the tick's symbol on its channel. */
  wanted(t: RawTick): boolean {
    for (const c of this.clients) if ((t.type === "trade" ? c.trades : c.quotes).has(t.symbol)) return true;
    return false;
  }

  get hasSubscriber(): boolean {
    for (const c of this.clients) if (c.ws.readyState === WebSocket.OPEN && (c.trades.size > 0 || c.quotes.size > 0)) return true;
    return false;
  }
}
