/**
 * tick-alert: edge-triggered alerts per symbol on ticks, bars or tick-indicator output.
 * Output 1: one message per alert: msg.topic = symbol, msg.payload = a short sentence (catalog),
 * msg.alert = {symbol, rule, value, level, direction, ts}, plus the input's msg.bar / msg.tick /
 * msg.indicator. Control: msg.reset (true = all symbols, or one symbol). Rules: lib/alert.ts;
 * reading values from messages: evaluate.ts.
 */
import type { NodeAPI, NodeDef } from "node-red";
import { AlertEngine } from "../../lib/alert";
import type { StatusView } from "../common/badge";
import { defineNode } from "../common/input";
import { AlertEvaluator, defaultValue, type Msg } from "./evaluate";
import { resolveAlert, type TickAlertProps } from "./settings";

interface TickAlertDef extends NodeDef, TickAlertProps {}

function statusOf(RED: NodeAPI, engine: AlertEngine, lastText: string): StatusView {
  const st = engine.stats;
  return {
    fill: st.alerts > 0 ? "yellow" : st.values > 0 ? "green" : "grey",
    shape: "dot",
    text:
      lastText !== ""
        ? RED._("tick-alert.status.last", { alerts: st.alerts, text: lastText })
        : RED._("tick-alert.status.running", { values: st.values, symbols: engine.symbols }),
  };
}

export = defineNode(
  "tick-alert",
  (def: TickAlertDef) => resolveAlert(def),
  (RED, _node, cfg) => {
    const engine = new AlertEngine(cfg.alert);
    const ev = new AlertEvaluator(cfg, engine, (key, args) => RED._(key, args));
    return {
      status: () => statusOf(RED, engine, ev.lastText),
      input: {
        control: (c) => {
          if (c.action !== "reset") return;
          engine.reset(c.symbol);
          if (c.symbol === undefined) ev.lastText = "";
        },
        data: (msg, send) => {
          const m = msg as Msg;
          const p = m.payload;
          if (Array.isArray(p)) {
            const out: Msg[] = [];
            for (let i = 0; i < p.length; i++) {
              const o = ev.evaluate(m, p[i]);
              if (o !== null) out.push(o);
            }
            if (out.length > 0) send([out]);
            return;
          }
          const before = ev.noValue;
          const o = ev.evaluate(m, p);
          if (o !== null) send([o]);
          if (ev.noValue > before && ev.prop === null && defaultValue(p) === undefined && m.indicator === undefined) {
            throw new Error(RED._("tick-alert.errors.no-value", { type: p === null ? "null" : typeof p }));
          }
        },
      },
      close: [() => engine.reset()],
    };
  },
);
