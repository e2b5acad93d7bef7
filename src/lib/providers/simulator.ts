/**
 * `simulator`: a local market (../simulator/server.ts) that the feed starts on 127.0.0.1 with
 * an ephemeral port the first time it connects, reached through the same connection code as a
 * real provider. With `url` set, it connects to that simulator instead (e.g. one shared server).
 *
 * Options: ratePerSymbol (trades/s per symbol, default 4), seed (reproducible stream), clock
 * (`live`, default: event time = now; `session`: the last trading day's regular session replayed
 * in real time from its open, so sessions and condition rules show at any hour).
 */
import { SimulatorServer } from "../simulator/server";
import { numOption } from "./common";
import { defineProvider, numberOption, selectOption } from "./descriptor";
import { makeGenericProvider } from "./generic";
import { DEFAULT_MAPPING, type GenericConfig } from "./generic-config";
import type { FeedSettings, Provider } from "./types";

export const SIMULATOR_CONFIG: GenericConfig = {
  mapping: { ...DEFAULT_MAPPING },
  timeUnit: "us",
  dataPath: "",
  subscribeTemplate: '{"action":"subscribe","channel":"$channel","symbols":"$symbols"}',
  unsubscribeTemplate: '{"action":"unsubscribe","channel":"$channel","symbols":"$symbols"}',
  authTemplate: "",
  heartbeatTemplate: "",
  heartbeatMs: 0,
  staleMs: 10_000,
  bigInts: true,
};

export function createSimulator(settings: FeedSettings): Provider {
  let server: SimulatorServer | null = null;
  const provider = makeGenericProvider(settings, SIMULATOR_CONFIG, "simulator", () => {
    if (server === null) {
      server = new SimulatorServer({
        ratePerSymbol: numOption(settings.options, "ratePerSymbol", 4) || 4,
        seed: numOption(settings.options, "seed", 0),
        clock: settings.options.clock === "session" ? "session" : "live",
      });
    }
    return server.start();
  });
  return {
    ...provider,
    displayUrl: () => (settings.url !== "" ? settings.url : "simulator (local)"),
    dispose: async () => {
      const s = server;
      server = null;
      if (s !== null) await s.close();
    },
  };
}

export const SIMULATOR = defineProvider({
  id: "simulator",
  label: "Simulator (no key, local)",
  options: [
    numberOption("ratePerSymbol", "tick-feed.label.ratePerSymbol", 4, "positive", "0.01", { width: "100px" }),
    selectOption("clock", "tick-feed.label.simulatorClock", ["live", "session"], "tick-feed.simulatorClock.", { width: "70%" }),
  ],
  conditions: "sip",
  backfill: { unsupported: "The simulator has no history to fetch." },
  create: createSimulator,
});
