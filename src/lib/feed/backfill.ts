/**
 * A feed's backfill coordinator: the provider's REST history client, dedup keys computed as the
 * feed's own dedup computes them, and the feed's delivery, events and demand (`FeedBackfillLink`).
 */
import { BackfillCoordinator, type BackfillSettings } from "../backfill/coordinator";
import { createHistoryClient } from "../backfill";
import type { Provider } from "../providers/types";
import { nowMicros } from "../time";
import { normalizeTick } from "../ticknorm";
import type { RawTick } from "../types";
import type { FeedLog } from "./types";

/** What the coordinator needs of the feed. */
export interface FeedBackfillLink {
  /** Backfilled ticks through the live path; returns how many passed dedup. */
  deliver(ticks: RawTick[]): number;
  /** A backfill event for the users holding `symbol` (trades). */
  event(symbol: string, payload: Record<string, unknown>): void;
  /** Whether some user still wants the symbol's trades. */
  wanted(symbol: string): boolean;
}

export function createFeedBackfill(
  provider: Provider,
  settings: BackfillSettings,
  log: FeedLog,
  link: FeedBackfillLink,
): BackfillCoordinator {
  const client = createHistoryClient(provider.settings, settings.restUrl);
  if ("unsupported" in client) log.warn(`${provider.id}: backfill is on but unavailable: ${client.unsupported}`);
  return new BackfillCoordinator(client, settings, {
    now: nowMicros,
    // Keys of the normalized tick, as the feed's own dedup computes them (live ticks are normalized).
    key: (t) => {
      const n = normalizeTick(t);
      return provider.dedupKey(typeof n === "string" ? t : n);
    },
    deliver: (ticks) => link.deliver(ticks),
    event: (symbol, payload) => link.event(symbol, { ...payload, provider: provider.id }),
    wanted: (symbol) => link.wanted(symbol),
    warn: (text) => log.warn(`${provider.id}: ${text}`),
  });
}
