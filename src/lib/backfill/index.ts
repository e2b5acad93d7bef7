/** Backfill registry: provider -> REST history client (one module per provider). */
import { strOption } from "../providers/common";
import { descriptorOf } from "../providers";
import type { FeedSettings } from "../providers/types";
import { AlpacaHistory } from "./alpaca";
import { BinanceHistory } from "./binance";
import { CoinbaseHistory } from "./coinbase";
import { PolygonHistory } from "./polygon";
import type { HistoryClient } from "./types";

/**
 * The history client for a feed, or the reason there is none (a provider without a usable
 * REST trade history, or a live feed the history does not cover).
 */
export function createHistoryClient(settings: FeedSettings, restUrl: string): HistoryClient | { unsupported: string } {
  switch (settings.provider) {
    case "polygon": {
      const cluster = strOption(settings.options, "cluster", "stocks");
      if (cluster !== "stocks") return { unsupported: `Polygon backfill covers the stocks cluster only (this feed uses "${cluster}").` };
      return new PolygonHistory(settings, restUrl);
    }
    case "alpaca":
      try {
        return new AlpacaHistory(settings, restUrl);
      } catch (err) {
        return { unsupported: (err as Error).message };
      }
    case "binance":
      return new BinanceHistory(settings, restUrl);
    case "coinbase":
      return new CoinbaseHistory(settings, restUrl);
    default: {
      const b = descriptorOf(settings.provider).backfill;
      return { unsupported: "unsupported" in b ? b.unsupported : `${settings.provider} has no REST trade history.` };
    }
  }
}
