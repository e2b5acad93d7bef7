/**
 * Where each symbol lives: the connection slots, filled up to the plan's symbols per connection
 * and up to the connections allowed. A placed symbol never moves while it stays subscribed, so
 * rebalancing cannot drop or duplicate its ticks; symbols that find no room wait (in order) and
 * are placed when room frees up. Symbols no longer wanted linger before they are removed.
 */
import type { Slot } from "../connection";
import type { Channel } from "../types";
import { CHANNELS } from "./users";

/** Whether a channel:symbol still has a user. */
export type Wanted = (ch: Channel, symbol: string) => boolean;

export class SlotPlacement {
  readonly slots: Slot[] = [];
  /** symbol -> slot it is placed on. */
  private readonly placed = new Map<string, Slot>();
  /** Symbols wanted but not placed (no room). Insertion-ordered. */
  readonly unplaced = new Set<string>();
  private readonly unplacedReported = new Set<string>();
  /** Channel:symbol keys no longer wanted, with the time (ms) they may be removed. */
  private readonly lingering = new Map<string, number>();

  constructor(
    readonly perConnection: number,
    readonly maxConnections: number,
    /** Makes the slot with this index (the placement keeps it). */
    private readonly newSlot: (index: number) => Slot,
  ) {}

  /** A channel:symbol became wanted: place the symbol (if not placed yet) and mark it desired. */
  want(ch: Channel, symbol: string): void {
    this.lingering.delete(ch + ":" + symbol);
    let slot = this.placed.get(symbol);
    if (slot === undefined) {
      slot = this.findRoom();
      if (slot === undefined) {
        this.unplaced.add(symbol);
        return;
      }
      this.placed.set(symbol, slot);
    }
    slot.desired[ch].add(symbol);
  }

  /** A channel:symbol lost its last user: it is removed once `due` (ms) has passed. */
  release(ch: Channel, symbol: string, due: number): void {
    this.lingering.set(ch + ":" + symbol, due);
  }

  /**
   * Removes the lingering channel:symbols that are due and still unwanted; `left` hears of each
   * symbol that left its slot. Returns when the next one is due (Infinity: none).
   */
  expire(now: number, wanted: Wanted, left: (symbol: string) => void): number {
    let nextDue = Infinity;
    for (const [key, due] of this.lingering) {
      if (due > now) {
        nextDue = Math.min(nextDue, due);
        continue;
      }
      this.lingering.delete(key);
      const sep = key.indexOf(":");
      const ch = key.slice(0, sep) as Channel;
      const symbol = key.slice(sep + 1);
      if (wanted(ch, symbol)) continue;
      if (this.unplaced.has(symbol)) {
        const other: Channel = ch === "trades" ? "quotes" : "trades";
        if (!wanted(other, symbol)) this.unplaced.delete(symbol);
        continue;
      }
      const slot = this.placed.get(symbol);
      if (slot === undefined) continue;
      slot.desired[ch].delete(symbol);
      if (!slot.hasSymbol(symbol)) {
        this.placed.delete(symbol);
        left(symbol);
      }
    }
    return nextDue;
  }

  /** Room may have freed up: places waiting symbols in their original order. */
  placeWaiting(wanted: Wanted): void {
    for (const symbol of [...this.unplaced]) {
      const slot = this.findRoom();
      if (slot === undefined) break;
      this.unplaced.delete(symbol);
      this.placed.set(symbol, slot);
      for (const ch of CHANNELS) if (wanted(ch, symbol)) slot.desired[ch].add(symbol);
    }
  }

  /** Waiting symbols not reported yet (each is reported once while it waits). */
  freshUnplaced(): string[] {
    for (const s of this.unplacedReported) if (!this.unplaced.has(s)) this.unplacedReported.delete(s);
    const fresh = [...this.unplaced].filter((s) => !this.unplacedReported.has(s));
    for (const s of fresh) this.unplacedReported.add(s);
    return fresh;
  }

  /** A new slot at the end of the list. */
  addSlot(): Slot {
    const slot = this.newSlot(this.slots.length);
    this.slots.push(slot);
    return slot;
  }

  private findRoom(): Slot | undefined {
    for (const s of this.slots) if (s.state !== "closed" && s.symbolCount < this.perConnection) return s;
    return this.slots.length < this.maxConnections ? this.addSlot() : undefined;
  }
}
