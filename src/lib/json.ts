/**
 * JSON helpers for provider frames.
 *
 * `JSON.parse` silently rounds integers above 2^53 (Alpaca crypto trade ids, Tiingo epoch
 * nanoseconds, some AllTick `seq` values). `parseLossless` first turns every integer literal
 * of 16 or more digits into a string, so it survives exactly; strings (and digit runs inside
 * them) are left alone. Every provider that reads ids or sequence numbers uses it.
 */

// One token at a time: a whole string (escapes included, so digits inside strings are never
// touched) or a number. Only integer literals of 16 or more digits (no fraction, no exponent)
// are quoted. Valid JSON has no other place where digits appear, so this holds for any valid
// JSON text; invalid text stays invalid and JSON.parse reports it.
const TOKEN_RE = /"[^"\\]*(?:\\[\s\S][^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const HAS_LONG_DIGITS = /\d{16}/;
const LONG_INT_RE = /^-?\d{16,}$/;

export function quoteBigInts(text: string): string {
  if (!HAS_LONG_DIGITS.test(text)) return text;
  return text.replace(TOKEN_RE, (tok) => (tok.charCodeAt(0) !== 34 && LONG_INT_RE.test(tok) ? '"' + tok + '"' : tok));
}

export function parseLossless(text: string): unknown {
  return JSON.parse(quoteBigInts(text));
}

/** Frame payload from `ws` (text frames arrive as Buffer when binaryType is nodebuffer). */
export function frameText(data: unknown): string {
  if (typeof data === "string") return data;
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return String(data);
}
