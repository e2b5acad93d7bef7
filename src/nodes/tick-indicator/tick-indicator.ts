/**
 * tick-indicator: streaming technical indicators per symbol on bars (from tick-aggregate) or
 * ticks. Input: msg.payload = Bar or Tick, an array of them (batch mode), or a number with the
 * bar in msg.bar (tick-aggregate's "close price" output). Output 1 per value: msg.topic = symbol,
 * msg.payload = number or {macd, signal, histogram} / {upper, middle, lower} / {k, d},
 * msg.indicator = {name, params, symbol, ts, final}, the input in msg.bar / msg.tick.
 * Control: msg.reset (true = all symbols, or one symbol). The math lives in lib/indicators.
 */
import type { NodeAPI, NodeDef, NodeMessage } from "node-red";
import type { StatusView } from "../common/badge";
import { defineNode, typeName } from "../common/input";
import { IndicatorRunner } from "./runner";
import { EDITOR_SETTINGS, resolveIndicator, type TickIndicatorProps } from "./settings";

interface TickIndicatorDef extends NodeDef, TickIndicatorProps {}

type Msg = NodeMessage & Record<string, unknown>;

function statusOf(RED: NodeAPI, runner: IndicatorRunner): StatusView {
  const skipped = runner.bank.old + runner.skipped;
  return {
    fill: runner.values > 0 ? "green" : "grey",
    shape: "dot",
    text: RED._(skipped > 0 ? "tick-indicator.status.running-skipped" : "tick-indicator.status.running", {
      label: runner.label,
      symbols: runner.bank.symbols,
      values: runner.values,
      skipped,
    }),
  };
}

export = defineNode(
  "tick-indicator",
  (def: TickIndicatorDef) => resolveIndicator(def),
  (RED, _node, cfg) => {
    const runner = new IndicatorRunner(cfg);
    return {
      status: () => statusOf(RED, runner),
      input: {
        control: (c) => {
          if (c.action === "reset") runner.bank.reset(c.symbol);
        },
        data: (msg, send) => {
          const m = msg as Msg;
          const p = m.payload;
          if (Array.isArray(p)) {
            const { out, bad } = runner.batch(p);
            if (out.length > 0) send([out]);
            if (bad > 0) throw new Error(RED._("tick-indicator.errors.bad-items", { count: bad, total: p.length }));
            return;
          }
          const r = runner.single(m);
          if (r === "bad") throw new Error(RED._("tick-indicator.errors.bad-payload", { type: typeName(p) }));
          if (r) send([m]);
        },
      },
      close: [() => runner.bank.reset()],
    };
  },
  { settings: EDITOR_SETTINGS },
);
