/** Turns the tick-alert node's editor properties into an AlertConfig plus message-property paths (pure, unit-tested). */
import { ALERT_RULES, DEFAULT_ALERT, validateAlert, type Alert, type AlertConfig, type AlertRule } from "../../lib/alert";
import { parseSessions } from "../../lib/calendar";
import { num, oneOf, optNum } from "../common/props";

export interface TickAlertProps {
  rule?: string;
  level?: string | number;
  low?: string | number;
  high?: string | number;
  percent?: string | number;
  window?: string | number;
  hysteresis?: string | number;
  cooldown?: string | number;
  sessions?: string;
  property?: string;
  levelProperty?: string;
  lowProperty?: string;
  highProperty?: string;
  provisional?: boolean;
  maxSymbols?: string | number;
}

export interface AlertNodeConfig {
  alert: AlertConfig;
  /** Message property paths ("" = default / the configured number). */
  property: string;
  levelProperty: string;
  lowProperty: string;
  highProperty: string;
  /** Also evaluate provisional values (in-progress bars, msg.indicator.final false). */
  provisional: boolean;
}

const PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[\d+\])*$/;

function path(value: unknown, what: string): string {
  const s =
    value === undefined || value === null
      ? ""
      : String(value)
          .trim()
          .replace(/^msg\./, "");
  if (s !== "" && !PATH.test(s)) throw new Error(`${what} "${s}" is not a message property (e.g. payload, payload.close, bar.close).`);
  return s;
}

export function resolveAlert(p: TickAlertProps): AlertNodeConfig {
  const rule = oneOf<AlertRule>(p.rule, ALERT_RULES, "change", "rule");
  const levelProperty = path(p.levelProperty, "The level property");
  const lowProperty = path(p.lowProperty, "The low property");
  const highProperty = path(p.highProperty, "The high property");
  const window = num(p.window, rule === "spike" ? DEFAULT_ALERT.windowCount : DEFAULT_ALERT.windowUs / 1e6, "The window");
  const alert: AlertConfig = {
    ...DEFAULT_ALERT,
    rule,
    level: optNum(p.level, "The level"),
    low: optNum(p.low, "The low end of the range"),
    high: optNum(p.high, "The high end of the range"),
    percent: num(p.percent, DEFAULT_ALERT.percent, "The percent"),
    windowUs: Math.round(window * 1e6),
    windowCount: window,
    hysteresis: num(p.hysteresis, 0, "The hysteresis"),
    cooldownUs: Math.round(num(p.cooldown, 0, "The cooldown") * 1e6),
    sessions: parseSessions(p.sessions),
    maxSymbols: num(p.maxSymbols, DEFAULT_ALERT.maxSymbols, "The symbol limit"),
  };
  validateAlert(alert, levelProperty !== "", lowProperty !== "" || highProperty !== "");
  return {
    alert,
    property: path(p.property, "The property"),
    levelProperty,
    lowProperty,
    highProperty,
    provisional: p.provisional === true,
  };
}

/** Short numbers for sentences: 7 significant digits, no trailing zeros. */
export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const r = Number(v.toPrecision(7));
  return Math.abs(r) >= 1e-6 || r === 0 ? String(r) : r.toExponential();
}

export function fmtWindow(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${fmtNum(seconds)} s`;
}

/**
 * The alert's sentence from the catalog (tick-alert.sentence.*). `series`: what is watched
 * besides the symbol ("RSI(14)", "close", "" for the price); `levelName`: the series the level
 * comes from ("EMA(21)"), "" for a fixed level; `window`: "5 min" (change) or a count (spike).
 */
export function alertSentence(
  a: Alert,
  ctx: { series: string; levelName: string; window: string },
  t: (key: string, args: Record<string, string>) => string,
): string {
  const what = ctx.series === "" ? a.symbol : `${a.symbol} ${ctx.series}`;
  const level = ctx.levelName !== "" ? `${ctx.levelName} (${fmtNum(a.level)})` : fmtNum(a.level);
  const args = {
    what,
    level,
    value: fmtNum(a.value),
    low: a.low !== undefined ? fmtNum(a.low) : "",
    high: a.high !== undefined ? fmtNum(a.high) : "",
    pct: a.percent !== undefined ? fmtNum(Math.round(Math.abs(a.percent) * 100) / 100) : "",
    window: ctx.window,
  };
  const up = a.direction === "up";
  let key: string;
  switch (a.rule) {
    case "above":
    case "below":
      key = a.rule;
      break;
    case "cross":
    case "crossAbove":
    case "crossBelow":
      key = up ? "crossAbove" : "crossBelow";
      break;
    default:
      key = a.rule + (up ? "Up" : "Down");
  }
  return t("tick-alert.sentence." + key, args);
}
