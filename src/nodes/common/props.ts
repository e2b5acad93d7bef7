/** Parsing of editor properties shared by the tick-filter and tick-aggregate settings. */

/** One of the allowed strings; empty = the default; anything else throws a message that lists the choices. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], dflt: T, what: string): T {
  if (value === undefined || value === "") return dflt;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`Invalid ${what} "${String(value)}": use ${allowed.join(", ")}.`);
}

/** A number from a number or a numeric string; empty = null. */
export function optNum(value: unknown, what: string): number | null {
  if (value === undefined || value === null || value === "") return null;
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isFinite(n)) throw new Error(`${what} must be a number; got "${String(value)}".`);
  return n;
}

export function num(value: unknown, dflt: number, what: string): number {
  return optNum(value, what) ?? dflt;
}
