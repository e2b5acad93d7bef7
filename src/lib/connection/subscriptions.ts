/**
 * The symbols of one connection: what it should carry (`desired`, maintained by the feed) and
 * what was last sent upstream on the current socket, and the difference between the two.
 */
import type { Channel } from "../types";
import type { ChannelLists, SubscriptionChange } from "../providers/types";

export const CHANNELS: readonly Channel[] = ["trades", "quotes"];

export type ChannelSets = Record<Channel, Set<string>>;

export function emptySets(): ChannelSets {
  return { trades: new Set<string>(), quotes: new Set<string>() };
}

export class Subscriptions {
  /** Symbols this connection should carry, per channel. */
  readonly desired = emptySets();
  private sent = emptySets();

  /** Distinct symbols over both channels. */
  get symbolCount(): number {
    let n = this.desired.trades.size;
    for (const s of this.desired.quotes) if (!this.desired.trades.has(s)) n++;
    return n;
  }

  has(symbol: string): boolean {
    return this.desired.trades.has(symbol) || this.desired.quotes.has(symbol);
  }

  /** What was last sent upstream on the current socket. */
  upstream(channel: Channel): ReadonlySet<string> {
    return this.sent[channel];
  }

  /** True while anything is subscribed upstream. */
  get carrying(): boolean {
    return this.sent.trades.size > 0 || this.sent.quotes.size > 0;
  }

  /** A new socket (or none): nothing is subscribed upstream. */
  reset(): void {
    this.sent = emptySets();
  }

  /**
   * The change that brings upstream to `desired`, recorded as sent; null when they already agree.
   * `all` is the whole desired list (for providers that replace the list).
   */
  takeChange(): SubscriptionChange | null {
    const add: ChannelLists = { trades: [], quotes: [] };
    const remove: ChannelLists = { trades: [], quotes: [] };
    let changed = false;
    for (const ch of CHANNELS) {
      const want = this.desired[ch];
      const have = this.sent[ch];
      for (const s of want) if (!have.has(s)) add[ch].push(s);
      for (const s of have) if (!want.has(s)) remove[ch].push(s);
      if (add[ch].length > 0 || remove[ch].length > 0) changed = true;
    }
    if (!changed) return null;
    this.sent = { trades: new Set(this.desired.trades), quotes: new Set(this.desired.quotes) };
    return { add, remove, all: { trades: [...this.desired.trades], quotes: [...this.desired.quotes] } };
  }
}
