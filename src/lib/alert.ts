/**
 * Edge-triggered alert rules per symbol (pure; the tick-alert node is thin glue over this).
 *
 * A rule fires once when its condition becomes true, then is disarmed until the value has gone
 * back: strictly on the other side of the level and at least `hysteresis` away from it.
 * - above / below: value > level / value < level. Armed from the start (a first value already
 *   above fires).
 * - crossAbove / crossBelow: the same, but only armed once the value has been seen on the other
 *   side (a first value already above does not fire: it did not cross). Touching the level is
 *   not crossing: 99, 100, 99 fires nothing; 99, 100, 101 fires at 101.
 * - cross: crossAbove and crossBelow together.
 * - enter: fires when the value comes into [low, high] (inclusive) from outside; armed while
 *   outside by at least hysteresis.
 * - exit: fires when the value leaves [low, high]; armed while inside by at least hysteresis
 *   from both edges.
 * - change: (value / reference - 1) * 100 reaches ±percent, where the reference is the value
 *   `window` ago (the newest sample at or before ts - window; samples kept at most one per
 *   window/1000, so the reference is within 0.1% of the window); up and down armed separately.
 * - spike: (value / average - 1) * 100 reaches ±percent, where the average is that of the
 *   previous `window` values (a count) of the same series.
 * Cooldown: after an alert, the symbol's alerts are suppressed until `cooldown` has passed
 * (event time); a suppressed edge disarms the rule as a fired one would (no late alert).
 * Sessions: values outside the selected sessions are ignored (they do not move any state), so
 * the first value of the next session is compared with the last one inside.
 */
import { sessionAt, type Session } from "./calendar";
import { Ring } from "./indicators/ring";

export type AlertRule = "above" | "below" | "cross" | "crossAbove" | "crossBelow" | "enter" | "exit" | "change" | "spike";
export const ALERT_RULES: readonly AlertRule[] = [
  "above",
  "below",
  "cross",
  "crossAbove",
  "crossBelow",
  "enter",
  "exit",
  "change",
  "spike",
];

export interface AlertConfig {
  rule: AlertRule;
  /** above, below, cross*: the level (may instead come with each value). */
  level: number | null;
  /** enter, exit: the range. */
  low: number | null;
  high: number | null;
  /** change, spike: the threshold in percent. */
  percent: number;
  /** change: the look-back in microseconds. */
  windowUs: number;
  /** spike: how many previous values the average covers. */
  windowCount: number;
  /** Re-arm distance (in the value's unit; percentage points for change and spike). */
  hysteresis: number;
  cooldownUs: number;
  sessions: ReadonlySet<Session> | null;
  maxSymbols: number;
}

export const DEFAULT_ALERT: AlertConfig = {
  rule: "crossAbove",
  level: null,
  low: null,
  high: null,
  percent: 1,
  windowUs: 60_000_000,
  windowCount: 20,
  hysteresis: 0,
  cooldownUs: 0,
  sessions: null,
  maxSymbols: 10000,
};

export function validateAlert(c: AlertConfig, levelFromMessage = false, rangeFromMessage = false): void {
  if (!ALERT_RULES.includes(c.rule)) throw new Error(`Unknown rule "${c.rule}".`);
  const usesLevel = c.rule === "above" || c.rule === "below" || c.rule === "cross" || c.rule === "crossAbove" || c.rule === "crossBelow";
  if (usesLevel && !levelFromMessage && (c.level === null || !Number.isFinite(c.level)))
    throw new Error("Set a level (or a message property to take it from).");
  if ((c.rule === "enter" || c.rule === "exit") && !rangeFromMessage) {
    if (c.low === null || c.high === null) throw new Error("Set the range: low and high.");
    if (!(c.low <= c.high)) throw new Error(`The range low (${c.low}) must not be above high (${c.high}).`);
  }
  if ((c.rule === "change" || c.rule === "spike") && !(c.percent > 0)) throw new Error(`The percent must be above 0; got ${c.percent}.`);
  if (c.rule === "change" && !(c.windowUs > 0)) throw new Error("The change window must be above 0 seconds.");
  if (c.rule === "spike" && !(Number.isInteger(c.windowCount) && c.windowCount >= 1 && c.windowCount <= 100000))
    throw new Error(`The spike window must be a whole number of values from 1 to 100000; got ${c.windowCount}.`);
  if (!(c.hysteresis >= 0)) throw new Error(`The hysteresis must be 0 or more; got ${c.hysteresis}.`);
  if (!(c.cooldownUs >= 0)) throw new Error("The cooldown must be 0 or more seconds.");
  if (!(Number.isInteger(c.maxSymbols) && c.maxSymbols >= 1))
    throw new Error(`The symbol limit must be a whole number of at least 1; got ${c.maxSymbols}.`);
}

export interface Alert {
  symbol: string;
  rule: AlertRule;
  value: number;
  /** The level crossed: the level; the range edge (enter/exit); the reference (change); the average (spike). */
  level: number;
  direction: "up" | "down";
  ts: number;
  /** enter/exit: the range. */
  low?: number;
  high?: number;
  /** change/spike: the move in percent (signed). */
  percent?: number;
}

/** Levels that come with a value (taken from the message); null/undefined = the configured ones. */
export interface Levels {
  level?: number | null;
  low?: number | null;
  high?: number | null;
}

/** Why a value was not evaluated. */
export type Skip = "session" | "level" | "old";

const SAMPLES_PER_WINDOW = 1000;

/** Reports an edge: the direction, the level crossed and extra alert fields (dropped during the cooldown). */
type Fire = (direction: "up" | "down", level: number, extra?: Partial<Alert>) => void;

interface State {
  up: boolean;
  down: boolean;
  /** enter: the side the value is entering from. */
  from: "up" | "down";
  lastAlert: number;
  lastTs: number;
  /** change: (ts, value) samples, oldest first. */
  sTs?: Float64Array;
  sV?: Float64Array;
  sHead: number;
  sCount: number;
  /** spike: the previous values and their running sum. */
  ring?: Ring;
  sum: number;
  sinceExact: number;
}

export class AlertEngine {
  private readonly states = new Map<string, State>();
  private readonly sampleGap: number;
  private readonly sampleCap: number;
  /** Counters for the status. */
  readonly stats = { values: 0, alerts: 0, suppressed: 0, skipped: 0, evicted: 0 };

  constructor(readonly cfg: AlertConfig) {
    this.sampleGap = cfg.windowUs / SAMPLES_PER_WINDOW;
    this.sampleCap = SAMPLES_PER_WINDOW + 2;
  }

  get symbols(): number {
    return this.states.size;
  }

  reset(symbol?: string): void {
    if (symbol === undefined) this.states.clear();
    else this.states.delete(symbol);
  }

  private state(symbol: string): State {
    let st = this.states.get(symbol);
    if (st !== undefined) {
      this.states.delete(symbol);
      this.states.set(symbol, st);
      return st;
    }
    if (this.states.size >= this.cfg.maxSymbols) {
      this.states.delete(this.states.keys().next().value as string);
      this.stats.evicted++;
    }
    const r = this.cfg.rule;
    st = {
      up: r === "above" || r === "change" || r === "spike",
      down: r === "below" || r === "change" || r === "spike",
      from: "up",
      lastAlert: -Infinity,
      lastTs: -Infinity,
      sHead: 0,
      sCount: 0,
      sum: 0,
      sinceExact: 0,
    };
    if (r === "change") {
      st.sTs = new Float64Array(this.sampleCap);
      st.sV = new Float64Array(this.sampleCap);
    }
    if (r === "spike") st.ring = new Ring(this.cfg.windowCount);
    this.states.set(symbol, st);
    return st;
  }

  /**
   * Evaluates one value of `symbol` at `ts` (µs). Returns the alert, null when nothing fires, or
   * a Skip reason when the value was not evaluated (outside the sessions, no level).
   */
  push(symbol: string, ts: number, value: number, levels?: Levels): Alert | null | Skip {
    const c = this.cfg;
    const lv = this.levelsAt(ts, levels);
    if (typeof lv === "string") {
      this.stats.skipped++;
      return lv;
    }
    this.stats.values++;
    const st = this.state(symbol);
    let fired: Alert | null = null;
    const fire: Fire = (direction, lvl, extra) => {
      if (ts - st.lastAlert < c.cooldownUs) {
        this.stats.suppressed++;
        return;
      }
      st.lastAlert = ts;
      this.stats.alerts++;
      fired = { symbol, rule: c.rule, value, level: lvl, direction, ts, ...extra };
    };
    this.evaluate(st, ts, value, lv, fire);
    if (ts > st.lastTs) st.lastTs = ts;
    return fired;
  }

  /** The levels that apply to a value at `ts`, or why it is not evaluated. */
  private levelsAt(ts: number, levels: Levels | undefined): Skip | { level: number | null; low: number | null; high: number | null } {
    const c = this.cfg;
    if (c.sessions !== null && !c.sessions.has(sessionAt(ts))) return "session";
    const level = levels?.level ?? c.level;
    const low = levels?.low ?? c.low;
    const high = levels?.high ?? c.high;
    const rule = c.rule;
    if (rule === "enter" || rule === "exit") {
      if (low === null || high === null || !Number.isFinite(low) || !Number.isFinite(high) || low > high) return "level";
    } else if (rule !== "change" && rule !== "spike" && (level === null || !Number.isFinite(level))) return "level";
    return { level, low, high };
  }

  /** Moves the rule's state with one value; `fire` is called on an edge. */
  private evaluate(
    st: State,
    ts: number,
    value: number,
    lv: { level: number | null; low: number | null; high: number | null },
    fire: Fire,
  ): void {
    const rule = this.cfg.rule;
    const h = this.cfg.hysteresis;
    switch (rule) {
      case "above":
      case "below":
      case "cross":
      case "crossAbove":
      case "crossBelow": {
        const L = lv.level as number;
        if (rule === "above" || rule === "cross" || rule === "crossAbove") {
          if (st.up && value > L) {
            st.up = false;
            fire("up", L);
          } else if (!st.up && value < L && L - value >= h) st.up = true;
        }
        if (rule === "below" || rule === "cross" || rule === "crossBelow") {
          if (st.down && value < L) {
            st.down = false;
            fire("down", L);
          } else if (!st.down && value > L && value - L >= h) st.down = true;
        }
        return;
      }
      case "enter":
        return this.enter(st, value, lv.low as number, lv.high as number, fire);
      case "exit": {
        const lo = lv.low as number;
        const hi = lv.high as number;
        if (st.up && (value < lo || value > hi)) {
          st.up = false;
          fire(value > hi ? "up" : "down", value > hi ? hi : lo, { low: lo, high: hi });
        } else if (!st.up && value - lo >= h && hi - value >= h && value >= lo && value <= hi) st.up = true;
        return;
      }
      case "change": {
        const ref = this.reference(st, ts);
        if (ref !== null && ref !== 0) this.magnitude(st, (value / ref - 1) * 100, ref, fire);
        this.sample(st, ts, value);
        return;
      }
      case "spike":
        return this.spike(st, value, fire);
    }
  }

  /** enter: fires when the value comes into [lo, hi]; armed (with the side) while outside by the hysteresis. */
  private enter(st: State, value: number, lo: number, hi: number, fire: Fire): void {
    const h = this.cfg.hysteresis;
    if (st.up && value >= lo && value <= hi) {
      st.up = false;
      fire(st.from, st.from === "up" ? lo : hi, { low: lo, high: hi });
    } else if (value < lo && lo - value >= h) {
      st.up = true;
      st.from = "up";
    } else if (value > hi && value - hi >= h) {
      st.up = true;
      st.from = "down";
    }
  }

  /** spike: the value against the average of the previous `windowCount` values (running sum, recomputed exactly now and then). */
  private spike(st: State, value: number, fire: Fire): void {
    const ring = st.ring as Ring;
    if (ring.full) {
      const avg = st.sum / ring.capacity;
      if (avg !== 0) this.magnitude(st, (value / avg - 1) * 100, avg, fire);
    }
    st.sum = ring.full ? st.sum + value - ring.oldest() : st.sum + value;
    ring.push(value);
    if (ring.full && ++st.sinceExact >= ring.capacity) {
      st.sum = ring.sum();
      st.sinceExact = 0;
    }
  }

  /** change/spike: up when pct >= percent, down when pct <= -percent, each re-armed once back under by the hysteresis. */
  private magnitude(st: State, pct: number, lvl: number, fire: Fire): void {
    const P = this.cfg.percent;
    const h = this.cfg.hysteresis;
    if (st.up && pct >= P) {
      st.up = false;
      fire("up", lvl, { percent: pct });
    } else if (!st.up && pct < P && P - pct >= h) st.up = true;
    if (st.down && pct <= -P) {
      st.down = false;
      fire("down", lvl, { percent: pct });
    } else if (!st.down && pct > -P && pct + P >= h) st.down = true;
  }

  /** change: the newest sample at or before ts - window (null while the history is shorter). */
  private reference(st: State, ts: number): number | null {
    const tsArr = st.sTs as Float64Array;
    const vArr = st.sV as Float64Array;
    const cap = this.sampleCap;
    const cutoff = ts - this.cfg.windowUs;
    // Drop samples that a newer one at or before the cutoff makes useless.
    while (st.sCount >= 2 && tsArr[(st.sHead + 1) % cap] <= cutoff) {
      st.sHead = (st.sHead + 1) % cap;
      st.sCount--;
    }
    if (st.sCount === 0 || tsArr[st.sHead] > cutoff) return null;
    return vArr[st.sHead];
  }

  private sample(st: State, ts: number, value: number): void {
    const tsArr = st.sTs as Float64Array;
    const vArr = st.sV as Float64Array;
    const cap = this.sampleCap;
    if (st.sCount > 0) {
      const lastTs = tsArr[(st.sHead + st.sCount - 1) % cap];
      if (ts < lastTs + this.sampleGap) return;
    }
    if (st.sCount === cap) {
      // Only when the clock jumped: keep the newest.
      st.sHead = (st.sHead + 1) % cap;
      st.sCount--;
    }
    const j = (st.sHead + st.sCount) % cap;
    tsArr[j] = ts;
    vArr[j] = value;
    st.sCount++;
  }
}
