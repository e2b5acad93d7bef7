/**
 * tick-indicator: streaming technical indicators per symbol on bars (from tick-aggregate) or
 * ticks. Input: msg.payload = Bar or Tick, an array of them (batch mode), or a number with the
 * bar in msg.bar (tick-aggregate's "close price" output). Output 1 per value: msg.topic = symbol,
 * msg.payload = number or {macd, signal, histogram} / {upper, middle, lower} / {k, d},
 * msg.indicator = {name, params, symbol, ts, final}, the input in msg.bar / msg.tick.
 * Control: msg.reset (true = all symbols, or one symbol). The math lives in lib/indicators.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from "node-red";
import { IndicatorBank, kindOf, pointFromBar, pointFromTick, type InputKind } from "../../lib/indicators/bank";
import type { IndicatorValue, Point } from "../../lib/indicators/indicators";
import type { Bar, Tick } from "../../lib/types";
import { controlOf, StatusBadge } from "../common/glue";
import { indicatorKey, indicatorLabel, resolveIndicator, type IndicatorConfig, type TickIndicatorProps } from "./settings";

interface TickIndicatorDef extends NodeDef, TickIndicatorProps {}

type Msg = NodeMessage & Record<string, unknown>;
type Send = (msg: Array<NodeMessage | NodeMessage[] | null>) => void;

export = function register(RED: NodeAPI): void {
  function TickIndicatorNode(this: Node, config: TickIndicatorDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    let cfg: IndicatorConfig;
    try {
      cfg = resolveIndicator(config);
    } catch (err) {
      const message = (err as Error).message;
      node.status({ fill: "red", shape: "ring", text: RED._("tick-indicator.status.config") });
      node.error(RED._("tick-indicator.errors.config", { error: message }));
      node.on("input", (_m: NodeMessageInFlow, _s: unknown, done: (err?: Error) => void) => done(new Error(RED._("tick-indicator.errors.config", { error: message }))));
      return;
    }
    const label = indicatorLabel(cfg.name, cfg.params);
    const params = Object.freeze({ ...cfg.params });
    const bank = new IndicatorBank(cfg.name, cfg.params, cfg.maxSymbols);
    const point: Point = { value: 0, high: 0, low: 0, close: 0, volume: 0 };
    let values = 0;
    let skipped = 0;

    const badge = new StatusBadge(
      node,
      () => ({
        fill: values > 0 ? "green" : "grey",
        shape: "dot",
        text: RED._(bank.old + skipped > 0 ? "tick-indicator.status.running-skipped" : "tick-indicator.status.running", {
          label,
          symbols: bank.symbols,
          values,
          skipped: bank.old + skipped,
        }),
      }),
      RED._("tick-indicator.status.bad-input"),
    );

    /** Runs one bar or tick; returns the value (null in warm-up) or undefined when nothing is to be sent. */
    const run = (item: Bar | Tick, kind: InputKind): { value: IndicatorValue | null; ts: number; final: boolean } | undefined => {
      let ts: number;
      let final: boolean;
      if (kind === "bar") {
        const b = item as Bar;
        if (!pointFromBar(b, cfg.source, point)) {
          skipped++;
          return undefined;
        }
        ts = b.start;
        final = b.final !== false;
      } else {
        const t = item as Tick;
        if (!pointFromTick(t, point)) {
          skipped++;
          return undefined;
        }
        ts = t.ts;
        final = true;
      }
      const r = bank.update(item.symbol, ts, point, final, kind === "bar");
      if (r === "old") return undefined;
      if (r === null && !cfg.emitWarmup) return undefined;
      values++;
      return { value: r, ts, final };
    };

    const info = (symbol: string, ts: number, final: boolean): Record<string, unknown> => ({ name: cfg.name, params, symbol, ts, final });
    /** msg.indicators[key]: every tick-indicator a message went through leaves its value there ("ema21", "macd12_26_9"), so two series can be compared downstream. */
    const key = indicatorKey(cfg.name, cfg.params);
    const record = (m: Msg, value: IndicatorValue | null): void => {
      const prev = m.indicators;
      if (prev !== null && typeof prev === "object" && !Array.isArray(prev)) (prev as Record<string, unknown>)[key] = value;
      else m.indicators = { [key]: value };
    };

    node.on("input", (msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void) => {
      try {
        const control = controlOf(msg);
        if (control !== undefined) {
          if (control.action === "reset") bank.reset(control.symbol);
          done();
          return;
        }
        const m = msg as Msg;
        const p = m.payload;
        if (Array.isArray(p)) {
          const out: Msg[] = [];
          let bad = 0;
          for (let i = 0; i < p.length; i++) {
            const item = p[i] as Bar | Tick;
            const kind = kindOf(item);
            if (kind === undefined) {
              bad++;
              continue;
            }
            const r = run(item, kind);
            if (r === undefined) continue;
            const o: Msg = { topic: item.symbol, payload: r.value, indicator: info(item.symbol, r.ts, r.final), timestamp: Math.floor(r.ts / 1000) };
            o[kind] = item;
            record(o, r.value);
            out.push(o);
          }
          if (out.length > 0) send([out]);
          if (bad > 0) throw new Error(RED._("tick-indicator.errors.bad-items", { count: bad, total: p.length }));
          done();
          return;
        }
        let item: unknown = p;
        let kind = kindOf(p);
        if (kind === undefined && (typeof p === "number" || p === null)) {
          // tick-aggregate's "close price" output, or another tick-indicator's: the bar travels in msg.bar.
          if (kindOf(m.bar) === "bar") {
            item = m.bar;
            kind = "bar";
          } else if (kindOf(m.tick) === "tick") {
            item = m.tick;
            kind = "tick";
          }
        }
        if (kind === undefined) {
          throw new Error(RED._("tick-indicator.errors.bad-payload", { type: p === null ? "null" : Array.isArray(p) ? "array" : typeof p }));
        }
        const it = item as Bar | Tick;
        const r = run(it, kind);
        if (r !== undefined) {
          m.topic = it.symbol;
          m.payload = r.value;
          m.indicator = info(it.symbol, r.ts, r.final);
          m[kind] = it;
          record(m, r.value);
          if (m.timestamp === undefined) m.timestamp = Math.floor(r.ts / 1000);
          send([m]);
        }
        done();
      } catch (err) {
        badge.flash();
        done(err instanceof Error ? err : new Error(String(err)));
      }
    });

    node.on("close", (_removed: boolean, done: () => void) => {
      badge.stop();
      bank.reset();
      done();
    });
  }

  RED.nodes.registerType("tick-indicator", TickIndicatorNode);
};
