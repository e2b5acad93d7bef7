/**
 * "Test connection": opens a feed exactly as a deployed tick-feed would (same provider module,
 * same connection slot, same handshake), subscribes one probe symbol, and reports what happened
 * within a bound: ok, the key was refused, the plan does not allow it, a connection/rate limit,
 * or the endpoint could not be reached. Always closes everything it opened. The caller masks
 * secrets in what it passes on (../secrets.ts).
 */
import { DEFAULT_FEED_OPTIONS, FeedCore, type FeedEventTopic, type FeedOptions, type FeedStatus, type FeedUser } from "./feed";
import { findProvider } from "./providers";
import type { Provider } from "./providers/types";
import type { Channel, Tick } from "./types";

export type ProbeOutcome = "ok" | "auth" | "plan" | "limit" | "unreachable" | "timeout";

export interface ProbeResult {
  outcome: ProbeOutcome;
  /** Machine code of what decided the outcome (e.g. "subscribed", "auth_failed", "ECONNREFUSED"). */
  code: string;
  /** Detail for people (from the provider module; the caller masks secrets before it leaves the process). */
  message: string;
  /** The symbol the probe subscribed. */
  symbol: string;
  ms: number;
}

export interface ProbeOptions {
  /** Bound on the whole probe, close included (ms). */
  timeoutMs: number;
  /** After the handshake, how long to wait for a subscription confirmation, a tick or a refusal (ms). */
  settleMs: number;
  /** The symbol to subscribe (default: one every plan of the provider carries). */
  symbol?: string;
}

export const DEFAULT_PROBE: ProbeOptions = { timeoutMs: 10_000, settleMs: 2_500 };

/** A symbol each provider's cheapest plan streams (the probe only needs a subscription answer): its descriptor's. */
export function probeSymbol(provider: Provider): string {
  const d = findProvider(provider.id);
  if (d === undefined) return "AAPL";
  const by = d.testSymbolBy;
  const value = by === undefined ? undefined : provider.settings.options[by.option];
  return by !== undefined && typeof value === "string" && Object.hasOwn(by.values, value) ? by.values[value] : d.testSymbol;
}

const LIMIT_CODES = /^(http_429|rate_limited|max_connections|connection_limit|too_many)/;

/** Runs one probe; never rejects. */
export async function probeFeed(
  provider: Provider,
  feedOptions: Partial<FeedOptions> = {},
  options: Partial<ProbeOptions> = {},
): Promise<ProbeResult> {
  const opts = { ...DEFAULT_PROBE, ...options };
  const symbol = opts.symbol ?? probeSymbol(provider);
  const started = Date.now();
  // Leave room for closing within the bound.
  const decideBy = Math.max(1000, opts.timeoutMs - 1500);
  const core = new FeedCore(
    provider,
    {
      ...DEFAULT_FEED_OPTIONS,
      ...feedOptions,
      dedup: false,
      handshakeTimeoutMs: Math.min(feedOptions.handshakeTimeoutMs ?? DEFAULT_FEED_OPTIONS.handshakeTimeoutMs, decideBy),
      authTimeoutMs: Math.min(feedOptions.authTimeoutMs ?? provider.timing.authTimeoutMs, decideBy),
      closeTimeoutMs: 1000,
      lingerMs: 0,
    },
    { warn: () => undefined, error: () => undefined },
  );

  const verdict = await new Promise<Omit<ProbeResult, "symbol" | "ms">>((resolve) => {
    let settled = false;
    let connected = false;
    let lastKind = "";
    let settleTimer: NodeJS.Timeout | null = null;
    const finish = (outcome: ProbeOutcome, code: string, message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (settleTimer !== null) clearTimeout(settleTimer);
      resolve({ outcome, code, message });
    };
    const deadline = setTimeout(() => {
      if (connected) finish("ok", "connected", "connected and authenticated; no answer to the test subscription yet");
      else finish("timeout", "timeout", `no answer within ${Math.round(decideBy / 1000)} s`);
    }, decideBy);
    const user: FeedUser = {
      id: "tickstream-probe",
      onTicks: (_ticks: Tick[]) => finish("ok", "data", "connected; data is flowing"),
      onEvent: (topic: FeedEventTopic, payload: Record<string, unknown>) => {
        const code = typeof payload.code === "string" ? payload.code : typeof payload.error === "string" ? payload.error : "";
        const message = typeof payload.message === "string" ? payload.message : "";
        if (topic === "connected") {
          connected = true;
          if (settleTimer === null) settleTimer = setTimeout(() => finish("ok", "connected", "connected and authenticated"), opts.settleMs);
        } else if (topic === "subscribed") {
          finish("ok", "subscribed", `connected; ${symbol} subscribed`);
        } else if (topic === "error") {
          lastKind = typeof payload.kind === "string" ? payload.kind : lastKind;
          if (payload.kind === "auth") finish("auth", code || "auth_failed", message);
          else if (payload.kind === "plan") finish("plan", code || "plan", message);
          else if (payload.kind === "limit") finish("limit", code || "limit", message);
          else if (Array.isArray(payload.symbols) && connected)
            finish("ok", code || "rejected", `connected; the test symbol ${symbol} was refused (${code || "rejected"})`);
        }
      },
      onStatus: (status: FeedStatus) => {
        const code = status.error?.code ?? "";
        const message = status.error?.message ?? "";
        if (status.state === "failed") {
          finish(lastKind === "plan" ? "plan" : "auth", code || "failed", message);
        } else if (status.state === "reconnecting" && status.error !== undefined) {
          if (lastKind === "limit" || LIMIT_CODES.test(code)) finish("limit", code, message);
          else finish("unreachable", code, message);
        }
      },
    };
    core.register(user);
    const channels: Record<Channel, string[]> = {
      trades: provider.channels.includes("trades") ? [symbol] : [],
      quotes: provider.channels.includes("trades") ? [] : [symbol],
    };
    core.setSymbols(user, channels);
  });
  await core.close();
  return { ...verdict, symbol, ms: Date.now() - started };
}
