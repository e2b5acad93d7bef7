/**
 * Secret masking: every text the package lets out (logs, statuses, output-2 events, errors,
 * malformed-frame samples) passes through one `SecretMasker`, which knows the feed's keys.
 *
 * What is masked (replaced by `***`):
 *  - the literal values it was given (API key, secret, URL passwords and secret-named query
 *    values of the configured URL), also in the forms a server may echo them in: URL-encoded,
 *    form-encoded, JSON-escaped; a value cut at either end of a text (a truncated sample) is
 *    masked too when at least `MIN_PARTIAL` of its characters remain;
 *  - values of secret-named parameters (`apiKey`, `api_key`, `key`, `token`, `apiToken`,
 *    `access_token`, `password`, `secret`, `client_secret`, `sig`, `X-API-KEY`, ... any case) in
 *    `name=value` (URL queries, form bodies) and `"name":"value"` (JSON) form;
 *  - URL user-info (`wss://user:pass@host` -> `wss://***@host`);
 *  - `Authorization`-style `Bearer`/`Basic` credentials and JWT-shaped tokens (Coinbase signs a
 *    fresh JWT per message: each is a bearer token while it is valid).
 *
 * Literal values shorter than `MIN_LITERAL` characters are not masked by value (a 3-character
 * "key" would mask ordinary words); they are still masked wherever they appear as a named
 * parameter. Pure: no Node-RED, no I/O.
 */

/** Parameter names whose values are secrets (compared case-insensitively). */
export const SECRET_NAMES: readonly string[] = [
  "apikey",
  "api_key",
  "api-key",
  "key",
  "token",
  "apitoken",
  "api_token",
  "access_token",
  "refresh_token",
  "auth",
  "authorization",
  "password",
  "passwd",
  "pwd",
  "secret",
  "client_secret",
  "apisecret",
  "api_secret",
  "secret_key",
  "secretkey",
  "sig",
  "signature",
  "jwt",
  "x-api-key",
];

export const MASK = "***";
/** Shortest secret masked by its literal value. */
export const MIN_LITERAL = 4;
/** Shortest remnant of a secret cut at a text's end that is still masked. */
export const MIN_PARTIAL = 4;

const NAMES_RE = SECRET_NAMES.map((n) => n.replace(/[-_]/g, "[-_]?")).join("|");
/** name=value in URLs, form bodies and log-style text. */
const QUERY_RE = new RegExp(`((?:^|[?&;\\s"'(,{])(?:${NAMES_RE})=)([^&#\\s"'<>;,)}]*)`, "gi");
/** "name":"value" (JSON), also with escaped quotes inside the value; and "name": value lists are left alone. */
const JSON_RE = new RegExp(`((?:\\\\?")(?:${NAMES_RE})(?:\\\\?")\\s*:\\s*(?:\\\\?"))((?:[^"\\\\]|\\\\[^"])*)`, "gi");
/** scheme://user:pass@host */
const USERINFO_RE = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s"'?#]+@/gi;
/** Bearer/Basic credentials. */
const BEARER_RE = /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g;
/** JWT-shaped tokens (header.payload.signature, base64url; the header always starts with eyJ), also cut short. */
const JWT_RE = /\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}/g;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The forms a literal secret may appear in once echoed by a server. */
function variants(secret: string): string[] {
  const out = new Set<string>([secret]);
  try {
    out.add(encodeURIComponent(secret));
  } catch {
    /* lone surrogates: no encoded form */
  }
  out.add(new URLSearchParams({ v: secret }).toString().slice(2));
  out.add(JSON.stringify(secret).slice(1, -1));
  out.add(JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1)); // quoted twice
  // Multi-line secrets (PEM keys): each long line on its own (a server may quote one line).
  if (/[\r\n]/.test(secret)) for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 16) out.add(line.trim());
  return [...out].filter((v) => v.length >= MIN_LITERAL);
}

/** Secret-looking values in a text (a URL, a template): values of secret-named parameters, URL passwords. */
export function secretsIn(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(QUERY_RE)) {
    let v = m[2];
    try {
      v = decodeURIComponent(v.replace(/\+/g, " "));
    } catch {
      /* keep the raw text */
    }
    if (v !== "" && !v.startsWith("$")) found.push(v, m[2]);
  }
  for (const m of text.matchAll(JSON_RE)) if (m[2] !== "" && !m[2].startsWith("$")) found.push(m[2]);
  for (const m of text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/([^/@\s"'?#]+)@/gi)) {
    const info = m[1];
    const colon = info.indexOf(":");
    found.push(colon >= 0 ? info.slice(colon + 1) : info);
  }
  return found.filter((v) => v.length > 0);
}

export class SecretMasker {
  private literals: string[] = [];
  private literalRe: RegExp | null = null;

  constructor(secrets: Iterable<string | undefined | null> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Adds a secret (ignored when empty or too short to mask by value). */
  add(secret: string | undefined | null): void {
    if (typeof secret !== "string") return;
    const s = secret.trim();
    if (s.length < MIN_LITERAL) return;
    let changed = false;
    for (const v of variants(s)) {
      if (!this.literals.includes(v)) {
        this.literals.push(v);
        changed = true;
      }
    }
    if (!changed) return;
    this.literals.sort((a, b) => b.length - a.length); // longest first: a secret containing another is masked whole
    this.literalRe = new RegExp(this.literals.map(escapeRe).join("|"), "g");
  }

  /** Adds every secret-looking value found in `text` (a configured URL, a template). */
  addFrom(text: string | undefined | null): void {
    if (typeof text !== "string" || text === "") return;
    for (const s of secretsIn(text)) this.add(s);
  }

  get size(): number {
    return this.literals.length;
  }

  /** The text with every known secret and secret-looking value masked. */
  mask(text: string): string {
    if (typeof text !== "string" || text === "") return text;
    let out = text;
    if (this.literalRe !== null) {
      this.literalRe.lastIndex = 0;
      out = out.replace(this.literalRe, MASK);
      out = this.maskCutEnds(out);
    }
    out = out.replace(USERINFO_RE, `$1${MASK}@`);
    out = out.replace(QUERY_RE, (_m, name: string, value: string) => (value === "" || value === MASK ? name + value : name + MASK));
    out = out.replace(JSON_RE, (_m, head: string, value: string) => (value === "" || value === MASK ? head + value : head + MASK));
    out = out.replace(BEARER_RE, `$1 ${MASK}`);
    out = out.replace(JWT_RE, MASK);
    return out;
  }

  /** A copy of `value` with every string in it masked (objects and arrays copied, other values as is). */
  maskDeep<T>(value: T, depth = 0): T {
    if (typeof value === "string") return this.mask(value) as unknown as T;
    if (value === null || typeof value !== "object" || depth > 8) return value;
    if (Array.isArray(value)) return (value as unknown[]).map((v) => this.maskDeep(v, depth + 1)) as unknown as T;
    if (value instanceof Error) {
      const e = new Error(this.mask(value.message));
      e.name = value.name;
      return e as unknown as T;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = this.maskDeep(v, depth + 1);
    return out as T;
  }

  /** A secret cut by truncation at the start or end of the text: mask the remnant. */
  private maskCutEnds(text: string): string {
    let out = text;
    for (const lit of this.literals) {
      const max = Math.min(lit.length - 1, out.length);
      for (let n = max; n >= MIN_PARTIAL; n--) {
        if (out.endsWith(lit.slice(0, n))) {
          out = out.slice(0, out.length - n) + MASK;
          break;
        }
      }
      const max2 = Math.min(lit.length - 1, out.length);
      for (let n = max2; n >= MIN_PARTIAL; n--) {
        if (out.startsWith(lit.slice(lit.length - n))) {
          out = MASK + out.slice(n);
          break;
        }
      }
    }
    return out;
  }
}

/** Masks, then cuts to `max` characters (never the other way round: a cut could split a secret). */
export function maskAndCut(masker: SecretMasker, text: string, max: number): string {
  const m = masker.mask(text);
  return m.length > max ? m.slice(0, max) + "…" : m;
}
