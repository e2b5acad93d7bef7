/** Tiingo IEX wire fields: the data array's positions and flags, and its exact nanosecond times (./tiingo.ts). */
import { parseIsoMicros, toMicros } from "../time";

/** Positions of the 16-field IEX data array (thresholdLevel 0 and 5). */
export const F = {
  type: 0,
  date: 1,
  nanos: 2,
  ticker: 3,
  bidSize: 4,
  bidPrice: 5,
  midPrice: 6,
  askPrice: 7,
  askSize: 8,
  lastPrice: 9,
  lastSize: 10,
  halted: 11,
  afterHours: 12,
  iso: 13,
  oddlot: 14,
  nms611: 15,
} as const;

/** Flag positions and the condition names they become when set to 1. */
export const FLAGS: Array<[number, string]> = [
  [F.halted, "halted"],
  [F.afterHours, "afterHours"],
  [F.iso, "intermarketSweep"],
  [F.oddlot, "oddLot"],
  [F.nms611, "nmsRule611"],
];

const ISO_FRACTION = /[.,](\d+)/;

/**
 * Exact epoch nanoseconds (as a decimal string) and µs of an ISO 8601 time with up to 9 fraction
 * digits; undefined when it is not one.
 */
export function isoToNanos(text: string): { nanos: string; us: number } | undefined {
  const us = parseIsoMicros(text);
  if (Number.isNaN(us)) return undefined;
  const m = ISO_FRACTION.exec(text);
  const sub = m === null ? "000" : (m[1] + "000000000").slice(6, 9);
  return { nanos: (BigInt(us) * 1000n + BigInt(sub)).toString(), us };
}

/** Epoch ns from `data[2]`: a digit string (lossless parse) or a plain number (precision lost above 2^53). */
export function epochNanos(v: unknown): { nanos: string; us: number } | undefined {
  if (typeof v === "string" && /^\d{1,20}$/.test(v)) return { nanos: v, us: toMicros(v, "ns") };
  if (typeof v === "number" && Number.isFinite(v) && v > 0) return { nanos: BigInt(Math.round(v)).toString(), us: toMicros(v, "ns") };
  return undefined;
}
