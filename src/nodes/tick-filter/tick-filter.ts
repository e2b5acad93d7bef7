/**
 * tick-filter: passes or drops ticks (msg.payload = Tick or array of Ticks) by rules.
 * Output 1: passed ticks, each message tagged with msg.session. Output 2 (optional): rejected
 * ticks with msg.reason. Input control: msg.flush / msg.reset (true = all, or a symbol).
 * The rules live in lib/filter.ts; this file only wires them to Node-RED and one timer.
 */
import type { NodeAPI, NodeDef } from "node-red";
import { FILTER_REASONS, TickFilter } from "../../lib/filter";
import { nowMicros } from "../../lib/time";
import type { RawTick } from "../../lib/types";
import type { StatusView } from "../common/badge";
import { DeadlineTimer } from "../common/glue";
import { defineNode, Outlet, typeName } from "../common/input";
import { FilterMessages } from "./messages";
import { EDITOR_SETTINGS, resolveFilter, type TickFilterProps } from "./settings";

interface TickFilterDef extends NodeDef, TickFilterProps {
  /** 2 = a second output for rejected ticks. */
  outputs?: number;
}

/** Passed, dropped and the three most frequent reasons. */
function statusOf(RED: NodeAPI, filter: TickFilter): StatusView {
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
    text:
      dropped > 0 ? RED._("tick-filter.status.counts-dropped", { passed, dropped, top }) : RED._("tick-filter.status.counts", { passed }),
  };
}

export = defineNode(
  "tick-filter",
  (def: TickFilterDef) => resolveFilter(def),
  (RED, node, cfg, config) => {
    const outlet = new Outlet(node);
    const messages = new FilterMessages(outlet, Number(config.outputs) === 2);
    const filter = new TickFilter(cfg, { now: nowMicros, emit: messages.emit });
    const timer = new DeadlineTimer(filter, (err) => node.error(err.message));
    return {
      status: () => statusOf(RED, filter),
      input: {
        control: (c) => (c.action === "reset" ? filter.reset(c.symbol) : filter.flush(c.symbol)),
        data: (msg, send) => {
          const p = msg.payload;
          if (Array.isArray(p)) messages.pushArray(msg, p, (t, ref) => filter.push(t, ref), send);
          else if (p !== null && typeof p === "object") filter.push(p as RawTick, msg);
          else throw new Error(RED._("tick-filter.errors.bad-payload", { type: typeName(p) }));
        },
        after: () => timer.arm(),
      },
      outlet,
      close: [() => timer.cancel(), () => filter.reset()],
    };
  },
  { settings: EDITOR_SETTINGS },
);
