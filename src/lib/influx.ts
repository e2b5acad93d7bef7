/**
 * Ticks and bars as node-red-contrib-influxdb messages (pure; no Node-RED here).
 *
 * `influxdb out` takes `msg.payload = [fields, tags]` plus `msg.measurement`; `influxdb batch`
 * takes `msg.payload = [{measurement, fields, tags, timestamp}, ...]`. What the node does with
 * them (see shared/spec/sinks.md):
 * - fields must be numbers, strings or booleans: null, arrays and objects break the write
 *   (1.x) or vanish (2.x), so they are left out and `conditions` is joined to one string;
 * - a raw time is read in the write precision, which defaults to nanoseconds in 1.x mode: we
 *   always set `msg.precision = "n"` and give the time as an exact decimal string of
 *   nanoseconds (a JS number cannot hold epoch nanoseconds exactly);
 * - points with the same measurement, tags and time overwrite each other. Ticks of one symbol
 *   in the same microsecond are kept apart in the nanosecond digits: the first is at
 *   ts * 1000 ns, the second at ts * 1000 + 1 ns, and so on. Read back at microsecond
 *   precision every tick still has its exact `ts`, and no tag (no extra series) is needed.
 */
import type { Bar, Tick } from "./types";

/** Precision for every time we write (msg.precision). */
export const INFLUX_PRECISION = "n";
export const DEFAULT_TICK_MEASUREMENT = "ticks";

export type FieldValue = number | string | boolean;
export type InfluxFields = Record<string, FieldValue>;
export type InfluxTags = Record<string, string>;
/** One element of an `influxdb batch` payload. */
export interface InfluxBatchPoint {
  measurement: string;
  fields: InfluxFields;
  tags: InfluxTags;
  timestamp: string;
}

/** Ticks are partial objects until every provider emits the fixed shape: tolerate missing keys and nulls. */
type TickLike = Partial<Omit<Tick, "type" | "provider">> & {
  symbol: string;
  type?: string | null;
  provider?: string | null;
  backfill?: boolean | null;
};

const NUMERIC_FIELDS = ["price", "size", "bid", "bidSize", "ask", "askSize"] as const;
/** Distinct times remembered per symbol for the same-microsecond offset. */
const RECENT_PER_SYMBOL = 16;
/** Symbols remembered before the memory is reset (bounds state on a huge universe). */
const MAX_SYMBOLS = 100_000;

function finite(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** Exact decimal nanoseconds of `us` microseconds plus `extraNs` (0 <= extraNs). */
export function microsToNanoString(us: number, extraNs = 0): string {
  const whole = Math.floor(us);
  if (extraNs < 1000 && whole >= 0) return String(whole) + String(extraNs).padStart(3, "0");
  return (BigInt(whole) * 1000n + BigInt(extraNs)).toString();
}

/**
 * Remembers, per symbol, the last few distinct tick times and how many ticks each had, so the
 * n-th tick of a microsecond gets n-1 extra nanoseconds. Bounded: RECENT_PER_SYMBOL times per
 * symbol, MAX_SYMBOLS symbols.
 */
export class SameMicroCounter {
  private readonly recent = new Map<string, { ts: number[]; n: number[]; next: number }>();

  /** How many ticks of `symbol` at `ts` came before this one (0 for the first). */
  next(symbol: string, ts: number): number {
    let r = this.recent.get(symbol);
    if (r === undefined) {
      if (this.recent.size >= MAX_SYMBOLS) this.recent.clear();
      r = { ts: [], n: [], next: 0 };
      this.recent.set(symbol, r);
    }
    for (let i = 0; i < r.ts.length; i++) {
      if (r.ts[i] === ts) return r.n[i]++;
    }
    if (r.ts.length < RECENT_PER_SYMBOL) {
      r.ts.push(ts);
      r.n.push(1);
    } else {
      r.ts[r.next] = ts;
      r.n[r.next] = 1;
      r.next = (r.next + 1) % RECENT_PER_SYMBOL;
    }
    return 0;
  }

  reset(): void {
    this.recent.clear();
  }
}

/** Fields (without time) and tags of one tick. */
export function tickFieldsAndTags(t: TickLike): [InfluxFields, InfluxTags] {
  const fields: InfluxFields = {};
  for (const k of NUMERIC_FIELDS) {
    const v = t[k];
    if (finite(v)) fields[k] = v;
  }
  const c = t.conditions;
  if (Array.isArray(c) && c.length > 0) fields.conditions = c.join(",");
  if (t.id !== null && t.id !== undefined && t.id !== "") fields.id = String(t.id);
  // Always a string: a number for some points and a string for others would be a field type conflict.
  if (t.seq !== null && t.seq !== undefined && t.seq !== "") fields.seq = String(t.seq);
  if (finite(t.recvTs)) fields.recvTs = t.recvTs;
  if (t.backfill === true) fields.backfill = true;
  const tags: InfluxTags = { symbol: t.symbol };
  if (typeof t.type === "string" && t.type !== "") tags.type = t.type;
  if (typeof t.provider === "string" && t.provider !== "") tags.provider = t.provider;
  if (t.exchange !== null && t.exchange !== undefined && String(t.exchange) !== "") tags.exchange = String(t.exchange);
  return [fields, tags];
}

/**
 * Formats ticks for node-red-contrib-influxdb. One instance per subscribe node: it carries the
 * same-microsecond memory.
 */
export class InfluxTickFormatter {
  readonly measurement: string;
  private readonly same = new SameMicroCounter();

  constructor(measurement?: string) {
    this.measurement = measurement !== undefined && measurement.trim() !== "" ? measurement.trim() : DEFAULT_TICK_MEASUREMENT;
  }

  /** The point time: exact nanoseconds as a decimal string, or null when the tick has no usable time. */
  time(t: TickLike): string | null {
    const ts = finite(t.ts) ? t.ts : finite(t.recvTs) ? t.recvTs : null;
    if (ts === null) return null;
    return microsToNanoString(ts, this.same.next(t.symbol, Math.floor(ts)));
  }

  /** `influxdb out` payload: [fields with `time`, tags]. */
  outPayload(t: TickLike): [InfluxFields, InfluxTags] {
    const [fields, tags] = tickFieldsAndTags(t);
    const time = this.time(t);
    if (time !== null) fields.time = time;
    return [fields, tags];
  }

  /** One `influxdb batch` point. */
  batchPoint(t: TickLike): InfluxBatchPoint {
    const [fields, tags] = tickFieldsAndTags(t);
    const time = this.time(t);
    const p: InfluxBatchPoint = { measurement: this.measurement, fields, tags, timestamp: time ?? "" };
    if (time === null) delete (p as Partial<InfluxBatchPoint>).timestamp;
    return p;
  }

  reset(): void {
    this.same.reset();
  }
}

/**
 * Integer field value for node-red-contrib-influxdb: the "<n>i" string. In 1.8-flux / 2.x mode the
 * node writes it as an integer; in 1.x mode the node turns it back into a number (stored as a
 * float: that mode of the node cannot write integers).
 */
export function influxInteger(n: number): string {
  return String(Math.trunc(n)) + "i";
}

/** The `influxdb out` payload for a bar: [fields, tags]; nulls left out; time a Date (ms, any precision). */
export function barFieldsAndTags(
  bar: Bar,
  labelOn: "start" | "end",
  opts: { intVolume?: boolean } = {},
): [Record<string, FieldValue | Date>, InfluxTags] {
  const fields: Record<string, FieldValue | Date> = {};
  for (const k of ["open", "high", "low", "close", "vwap"] as const) {
    const v = bar[k];
    if (finite(v)) fields[k] = v;
  }
  // intVolume: always an integer (rounded), never a float for some bars and an integer for others,
  // which InfluxDB would refuse as a field type conflict.
  if (finite(bar.volume)) fields.volume = opts.intVolume === true ? influxInteger(Math.round(bar.volume)) : bar.volume;
  if (finite(bar.count)) fields.count = influxInteger(bar.count);
  fields.final = bar.final === true;
  fields.partial = bar.partial === true;
  fields.synthetic = bar.synthetic === true;
  const revision = (bar as { revision?: unknown }).revision;
  fields.revision = influxInteger(finite(revision) ? revision : 0);
  fields.time = new Date(Math.floor((labelOn === "end" ? bar.end : bar.start) / 1000));
  const tags: InfluxTags = { symbol: bar.symbol, interval: bar.interval };
  if (typeof bar.session === "string") tags.session = bar.session;
  return [fields, tags];
}
