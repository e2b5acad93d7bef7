/**
 * Node-RED glue shared by the processing nodes: control messages and the one timer for a pure
 * core's earliest deadline. (The input handler is in input.ts, the status badge in badge.ts.)
 */
import type { NodeMessageInFlow } from "node-red";
import { nowMicros } from "../../lib/time";

/** `msg.reset` / `msg.flush`: true (all symbols) or a symbol. Undefined when the message is not a control message. */
export function controlOf(msg: NodeMessageInFlow): { action: "reset" | "flush"; symbol?: string } | undefined {
  const m = msg as NodeMessageInFlow & { flush?: unknown; reset?: unknown };
  if (m.reset !== undefined && m.reset !== false) return { action: "reset", symbol: typeof m.reset === "string" ? m.reset : undefined };
  if (m.flush !== undefined && m.flush !== false) return { action: "flush", symbol: typeof m.flush === "string" ? m.flush : undefined };
  return undefined;
}

/** Longest single wait; longer ones are re-armed (setTimeout's limit is ~24.8 days). */
const MAX_WAIT_MS = 60 * 60 * 1000;

/** One timer for a core that exposes `deadline` (µs, Infinity = none) and `advance(nowUs)`. */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | null = null;
  private at = Infinity;

  constructor(
    private readonly core: { deadline: number; advance(nowUs: number): void },
    private readonly onError: (err: Error) => void,
  ) {}

  /** (Re)arms the timer if the core's deadline is earlier than the armed one. */
  arm(): void {
    const due = this.core.deadline;
    if (due === Infinity || (this.timer !== null && this.at <= due)) return;
    this.cancel();
    this.at = due;
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_WAIT_MS, Math.max(0, Math.ceil((due - nowMicros()) / 1000))));
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.at = Infinity;
  }

  private fire(): void {
    this.timer = null;
    this.at = Infinity;
    try {
      this.core.advance(nowMicros());
    } catch (err) {
      this.onError(err instanceof Error ? err : new Error(String(err)));
    }
    this.arm();
  }
}
