/**
 * Timestamp normalization: everything becomes integer UTC microseconds since the epoch.
 *
 * Inputs seen across providers: epoch seconds (int or fractional), milliseconds, microseconds,
 * nanoseconds (above 2^53, so they must arrive as strings to stay exact), numeric strings, and
 * RFC 3339 / ISO-8601 strings with up to nanosecond fractions and any UTC offset.
 */

export type TimeUnit = "s" | "ms" | "us" | "ns" | "iso" | "auto";

export const TIME_UNITS: readonly TimeUnit[] = ["s", "ms", "us", "ns", "iso", "auto"];

/** Current wall clock in integer microseconds (sub-millisecond part from the monotonic clock). */
const hrBase = process.hrtime.bigint();
const wallBaseUs = Date.now() * 1000;
export function nowMicros(): number {
  return wallBaseUs + Number((process.hrtime.bigint() - hrBase) / 1000n);
}

// YYYY-MM-DD[T ]HH:MM[:SS][.fraction][Z|±HH[:]MM]
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:[.,](\d+))?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses an ISO-8601 / RFC 3339 date-time to integer UTC microseconds, keeping microsecond
 * precision (nanosecond digits beyond the sixth are truncated toward the past, so ordering of
 * distinct microseconds is preserved). A string without an offset is taken as UTC.
 * Returns NaN if the string is not a date-time.
 */
export function parseIsoMicros(text: string): number {
  const m = ISO_RE.exec(text);
  if (m === null) return NaN;
  const year = +m[1],
    month = +m[2],
    day = +m[3],
    hour = +m[4],
    minute = +m[5];
  const second = m[6] === undefined ? 0 : +m[6];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return NaN;
  let offsetMin = 0;
  const tz = m[8];
  if (tz !== undefined && tz !== "Z" && tz !== "z") {
    const sign = tz[0] === "-" ? -1 : 1;
    const digits = tz.slice(1).replace(":", "");
    offsetMin = sign * (parseInt(digits.slice(0, 2), 10) * 60 + (digits.length > 2 ? parseInt(digits.slice(2, 4), 10) : 0));
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMin * 60000;
  let frac = 0;
  const f = m[7];
  if (f !== undefined) {
    frac = parseInt(f.length >= 6 ? f.slice(0, 6) : (f + "000000").slice(0, 6), 10);
  }
  return ms * 1000 + frac;
}

/** Integer digits only (optionally signed): the exact form a lossless parser keeps big ints in. */
const INT_RE = /^-?\d+$/;

/**
 * Converts a decimal integer string of the given unit to µs exactly (no float rounding), e.g.
 * epoch nanoseconds "1548873225594808294" -> 1548873225594808.
 */
function intStringToMicros(text: string, unit: "s" | "ms" | "us" | "ns"): number {
  switch (unit) {
    case "s":
      return Number(text) * 1_000_000;
    case "ms":
      return Number(text) * 1000;
    case "us":
      return Number(text);
    case "ns": {
      // Drop the last three digits exactly (floor toward -inf for negatives is not needed for real times).
      const neg = text[0] === "-";
      const digits = neg ? text.slice(1) : text;
      const us = digits.length > 3 ? Number(digits.slice(0, digits.length - 3)) : 0;
      return neg ? -us : us;
    }
  }
}

/** Guesses the unit of an epoch number by its magnitude (valid for dates 1973..2286). */
export function guessEpochUnit(abs: number): "s" | "ms" | "us" | "ns" {
  if (abs < 1e11) return "s";
  if (abs < 1e14) return "ms";
  if (abs < 1e17) return "us";
  return "ns";
}

/**
 * Normalizes a timestamp value to integer UTC microseconds. `value` may be a number, a numeric
 * string (kept exact when it is an integer string), or an ISO-8601 string. Returns NaN when the
 * value cannot be understood.
 */
export function toMicros(value: unknown, unit: TimeUnit = "auto"): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return NaN;
    let u = unit;
    if (u === "iso") return NaN;
    if (u === "auto") u = guessEpochUnit(Math.abs(value));
    switch (u) {
      case "s":
        return Math.floor(value * 1_000_000 + 1e-6);
      case "ms":
        return Math.floor(value * 1000 + 1e-6);
      case "us":
        return Math.floor(value);
      case "ns":
        return Math.floor(value / 1000);
    }
  }
  if (typeof value === "bigint") {
    const u = unit === "auto" ? guessEpochUnit(Number(value < 0n ? -value : value)) : unit;
    if (u === "iso") return NaN;
    return intStringToMicros(value.toString(), u);
  }
  if (typeof value === "string") {
    if (value.length === 0) return NaN;
    if (INT_RE.test(value)) {
      let u = unit;
      if (u === "iso") return NaN;
      if (u === "auto") u = guessEpochUnit(Math.abs(Number(value)));
      return intStringToMicros(value, u);
    }
    if (unit === "auto" || unit === "iso") {
      const iso = parseIsoMicros(value);
      if (!Number.isNaN(iso) || unit === "iso") return iso;
    }
    const n = toNumber(value);
    if (Number.isNaN(n)) return NaN;
    return toMicros(n, unit);
  }
  return NaN;
}

/**
 * A plain decimal number as providers write them in text: optional minus, digits with an
 * optional fraction, optional exponent. No whitespace, no hex/octal/binary ("0x10"), no
 * "Infinity", no empty string: JavaScript's Number() reads " " and "" as 0 and "0x10" as 16.
 */
const DECIMAL_RE = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The longest decimal text read as a number (longer text is garbage, not a price). */
const MAX_DECIMAL_TEXT = 64;

/** Whether text is a plain decimal number (see DECIMAL_RE). */
export function isDecimalText(text: string): boolean {
  return text.length > 0 && text.length <= MAX_DECIMAL_TEXT && DECIMAL_RE.test(text);
}

/**
 * Converts a number or a plain decimal string to a number; NaN for anything else (booleans,
 * null, objects, " ", "", "0x10", "Infinity", "1,5"). Never relies on JavaScript coercion.
 */
export function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && isDecimalText(value)) return Number(value);
  return NaN;
}

/**
 * An optional numeric field from the wire: undefined when absent (undefined or null), else the
 * number it holds, NaN for garbage (" ", "0x10", objects): the feed refuses a tick with NaN, so
 * a broken field drops its element (counted as malformed) instead of silently becoming absent.
 */
export function wireNumber(value: unknown): number | undefined {
  return value === undefined || value === null ? undefined : toNumber(value);
}

/** A finite number from a number or a decimal string; undefined for anything else (absent, null, garbage). */
export function toOptNumber(value: unknown): number | undefined {
  const n = toNumber(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Normalizes an id to its exact string form. Numbers are taken only when JSON could carry them
 * exactly (safe integers); anything else (objects, unsafe or fractional numbers) gives undefined.
 * Providers parse frames with the lossless reader, so long integer ids arrive as strings.
 */
export function toIdString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : undefined;
  if (typeof value === "bigint") return String(value);
  return undefined;
}

/**
 * A sequence number as a Tick carries it: a safe non-negative integer as a number, longer digit
 * strings exact as strings; undefined for anything else ("0x10", " ", fractions, objects).
 */
export function toSeq(value: unknown): number | string | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === "string" && /^\d{1,40}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  return undefined;
}
