/** Maps the feed's state (and this node's tick rate) to a node status: colours per the contract. */
import type { FeedStatus } from "../../lib/feed";
import type { ReplayProgress } from "../../lib/replay/server";

export interface StatusView {
  fill: "green" | "yellow" | "red" | "grey";
  shape: "dot" | "ring";
  /** Catalog key under tick-subscribe.status. */
  key: string;
  params: Record<string, string | number>;
}

/** Error codes the user must act on, with their catalog keys. */
const ERROR_KEYS: Record<string, string> = {
  http_401: "auth-failed",
  http_403: "auth-failed",
  auth_failed: "auth-failed",
  plan: "plan",
  replay_file: "replay-file",
};

/** Replay clock as a short UTC text: 2026-11-24 14:31:05Z. */
export function replayClockText(us: number | null): string {
  if (us === null) return "-";
  const d = new Date(Math.floor(us / 1000));
  return Number.isNaN(d.getTime()) ? "-" : d.toISOString().slice(0, 19).replace("T", " ") + "Z";
}

export function statusView(
  feed: FeedStatus,
  symbols: number,
  ratePerSec: number,
  now: number,
  replay: ReplayProgress | null = null,
): StatusView {
  // A connection that keeps failing before it is ready (bad certificate, unknown host, refused
  // handshake): red while the retries go on, until one succeeds.
  if (feed.failing !== undefined && (feed.state === "connecting" || feed.state === "reconnecting")) {
    return { fill: "red", shape: "ring", key: "failing", params: { code: feed.failing.code, attempts: feed.failing.attempts } };
  }
  switch (feed.state) {
    case "open":
      if (feed.unplaced > 0) return { fill: "red", shape: "ring", key: "unplaced", params: { count: feed.unplaced } };
      if (symbols === 0) return { fill: "green", shape: "ring", key: "no-symbols", params: {} };
      if (replay !== null) {
        const params = {
          percent: Math.floor(replay.percent),
          time: replayClockText(replay.clock),
          pass: replay.pass,
          rate: Math.round(ratePerSec),
          speed: replay.speed,
        };
        switch (replay.state) {
          case "paused":
            return { fill: "grey", shape: "dot", key: "replay-paused", params };
          case "ended":
            return { fill: "grey", shape: "ring", key: "replay-ended", params };
          case "playing":
            return { fill: "green", shape: "dot", key: replay.pass > 1 ? "replay-pass" : "replay", params };
          default:
            return { fill: "green", shape: "ring", key: "replay-waiting", params };
        }
      }
      return { fill: "green", shape: "dot", key: "streaming", params: { symbols, rate: Math.round(ratePerSec) } };
    case "connecting":
      return { fill: "yellow", shape: "ring", key: "connecting", params: {} };
    case "reconnecting": {
      const left = feed.waitMs === undefined ? 0 : Math.max(0, Math.ceil((feed.waitMs - (now - feed.at)) / 1000));
      return left > 0
        ? { fill: "yellow", shape: "ring", key: "reconnecting-in", params: { seconds: left } }
        : { fill: "yellow", shape: "ring", key: "reconnecting", params: {} };
    }
    case "failed": {
      const code = feed.error?.code ?? "error";
      return { fill: "red", shape: "ring", key: ERROR_KEYS[code] ?? "failed", params: { code } };
    }
    case "closed":
    case "idle":
    default:
      return { fill: "grey", shape: "ring", key: "idle", params: {} };
  }
}

/** Ticks per second over the last status period. */
export class RateMeter {
  private count = 0;
  private since = Date.now();
  rate = 0;

  add(n: number): void {
    this.count += n;
  }

  /** Ends a period: the rate over it, and a new count. */
  period(): void {
    const now = Date.now();
    this.rate = (this.count * 1000) / Math.max(1, now - this.since);
    this.count = 0;
    this.since = now;
  }
}
