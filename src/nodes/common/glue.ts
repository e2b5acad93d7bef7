/**
 * Node-RED glue shared by tick-filter and tick-aggregate: control messages, the one timer for
 * a pure core's earliest deadline, and the status badge (throttled, with a red flash on bad input).
 */
import type { Node, NodeMessageInFlow } from "node-red";
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

export interface StatusView {
  fill: "green" | "grey" | "red" | "yellow";
  shape: "dot" | "ring";
  text: string;
}

const STATUS_PERIOD_MS = 1000;
const ERROR_SHOW_MS = 5000;

/** Refreshes a node's status once a second from `view()`, only when it changed; `flash()` shows a red "bad input" for 5 s. */
export class StatusBadge {
  private last = "";
  private flashUntil = 0;
  private readonly interval: NodeJS.Timeout;

  constructor(
    private readonly node: Node,
    private readonly view: () => StatusView,
    private readonly badInputText: string,
  ) {
    this.refresh();
    this.interval = setInterval(() => this.refresh(), STATUS_PERIOD_MS);
  }

  flash(): void {
    this.flashUntil = Date.now() + ERROR_SHOW_MS;
    this.refresh();
  }

  refresh(): void {
    const v: StatusView = Date.now() < this.flashUntil ? { fill: "red", shape: "ring", text: this.badInputText } : this.view();
    const id = v.fill + v.shape + v.text;
    if (id === this.last) return;
    this.last = id;
    this.node.status(v);
  }

  stop(): void {
    clearInterval(this.interval);
  }
}
