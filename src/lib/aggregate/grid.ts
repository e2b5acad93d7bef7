/**
 * The time-bar grid (aggregation.md §2.2): the interval [start, end) holding an event time.
 * Steps up to an hour are aligned to the epoch; longer steps are anchored to the New York
 * session segment and never span a session boundary; day bars follow the New York day.
 */
import { daySchedule, nyDay, segmentAt, sessionAt, type Session } from "../calendar";
import { UNIT_US, type AggregateConfig } from "./config";

/** One interval of the grid. */
export interface Range {
  start: number;
  end: number;
  /** Shorter than the step (the last bar of a session segment). */
  short: boolean;
  session?: Session;
  date?: string;
}

/** The bar interval containing `ts` for a time-bar configuration. */
export function barRange(c: AggregateConfig, ts: number): Range {
  if (c.unit === "day") {
    const d = nyDay(ts);
    return { start: d.start, end: d.end, short: false, date: d.date };
  }
  const step = c.step * UNIT_US[c.unit];
  if (step <= UNIT_US.h) {
    const start = ts - (((ts % step) + step) % step);
    return { start, end: start + step, short: false, session: sessionAt(start) };
  }
  // Above one hour: anchored to the New York session segment, never spanning a session boundary.
  const seg = segmentAt(ts);
  const start = seg.start + Math.floor((ts - seg.start) / step) * step;
  const end = Math.min(start + step, seg.end);
  return { start, end, short: end - start < step, session: seg.session };
}

/** Length of one grid step in µs (a day for day bars). */
export function stepUsOf(c: AggregateConfig): number {
  return c.unit === "day" ? UNIT_US.day : c.step * UNIT_US[c.unit];
}

/** Whether a flat bar may stand for `r`: inside the selected sessions (day bars: trading days unless "closed" is selected). */
export function flatAllowed(c: AggregateConfig, r: Range): boolean {
  const sessions = c.sessions;
  if (sessions === null) return true;
  if (c.unit === "day") return sessions.has("closed") || daySchedule(r.start).trading;
  return sessions.has(r.session ?? sessionAt(r.start));
}
