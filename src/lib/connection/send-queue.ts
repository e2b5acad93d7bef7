/**
 * The outbound queue of one socket: text frames sent in order, at most `messagesPerSecond`
 * (excess waits, never dropped), and a message with a replace key replaces a still-queued one
 * with the same key (e.g. a whole-list subscribe). One pending timer at most; `clear()` drops
 * the queue and the timer (the socket closed).
 */
import { type Clock, OneShot } from "./clock";

/** Where queued text goes: the current socket while it can send, else null (the queue waits). */
export type SendTarget = () => { send(text: string): void } | null;

/** The smallest gap (ms) between two sends for a rate in messages per second (0 = no limit). */
export function sendGapMs(messagesPerSecond: number): number {
  return Number.isFinite(messagesPerSecond) && messagesPerSecond > 0 ? Math.ceil(1000 / messagesPerSecond) : 0;
}

export class SendQueue {
  private items: Array<{ text: string; key: string | undefined }> = [];
  private lastSendAt = 0;
  private readonly timer: OneShot;

  constructor(
    private readonly clock: Clock,
    private readonly gapMs: number,
    private readonly target: SendTarget,
  ) {
    this.timer = new OneShot(clock);
  }

  get length(): number {
    return this.items.length;
  }

  /** True while a rate-limit wait is pending. */
  get waiting(): boolean {
    return this.timer.pending;
  }

  enqueue(text: string, key: string | undefined): void {
    if (key !== undefined) {
      for (const item of this.items) {
        if (item.key === key) {
          item.text = text;
          return;
        }
      }
    }
    this.items.push({ text, key });
    this.drain();
  }

  /** Sends what the rate allows now; arms the timer for the rest. */
  drain(): void {
    if (this.timer.pending) return;
    while (this.items.length > 0) {
      const ws = this.target();
      if (ws === null) return;
      const wait = this.lastSendAt + this.gapMs - this.clock.now();
      if (this.gapMs > 0 && wait > 0) {
        this.timer.set(() => this.drain(), wait);
        return;
      }
      const item = this.items.shift();
      if (item === undefined) return;
      this.lastSendAt = this.clock.now();
      ws.send(item.text);
    }
  }

  /** Drops everything queued and the pending timer. */
  clear(): void {
    this.timer.clear();
    this.items = [];
  }
}
