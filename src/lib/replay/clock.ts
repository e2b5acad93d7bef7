/**
 * The replay clock's timing (./server.ts): pacing ticks at a speed against the wall clock, the
 * wait between them (cut short by a poke), and how far each loop pass is shifted in time.
 */
import { daySchedule } from "../calendar";

const DAY_US = 86_400_000_000;

/**
 * Pacing at `speed` N > 0: a tick at replay clock c is due when wall time since the anchor
 * reaches (c - anchor clock) / N. The anchor is the first tick after `reanchor()`.
 */
export class Pacer {
  /** Wall ms and replay clock µs of the anchor; null clock = unanchored. */
  private anchorWall = 0;
  private anchorClock: number | null = null;

  /** 1 = real time, N = N times faster, 0 = unpaced. */
  constructor(public speed: number) {}

  /** The next tick anchors the pacing again (after a pause, a wait, a seek or a speed change). */
  reanchor(): void {
    this.anchorClock = null;
  }

  /** Ms until a tick at `clock` is due at the current speed (anchoring the pacing at it when unanchored); 0 at speed 0. */
  dueIn(clock: number): number {
    if (this.speed <= 0) return 0;
    if (this.anchorClock === null) {
      this.anchorClock = clock;
      this.anchorWall = Date.now();
    }
    return this.anchorWall + (clock - this.anchorClock) / 1000 / this.speed - Date.now();
  }
}

/** One waiter at a time: `wait` resolves on the next `poke` or after `ms`. */
export class Wakeup {
  private wake: (() => void) | null = null;

  poke(): void {
    const w = this.wake;
    this.wake = null;
    if (w !== null) w();
  }

  /** Resolves on a poke or after `ms` (Infinity = only a poke). */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      this.wake = () => {
        if (timer !== null) clearTimeout(timer);
        resolve();
      };
      if (ms !== Infinity)
        timer = setTimeout(
          () => {
            this.wake = null;
            resolve();
          },
          Math.max(0, Math.min(ms, 2_000_000_000)),
        );
    });
  }
}

/**
 * How far a loop pass is shifted in time: whole days, at least the pass's span, so that a
 * session recorded 09:30-16:00 plays 09:30-16:00 again; a pass that began on an NYSE trading
 * day moves on to the next trading day (weekends and holidays skipped).
 */
export function loopShift(first: number, last: number): number {
  let days = Math.max(1, Math.ceil((last - first + 1) / DAY_US));
  if (daySchedule(first).trading) {
    while (!daySchedule(first + days * DAY_US).trading && days < 400) days++;
  }
  return days * DAY_US;
}
