import type { RawTick } from "../types";

/** The frame being filled: sent when full, or before a wait, so waiting never holds ticks back. */
export class FrameOut {
  private ticks: RawTick[] = [];
  /** Event time of the last tick added. */
  ts = NaN;

  constructor(private readonly send: (text: string) => void) {}

  get length(): number {
    return this.ticks.length;
  }

  add(t: RawTick, ts: number): void {
    this.ticks.push(t);
    this.ts = ts;
  }

  flush(): void {
    if (this.ticks.length === 0) return;
    this.send(JSON.stringify(this.ticks));
    this.ticks = [];
  }
}
