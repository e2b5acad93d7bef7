/**
 * The generic provider's configuration (./generic.ts): the field mapping, the options read into
 * a `GenericConfig`, and the JSON message templates with their placeholders.
 */
import { type TimeUnit, TIME_UNITS } from "../time";
import { numOption, strOption } from "./common";

export interface GenericMapping {
  symbol: string;
  price: string;
  size: string;
  time: string;
  id: string;
  type: string;
  bid: string;
  ask: string;
  bidSize: string;
  askSize: string;
  exchange: string;
  conditions: string;
  seq: string;
}

export const DEFAULT_MAPPING: GenericMapping = {
  symbol: "symbol",
  price: "price",
  size: "size",
  time: "time",
  id: "id",
  type: "type",
  bid: "bid",
  ask: "ask",
  bidSize: "bidSize",
  askSize: "askSize",
  exchange: "exchange",
  conditions: "conditions",
  seq: "seq",
};

export interface GenericConfig {
  mapping: GenericMapping;
  timeUnit: TimeUnit;
  dataPath: string;
  subscribeTemplate: string;
  unsubscribeTemplate: string;
  authTemplate: string;
  heartbeatTemplate: string;
  heartbeatMs: number;
  staleMs: number;
  bigInts: boolean;
}

export const DEFAULT_SUBSCRIBE = '{"action":"subscribe","symbols":"$symbols"}';
export const DEFAULT_UNSUBSCRIBE = '{"action":"unsubscribe","symbols":"$symbols"}';

export function genericConfig(options: Record<string, unknown>): GenericConfig {
  const mapping = { ...DEFAULT_MAPPING };
  for (const k of Object.keys(mapping) as Array<keyof GenericMapping>) {
    const v = options[k + "Field"];
    if (typeof v === "string") mapping[k] = v.trim();
  }
  const unit = strOption(options, "timeUnit", "auto") as TimeUnit;
  return {
    mapping,
    timeUnit: TIME_UNITS.includes(unit) ? unit : "auto",
    dataPath: strOption(options, "dataPath", ""),
    subscribeTemplate: strOption(options, "subscribeTemplate", DEFAULT_SUBSCRIBE),
    unsubscribeTemplate: strOption(options, "unsubscribeTemplate", DEFAULT_UNSUBSCRIBE),
    authTemplate: strOption(options, "authTemplate", ""),
    heartbeatTemplate: strOption(options, "heartbeatTemplate", ""),
    heartbeatMs: numOption(options, "heartbeatMs", 0),
    staleMs: numOption(options, "staleMs", 60_000),
    // Exact by default: integers of 16+ digits (ids, ns times) stay exact text unless turned off.
    bigInts: !(options.bigInts === false || options.bigInts === "false"),
  };
}

/** Fills a JSON template: "$symbols" -> array, "$csv" -> string, "$symbol", "$channel", "$key", "$secret". */
export function fillTemplate(template: unknown, vars: Record<string, unknown>): unknown {
  if (typeof template === "string") {
    if (template.startsWith("$") && Object.prototype.hasOwnProperty.call(vars, template.slice(1))) return vars[template.slice(1)];
    return template;
  }
  if (Array.isArray(template)) return template.map((t) => fillTemplate(t, vars));
  if (template !== null && typeof template === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) out[k] = fillTemplate(v, vars);
    return out;
  }
  return template;
}

/** Validates a template; throws a clear error for bad JSON. */
export function parseTemplate(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** True when the template holds "$name" as a whole string value (./generic.ts sends per channel or symbol then). */
export function usesPlaceholder(template: unknown, name: string): boolean {
  return JSON.stringify(template).includes('"$' + name + '"');
}
