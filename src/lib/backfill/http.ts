/**
 * The HTTP side of backfill: GET with a deadline, an abort signal, a pace between requests and
 * retries that respect the provider's rate limits.
 *
 * - 429 (and Binance's 418 ban) waits `Retry-After` seconds (or an HTTP date), else Alpaca's
 *   `X-RateLimit-Reset` (Unix seconds), else the provider's window (`rateLimitMs`: Polygon's
 *   free plan allows 5 requests a minute and sends no Retry-After), else an exponential backoff; a wait longer than
 *   `maxWaitMs` is not sat out: the request fails with code `rate_limited` and the wait in the text.
 * - 5xx and network errors retry with exponential backoff (`retries` times).
 * - Any other non-2xx fails at once with the provider's own message (`error`, `message`, `msg`).
 * - Credentials never leave in an error: every message is masked (key, secret, `apiKey=` style
 *   query parameters).
 *
 * The transport (`HttpGet`) and the clock (`sleep`) are injected; the default transport is
 * Node's built-in `fetch`.
 */
import { parseLossless } from "../json";
import { redactUrl } from "../providers/common";
import { SecretMasker } from "../secrets";

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
}

export type HttpGet = (url: string, headers: Record<string, string>, signal: AbortSignal) => Promise<HttpResponse>;

/** Waits `ms` (rejects with the signal's reason when aborted). */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface RestOptions {
  /** Deadline per request (ms). */
  timeoutMs: number;
  /** Retries after a 429/418/5xx/network error. */
  retries: number;
  /** Longest rate-limit wait sat out (ms); a longer Retry-After fails the request. */
  maxWaitMs: number;
  /** Least time between two requests of this client (ms). */
  minIntervalMs: number;
  /** First backoff step (ms) when the server says nothing about waiting. */
  backoffMs: number;
  /** Wait after a 429 that does not say how long (ms; 0 = the exponential backoff): the provider's window. */
  rateLimitMs: number;
}

export const DEFAULT_REST_OPTIONS: RestOptions = {
  timeoutMs: 15_000,
  retries: 4,
  maxWaitMs: 60_000,
  minIntervalMs: 0,
  backoffMs: 1000,
  rateLimitMs: 0,
};

/** A failed REST request: `code` is machine-readable, `message` is masked and human. */
export class RestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "RestError";
  }
}

/** A configured REST base URL, or the provider's default, without trailing slashes. */
export function restBase(restUrl: string, dflt: string): string {
  return (restUrl || dflt).replace(/\/+$/, "");
}

/** A trades answer decoded (lossless: long ids stay exact); not JSON = `bad_response` naming the provider. */
export function jsonBody(body: string, provider: string, lossless = true): unknown {
  try {
    return lossless ? parseLossless(body) : JSON.parse(body);
  } catch {
    throw new RestError("bad_response", `${provider}: the trades answer is not JSON`);
  }
}

/** A trades answer that must be a JSON object (arrays pass, as the providers' own checks did). */
export function objectBody(body: string, provider: string): Record<string, unknown> {
  const v = jsonBody(body, provider);
  if (v === null || typeof v !== "object") throw new RestError("bad_response", `${provider}: the trades answer is not an object`);
  return v as Record<string, unknown>;
}

export const fetchGet: HttpGet = async (url, headers, signal) => {
  const res = await fetch(url, { method: "GET", headers, signal, redirect: "follow" });
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => (out[k.toLowerCase()] = v));
  return { status: res.status, headers: out, body: await res.text() };
};

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(new RestError("aborted", "aborted"));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RestError("aborted", "aborted"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });

/** Replaces every secret (and credential-looking parameter, URL user-info, Bearer token) in `text` with ***. */
export function maskSecrets(text: string, secrets: readonly string[] | SecretMasker): string {
  const masker = secrets instanceof SecretMasker ? secrets : new SecretMasker(secrets);
  return masker.mask(redactUrl(text));
}

/** How long a rate-limited response asks us to wait (ms), or undefined when it does not say. */
export function retryAfterMs(headers: Record<string, string>, nowMs: number): number | undefined {
  const ra = headers["retry-after"];
  if (ra !== undefined && ra.trim() !== "") {
    const secs = Number(ra);
    if (Number.isFinite(secs) && secs >= 0) return Math.ceil(secs * 1000);
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - nowMs);
  }
  const reset = headers["x-ratelimit-reset"];
  if (reset !== undefined && /^\d+$/.test(reset.trim())) {
    const at = Number(reset) * 1000;
    if (at > nowMs) return at - nowMs;
  }
  return undefined;
}

/** The provider's error text from a JSON (or plain) error body. */
export function errorText(body: string): string {
  const t = body.trim();
  if (t === "") return "";
  try {
    const v = JSON.parse(t) as Record<string, unknown>;
    if (v !== null && typeof v === "object") {
      for (const k of ["message", "error", "msg", "error_details"]) {
        const x = v[k];
        if (typeof x === "string" && x !== "") return x;
      }
    }
  } catch {
    /* not JSON: the text itself */
  }
  return t.length > 200 ? t.slice(0, 200) + "…" : t;
}

export interface RestStats {
  requests: number;
  retries: number;
  rateLimited: number;
  waitedMs: number;
}

/** One client's REST session: pacing, retries, masking. */
export class RestSession {
  readonly stats: RestStats = { requests: 0, retries: 0, rateLimited: 0, waitedMs: 0 };
  private lastAt = -Infinity;
  private readonly masker: SecretMasker;

  constructor(
    private readonly get: HttpGet,
    private readonly sleep: Sleep,
    private readonly now: () => number,
    private readonly opts: RestOptions,
    secrets: readonly string[],
  ) {
    this.masker = new SecretMasker(secrets);
  }

  mask(text: string): string {
    return maskSecrets(text, this.masker);
  }

  /** GET `url`; resolves with the 2xx response, or rejects with a RestError. */
  async request(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<HttpResponse> {
    let attempt = 0;
    for (;;) {
      if (signal.aborted) throw new RestError("aborted", "aborted");
      const gap = this.lastAt + this.opts.minIntervalMs - this.now();
      if (gap > 0) await this.sleep(gap, signal);
      this.lastAt = this.now();
      this.stats.requests++;
      let res: HttpResponse;
      try {
        res = await this.withDeadline(url, headers, signal);
      } catch (err) {
        if (signal.aborted) throw new RestError("aborted", "aborted");
        if (attempt >= this.opts.retries) {
          const text = err instanceof RestError ? err.message : err instanceof Error ? err.message : String(err);
          throw new RestError(err instanceof RestError ? err.code : "network", this.mask(`request failed: ${text}`));
        }
        await this.pause(this.backoff(attempt++), signal);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;
      const text = this.mask(errorText(res.body));
      if (res.status === 429 || res.status === 418) {
        this.stats.rateLimited++;
        const asked = retryAfterMs(res.headers, this.now());
        const wait = asked ?? (this.opts.rateLimitMs > 0 ? this.opts.rateLimitMs : this.backoff(attempt));
        if (attempt >= this.opts.retries || wait > this.opts.maxWaitMs) {
          const secs = Math.ceil(wait / 1000);
          throw new RestError(
            res.status === 418 ? "ip_banned" : "rate_limited",
            `HTTP ${res.status}: rate limit${asked !== undefined ? `, the provider asks to wait ${secs} s` : ""}${text ? ` (${text})` : ""}`,
            res.status,
          );
        }
        attempt++;
        await this.pause(wait, signal);
        continue;
      }
      if (res.status >= 500 && attempt < this.opts.retries) {
        await this.pause(this.backoff(attempt++), signal);
        continue;
      }
      const code =
        res.status === 401 || res.status === 403
          ? "not_authorized"
          : res.status === 404 || res.status === 400 || res.status === 422
            ? "bad_request"
            : "http_" + res.status;
      throw new RestError(code, `HTTP ${res.status}${text ? `: ${text}` : ""}`, res.status);
    }
  }

  private backoff(attempt: number): number {
    return this.opts.backoffMs * 2 ** Math.min(attempt, 6);
  }

  private async pause(ms: number, signal: AbortSignal): Promise<void> {
    this.stats.retries++;
    this.stats.waitedMs += ms;
    await this.sleep(ms, signal);
  }

  private withDeadline(url: string, headers: Record<string, string>, outer: AbortSignal): Promise<HttpResponse> {
    const ctl = new AbortController();
    const onAbort = (): void => ctl.abort();
    outer.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => ctl.abort(), this.opts.timeoutMs);
    return this.get(url, headers, ctl.signal)
      .catch((err: unknown) => {
        if (ctl.signal.aborted && !outer.aborted)
          throw new RestError("timeout", `no answer within ${Math.round(this.opts.timeoutMs / 1000)} s`);
        throw err;
      })
      .finally(() => {
        clearTimeout(timer);
        outer.removeEventListener("abort", onAbort);
      });
  }
}
