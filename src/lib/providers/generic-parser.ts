/**
 * The generic provider's frame parser (./generic.ts): reads ticks out of each decoded JSON frame
 * through the configured field mapping (./generic-config.ts), plain keys and dotted paths.
 */
import { frameText, parseLossless } from "../json";
import { toIdString, toMicros, toNumber, toSeq, wireNumber } from "../time";
import type { ProviderId, RawTick } from "../types";
import { sample } from "./common";
import type { GenericConfig, GenericMapping } from "./generic-config";
import type { SessionContext } from "./types";

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
