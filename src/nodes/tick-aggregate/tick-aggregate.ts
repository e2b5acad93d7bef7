/**
 * tick-aggregate: turns ticks (msg.payload = Tick or array of Ticks) into bars.
 * Output 1: bars (msg.topic = symbol, msg.payload = Bar, or InfluxDB [fields, tags]).
 * Output 2: ticks not aggregated (late, future, invalid, over the symbol limit) with msg.reason.
 * Input control: msg.flush (true = all, or a symbol) closes open bars now; msg.reset forgets state.
 * The bar logic lives in lib/aggregate; this file only wires it to Node-RED and a timer.
 */
import type { NodeAPI, NodeDef } from "node-red";
import { Aggregator, pushInput } from "../../lib/aggregate";
import { nowMicros } from "../../lib/time";
import type { StatusView } from "../common/badge";
import { DeadlineTimer } from "../common/glue";
import { defineNode, Outlet, typeName } from "../common/input";
import { barEmitter, type OutputProps } from "./messages";
import { EDITOR_SETTINGS, resolveAggregate, type TickAggregateProps } from "./settings";

interface TickAggregateDef extends NodeDef, TickAggregateProps, OutputProps {}

function statusOf(RED: NodeAPI, agg: Aggregator): StatusView {
  const st = agg.stats;
  const dropped = st.late + st.future + st.invalid + st.symbolsRefused;
  const open = agg.openBars();
  return {
    fill: st.ticks > 0 ? "green" : "grey",
    shape: open > 0 ? "dot" : "ring",
    text: RED._("tick-aggregate.status." + (dropped > 0 ? "running-dropped" : "running"), {
      interval: agg.interval,
      bars: st.bars,
      open,
      dropped,
    }),
  };
}

export = defineNode(
  "tick-aggregate",
  (def: TickAggregateDef) => resolveAggregate(def),
  (RED, node, cfg, config) => {
    const outlet = new Outlet(node);
    const agg = new Aggregator(cfg, { now: nowMicros, emit: barEmitter(config, (m) => outlet.send(m)) });

    // One timer for the earliest bar close (wall clock only; event time needs none).
    const wallClock = {
      get deadline(): number {
        return agg.wallDeadline;
      },
      advance: (nowUs: number): void => agg.advanceWall(nowUs),
    };
    const timer = new DeadlineTimer(wallClock, (err) => node.error(RED._("tick-aggregate.errors.internal", { error: err.message })));

    // Unknown condition codes count as volume-only; say which ones once, so the user can map them.
    let unknownReported = 0;
    const reportUnknown = (): void => {
      const codes = agg.stats.unknownConditions;
      if (codes.length === unknownReported) return;
      node.warn(RED._("tick-aggregate.errors.unknown-conditions", { codes: codes.slice(unknownReported).join(", ") }));
      unknownReported = codes.length;
    };

    return {
      status: () => statusOf(RED, agg),
      input: {
        control: (c) => (c.action === "reset" ? agg.reset(c.symbol) : agg.flush(c.symbol)),
        data: (msg) => {
          const p = msg.payload;
          if (Array.isArray(p)) for (let i = 0; i < p.length; i++) pushInput(agg, p[i]);
          else if (p !== null && typeof p === "object") pushInput(agg, p);
          else throw new Error(RED._("tick-aggregate.errors.bad-payload", { type: typeName(p) }));
        },
        after: () => {
          if (cfg.clock === "wall") timer.arm();
          reportUnknown();
        },
      },
      outlet,
      close: [() => timer.cancel()],
    };
  },
  { settings: EDITOR_SETTINGS },
);
