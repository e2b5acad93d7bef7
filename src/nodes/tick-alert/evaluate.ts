/**
 * tick-alert's evaluation of one message: reads the value (and levels) from the item or the
 * message by the configured paths, runs the alert engine, and builds the alert message with its
 * sentence (msg.payload), msg.alert and the input's msg.bar / msg.tick / msg.indicator.
 */
import type { NodeMessage } from "node-red";
import type { AlertEngine, Alert, Levels } from "../../lib/alert";
import type { IndicatorName, IndicatorParams } from "../../lib/indicators/indicators";
import { nowMicros } from "../../lib/time";
import { indicatorLabel } from "../tick-indicator/settings";
import { alertSentence, fmtWindow, type AlertNodeConfig } from "./settings";

export type Msg = NodeMessage & Record<string, unknown>;
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
export function defaultValue(p: unknown): number | undefined {
  if (finite(p)) return p;
  if (!isObj(p)) return undefined;
  if (finite(p.price)) return p.price;
  if (finite(p.close)) return p.close;
  if (finite(p.bid) && finite(p.ask)) return (p.bid + p.ask) / 2;
  return undefined;
}

/** Evaluates items for one node's configuration; `translate` is RED._. */
export class AlertEvaluator {
  /** Values that yielded no number (or no level), and the sentence of the last alert. */
  noValue = 0;
  lastText = "";
  /** The configured value path (null = the default value). */
  readonly prop: Path | null;
  private readonly levelPath: Path | null;
  private readonly lowPath: Path | null;
  private readonly highPath: Path | null;
  private readonly levels: Levels = {};
  private readonly windowText: string;
  private readonly usesLevel: boolean;

  constructor(
    private readonly cfg: AlertNodeConfig,
    private readonly engine: AlertEngine,
    private readonly translate: (key: string, args: Record<string, string>) => string,
  ) {
    const rule = cfg.alert.rule;
    this.prop = cfg.property === "" ? null : compile(cfg.property);
    this.levelPath = cfg.levelProperty === "" ? null : compile(cfg.levelProperty);
    this.lowPath = cfg.lowProperty === "" ? null : compile(cfg.lowProperty);
    this.highPath = cfg.highProperty === "" ? null : compile(cfg.highProperty);
    this.windowText = rule === "change" ? fmtWindow(cfg.alert.windowUs / 1e6) : String(cfg.alert.windowCount);
    this.usesLevel = rule === "above" || rule === "below" || rule === "cross" || rule === "crossAbove" || rule === "crossBelow";
  }

  /** A path evaluated for one item: "payload..." on the item (an array element or the payload), anything else on the message. */
  private read(path: Path, msg: Msg, item: unknown): unknown {
    return path[0] === "payload" ? walk(item, path, 1) : walk(msg, path, 0);
  }

  /** Name of the series a path reads ("RSI(14)", "Bollinger(20,2) lower", "close"), or "" for a plain price. */
  private seriesName(path: Path | null, msg: Msg): string {
    const ind = msg.indicator as IndicatorInfo | undefined;
    if ((path === null || path[0] === "payload") && isObj(ind) && typeof ind.name === "string") {
      const sub = path !== null && path.length > 1 ? " " + String(path[path.length - 1]) : "";
      return indicatorLabel(ind.name, isObj(ind.params) ? ind.params : {}) + sub;
    }
    if (path === null || (path.length === 1 && path[0] === "payload")) return "";
    return String(path[path.length - 1]);
  }

  private sentence(a: Alert, msg: Msg): string {
    const levelName = this.levelPath !== null && this.usesLevel ? this.seriesName(this.levelPath, msg) : "";
    return alertSentence(a, { series: this.seriesName(this.prop, msg), levelName, window: this.windowText }, this.translate);
  }

  /** The levels from the message for this item; null when a configured path yields nothing; undefined when none are configured. */
  private levelsOf(msg: Msg, item: unknown): Levels | null | undefined {
    if (this.levelPath === null && this.lowPath === null && this.highPath === null) return undefined;
    const num = (p: Path | null): number | null | undefined => {
      if (p === null) return undefined;
      const v = this.read(p, msg, item);
      return finite(v) ? v : null;
    };
    const levels = this.levels;
    levels.level = num(this.levelPath);
    levels.low = num(this.lowPath);
    levels.high = num(this.highPath);
    // A path that yields nothing means "no level for this value", not "the configured one".
    if (levels.level === null || levels.low === null || levels.high === null) return null;
    return levels;
  }

  /** Evaluates one item (the payload, or an array element); returns the alert message or null. */
  evaluate(msg: Msg, item: unknown): Msg | null {
    const ind = isObj(msg.indicator) ? (msg.indicator as unknown as IndicatorInfo) : undefined;
    const it = isObj(item) ? item : undefined;
    const bar = it !== undefined && typeof it.start === "number" && "close" in it ? it : isObj(msg.bar) ? msg.bar : undefined;
    const tick = it !== undefined && (it.type === "trade" || it.type === "quote") ? it : isObj(msg.tick) ? msg.tick : undefined;
    const final = ind !== undefined && typeof ind.final === "boolean" ? ind.final : bar !== undefined ? bar.final !== false : true;
    if (!final && !this.cfg.provisional) return null;
    const value = this.prop === null ? defaultValue(item) : this.read(this.prop, msg, item);
    if (!finite(value)) {
      this.noValue++;
      return null;
    }
    const symbol = [ind?.symbol, it?.symbol, bar?.symbol, tick?.symbol, msg.topic].find((s): s is string => typeof s === "string") ?? "";
    const ts = [ind?.ts, it?.ts, bar?.start, tick?.ts].find(finite) ?? nowMicros();
    const lv = this.levelsOf(msg, item);
    if (lv === null) {
      this.noValue++;
      return null;
    }
    const a = this.engine.push(symbol, ts, value, lv);
    if (a === null || typeof a !== "object") return null;
    const text = this.sentence(a, msg);
    this.lastText = text;
    const out: Msg = { topic: symbol, payload: text, alert: a };
    if (bar !== undefined) out.bar = bar;
    if (tick !== undefined) out.tick = tick;
    if (ind !== undefined) out.indicator = ind;
    return out;
  }
}
