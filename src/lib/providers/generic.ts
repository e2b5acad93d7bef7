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
import { frameText, parseLossless } from "../json";
import { type TimeUnit, TIME_UNITS, toIdString, toMicros, toNumber, toSeq, wireNumber } from "../time";
import type { Channel, ProviderId, RawTick } from "../types";
import { defaultDedupKey, DEFAULT_TIMING, numOption, redactUrl, sample, strOption, BOTH_CHANNELS } from "./common";
import { defineProvider, selectOption, type OptionSpec } from "./descriptor";
import { SymbolResolver } from "./resolver";
import type { FeedSettings, Provider, ProviderSession, SessionContext, SubscriptionChange } from "./types";

export interface GenericMapping {
  symbol: string;
  price: string;
  size: string;
  time: string;
  id: string;
  type: string;
  bid: string;
  ask: string;
  bidSize: string;
  askSize: string;
  exchange: string;
  conditions: string;
  seq: string;
}

export const DEFAULT_MAPPING: GenericMapping = {
  symbol: "symbol",
  price: "price",
  size: "size",
  time: "time",
  id: "id",
  type: "type",
  bid: "bid",
  ask: "ask",
  bidSize: "bidSize",
  askSize: "askSize",
  exchange: "exchange",
  conditions: "conditions",
  seq: "seq",
};

export interface GenericConfig {
  mapping: GenericMapping;
  timeUnit: TimeUnit;
  dataPath: string;
  subscribeTemplate: string;
  unsubscribeTemplate: string;
  authTemplate: string;
  heartbeatTemplate: string;
  heartbeatMs: number;
  staleMs: number;
  bigInts: boolean;
}

export const DEFAULT_SUBSCRIBE = '{"action":"subscribe","symbols":"$symbols"}';
export const DEFAULT_UNSUBSCRIBE = '{"action":"unsubscribe","symbols":"$symbols"}';

type Getter = (o: Record<string, unknown>) => unknown;

function getter(path: string): Getter | null {
  if (path === "") return null;
  if (!path.includes(".")) return (o) => o[path];
  const parts = path.split(".");
  return (o) => {
    let v: unknown = o;
    for (const p of parts) {
      if (v === null || typeof v !== "object") return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}

export function genericConfig(options: Record<string, unknown>): GenericConfig {
  const mapping = { ...DEFAULT_MAPPING };
  for (const k of Object.keys(mapping) as Array<keyof GenericMapping>) {
    const v = options[k + "Field"];
    if (typeof v === "string") mapping[k] = v.trim();
  }
  const unit = strOption(options, "timeUnit", "auto") as TimeUnit;
  return {
    mapping,
    timeUnit: TIME_UNITS.includes(unit) ? unit : "auto",
    dataPath: strOption(options, "dataPath", ""),
    subscribeTemplate: strOption(options, "subscribeTemplate", DEFAULT_SUBSCRIBE),
    unsubscribeTemplate: strOption(options, "unsubscribeTemplate", DEFAULT_UNSUBSCRIBE),
    authTemplate: strOption(options, "authTemplate", ""),
    heartbeatTemplate: strOption(options, "heartbeatTemplate", ""),
    heartbeatMs: numOption(options, "heartbeatMs", 0),
    staleMs: numOption(options, "staleMs", 60_000),
    // Exact by default: integers of 16+ digits (ids, ns times) stay exact text unless turned off.
    bigInts: !(options.bigInts === false || options.bigInts === "false"),
  };
}

/** Fills a JSON template: "$symbols" -> array, "$csv" -> string, "$symbol", "$channel", "$key", "$secret". */
export function fillTemplate(template: unknown, vars: Record<string, unknown>): unknown {
  if (typeof template === "string") {
    if (template.startsWith("$") && Object.prototype.hasOwnProperty.call(vars, template.slice(1))) return vars[template.slice(1)];
    return template;
  }
  if (Array.isArray(template)) return template.map((t) => fillTemplate(t, vars));
  if (template !== null && typeof template === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) out[k] = fillTemplate(v, vars);
    return out;
  }
  return template;
}

/** Validates a template; throws a clear error for bad JSON. */
export function parseTemplate(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

function usesPlaceholder(template: unknown, name: string): boolean {
  return JSON.stringify(template).includes('"$' + name + '"');
}

/**
 * One mapped field: a plain key is read in place (`o[key]` at its own call site, so each site
 * sees one property name and stays monomorphic), a dotted path through its getter, an empty
 * mapping not at all.
 */
interface MappedField {
  key: string | null;
  get: Getter | null;
}

function mappedField(path: string): MappedField {
  return path === "" || path.includes(".") ? { key: null, get: getter(path) } : { key: path, get: null };
}

/** Turns one decoded JSON value from the configured mapping into ticks. */
export class GenericParser {
  private readonly f: Record<keyof GenericMapping, MappedField>;
  private readonly dataGetter: Getter | null;

  constructor(
    private readonly cfg: GenericConfig,
    private readonly provider: ProviderId,
  ) {
    const m = cfg.mapping;
    this.f = {
      symbol: mappedField(m.symbol),
      price: mappedField(m.price),
      size: mappedField(m.size),
      time: mappedField(m.time),
      id: mappedField(m.id),
      type: mappedField(m.type),
      bid: mappedField(m.bid),
      ask: mappedField(m.ask),
      bidSize: mappedField(m.bidSize),
      askSize: mappedField(m.askSize),
      exchange: mappedField(m.exchange),
      conditions: mappedField(m.conditions),
      seq: mappedField(m.seq),
    };
    this.dataGetter = getter(cfg.dataPath);
  }

  /**
   * Parses a frame; hands each tick to `ctx.tick`. Returns an error text for a frame it cannot
   * read or the last bad element, else null; `onBad` is called once per bad element.
   */
  frame(data: Buffer, ctx: SessionContext, resolve: (wire: string) => string | undefined, onBad?: (reason: string) => void): string | null {
    let value: unknown;
    const text = frameText(data);
    try {
      value = this.cfg.bigInts ? parseLossless(text) : JSON.parse(text);
    } catch {
      return "invalid JSON";
    }
    if (this.dataGetter !== null && value !== null && typeof value === "object" && !Array.isArray(value)) {
      const inner = this.dataGetter(value as Record<string, unknown>);
      if (inner === undefined) return null; // a control message without data
      value = inner;
    }
    if (Array.isArray(value)) {
      let bad: string | null = null;
      for (let i = 0; i < value.length; i++) {
        const r = this.one(value[i], ctx, resolve);
        if (r !== null) {
          bad = r;
          onBad?.(r);
        }
      }
      return bad;
    }
    const r = this.one(value, ctx, resolve);
    if (r !== null) onBad?.(r);
    return r;
  }

  // Each field is read by its own `o[f.x.key]` expression on purpose (see MappedField): one shared
  // reader would see thirteen property names and fall back to V8's slow generic lookup.
  private one(v: unknown, ctx: SessionContext, resolve: (wire: string) => string | undefined): string | null {
    if (v === null || typeof v !== "object") return "not an object";
    const o = v as Record<string, unknown>;
    const f = this.f;
    const wire = f.symbol.key !== null ? o[f.symbol.key] : read(f.symbol, o);
    if (typeof wire !== "string" || wire === "") return null; // not a tick (ack, status, heartbeat): ignored
    const symbol = resolve(wire);
    if (symbol === undefined) return null; // not subscribed (e.g. after an unsubscribe)
    const typeRaw = f.type.key !== null ? o[f.type.key] : read(f.type, o);
    const priceRaw = f.price.key !== null ? o[f.price.key] : read(f.price, o);
    const bidRaw = f.bid.key !== null ? o[f.bid.key] : read(f.bid, o);
    const askRaw = f.ask.key !== null ? o[f.ask.key] : read(f.ask, o);
    const price = toNumber(priceRaw);
    const isQuote =
      typeRaw === "quote" ||
      typeRaw === "q" ||
      typeRaw === "Q" ||
      (typeRaw === undefined && Number.isNaN(price) && (!Number.isNaN(toNumber(bidRaw)) || !Number.isNaN(toNumber(askRaw))));
    const timeRaw = f.time.key !== null ? o[f.time.key] : read(f.time, o);
    const ts = timeRaw === undefined || timeRaw === null ? ctx.frameRecvTs : toMicros(timeRaw, this.cfg.timeUnit);
    if (Number.isNaN(ts)) return "bad time " + sample(timeRaw, 64);
    const tick: RawTick = { symbol, type: isQuote ? "quote" : "trade", ts, recvTs: ctx.frameRecvTs, provider: this.provider };
    // A field that is present but not a number (" ", "0x10", "NaN", an object) makes the element bad.
    const bidW = wireNumber(bidRaw);
    const askW = wireNumber(askRaw);
    if (Number.isNaN(bidW) || Number.isNaN(askW)) return "bad bid/ask for " + symbol;
    if (isQuote) {
      if (bidW !== undefined) tick.bid = bidW;
      if (askW !== undefined) tick.ask = askW;
      const bs = wireNumber(f.bidSize.key !== null ? o[f.bidSize.key] : read(f.bidSize, o));
      const as = wireNumber(f.askSize.key !== null ? o[f.askSize.key] : read(f.askSize, o));
      if (Number.isNaN(bs) || Number.isNaN(as)) return "bad bid/ask size for " + symbol;
      if (bs !== undefined) tick.bidSize = bs;
      if (as !== undefined) tick.askSize = as;
    } else {
      if (Number.isNaN(price)) return "bad price for " + symbol;
      tick.price = price;
      const size = wireNumber(f.size.key !== null ? o[f.size.key] : read(f.size, o));
      if (Number.isNaN(size)) return "bad size for " + symbol;
      if (size !== undefined) tick.size = size;
      if (bidW !== undefined) tick.bid = bidW;
      if (askW !== undefined) tick.ask = askW;
    }
    const id = toIdString(f.id.key !== null ? o[f.id.key] : read(f.id, o));
    if (id !== undefined) tick.id = id;
    const ex = f.exchange.key !== null ? o[f.exchange.key] : read(f.exchange, o);
    if (typeof ex === "string" || typeof ex === "number") tick.exchange = ex;
    const cond = f.conditions.key !== null ? o[f.conditions.key] : read(f.conditions, o);
    // Validated (flat, bounded) by the feed: a nested list makes the tick malformed there.
    if (Array.isArray(cond)) tick.conditions = cond as Array<string | number>;
    const seqRaw = f.seq.key !== null ? o[f.seq.key] : read(f.seq, o);
    if (seqRaw !== undefined && seqRaw !== null) {
      const seq = toSeq(seqRaw);
      if (seq === undefined) return "bad seq for " + symbol;
      tick.seq = seq;
    }
    ctx.tick(tick);
    return null;
  }
}

/** A dotted or empty field (plain keys are read in place by the caller). */
function read(fl: MappedField, o: Record<string, unknown>): unknown {
  return fl.get === null ? undefined : fl.get(o);
}

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
