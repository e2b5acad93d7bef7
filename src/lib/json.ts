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
const LONG_INT_RE = /^-?\d{16,}$/;
/** The shortest integer literal that is quoted (a run of this many digits triggers the slow path). */
const LONG_RUN = 16;

/**
 * True when `text` holds a run of at least 16 ASCII digits anywhere (in a number or inside a
 * string). Without one, no integer literal can be long enough to need quoting, so the frame
 * goes to plain `JSON.parse` untouched. Any run of 16 digits covers a position that is a
 * multiple of 16 minus one, so only every 16th character is looked at unless it is a digit;
 * then the run around it is measured. (A fifth of the cost of `/\d{16}/` on typical frames.)
 */
export function hasLongDigitRun(text: string): boolean {
  const n = text.length;
  for (let i = LONG_RUN - 1; i < n; i += LONG_RUN) {
    let c = text.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    let a = i - 1;
    while (a >= 0 && (c = text.charCodeAt(a)) >= 48 && c <= 57) a--;
    let b = i + 1;
    while (b < n && (c = text.charCodeAt(b)) >= 48 && c <= 57) b++;
    if (b - a - 1 >= LONG_RUN) return true;
    i = b; // text[b] is not a digit: a run starting after it is probed LONG_RUN further on
  }
  return false;
}

function quoteLongTokens(text: string): string {
  return text.replace(TOKEN_RE, (tok) => (tok.charCodeAt(0) !== 34 && LONG_INT_RE.test(tok) ? '"' + tok + '"' : tok));
}

export function quoteBigInts(text: string): string {
  return hasLongDigitRun(text) ? quoteLongTokens(text) : text;
}

/**
 * JSON.parse that keeps integer literals of 16+ digits exact as strings. Fast path: a text with
 * no run of 16 digits (most frames: prices, sizes, millisecond times, short ids) goes straight
 * to `JSON.parse`; only the others are rewritten token by token first.
 */
export function parseLossless(text: string): unknown {
  return JSON.parse(hasLongDigitRun(text) ? quoteLongTokens(text) : text);
}

/** Frame payload from `ws` (text frames arrive as Buffer when binaryType is nodebuffer). */
export function frameText(data: unknown): string {
  if (typeof data === "string") return data;
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return String(data);
}
