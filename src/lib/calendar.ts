/**
 * US equity market calendar in America/New_York: DST, NYSE holidays, 13:00 early closes and the
 * sessions of a trading day. Pure functions over integer UTC microseconds; no dependency.
 *
 * - DST follows the US rule in force since 2007 (second Sunday of March 02:00 local to the first
 *   Sunday of November 02:00 local). Years before 2007 are not supported.
 * - Holidays and early closes are computed from the NYSE's published rules (observance of
 *   weekend holidays, Good Friday from Easter, Juneteenth from 2022) plus a dated table of
 *   unscheduled closures. Tests check the result against the NYSE's published lists.
 * - Sessions are half-open intervals [open, close): pre 04:00-09:30, regular 09:30-16:00
 *   (13:00 on early-close days), post 16:00-20:00 (13:00-17:00 on early-close days), closed
 *   otherwise, and all day on weekends and holidays.
 */

export type Session = "pre" | "regular" | "post" | "closed";
export const SESSIONS: readonly Session[] = ["pre", "regular", "post", "closed"];

const US_PER_MIN = 60_000_000;
const US_PER_HOUR = 3_600_000_000;
const US_PER_DAY = 86_400_000_000;
const MS_PER_DAY = 86_400_000;

/** Closures that no rule predicts (national days of mourning, weather). ISO dates. */
export const UNSCHEDULED_CLOSURES: readonly string[] = [
  "2007-01-02", // President Ford
  "2012-10-29", // Hurricane Sandy
  "2012-10-30",
  "2018-12-05", // President G. H. W. Bush
  "2025-01-09", // President Carter
];

// ---------------------------------------------------------------- civil-date helpers

/** Day of week (0 = Sunday) of a civil date. */
function weekday(y: number, m: number, d: number): number {
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** Day of month of the n-th (1-based) given weekday of a month; n = -1 for the last one. */
function nthWeekday(y: number, m: number, dow: number, n: number): number {
  if (n > 0) {
    const first = weekday(y, m, 1);
    return 1 + ((dow - first + 7) % 7) + (n - 1) * 7;
  }
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const last = weekday(y, m, lastDay);
  return lastDay - ((last - dow + 7) % 7);
}

/** Easter Sunday (Gregorian, anonymous algorithm): [month, day]. */
function easter(y: number): [number, number] {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

function iso(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** Shifts a civil date by whole days. */
function addDays(y: number, m: number, d: number, days: number): [number, number, number] {
  const t = new Date(Date.UTC(y, m - 1, d) + days * MS_PER_DAY);
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}

/** A fixed-date holiday observed on Friday when it falls on Saturday, Monday when on Sunday. */
function observed(y: number, m: number, d: number): string {
  const dow = weekday(y, m, d);
  if (dow === 6) return iso(...addDays(y, m, d, -1));
  if (dow === 0) return iso(...addDays(y, m, d, 1));
  return iso(y, m, d);
}

export interface YearCalendar {
  /** Full-day closures (ISO dates, weekdays only). */
  holidays: Set<string>;
  /** Early closes at 13:00 ET (ISO dates). */
  earlyCloses: Set<string>;
}

const yearCache = new Map<number, YearCalendar>();
/** Most years kept in the year and DST caches. */
const YEAR_CACHE_MAX = 64;

/** NYSE holidays and early closes of a year. */
export function yearCalendar(y: number): YearCalendar {
  const cached = yearCache.get(y);
  if (cached !== undefined) return cached;
  const holidays = new Set<string>();
  // New Year's Day: Sunday -> Monday; on a Saturday it is not observed (the NYSE stays open on Dec 31).
  if (weekday(y, 1, 1) !== 6) holidays.add(observed(y, 1, 1));
  holidays.add(iso(y, 1, nthWeekday(y, 1, 1, 3))); // Martin Luther King Jr. Day
  holidays.add(iso(y, 2, nthWeekday(y, 2, 1, 3))); // Washington's Birthday
  const [em, ed] = easter(y);
  holidays.add(iso(...addDays(y, em, ed, -2))); // Good Friday
  holidays.add(iso(y, 5, nthWeekday(y, 5, 1, -1))); // Memorial Day
  if (y >= 2022) holidays.add(observed(y, 6, 19)); // Juneteenth
  holidays.add(observed(y, 7, 4)); // Independence Day
  holidays.add(iso(y, 9, nthWeekday(y, 9, 1, 1))); // Labor Day
  const thanksgiving = nthWeekday(y, 11, 4, 4);
  holidays.add(iso(y, 11, thanksgiving));
  holidays.add(observed(y, 12, 25)); // Christmas
  for (const day of UNSCHEDULED_CLOSURES) if (day.startsWith(`${y}-`)) holidays.add(day);

  const earlyCloses = new Set<string>();
  // July 3rd when it is Monday-Thursday (July 4th then falls on Tuesday-Friday).
  const jul3 = weekday(y, 7, 3);
  if (jul3 >= 1 && jul3 <= 4) earlyCloses.add(iso(y, 7, 3));
  earlyCloses.add(iso(...addDays(y, 11, thanksgiving, 1))); // day after Thanksgiving
  // Christmas Eve when it is Monday-Thursday (on a Friday it is the observed Christmas holiday).
  const dec24 = weekday(y, 12, 24);
  if (dec24 >= 1 && dec24 <= 4) earlyCloses.add(iso(y, 12, 24));
  for (const day of earlyCloses) if (holidays.has(day)) earlyCloses.delete(day);

  const cal = { holidays, earlyCloses };
  // Bounded whatever times arrive (a flow can hand the filter or aggregator any year).
  if (yearCache.size >= YEAR_CACHE_MAX) yearCache.clear();
  yearCache.set(y, cal);
  return cal;
}

// ---------------------------------------------------------------- time zone

const dstCache = new Map<number, [number, number]>();

/** [start, end) of daylight saving time of a year, UTC microseconds. */
function dstRange(y: number): [number, number] {
  let r = dstCache.get(y);
  if (r === undefined) {
    // 02:00 EST = 07:00 UTC on the second Sunday of March; 02:00 EDT = 06:00 UTC on the first Sunday of November.
    r = [Date.UTC(y, 2, nthWeekday(y, 3, 0, 2), 7) * 1000, Date.UTC(y, 10, nthWeekday(y, 11, 0, 1), 6) * 1000];
    if (dstCache.size >= YEAR_CACHE_MAX) dstCache.clear();
    dstCache.set(y, r);
  }
  return r;
}

/** New York's offset from UTC at an instant, in microseconds (-4 h or -5 h). */
export function nyOffsetMicros(tsUs: number): number {
  const y = new Date(Math.floor(tsUs / 1000)).getUTCFullYear();
  const [a, b] = dstRange(y);
  return tsUs >= a && tsUs < b ? -4 * US_PER_HOUR : -5 * US_PER_HOUR;
}

export interface NyTime {
  year: number;
  month: number;
  day: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Microseconds since local midnight. */
  timeOfDay: number;
  /** ISO date of the New York calendar day. */
  date: string;
}

/** Wall-clock time in New York of an instant. */
export function nyTime(tsUs: number): NyTime {
  const local = tsUs + nyOffsetMicros(tsUs);
  const dayIndex = Math.floor(local / US_PER_DAY);
  const t = new Date(dayIndex * MS_PER_DAY);
  const year = t.getUTCFullYear();
  const month = t.getUTCMonth() + 1;
  const day = t.getUTCDate();
  return { year, month, day, weekday: t.getUTCDay(), timeOfDay: local - dayIndex * US_PER_DAY, date: iso(year, month, day) };
}

/** The instant (UTC µs) of a New York wall-clock time on a civil date (never inside the 02:00-03:00 DST gap for our uses). */
export function nyToUtc(y: number, m: number, d: number, timeOfDay: number): number {
  const local = Date.UTC(y, m - 1, d) * 1000 + timeOfDay;
  const edt = local + 4 * US_PER_HOUR;
  return nyOffsetMicros(edt) === -4 * US_PER_HOUR ? edt : local + 5 * US_PER_HOUR;
}

// ---------------------------------------------------------------- sessions

export interface DaySchedule {
  date: string;
  /** False on weekends and holidays. */
  trading: boolean;
  earlyClose: boolean;
  /** Session segments of the New York day in order, covering [midnight, next midnight). */
  segments: Array<{ session: Session; start: number; end: number }>;
}

const scheduleCache = new Map<string, DaySchedule>();
const SCHEDULE_CACHE_MAX = 64;

/** The last day looked up: ticks come in time order, so most lookups hit it without date math. */
let lastSchedule: DaySchedule | undefined;

/** The sessions of the New York calendar day that contains an instant. */
export function daySchedule(tsUs: number): DaySchedule {
  const last = lastSchedule;
  if (last !== undefined && tsUs >= last.segments[0].start && tsUs < last.segments[last.segments.length - 1].end) return last;
  const s = computeSchedule(tsUs);
  lastSchedule = s;
  return s;
}

function computeSchedule(tsUs: number): DaySchedule {
  const t = nyTime(tsUs);
  const hit = scheduleCache.get(t.date);
  if (hit !== undefined) return hit;
  const cal = yearCalendar(t.year);
  const at = (hours: number, minutes = 0): number => nyToUtc(t.year, t.month, t.day, hours * US_PER_HOUR + minutes * US_PER_MIN);
  const [ny, nm, nd] = addDays(t.year, t.month, t.day, 1);
  const midnight = at(0);
  const nextMidnight = nyToUtc(ny, nm, nd, 0);
  const trading = t.weekday !== 0 && t.weekday !== 6 && !cal.holidays.has(t.date);
  const earlyClose = trading && cal.earlyCloses.has(t.date);
  let segments: DaySchedule["segments"];
  if (!trading) segments = [{ session: "closed", start: midnight, end: nextMidnight }];
  else {
    const pre = at(4);
    const open = at(9, 30);
    const close = earlyClose ? at(13) : at(16);
    const postEnd = earlyClose ? at(17) : at(20);
    segments = [
      { session: "closed", start: midnight, end: pre },
      { session: "pre", start: pre, end: open },
      { session: "regular", start: open, end: close },
      { session: "post", start: close, end: postEnd },
      { session: "closed", start: postEnd, end: nextMidnight },
    ];
  }
  const schedule: DaySchedule = { date: t.date, trading, earlyClose, segments };
  if (scheduleCache.size >= SCHEDULE_CACHE_MAX) scheduleCache.delete(scheduleCache.keys().next().value as string);
  scheduleCache.set(t.date, schedule);
  return schedule;
}

/** The session segment containing an instant. */
export function segmentAt(tsUs: number): { session: Session; start: number; end: number; date: string } {
  const s = daySchedule(tsUs);
  return { ...findSegment(s, tsUs), date: s.date };
}

function findSegment(s: DaySchedule, tsUs: number): DaySchedule["segments"][number] {
  for (const seg of s.segments) if (tsUs >= seg.start && tsUs < seg.end) return seg;
  return s.segments[s.segments.length - 1]; // unreachable: the segments cover the whole day
}

/** US equity session of an instant. */
export function sessionAt(tsUs: number): Session {
  return findSegment(daySchedule(tsUs), tsUs).session;
}

/** [start, end) of the New York calendar day containing an instant (23 or 25 hours on DST days). */
export function nyDay(tsUs: number): { start: number; end: number; date: string } {
  const s = daySchedule(tsUs);
  return { start: s.segments[0].start, end: s.segments[s.segments.length - 1].end, date: s.date };
}

/** "regular,pre" -> the set; empty or all four -> null (everything). */
export function parseSessions(value: unknown): ReadonlySet<Session> | null {
  if (value === undefined || value === null || value === "" || value === "all") return null;
  const parts = String(value)
    .split(/[\s,]+/)
    .filter((s) => s !== "");
  const out = new Set<Session>();
  for (const p of parts) {
    if (p === "extended") {
      out.add("pre").add("regular").add("post");
      continue;
    }
    if (!(SESSIONS as readonly string[]).includes(p))
      throw new Error(`Unknown session "${p}": use pre, regular, post, closed (or extended).`);
    out.add(p as Session);
  }
  if (out.size === 0) throw new Error("Select at least one session.");
  return out.size === SESSIONS.length ? null : out;
}

/**
 * The open (µs) of the most recent regular session that began at or before `tsUs`: today's when
 * the market opened today, else the last trading day's (weekends, holidays, before 09:30).
 */
export function lastRegularOpen(tsUs: number): number {
  let probe = tsUs;
  for (let i = 0; i < 15; i++) {
    const s = daySchedule(probe);
    const regular = s.segments.find((seg) => seg.session === "regular");
    if (regular !== undefined && regular.start <= tsUs) return regular.start;
    probe = s.segments[0].start - 1; // the last instant of the day before
  }
  throw new Error("no trading day in the last two weeks"); // unreachable: the longest NYSE closure is days
}
