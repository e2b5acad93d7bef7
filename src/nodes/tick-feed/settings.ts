/** Turns the tick-feed node's properties into provider settings and feed options (pure, unit-tested). */
import { X509Certificate } from "crypto";
import { existsSync } from "fs";
import { homedir } from "os";
import { isAbsolute, join, resolve } from "path";
import { DEFAULT_FAIL_AFTER, DEFAULT_FEED_OPTIONS, DEFAULT_MAX_FRAME_BYTES, type FeedOptions } from "../../lib/feed";
import { DEFAULT_BACKFILL, type BackfillSettings } from "../../lib/backfill/coordinator";
import { isProviderId } from "../../lib/providers";
import { looseNumber } from "../../lib/numbers";
import type { FeedSettings } from "../../lib/providers/types";

export interface TickFeedConfig {
  provider?: unknown;
  url?: unknown;
  options?: unknown;
  /** Reconnect backoff bounds (ms). */
  backoffMin?: unknown;
  backoffMax?: unknown;
  /** WebSocket ping interval (s); 0 = off; empty = provider default. */
  pingInterval?: unknown;
  /** Reconnect after this many seconds without any frame; 0 = off; empty = provider default. */
  staleTimeout?: unknown;
  /** Plan limits; 0/empty = provider default. */
  symbolsPerConnection?: unknown;
  maxConnections?: unknown;
  /** Dedup on/off and its event-time window (s). */
  dedup?: unknown;
  dedupWindow?: unknown;
  /** Largest inbound frame in MiB (empty = 8). */
  maxFrameSize?: unknown;
  /** Extra trusted CA certificate(s), PEM text (empty = the system's CAs only). */
  ca?: unknown;
  /** Consecutive failed connection attempts before a catchable error and a red status (empty = 5, 0 = never). */
  failAfter?: unknown;
  /** Backfill after a reconnect: "off" (default) | "on"; its REST base URL (empty = provider default) and caps. */
  backfill?: unknown;
  restUrl?: unknown;
  /** How far back a gap is filled (minutes) and how many trades per symbol and gap. */
  backfillMinutes?: unknown;
  backfillTrades?: unknown;
  /** Advanced (not in the editor): a resubscribed symbol without a live trade for this long is filled up to now (ms). */
  backfillQuietMs?: unknown;
  /** Provider `replay`: the recording, its speed, loop and event-time window. */
  file?: unknown;
  speed?: unknown;
  loop?: unknown;
  from?: unknown;
  to?: unknown;
}

/** Checks a PEM bundle of CA certificates; returns it trimmed, or throws a message naming the problem. */
export function parseCaPem(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const text = value.trim().replace(/\\n/g, "\n");
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (blocks === null) throw new Error("The CA must be PEM text with at least one -----BEGIN CERTIFICATE----- block.");
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch (err) {
      throw new Error(`The CA certificate cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return blocks.join("\n");
}

/** This package's folder (dist/nodes/tick-feed -> package root). */
export const PACKAGE_DIR = resolve(__dirname, "..", "..", "..");

/**
 * Where a replay file is: an absolute path as is; `~/...` in the home directory; a relative
 * path in the first of `dirs` that has it (the node passes Node-RED's fileWorkingDirectory or
 * the working directory, its user directory, then this package's folder, so
 * `data/sample-session.jsonl.gz` finds the shipped sample from an installed package); when none
 * has it, the first candidate (so the error names a path).
 */
export function resolveReplayFile(file: string, dirs: readonly string[]): string {
  const f = file.trim();
  if (f === "" || isAbsolute(f)) return f;
  if (f === "~" || f.startsWith("~/")) return join(homedir(), f.slice(1));
  const candidates = dirs.filter((d) => d !== "").map((d) => resolve(d, f));
  for (const c of candidates) if (existsSync(c)) return c;
  return candidates[0] ?? resolve(f);
}

export function resolveSettings(
  config: TickFeedConfig,
  credentials: { apiKey?: string; apiSecret?: string } | undefined,
  fileDirs: readonly string[] = [process.cwd(), PACKAGE_DIR],
): FeedSettings {
  const provider = config.provider === undefined || config.provider === "" ? "simulator" : config.provider;
  if (!isProviderId(provider)) throw new Error(`Unknown provider "${String(provider)}".`);
  const url = typeof config.url === "string" ? config.url.trim() : "";
  if (url !== "" && !/^wss?:\/\//i.test(url)) throw new Error("The URL must start with ws:// or wss://.");
  let options =
    config.options !== null && typeof config.options === "object" && !Array.isArray(config.options)
      ? (config.options as Record<string, unknown>)
      : {};
  if (provider === "replay") {
    const file = typeof config.file === "string" ? config.file : "";
    options = {
      ...options,
      file: resolveReplayFile(file, fileDirs),
      speed: config.speed,
      loop: config.loop,
      from: config.from,
      to: config.to,
    };
  }
  return {
    provider,
    url,
    apiKey: (credentials?.apiKey ?? "").trim(),
    apiSecret: (credentials?.apiSecret ?? "").trim(),
    options,
  };
}

/** The backfill settings of a feed node; throws on a bad REST URL. */
export function resolveBackfill(config: TickFeedConfig): BackfillSettings {
  const enabled = config.backfill === true || config.backfill === "on" || config.backfill === "true";
  const restUrl = typeof config.restUrl === "string" ? config.restUrl.trim() : "";
  if (restUrl !== "" && !/^https?:\/\/\S+$/i.test(restUrl)) throw new Error("The REST URL must start with http:// or https://.");
  const minutes = looseNumber(config.backfillMinutes);
  const trades = looseNumber(config.backfillTrades);
  const quiet = looseNumber(config.backfillQuietMs);
  return {
    ...DEFAULT_BACKFILL,
    enabled,
    restUrl,
    maxAgeMs: minutes !== undefined && minutes > 0 ? minutes * 60_000 : DEFAULT_BACKFILL.maxAgeMs,
    maxTrades: trades !== undefined && trades >= 1 ? Math.floor(trades) : DEFAULT_BACKFILL.maxTrades,
    quietMs: quiet !== undefined && quiet > 0 ? quiet : DEFAULT_BACKFILL.quietMs,
  };
}

export function resolveOptions(config: TickFeedConfig): FeedOptions {
  const min = looseNumber(config.backoffMin);
  const max = looseNumber(config.backoffMax);
  const baseMs = min !== undefined && min > 0 ? min : DEFAULT_FEED_OPTIONS.backoff.baseMs;
  const capMs = Math.max(baseMs, max !== undefined && max > 0 ? max : DEFAULT_FEED_OPTIONS.backoff.capMs);
  const ping = looseNumber(config.pingInterval);
  const stale = looseNumber(config.staleTimeout);
  const window = looseNumber(config.dedupWindow);
  return {
    ...DEFAULT_FEED_OPTIONS,
    backoff: { baseMs, capMs, floorMs: Math.min(DEFAULT_FEED_OPTIONS.backoff.floorMs, baseMs) },
    pingMs: ping !== undefined && ping >= 0 ? ping * 1000 : undefined,
    staleMs: stale !== undefined && stale >= 0 ? stale * 1000 : undefined,
    symbolsPerConnection: looseNumber(config.symbolsPerConnection),
    maxConnections: looseNumber(config.maxConnections),
    dedup: config.dedup !== false && config.dedup !== "false",
    dedupWindow: window !== undefined && window > 0 ? { horizonUs: window * 1_000_000 } : {},
    maxFrameBytes: frameBytes(looseNumber(config.maxFrameSize)),
    ca: parseCaPem(config.ca),
    failAfter: failAfter(looseNumber(config.failAfter)),
    backfill: resolveBackfill(config),
  };
}

function frameBytes(mib: number | undefined): number {
  if (mib === undefined || mib <= 0) return DEFAULT_MAX_FRAME_BYTES;
  return Math.max(1024, Math.round(mib * 1024 * 1024));
}

function failAfter(n: number | undefined): number {
  if (n === undefined || n < 0) return DEFAULT_FAIL_AFTER;
  return Math.floor(n);
}
