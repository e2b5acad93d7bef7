/** What one replay pass did (./server.ts): counted as it plays, sent as its replay-end event. */
import { basename } from "path";

export class PassReport {
  /** Lines read, ticks sent, ticks skipped (window, seek, not subscribed), malformed lines, ticks out of time order. */
  readonly counts = { lines: 0, ticks: 0, skipped: 0, malformed: 0, outOfOrder: 0 };
  /** Replay clock (µs, without the loop shift) of the pass's first and last tick; null before one. */
  first: number | null = null;
  last: number | null = null;
  private readonly startedAt = Date.now();

  /** The replay-end event as JSON text; `shift` is the pass's loop shift. */
  endEvent(file: string, pass: number, loop: boolean, shift: number): string {
    return JSON.stringify({
      event: "replay-end",
      file: basename(file),
      pass,
      loop,
      ...this.counts,
      first: this.first === null ? null : this.first + shift,
      last: this.last === null ? null : this.last + shift,
      durationMs: Date.now() - this.startedAt,
    });
  }
}
