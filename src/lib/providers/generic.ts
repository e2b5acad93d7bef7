/**
 * `generic`: the simple JSON protocol most home-made relays speak, fully configurable.
 *
 * Default protocol:
 *   client -> {"action":"subscribe","symbols":["AAPL","TSLA"]}   (and "unsubscribe")
 *   server -> {"symbol":"AAPL","price":189.2,"size":100,"time":1732377600123}  or an array of them
 *
 * Options (all optional):
 *   symbolField, priceField, sizeField, timeField, idField, typeField, bidField, askField,
 *   bidSizeField, askSizeField, exchangeField, conditionsField, seqField   field names; a dotted
 *                                          name ("d.p") reads a nested field
 *   timeUnit        s | ms | us | ns | iso | auto (default auto: by magnitude, or ISO-8601 text)
 *   dataPath        where the tick (or array of ticks) sits in each frame, e.g. "data" (default: the frame)
 *   subscribeTemplate / unsubscribeTemplate   JSON; the string "$symbols" becomes the symbol array,
 *                   "$csv" a comma-separated string, "$channel" the channel, and "$symbol" makes one
 *                   message per symbol; "$key"/"$secret" become the credentials
 *   authTemplate    JSON sent on open (e.g. {"action":"auth","key":"$key"}); empty = none
 *   heartbeatTemplate + heartbeatMs   an application heartbeat to send; empty/0 = none
 *   staleMs         reconnect after this long without any frame (default 60000; 0 = off)
 *   bigInts         true (default): integers of 16+ digits are kept exact (ids, ns times); false: JSON.parse
 */
import type { Channel, ProviderId } from "../types";
import { defaultDedupKey, DEFAULT_TIMING, numOption, redactUrl, BOTH_CHANNELS } from "./common";
import { defineProvider, selectOption, type OptionSpec } from "./descriptor";
import {
  DEFAULT_MAPPING,
  DEFAULT_SUBSCRIBE,
  DEFAULT_UNSUBSCRIBE,
  fillTemplate,
  genericConfig,
  type GenericConfig,
  type GenericMapping,
  parseTemplate,
  usesPlaceholder,
} from "./generic-config";
import { GenericParser } from "./generic-parser";
import { SymbolResolver } from "./resolver";
import type { FeedSettings, Provider, ProviderSession, SessionContext, SubscriptionChange } from "./types";

function sampleText(data: Buffer | null): string {
  return data === null ? "" : data.subarray(0, 200).toString("utf8");
}

class GenericSession implements ProviderSession {
  private readonly parser: GenericParser;
  private readonly symbols: SymbolResolver;
  private readonly sub: unknown;
  private readonly unsub: unknown;
  private readonly perChannel: boolean;
  private readonly perSymbol: boolean;

  constructor(
    private readonly ctx: SessionContext,
    private readonly cfg: GenericConfig,
    provider: ProviderId,
  ) {
    this.parser = new GenericParser(cfg, provider);
    this.symbols = new SymbolResolver(ctx);
    this.sub = parseTemplate(cfg.subscribeTemplate, "subscribeTemplate");
    this.unsub = parseTemplate(cfg.unsubscribeTemplate, "unsubscribeTemplate");
    this.perChannel = usesPlaceholder(this.sub, "channel");
    this.perSymbol = usesPlaceholder(this.sub, "symbol");
  }

  open(): void {
    if (this.cfg.authTemplate !== "") {
      const s = this.ctx.settings;
      this.ctx.send(fillTemplate(parseTemplate(this.cfg.authTemplate, "authTemplate"), { key: s.apiKey, secret: s.apiSecret }) as object);
    }
    this.ctx.ready();
  }

  /** The frame being read and whether one of its elements was reported (no closures per frame). */
  private frameData: Buffer | null = null;
  private perElement = false;
  private readonly onBad = (reason: string): void => {
    this.perElement = true;
    this.ctx.malformed(reason, sampleText(this.frameData));
  };

  message(data: Buffer): void {
    this.frameData = data;
    this.perElement = false;
    try {
      const bad = this.parser.frame(data, this.ctx, this.symbols.resolve, this.onBad);
      if (bad !== null && !this.perElement) this.ctx.malformed(bad, sampleText(data));
    } finally {
      this.frameData = null;
    }
  }

  subscribe(change: SubscriptionChange): void {
    this.symbols.update(change.all);
    if (this.perChannel) {
      for (const ch of BOTH_CHANNELS) {
        this.sendAll(this.sub, change.add[ch], ch);
        this.sendAll(this.unsub, change.remove[ch], ch);
        this.ctx.subscribed(change.add[ch], ch);
        this.ctx.unsubscribed(change.remove[ch], ch);
      }
      return;
    }
    // One symbol list for both channels: subscribe a symbol once, unsubscribe it when no channel has it.
    const inAll = (s: string): boolean => change.all.trades.includes(s) || change.all.quotes.includes(s);
    const added = new Set<string>();
    for (const ch of BOTH_CHANNELS) for (const s of change.add[ch]) if (!this.wasUpstream(s, change)) added.add(s);
    const removed = new Set<string>();
    for (const ch of BOTH_CHANNELS) for (const s of change.remove[ch]) if (!inAll(s)) removed.add(s);
    this.sendAll(this.sub, [...added], "trades");
    this.sendAll(this.unsub, [...removed], "trades");
    for (const ch of BOTH_CHANNELS) {
      this.ctx.subscribed(change.add[ch], ch);
      this.ctx.unsubscribed(change.remove[ch], ch);
    }
  }

  heartbeat(): void {
    if (this.cfg.heartbeatTemplate !== "") this.ctx.send(this.cfg.heartbeatTemplate);
  }

  /** True when the symbol was already subscribed upstream on the other channel before this change. */
  private wasUpstream(symbol: string, change: SubscriptionChange): boolean {
    for (const ch of BOTH_CHANNELS) {
      if (change.all[ch].includes(symbol) && !change.add[ch].includes(symbol)) return true;
    }
    return false;
  }

  private sendAll(template: unknown, symbols: string[], channel: Channel): void {
    if (symbols.length === 0) return;
    const s = this.ctx.settings;
    if (this.perSymbol) {
      for (const sym of symbols)
        this.ctx.send(
          fillTemplate(template, { symbol: sym, symbols: [sym], csv: sym, channel, key: s.apiKey, secret: s.apiSecret }) as object,
        );
    } else {
      this.ctx.send(fillTemplate(template, { symbols, csv: symbols.join(","), channel, key: s.apiKey, secret: s.apiSecret }) as object);
    }
  }
}

/** Builds a generic-protocol provider; the simulator reuses it with its own mapping. */
export function makeGenericProvider(
  settings: FeedSettings,
  cfg: GenericConfig,
  id: ProviderId,
  defaultUrl: () => Promise<string> | string,
): Provider {
  // Fail at deploy time, not at connect time, on a broken template.
  parseTemplate(cfg.subscribeTemplate, "subscribeTemplate");
  parseTemplate(cfg.unsubscribeTemplate, "unsubscribeTemplate");
  if (cfg.authTemplate !== "") parseTemplate(cfg.authTemplate, "authTemplate");
  const contentKeys = cfg.mapping.id === "";
  return {
    id,
    settings,
    limits: {
      symbolsPerConnection: numOption(settings.options, "symbolsPerConnection", 0) || Infinity,
      maxConnections: numOption(settings.options, "maxConnections", 0) || 1,
      messagesPerSecond: numOption(settings.options, "messagesPerSecond", 0) || Infinity,
    },
    timing: { ...DEFAULT_TIMING, heartbeatMs: cfg.heartbeatTemplate !== "" ? cfg.heartbeatMs : 0, staleMs: cfg.staleMs },
    channels: BOTH_CHANNELS,
    contentKeys,
    connectUrl: () => (settings.url !== "" ? settings.url : defaultUrl()),
    displayUrl: () => redactUrl(settings.url !== "" ? settings.url : "(local)"),
    dedupKey: defaultDedupKey,
    createSession: (ctx) => new GenericSession(ctx, cfg, id),
  };
}

export function createGeneric(settings: FeedSettings): Provider {
  if (settings.url === "") throw new Error("The generic provider needs a WebSocket URL (ws:// or wss://).");
  return makeGenericProvider(settings, genericConfig(settings.options), "generic", () => settings.url);
}

/** The mapping rows, two options a row: a tick field's name (default: its own), the time unit, the data path. */
function mappingOption(name: string, i: number): OptionSpec {
  const layout = { inline: i % 2 === 1, width: "120px" };
  if (name === "timeUnit")
    return selectOption(name, "tick-feed.label.timeUnit", ["auto", "s", "ms", "us", "ns", "iso"], "tick-feed.timeUnit.", layout);
  if (name === "dataPath") return { name, input: "text", label: "tick-feed.label.dataPath", default: "", ...layout };
  return {
    name: name + "Field",
    input: "text",
    label: `tick-feed.label.${name}Field`,
    default: DEFAULT_MAPPING[name as keyof GenericMapping],
    ...layout,
  };
}
const template = (name: string, dflt: string, placeholder: string, width = "70%"): OptionSpec => ({
  name,
  input: "text",
  label: `tick-feed.label.${name}`,
  default: dflt,
  check: "json",
  placeholder,
  width,
});

export const GENERIC = defineProvider({
  id: "generic",
  label: "Generic JSON relay",
  apiKey: "optional",
  apiSecret: "optional",
  urlRequired: true,
  heading: "tick-feed.label.mapping",
  options: [
    ...["symbol", "price", "size", "time", "timeUnit", "id", "type", "dataPath", "bid", "ask"].map(mappingOption),
    template("subscribeTemplate", DEFAULT_SUBSCRIBE, DEFAULT_SUBSCRIBE),
    template("unsubscribeTemplate", DEFAULT_UNSUBSCRIBE, DEFAULT_UNSUBSCRIBE),
    template("authTemplate", "", '{"action":"auth","key":"$key"}'),
    template("heartbeatTemplate", "", '{"action":"heartbeat"}', "45%"),
    {
      name: "heartbeatMs",
      input: "number",
      placeholderLabel: "tick-feed.label.heartbeatMs",
      default: 0,
      check: "non-negative",
      inline: true,
      min: "0",
      width: "90px",
    },
  ],
  backfill: { unsupported: "A generic WebSocket has no known REST history." },
  create: createGeneric,
});
