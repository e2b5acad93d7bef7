/**
 * tick-aggregate: turns ticks (msg.payload = Tick or array of Ticks) into bars.
 * Output 1: bars (msg.topic = symbol, msg.payload = Bar, or InfluxDB [fields, tags]).
 * Output 2: ticks not aggregated (late, future, invalid, over the symbol limit) with msg.reason.
 * Input control: msg.flush (true = all, or a symbol) closes open bars now; msg.reset forgets state.
 * The bar logic lives in lib/aggregate/; this file only wires it to Node-RED and a timer.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from "node-red";
import { Aggregator, pushInput, type AggregateConfig, type AggregateOutput } from "../../lib/aggregate";
import { nowMicros } from "../../lib/time";
import type { RawTick as Tick } from "../../lib/types";
import { controlOf, DeadlineTimer, StatusBadge } from "../common/glue";
import { influxPayload, resolveAggregate, type TickAggregateProps } from "./settings";

interface TickAggregateDef extends NodeDef, TickAggregateProps {
  /** "bar" (default), "influx" (msg.payload = [fields, tags], msg.measurement) or "close" (msg.payload = the close, for charts). */
  output?: string;
  measurement?: string;
  /** msg.timestamp (ms) from the bar's start (default) or end. */
  labelOn?: string;
  /** InfluxDB output: write a whole-number volume as an integer field (shares). */
  intVolume?: boolean;
}

type Send = (msg: Array<NodeMessage | null>) => void;


export = function register(RED: NodeAPI): void {
  function TickAggregate(this: Node, config: TickAggregateDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const output = config.output === "influx" || config.output === "close" ? config.output : "bar";
    const measurement = config.measurement || "bars";
    const labelOn: "start" | "end" = config.labelOn === "end" ? "end" : "start";
    const intVolume = config.intVolume === true;
    let cfg: AggregateConfig;
    try {
      cfg = resolveAggregate(config);
    } catch (err) {
      const message = (err as Error).message;
      node.status({ fill: "red", shape: "ring", text: RED._("tick-aggregate.status.config") });
      node.error(RED._("tick-aggregate.errors.config", { error: message }));
      node.on("input", (_m: NodeMessageInFlow, _s: unknown, done: (err?: Error) => void) => done(new Error(RED._("tick-aggregate.errors.config", { error: message }))));
      return;
    }

    /** Where output goes right now: the input handler's send, or node.send from the timer. */
    let sendNow: Send = (m) => node.send(m);
    const emit = (o: AggregateOutput): void => {
      if (o.type === "bar") {
        const bar = o.bar;
        const timestamp = Math.floor((labelOn === "end" ? bar.end : bar.start) / 1000);
        const msg: NodeMessage & Record<string, unknown> =
          output === "influx"
            ? { topic: bar.symbol, measurement, payload: influxPayload(bar, labelOn, intVolume), timestamp, bar }
            : output === "close"
              ? { topic: bar.symbol, payload: bar.close, timestamp, bar }
              : { topic: bar.symbol, payload: bar, timestamp };
        sendNow([msg, null]);
      } else {
        const t = o.tick as Partial<Tick> | null;
        const topic = t !== null && typeof t === "object" && typeof t.symbol === "string" ? t.symbol : undefined;
        sendNow([null, { topic, payload: o.tick, reason: o.reason, message: o.message }]);
      }
    };
    const agg = new Aggregator(cfg, { now: nowMicros, emit });

    // One timer for the earliest bar close (wall clock only; event time needs none).
    const wallClock = {
      get deadline(): number {
        return agg.wallDeadline;
      },
      advance: (nowUs: number): void => agg.advanceWall(nowUs),
    };
    const timer = new DeadlineTimer(wallClock, (err) => node.error(RED._("tick-aggregate.errors.internal", { error: err.message })));
    const arm = (): void => {
      if (cfg.clock === "wall") timer.arm();
    };

    // Unknown condition codes count as volume-only; say which ones once, so the user can map them.
    let unknownReported = 0;
    const reportUnknown = (): void => {
      const codes = agg.stats.unknownConditions;
      if (codes.length === unknownReported) return;
      node.warn(RED._("tick-aggregate.errors.unknown-conditions", { codes: codes.slice(unknownReported).join(", ") }));
      unknownReported = codes.length;
    };

    const badge = new StatusBadge(
      node,
      () => {
        const st = agg.stats;
        const dropped = st.late + st.future + st.invalid + st.symbolsRefused;
        const open = agg.openBars();
        return {
          fill: st.ticks > 0 ? "green" : "grey",
          shape: open > 0 ? "dot" : "ring",
          text: RED._("tick-aggregate.status." + (dropped > 0 ? "running-dropped" : "running"), { interval: agg.interval, bars: st.bars, open, dropped }),
        };
      },
      RED._("tick-aggregate.status.bad-input"),
    );

    node.on("input", (msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void) => {
      sendNow = send;
      try {
        const control = controlOf(msg);
        if (control !== undefined) {
          if (control.action === "reset") agg.reset(control.symbol);
          else agg.flush(control.symbol);
        } else {
          const p = msg.payload;
          if (Array.isArray(p)) {
            for (let i = 0; i < p.length; i++) pushInput(agg, p[i]);
          } else if (p !== null && typeof p === "object") {
            pushInput(agg, p);
          } else {
            throw new Error(RED._("tick-aggregate.errors.bad-payload", { type: p === null ? "null" : typeof p }));
          }
        }
        arm();
        reportUnknown();
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
      done();
    });
  }

  RED.nodes.registerType("tick-aggregate", TickAggregate);
};
