/**
 * tick-filter's messages: what the filter core emits, as Node-RED messages. A single-tick message
 * travels on as itself (tagged with msg.session, or msg.reason on the second output); an array
 * message gives one message per output with the passed ticks (msg.sessions) and the rejected ones
 * (msg.reasons).
 */
import type { NodeMessage, NodeMessageInFlow } from "node-red";
import type { Session } from "../../lib/calendar";
import type { FilterOutput, FilterReason } from "../../lib/filter";
import type { RawTick } from "../../lib/types";
import type { Outlet, Send } from "../common/input";

type Msg = NodeMessage & Record<string, unknown>;

/** Collects the results of one array message (and marks its ticks' results as belonging to it). */
class Batch {
  readonly passed: RawTick[] = [];
  readonly sessions: Session[] = [];
  readonly rejected: unknown[] = [];
  readonly reasons: FilterReason[] = [];
}

export class FilterMessages {
  private batch: Batch | null = null;

  constructor(
    private readonly outlet: Outlet,
    private readonly twoOutputs: boolean,
  ) {}

  private out(first: NodeMessage | null, second: NodeMessage | null): Array<NodeMessage | null> {
    return this.twoOutputs ? [first, second] : [first];
  }

  /** The filter core's `emit`. */
  readonly emit = (o: FilterOutput): void => {
    const batch = this.batch;
    if (batch !== null && o.ref === batch) {
      if (o.type === "pass") {
        batch.passed.push(o.tick);
        batch.sessions.push(o.session);
      } else if (this.twoOutputs) {
        batch.rejected.push(o.tick);
        batch.reasons.push(o.reason);
      }
      return;
    }
    // A single-tick message (its own msg object travels on), or a trailing tick of the rate limit.
    // (A tick that waited for the rate limit after arriving in an array gets a message of its own.)
    const original =
      o.ref !== undefined && o.ref !== null && typeof o.ref === "object" && !(o.ref instanceof Batch) ? (o.ref as Msg) : null;
    if (o.type === "pass") {
      const msg: Msg = original ?? { topic: o.tick.symbol, payload: o.tick };
      msg.session = o.session;
      this.outlet.send(this.out(msg, null));
    } else if (this.twoOutputs) {
      const t = o.tick as Partial<RawTick> | null;
      const msg: Msg = original ?? { topic: t !== null && typeof t === "object" ? t.symbol : undefined, payload: o.tick };
      msg.reason = o.reason;
      if (o.session !== undefined) msg.session = o.session;
      this.outlet.send(this.out(null, msg));
    }
  };

  /** Pushes an array message's ticks, then sends what passed and what was rejected, one message per output. */
  pushArray(msg: NodeMessageInFlow, ticks: unknown[], push: (tick: RawTick, ref: unknown) => void, send: Send): void {
    const b = new Batch();
    this.batch = b;
    try {
      for (let i = 0; i < ticks.length; i++) push(ticks[i] as RawTick, b);
    } finally {
      this.batch = null;
    }
    const first: Msg | null = b.passed.length > 0 ? { ...msg, payload: b.passed, sessions: b.sessions } : null;
    const second: Msg | null = b.rejected.length > 0 ? { ...msg, payload: b.rejected, reasons: b.reasons } : null;
    if (first !== null || second !== null) send(this.out(first, second));
  }
}
