/**
 * Failure classification for a connection slot: which socket errors a user can act on, what an
 * HTTP status that refused the WebSocket upgrade means, and which failure an error leaves behind
 * given the one already recorded. Pure functions, no timers, no socket.
 */
import type { Provider, ProviderFailure } from "../providers/types";

/** The part of a provider that maps refusals (its own method, called on the provider). */
export type RefusalMapper = Pick<Provider, "httpFailure">;

/** TLS verification errors (Node/OpenSSL codes). */
const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "HOSTNAME_MISMATCH",
]);

/** How ws words a refused upgrade: "Unexpected server response: 401". */
const HTTP_REFUSAL = /Unexpected server response: (\d+)/;

/** Wait after an HTTP 429 refusal before the next attempt. */
export const HTTP_429_RETRY_MS = 60_000;

/**
 * Names the socket errors a user can act on: an oversized frame, an untrusted certificate, an
 * unknown host, a refused connection. Undefined for anything else (reported as socket_error).
 */
export function classifySocketError(err: Error, maxFrameBytes: number): ProviderFailure | undefined {
  const e = err as Error & { code?: string; hostname?: string };
  const code = typeof e.code === "string" ? e.code : "";
  if (code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" || /max payload size exceeded/i.test(err.message)) {
    const limit = maxFrameBytes > 0 ? ` (limit ${formatBytes(maxFrameBytes)}, the feed's "Max frame" setting)` : "";
    return {
      kind: "transient",
      code: "frame_too_large",
      message: `The server sent a frame larger than allowed${limit}: refused; reconnecting.`,
    };
  }
  if (TLS_CODES.has(code) || /^ERR_TLS_|^ERR_SSL_/.test(code)) {
    return {
      kind: "transient",
      code: "tls_error",
      message: `TLS: the server's certificate is not trusted (${code}: ${err.message}). For a private CA, paste its certificate into the feed's CA field.`,
    };
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return {
      kind: "transient",
      code: "dns_error",
      message: `Unknown host${e.hostname ? " " + e.hostname : ""} (${code}): check the URL or the network's DNS.`,
    };
  }
  if (code === "ECONNREFUSED") return { kind: "transient", code: "connection_refused", message: `Connection refused (${err.message}).` };
  return undefined;
}

/** The HTTP status of a refused WebSocket upgrade, or undefined when `err` is something else. */
export function refusedStatus(err: Error): number | undefined {
  const m = HTTP_REFUSAL.exec(err.message);
  return m === null ? undefined : Number(m[1]);
}

/**
 * What an HTTP status that refused the upgrade means: the provider's own mapping first, then
 * 401/403 auth (no retry), 429 limit (wait a minute), anything else transient.
 */
export function classifyRefusal(status: number, provider?: RefusalMapper): ProviderFailure {
  const own = provider?.httpFailure ? provider.httpFailure(status) : undefined;
  if (own !== undefined) return own;
  if (status === 401 || status === 403)
    return { kind: "auth", code: "http_" + status, message: `The server refused the key (HTTP ${status}).` };
  if (status === 429)
    return { kind: "limit", code: "http_429", message: "Too many connections or requests (HTTP 429).", retryAfterMs: HTTP_429_RETRY_MS };
  return { kind: "transient", code: "http_" + status, message: `Unexpected HTTP ${status} on connect.` };
}

/** What a socket error means for the slot. `oversized`: the frame-size limit refused a frame (reported at once). */
export interface ErrorVerdict {
  failure: ProviderFailure;
  oversized: boolean;
}

/**
 * Classifies a socket error against the failure already recorded for this run of attempts.
 * Undefined = keep the recorded one (a non-transient failure is never hidden by a later,
 * vaguer error; a transient one left from an earlier attempt is replaced).
 */
export function classifyError(
  err: Error,
  current: ProviderFailure | null,
  maxFrameBytes: number,
  provider?: RefusalMapper,
): ErrorVerdict | undefined {
  const replaceable = current === null || current.kind === "transient";
  const named = classifySocketError(err, maxFrameBytes);
  if (named !== undefined) {
    if (named.code === "frame_too_large") return { failure: named, oversized: true };
    return replaceable ? { failure: named, oversized: false } : undefined;
  }
  if (!replaceable) return undefined;
  const status = refusedStatus(err);
  if (status !== undefined) return { failure: classifyRefusal(status, provider), oversized: false };
  return { failure: { kind: "transient", code: "socket_error", message: err.message }, oversized: false };
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(2)} MiB` : n >= 1024 ? `${+(n / 1024).toFixed(1)} KiB` : `${n} bytes`;
}
