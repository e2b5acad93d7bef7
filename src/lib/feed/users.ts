/**
 * The feed's users (subscribe nodes) and their symbols: ref counting per channel, the dispatch
 * index (symbol -> users) the per-tick path reads, and the delivery of events and statuses to
 * users (masked, and a user that throws never stops the others).
 */
import type { SecretMasker } from "../secrets";
import type { Channel, Tick } from "../types";
import type { FeedEventTopic, FeedLog, FeedStatus, FeedUser } from "./types";

export interface UserRec {
  user: FeedUser;
  trades: Set<string>;
  quotes: Set<string>;
  /** Ticks of the frame being read, handed over at its end. */
  pending: Tick[];
}

export const CHANNELS: readonly Channel[] = ["trades", "quotes"];

/** Upstream needs: a channel:symbol got its first user, or lost its last one. */
export interface SymbolDemand {
  wanted(ch: Channel, symbol: string): void;
  released(ch: Channel, symbol: string): void;
}

export class FeedUsers {
  private readonly byId = new Map<string, UserRec>();
  private allConflate = false;
  /** symbol -> users, per channel (the dispatch index; arrays are copy-on-write). */
  readonly refs: Record<Channel, Map<string, UserRec[]>> = { trades: new Map(), quotes: new Map() };

  constructor(
    private readonly demand: SymbolDemand,
    private readonly masker: SecretMasker,
    private readonly log: FeedLog,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  /** The record of this very user (null for an unknown id or another object with the same id). */
  get(user: FeedUser): UserRec | null {
    const rec = this.byId.get(user.id);
    return rec === undefined || rec.user !== user ? null : rec;
  }

  /** The record of the user with this id, whatever object asks. */
  find(id: string): UserRec | undefined {
    return this.byId.get(id);
  }

  add(user: FeedUser): void {
    this.byId.set(user.id, { user, trades: new Set(), quotes: new Set(), pending: [] });
    this.updateFlow();
  }

  /** Drops the user and its symbols. */
  remove(rec: UserRec): void {
    this.applySymbols(rec, { trades: [], quotes: [] });
    this.byId.delete(rec.user.id);
    this.updateFlow();
  }

  clear(): void {
    this.byId.clear();
    this.updateFlow();
  }

  /** Reading follows the flows' pace: some user takes every tick (not all of them conflate). */
  get followFlow(): boolean {
    return !this.allConflate;
  }

  /** Kept on add/remove: the slots ask once per read turn. */
  private updateFlow(): void {
    let all = this.byId.size > 0;
    for (const rec of this.byId.values()) if (rec.user.conflates !== true) all = false;
    this.allConflate = all;
  }

  /** Replaces the user's symbols; returns the symbols it no longer has, per channel. */
  applySymbols(rec: UserRec, symbols: Record<Channel, readonly string[]>): Record<Channel, string[]> {
    const removed: Record<Channel, string[]> = { trades: [], quotes: [] };
    for (const ch of CHANNELS) {
      const next = new Set(symbols[ch]);
      const cur = rec[ch];
      for (const s of cur) {
        if (next.has(s)) continue;
        this.unref(ch, s, rec);
        removed[ch].push(s);
      }
      for (const s of next) if (!cur.has(s)) this.ref(ch, s, rec);
      rec[ch] = next;
    }
    return removed;
  }

  private ref(ch: Channel, symbol: string, rec: UserRec): void {
    const list = this.refs[ch].get(symbol);
    if (list === undefined) {
      this.refs[ch].set(symbol, [rec]);
      this.demand.wanted(ch, symbol);
    } else if (!list.includes(rec)) {
      this.refs[ch].set(symbol, [...list, rec]); // copy-on-write: a dispatch in progress keeps its array
    }
  }

  private unref(ch: Channel, symbol: string, rec: UserRec): void {
    const list = this.refs[ch].get(symbol);
    if (list === undefined) return;
    const next = list.filter((r) => r !== rec);
    if (next.length > 0) {
      this.refs[ch].set(symbol, next);
      return;
    }
    this.refs[ch].delete(symbol);
    this.demand.released(ch, symbol);
  }

  /** Sends an event to the users holding some of the symbols, each with its own symbols only. */
  toHolders(topic: FeedEventTopic, symbols: string[], channel: Channel, payload: Record<string, unknown>): void {
    for (const rec of this.byId.values()) {
      const set = rec[channel];
      const mine = set === undefined ? symbols.filter((s) => rec.trades.has(s) || rec.quotes.has(s)) : symbols.filter((s) => set.has(s));
      if (mine.length === 0) continue;
      this.event(rec, topic, { ...payload, symbols: mine });
    }
  }

  broadcast(topic: FeedEventTopic, payload: Record<string, unknown>): void {
    for (const rec of this.byId.values()) this.event(rec, topic, payload);
  }

  event(rec: UserRec, topic: FeedEventTopic, payload: Record<string, unknown>): void {
    try {
      rec.user.onEvent(topic, this.masker.maskDeep(payload));
    } catch (err) {
      this.log.error(`a subscriber failed on an event: ${String(err)}`);
    }
  }

  status(status: FeedStatus): void {
    for (const rec of this.byId.values()) {
      try {
        rec.user.onStatus(status);
      } catch (err) {
        this.log.error(`a subscriber failed on a status: ${String(err)}`);
      }
    }
  }
}
