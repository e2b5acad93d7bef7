/** Provider registry: provider id -> factory. Adding a provider = one module + one line here. */
import type { ProviderId } from "../types";
import { createAllTick } from "./alltick";
import { createAlpaca } from "./alpaca";
import { createBinance } from "./binance";
import { createCoinbase } from "./coinbase";
import { createFinnhub } from "./finnhub";
import { createGeneric } from "./generic";
import { createPolygon } from "./polygon";
import { createReplay } from "./replay";
import { createSimulator } from "./simulator";
import { createTiingo } from "./tiingo";
import { createTwelveData } from "./twelvedata";
import type { FeedSettings, Provider, ProviderFactory } from "./types";

const FACTORIES: Partial<Record<ProviderId, ProviderFactory>> = {
  simulator: createSimulator,
  generic: createGeneric,
  alltick: createAllTick,
  polygon: createPolygon,
  alpaca: createAlpaca,
  binance: createBinance,
  finnhub: createFinnhub,
  tiingo: createTiingo,
  twelvedata: createTwelveData,
  coinbase: createCoinbase,
  replay: createReplay,
};

export const PROVIDER_IDS: readonly ProviderId[] = [
  "simulator",
  "generic",
  "alltick",
  "polygon",
  "alpaca",
  "finnhub",
  "twelvedata",
  "tiingo",
  "binance",
  "coinbase",
  "replay",
];

export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === "string" && (PROVIDER_IDS as readonly string[]).includes(value);
}

export function availableProviders(): ProviderId[] {
  return PROVIDER_IDS.filter((id) => FACTORIES[id] !== undefined);
}

/** Creates the provider for a feed; throws a clear Error for an unknown or unavailable one or bad settings. */
export function createProvider(settings: FeedSettings): Provider {
  const factory = FACTORIES[settings.provider];
  if (factory === undefined) throw new Error(`Provider "${settings.provider}" is not available in this version.`);
  return factory(settings);
}

/** Lets a provider module register itself (used by provider modules added later). */
export function registerProvider(id: ProviderId, factory: ProviderFactory): void {
  FACTORIES[id] = factory;
}
