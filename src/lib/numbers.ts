/** Lenient number reading for values a person wrote: editor fields and recorded files. */

/**
 * A finite number from a number or from text that `Number` reads (" 12", "1e3"); undefined for
 * blank text, non-finite values and anything else. (Wire values use the strict readers of ./time.ts.)
 */
export function looseNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}
