/**
 * tick-filter: passes or drops ticks (msg.payload = Tick or array of Ticks) by rules.
 * Output 1: passed ticks, each message tagged with msg.session. Output 2 (optional): rejected
 * ticks with msg.reason. Input control: msg.flush / msg.reset (true = all, or a symbol).
 * The rules live in lib/filter.ts; this file only wires them to Node-RED and one timer.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from "node-red";
import type { Session } from "../../lib/calendar";
import { FILTER_REASONS, TickFilter, type FilterConfig, type FilterOutput, type FilterReason } from "../../lib/filter";
import { nowMicros } from "../../lib/time";
import { controlOf, DeadlineTimer, StatusBadge } from "../common/glue";
import type { RawTick as Tick } from "../../lib/types";
import { resolveFilter, type TickFilterProps } from "./settings";

interface TickFilterDef extends NodeDef, TickFilterProps {
  /** 2 = a second output for rejected ticks. */
  outputs?: number;
}

type Send = (msg: Array<NodeMessage | null> | NodeMessage) => void;
type Msg = NodeMessage & Record<string, unknown>;


/** Collects the results of one array message (and marks its ticks' results as belonging to it). */
class Batch {
  readonly passed: Tick[] = [];
  readonly sessions: Session[] = [];
  readonly rejected: unknown[] = [];
  readonly reasons: FilterReason[] = [];
}

export = function register(RED: NodeAPI): void {
  function TickFilterNode(this: Node, config: TickFilterDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const twoOutputs = Number(config.outputs) === 2;
    let cfg: FilterConfig;
    try {
      cfg = resolveFilter(config);
    } catch (err) {
      const message = (err as Error).message;
      node.status({ fill: "red", shape: "ring", text: RED._("tick-filter.status.config") });
      node.error(RED._("tick-filter.errors.config", { error: message }));
      node.on("input", (_m: NodeMessageInFlow, _s: unknown, done: (err?: Error) => void) => done(new Error(RED._("tick-filter.errors.config", { error: message }))));
      return;
    }

    const out = (first: NodeMessage | null, second: NodeMessage | null): Array<NodeMessage | null> => (twoOutputs ? [first, second] : [first]);
    let sendNow: Send = (m) => node.send(m);
    let batch: Batch | null = null;

    const emit = (o: FilterOutput): void => {
      if (batch !== null && o.ref === batch) {
        if (o.type === "pass") {
          batch.passed.push(o.tick);
          batch.sessions.push(o.session);
        } else if (twoOutputs) {
          batch.rejected.push(o.tick);
          batch.reasons.push(o.reason);
        }
        return;
      }
      // A single-tick message (its own msg object travels on), or a trailing tick of the rate limit.
      // (A tick that waited for the rate limit after arriving in an array gets a message of its own.)
      const original = o.ref !== undefined && o.ref !== null && typeof o.ref === "object" && !(o.ref instanceof Batch) ? (o.ref as Msg) : null;
      if (o.type === "pass") {
        const msg: Msg = original ?? { topic: o.tick.symbol, payload: o.tick };
        msg.session = o.session;
        sendNow(out(msg, null));
      } else if (twoOutputs) {
        const t = o.tick as Partial<Tick> | null;
        const msg: Msg = original ?? { topic: t !== null && typeof t === "object" ? t.symbol : undefined, payload: o.tick };
        msg.reason = o.reason;
        if (o.session !== undefined) msg.session = o.session;
        sendNow(out(null, msg));
      }
    };
    const filter = new TickFilter(cfg, { now: nowMicros, emit });

    const timer = new DeadlineTimer(filter, (err) => node.error(err.message));
    const badge = new StatusBadge(
      node,
      () => {
        const dropped = FILTER_REASONS.reduce((sum, r) => sum + filter.dropped[r], 0);
        const top = FILTER_REASONS.filter((r) => filter.dropped[r] > 0)
          .sort((a, b) => filter.dropped[b] - filter.dropped[a])
          .slice(0, 3)
          .map((r) => `${RED._("tick-filter.reason." + r)} ${filter.dropped[r]}`)
          .join(", ");
        const passed = filter.passed.count;
        return {
          fill: passed + dropped > 0 ? "green" : "grey",
          shape: "dot",
          text: dropped > 0 ? RED._("tick-filter.status.counts-dropped", { passed, dropped, top }) : RED._("tick-filter.status.counts", { passed }),
        };
      },
      RED._("tick-filter.status.bad-input"),
    );

    node.on("input", (msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void) => {
      sendNow = send;
      try {
        const control = controlOf(msg);
        if (control !== undefined) {
          if (control.action === "reset") filter.reset(control.symbol);
          else filter.flush(control.symbol);
        } else {
          const p = msg.payload;
          if (Array.isArray(p)) {
            const b = new Batch();
            batch = b;
            try {
              for (let i = 0; i < p.length; i++) filter.push(p[i] as Tick, b);
            } finally {
              batch = null;
            }
            const first: Msg | null = b.passed.length > 0 ? { ...msg, payload: b.passed, sessions: b.sessions } : null;
            const second: Msg | null = b.rejected.length > 0 ? { ...msg, payload: b.rejected, reasons: b.reasons } : null;
            if (first !== null || second !== null) send(out(first, second));
          } else if (p !== null && typeof p === "object") {
            filter.push(p as Tick, msg);
          } else {
            throw new Error(RED._("tick-filter.errors.bad-payload", { type: p === null ? "null" : typeof p }));
          }
        }
        timer.arm();
        done();
      } catch (err) {
        badge.flash();
        done(err instanceof Error ? err : new Error(String(err)));
      } finally {
        sendNow = (m2) => node.send(m2);
      }
    });

    node.on("close", (_removed: boolean, done: () => void) => {
      timer.cancel();
      badge.stop();
      filter.reset();
      done();
    });
  }

  RED.nodes.registerType("tick-filter", TickFilterNode);
};
