/**
 * JSON helpers for provider frames.
 *
 * `JSON.parse` silently rounds integers above 2^53 (Alpaca crypto trade ids, Tiingo epoch
 * nanoseconds, some AllTick `seq` values). `parseLossless` first turns every bare integer
 * literal of 16 or more digits that stands as a value into a string, so it survives exactly.
 * Only providers that send such numbers use it; the others take plain `JSON.parse`.
 */

// An integer of >= 16 digits in value position: after ':', ',' or '[' (plus whitespace) and
// followed by ',', ']' or '}' (plus whitespace). Digits inside strings are left alone unless a
// string itself contains that exact punctuation pattern, which provider frames do not.
const BIG_INT_RE = /([:,[]\s*)(-?\d{16,})(?=\s*[,\]}])/g;
const HAS_LONG_DIGITS = /\d{16}/;

export function quoteBigInts(text: string): string {
  if (!HAS_LONG_DIGITS.test(text)) return text;
  return text.replace(BIG_INT_RE, '$1"$2"');
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
