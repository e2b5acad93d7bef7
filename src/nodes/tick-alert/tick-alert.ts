/**
 * tick-alert: edge-triggered alerts per symbol on ticks, bars or tick-indicator output.
 * Output 1: one message per alert: msg.topic = symbol, msg.payload = a short sentence (catalog),
 * msg.alert = {symbol, rule, value, level, direction, ts}, plus the input's msg.bar / msg.tick /
 * msg.indicator. Control: msg.reset (true = all symbols, or one symbol). Rules: lib/alert.ts.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from "node-red";
import { AlertEngine, type Alert, type Levels } from "../../lib/alert";
import type { IndicatorName, IndicatorParams } from "../../lib/indicators/indicators";
import { nowMicros } from "../../lib/time";
import { controlOf, StatusBadge } from "../common/glue";
import { indicatorLabel } from "../tick-indicator/settings";
import { alertSentence, fmtWindow, resolveAlert, type AlertNodeConfig, type TickAlertProps } from "./settings";

interface TickAlertDef extends NodeDef, TickAlertProps {}

type Msg = NodeMessage & Record<string, unknown>;
type Send = (msg: Array<NodeMessage | NodeMessage[] | null>) => void;
type Path = Array<string | number>;

interface IndicatorInfo {
  name: IndicatorName;
  params: IndicatorParams;
  symbol?: string;
  ts?: number;
  final?: boolean;
}

function compile(path: string): Path {
  const out: Path = [];
  for (const part of path.split(".")) {
    const m = /^([^[]+)((\[\d+\])*)$/.exec(part);
    if (m === null) continue;
    out.push(m[1]);
    for (const idx of m[2].match(/\d+/g) ?? []) out.push(Number(idx));
  }
  return out;
}

function walk(root: unknown, path: Path, from: number): unknown {
  let v = root;
  for (let i = from; i < path.length; i++) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[path[i]];
  }
  return v;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Default property: a number payload; else a tick's price (a quote's midpoint), a bar's close. */
function defaultValue(p: unknown): number | undefined {
  if (finite(p)) return p;
  if (!isObj(p)) return undefined;
  if (finite(p.price)) return p.price;
  if (finite(p.close)) return p.close;
  if (finite(p.bid) && finite(p.ask)) return (p.bid + p.ask) / 2;
  return undefined;
}

export = function register(RED: NodeAPI): void {
  function TickAlertNode(this: Node, config: TickAlertDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    let cfg: AlertNodeConfig;
    try {
      cfg = resolveAlert(config);
    } catch (err) {
      const message = (err as Error).message;
      node.status({ fill: "red", shape: "ring", text: RED._("tick-alert.status.config") });
      node.error(RED._("tick-alert.errors.config", { error: message }));
      node.on("input", (_m: NodeMessageInFlow, _s: unknown, done: (err?: Error) => void) => done(new Error(RED._("tick-alert.errors.config", { error: message }))));
      return;
    }
    const engine = new AlertEngine(cfg.alert);
    const rule = cfg.alert.rule;
    const prop = cfg.property === "" ? null : compile(cfg.property);
    const levelPath = cfg.levelProperty === "" ? null : compile(cfg.levelProperty);
    const lowPath = cfg.lowProperty === "" ? null : compile(cfg.lowProperty);
    const highPath = cfg.highProperty === "" ? null : compile(cfg.highProperty);
    const levels: Levels = {};
    let noValue = 0;
    let lastText = "";

    const badge = new StatusBadge(
      node,
      () => {
        const st = engine.stats;
        return {
          fill: st.alerts > 0 ? "yellow" : st.values > 0 ? "green" : "grey",
          shape: "dot",
          text: lastText !== "" ? RED._("tick-alert.status.last", { alerts: st.alerts, text: lastText }) : RED._("tick-alert.status.running", { values: st.values, symbols: engine.symbols }),
        };
      },
      RED._("tick-alert.status.bad-input"),
    );

    /** A path evaluated for one item: "payload..." on the item (an array element or the payload), anything else on the message. */
    const read = (path: Path, msg: Msg, item: unknown): unknown => (path[0] === "payload" ? walk(item, path, 1) : walk(msg, path, 0));

    /** Name of the series a path reads ("RSI(14)", "Bollinger(20,2) lower", "close"), or "" for a plain price. */
    const seriesName = (path: Path | null, msg: Msg): string => {
      const ind = msg.indicator as IndicatorInfo | undefined;
      if ((path === null || path[0] === "payload") && isObj(ind) && typeof ind.name === "string") {
        const sub = path !== null && path.length > 1 ? " " + String(path[path.length - 1]) : "";
        return indicatorLabel(ind.name, isObj(ind.params) ? ind.params : {}) + sub;
      }
      if (path === null || (path.length === 1 && path[0] === "payload")) return "";
      return String(path[path.length - 1]);
    };

    const windowText = rule === "change" ? fmtWindow(cfg.alert.windowUs / 1e6) : String(cfg.alert.windowCount);
    const usesLevel = rule === "above" || rule === "below" || rule === "cross" || rule === "crossAbove" || rule === "crossBelow";
    const sentence = (a: Alert, msg: Msg): string =>
      alertSentence(a, { series: seriesName(prop, msg), levelName: levelPath !== null && usesLevel ? seriesName(levelPath, msg) : "", window: windowText }, (key, args) => RED._(key, args));

    /** Evaluates one item (the payload, or an array element); returns the alert message or null. */
    const evaluate = (msg: Msg, item: unknown): Msg | null => {
      const ind = isObj(msg.indicator) ? (msg.indicator as unknown as IndicatorInfo) : undefined;
      const it = isObj(item) ? item : undefined;
      const bar = it !== undefined && typeof it.start === "number" && "close" in it ? it : isObj(msg.bar) ? msg.bar : undefined;
      const tick = it !== undefined && (it.type === "trade" || it.type === "quote") ? it : isObj(msg.tick) ? msg.tick : undefined;
      const final = ind !== undefined && typeof ind.final === "boolean" ? ind.final : bar !== undefined ? bar.final !== false : true;
      if (!final && !cfg.provisional) return null;
      const value = prop === null ? defaultValue(item) : read(prop, msg, item);
      if (!finite(value)) {
        noValue++;
        return null;
      }
      const symbol =
        ind !== undefined && typeof ind.symbol === "string"
          ? ind.symbol
          : it !== undefined && typeof it.symbol === "string"
            ? it.symbol
            : bar !== undefined && typeof bar.symbol === "string"
              ? bar.symbol
              : tick !== undefined && typeof tick.symbol === "string"
                ? tick.symbol
                : typeof msg.topic === "string"
                  ? msg.topic
                  : "";
      const ts =
        ind !== undefined && finite(ind.ts)
          ? ind.ts
          : it !== undefined && finite(it.ts)
            ? it.ts
            : bar !== undefined && finite(bar.start)
              ? bar.start
              : tick !== undefined && finite(tick.ts)
                ? tick.ts
                : nowMicros();
      let lv: Levels | undefined;
      if (levelPath !== null || lowPath !== null || highPath !== null) {
        const num = (p: Path | null): number | null | undefined => {
          if (p === null) return undefined;
          const v = read(p, msg, item);
          return finite(v) ? v : null;
        };
        levels.level = num(levelPath);
        levels.low = num(lowPath);
        levels.high = num(highPath);
        // A path that yields nothing means "no level for this value", not "the configured one".
        if (levels.level === null || levels.low === null || levels.high === null) {
          noValue++;
          return null;
        }
        lv = levels;
      }
      const a = engine.push(symbol, ts, value, lv);
      if (a === null || typeof a !== "object") return null;
      const text = sentence(a, msg);
      lastText = text;
      const out: Msg = { topic: symbol, payload: text, alert: a };
      if (bar !== undefined) out.bar = bar;
      if (tick !== undefined) out.tick = tick;
      if (ind !== undefined) out.indicator = ind;
      return out;
    };

    node.on("input", (msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void) => {
      try {
        const control = controlOf(msg);
        if (control !== undefined) {
          if (control.action === "reset") {
            engine.reset(control.symbol);
            if (control.symbol === undefined) lastText = "";
          }
          done();
          return;
        }
        const m = msg as Msg;
        const p = m.payload;
        if (Array.isArray(p)) {
          const out: Msg[] = [];
          for (let i = 0; i < p.length; i++) {
            const o = evaluate(m, p[i]);
            if (o !== null) out.push(o);
          }
          if (out.length > 0) send([out]);
        } else {
          const before = noValue;
          const o = evaluate(m, p);
          if (o !== null) send([o]);
          if (noValue > before && prop === null && defaultValue(p) === undefined && m.indicator === undefined) {
            throw new Error(RED._("tick-alert.errors.no-value", { type: p === null ? "null" : typeof p }));
          }
        }
        done();
      } catch (err) {
        badge.flash();
        done(err instanceof Error ? err : new Error(String(err)));
      }
    });

    node.on("close", (_removed: boolean, done: () => void) => {
      badge.stop();
      engine.reset();
      done();
    });
  }

  RED.nodes.registerType("tick-alert", TickAlertNode);
};
