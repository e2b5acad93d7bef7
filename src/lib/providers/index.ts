/**
 * The provider registry: one line per provider, each a module that exports its descriptor and
 * factory (./descriptor.ts). The `ProviderId` type, the id checks, the backfill list, the
 * condition dialects and the tick-feed editor's data all derive from this list.
 */
import { ALLTICK } from "./alltick";
import { ALPACA } from "./alpaca";
import { BINANCE } from "./binance";
import { COINBASE } from "./coinbase";
import { plainDescriptor, type ProviderModule } from "./descriptor";
import { FINNHUB } from "./finnhub";
import { GENERIC } from "./generic";
import { POLYGON } from "./polygon";
import { REPLAY } from "./replay";
import { SIMULATOR } from "./simulator";
import { TIINGO } from "./tiingo";
import { TWELVEDATA } from "./twelvedata";
import type { FeedSettings, Provider } from "./types";

/**
 * The providers, in the editor's order. A function, read once on first use: provider modules
 * (replay) import this registry back, so it must not touch their exports while they load.
 */
function registry() {
  return [SIMULATOR, REPLAY, GENERIC, ALLTICK, POLYGON, ALPACA, FINNHUB, TWELVEDATA, TIINGO, BINANCE, COINBASE] as const;
}

/** A provider id: exactly the ids of the registry. */
export type ProviderId = ReturnType<typeof registry>[number]["id"];

let modules: readonly ProviderModule<ProviderId>[] | undefined;
let byId: Map<string, ProviderModule<ProviderId>> | undefined;

/** Every provider (descriptor and factory), in the editor's order. */
export function providers(): readonly ProviderModule<ProviderId>[] {
  if (modules === undefined) modules = registry();
  return modules;
}

function index(): Map<string, ProviderModule<ProviderId>> {
  if (byId === undefined) byId = new Map(providers().map((p) => [p.id, p]));
  return byId;
}

/** The provider ids, in the editor's order. */
export function providerIds(): ProviderId[] {
  return providers().map((p) => p.id);
}

export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === "string" && index().has(value);
}

/** The provider of an id that may be anything (a tick from a flow), or undefined. */
export function findProvider(id: unknown): ProviderModule<ProviderId> | undefined {
  return typeof id === "string" ? index().get(id) : undefined;
}

/** The descriptor of a provider. */
export function descriptorOf(id: ProviderId): ProviderModule<ProviderId> {
  const d = index().get(id);
  if (d === undefined) throw new Error(`Unknown provider "${String(id)}".`);
  return d;
}

/** The descriptors as plain JSON, as the tick-feed editor receives them (the `tickFeedProviders` setting). */
export function editorDescriptors(): Record<string, unknown>[] {
  return providers().map(plainDescriptor);
}

/** Creates the provider for a feed; throws a clear Error for an unknown provider or bad settings. */
export function createProvider(settings: FeedSettings): Provider {
  const p = index().get(settings.provider);
  if (p === undefined) throw new Error(`Provider "${String(settings.provider)}" is not available in this version.`);
  return p.create(settings);
}
