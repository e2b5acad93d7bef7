/**
 * `replay`: plays a recorded file (../replay/server.ts) through a local WebSocket server on
 * 127.0.0.1, reached through the same connection slot as a live provider, so subscriptions,
 * dedup, events and status behave as live. `recvTs` is the replay clock.
 *
 * Options (from the tick-feed properties file, speed, loop, from, to):
 *   file   absolute path (the node resolves relative paths)
 *   speed  1 = real time (default), N = N times faster, 0 = as fast as the flow takes them
 *   loop   true: play again, each pass shifted to the next trading day(s)
 *   from/to  event-time window [from, to): ISO-8601 or µs
 */
import { toMicros } from "../time";
import { type ReplayAction, type ReplayOptions, type ReplayProgress, ReplayServer } from "../replay/server";
import type { Channel, RawTick } from "../types";
import { contentKey, idKey, NO_LIMITS, parseFrame, sample, BOTH_CHANNELS } from "./common";
import { defineProvider } from "./descriptor";
import { isProviderId } from "./index";
import type { FeedSettings, Provider, ProviderSession, SessionContext, SubscriptionChange } from "./types";

/** What a replay provider adds to the Provider interface. */
export interface ReplayControl {
  control(action: ReplayAction, arg?: number): string | undefined;
  progress(): ReplayProgress;
}

/** A point in time for from/to/seek: ISO-8601 text or a number/numeric string of µs (s/ms/ns by magnitude). Null when empty; NaN when unreadable. */
export function replayTime(value: unknown): number | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value === "string" && value.trim() === "") return null;
  const text = typeof value === "string" ? value.trim() : value;
  // A date alone means its midnight UTC.
  if (typeof text === "string" && /^\d{4}-\d{2}-\d{2}$/.test(text)) return toMicros(text + "T00:00:00Z", "auto");
  return toMicros(text, "auto");
}

/** Reads and checks the replay options; throws a clear Error for bad ones. */
export function replayOptions(options: Record<string, unknown>): ReplayOptions {
  const file = typeof options.file === "string" ? options.file.trim() : "";
  if (file === "") throw new Error("The replay needs a file.");
  const rawSpeed = options.speed;
  const speed = rawSpeed === undefined || rawSpeed === "" || rawSpeed === null ? 1 : Number(rawSpeed);
  if (!Number.isFinite(speed) || speed < 0)
    throw new Error(`Replay speed must be a number >= 0 (0 = as fast as the flow takes them); got "${String(rawSpeed)}".`);
  const from = replayTime(options.from);
  const to = replayTime(options.to);
  if (from !== null && Number.isNaN(from)) throw new Error(`Replay "from" is not a time (ISO-8601 or µs): "${String(options.from)}".`);
  if (to !== null && Number.isNaN(to)) throw new Error(`Replay "to" is not a time (ISO-8601 or µs): "${String(options.to)}".`);
  if (from !== null && to !== null && to <= from) throw new Error('Replay "to" must be after "from".');
  return { file, speed, loop: options.loop === true || options.loop === "true", from, to };
}

/** A tick as our own server sent it (trusted shape, checked lightly), in the Tick key order. */
function toTick(o: Record<string, unknown>): RawTick | undefined {
  if (
    typeof o.symbol !== "string" ||
    (o.type !== "trade" && o.type !== "quote") ||
    typeof o.ts !== "number" ||
    typeof o.recvTs !== "number"
  )
    return undefined;
  const t: RawTick = {
    symbol: o.symbol,
    type: o.type,
    ts: o.ts,
    recvTs: o.recvTs,
    provider: isProviderId(o.provider) ? o.provider : "replay",
  };
  const out: Record<string, unknown> = { symbol: t.symbol, type: t.type };
  for (const k of ["price", "size", "bid", "bidSize", "ask", "askSize"]) if (typeof o[k] === "number") out[k] = o[k];
  out.ts = t.ts;
  out.recvTs = t.recvTs;
  for (const k of ["exchange", "conditions", "id", "seq"]) if (o[k] !== undefined && o[k] !== null) out[k] = o[k];
  out.provider = t.provider;
  if (o.backfill === true) out.backfill = true;
  if (o.extra !== undefined && o.extra !== null) out.extra = o.extra;
  return out as unknown as RawTick;
}

export function createReplay(settings: FeedSettings): Provider & ReplayControl {
  const opts = replayOptions(settings.options);
  let server: ReplayServer | null = null;
  const get = (): ReplayServer => {
    if (server === null) server = new ReplayServer(opts);
    return server;
  };
  return {
    id: "replay",
    settings,
    limits: { ...NO_LIMITS },
    // Loopback: no pings or stall checks (a paused replay or a long gap at speed 1 is silent on purpose).
    timing: { heartbeatMs: 0, staleMs: 0, pingMs: 0, authTimeoutMs: 10_000 },
    channels: BOTH_CHANNELS,
    contentKeys: false,
    connectUrl: () => get().start(),
    displayUrl: () => `replay ${opts.file}`,
    // A loop pass replays the same trades shifted in time: the key includes the (shifted) time.
    dedupKey: (t: RawTick) => (t.id !== undefined && t.id !== null ? idKey(t) + "@" + t.ts : contentKey(t)),
    createSession: (ctx: SessionContext): ProviderSession => ({
      open: () => ctx.ready(),
      subscribe: (change: SubscriptionChange) => {
        for (const ch of BOTH_CHANNELS) {
          if (change.remove[ch].length > 0) ctx.send({ action: "unsubscribe", channel: ch, symbols: change.remove[ch] });
          if (change.add[ch].length > 0) ctx.send({ action: "subscribe", channel: ch, symbols: change.add[ch] });
        }
      },
      message: (data: Buffer) => {
        const v = parseFrame(data, ctx);
        if (Array.isArray(v)) {
          for (const item of v) {
            const t = item !== null && typeof item === "object" ? toTick(item as Record<string, unknown>) : undefined;
            if (t === undefined) ctx.malformed("bad tick from the replay server", sample(item));
            else ctx.tick(t);
          }
          return;
        }
        if (v === null || typeof v !== "object") return;
        const m = v as Record<string, unknown>;
        const symbols = Array.isArray(m.symbols) ? (m.symbols as string[]) : [];
        const channel: Channel = m.channel === "quotes" ? "quotes" : "trades";
        switch (m.event) {
          case "subscribed":
            ctx.subscribed(symbols, channel);
            return;
          case "unsubscribed":
            ctx.unsubscribed(symbols, channel);
            return;
          case "malformed":
            ctx.malformed(`line ${String(m.line)}: ${String(m.reason)}`, typeof m.sample === "string" ? m.sample : undefined);
            return;
          case "replay-end": {
            const { event: _e, ...payload } = m;
            ctx.event("replay-end", payload);
            return;
          }
          case "error":
            ctx.fail({ kind: "plan", code: "replay_file", message: String(m.message) });
            return;
        }
      },
    }),
    control: (action: ReplayAction, arg?: number) => get().control(action, arg),
    progress: () => get().progress(),
    dispose: async () => {
      const s = server;
      server = null;
      if (s !== null) await s.close();
    },
  };
}

export function isReplayControl(p: Provider): p is Provider & ReplayControl {
  return typeof (p as Partial<ReplayControl>).control === "function" && typeof (p as Partial<ReplayControl>).progress === "function";
}

/** Its settings are top-level tick-feed properties (the editor's fixed rows), not `options`. */
export const REPLAY = defineProvider({
  id: "replay",
  label: "Replay a recorded file",
  properties: ["file", "speed", "loop", "from", "to"],
  backfill: { unsupported: "replay has no REST trade history." },
  testable: false,
  create: createReplay,
});
