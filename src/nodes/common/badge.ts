/**
 * The status badge every tickstream node shows: refreshed once a second (and on demand) from a
 * view, sent to Node-RED only when it changed, with a red flash (5 s) after bad input.
 */
import type { Node } from "node-red";

export interface StatusView {
  fill: "green" | "grey" | "red" | "yellow";
  shape: "dot" | "ring";
  text: string;
}

const STATUS_PERIOD_MS = 1000;
/** How long an input error stays visible in the status. */
export const ERROR_SHOW_MS = 5000;

export interface BadgeOptions {
  /** The text of a flash without its own text ("bad input"). */
  badInputText: string;
  /** Runs once a period before the refresh (e.g. to compute a rate over the period). */
  everyPeriod?: () => void;
}

/** Refreshes a node's status once a second from `view()` (null = show nothing yet), only when it changed. */
export class StatusBadge {
  private last = "";
  private flashUntil = 0;
  private flashText = "";
  private readonly interval: NodeJS.Timeout;
  private readonly opts: BadgeOptions;

  constructor(
    private readonly node: Node,
    private readonly view: () => StatusView | null,
    opts: string | BadgeOptions,
  ) {
    this.opts = typeof opts === "string" ? { badInputText: opts } : opts;
    this.refresh();
    this.interval = setInterval(() => {
      this.opts.everyPeriod?.();
      this.refresh();
    }, STATUS_PERIOD_MS);
  }

  /** Shows a red ring with `text` (default: the bad-input text) for 5 s. */
  flash(text?: string): void {
    this.flashUntil = Date.now() + ERROR_SHOW_MS;
    this.flashText = text ?? this.opts.badInputText;
    this.refresh();
  }

  refresh(): void {
    const v: StatusView | null = Date.now() < this.flashUntil ? { fill: "red", shape: "ring", text: this.flashText } : this.view();
    if (v === null) return;
    const id = v.fill + v.shape + v.text;
    if (id === this.last) return;
    this.last = id;
    this.node.status(v);
  }

  stop(): void {
    clearInterval(this.interval);
  }
}
