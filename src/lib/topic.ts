/**
 * msg.topic templates for tick-subscribe: `{symbol}`, `{type}`, `{provider}`, `{partition}`.
 *
 * `{partition}` is FNV-1a (32-bit) over the symbol's UTF-8 bytes, modulo the partition count:
 * a pure function of the symbol, so every process and every release puts a symbol in the same
 * partition (N consumer instances can each take one, e.g. `ticks/{partition}/{symbol}` over MQTT).
 * Changing this function would move symbols between consumers: the unit tests pin its values.
 */

export const TOPIC_PLACEHOLDERS = ["symbol", "type", "provider", "partition"] as const;
export type TopicPlaceholder = (typeof TOPIC_PLACEHOLDERS)[number];

export const DEFAULT_TOPIC = "{symbol}";
/** Upper bound for `partitions` (more would only make empty consumers). */
export const MAX_PARTITIONS = 65536;

/** FNV-1a 32-bit hash of a string's UTF-8 encoding (unsigned). */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  const step = (byte: number): void => {
    h = Math.imul(h ^ byte, 0x01000193);
  };
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, 0x01000193);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    // A lone surrogate is encoded as U+FFFD, as TextEncoder does.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) {
      step(0xc0 | (c >> 6));
      step(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      step(0xe0 | (c >> 12));
      step(0x80 | ((c >> 6) & 0x3f));
      step(0x80 | (c & 0x3f));
    } else {
      step(0xf0 | (c >> 18));
      step(0x80 | ((c >> 12) & 0x3f));
      step(0x80 | ((c >> 6) & 0x3f));
      step(0x80 | (c & 0x3f));
    }
  }
  return h >>> 0;
}

/** The partition (0 .. partitions-1) of a symbol. */
export function partitionOf(symbol: string, partitions: number): number {
  return partitions <= 1 ? 0 : fnv1a32(symbol) % partitions;
}

/** Parses the `partitions` property: an integer from 1 to MAX_PARTITIONS; empty means 1. */
export function parsePartitions(value: unknown): number {
  if (value === undefined || value === null || value === "") return 1;
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTITIONS) {
    throw new Error(`Partitions must be a whole number from 1 to ${MAX_PARTITIONS}, not "${String(value)}".`);
  }
  return n;
}

/** A template piece: literal text, or a placeholder to fill in. */
type Part = { literal: true; value: string } | { literal: false; value: TopicPlaceholder };

/**
 * A compiled topic template. Text outside braces is kept as is; an unknown `{name}` is an error
 * (a typo would otherwise silently publish every tick to one literal topic).
 */
export class TopicTemplate {
  readonly text: string;
  readonly partitions: number;
  /** True when the topic is just the symbol (the default): no work per tick. */
  readonly isSymbol: boolean;
  private readonly parts: Part[];
  private readonly cache = new Map<string, string>();

  constructor(text: string | undefined, partitions = 1) {
    const t = text === undefined || text.trim() === "" ? DEFAULT_TOPIC : text.trim();
    this.text = t;
    this.partitions = partitions;
    this.parts = parseTemplate(t);
    this.isSymbol = this.parts.length === 1 && !this.parts[0].literal && this.parts[0].value === "symbol";
  }

  /** The topic of one tick (cached per symbol, type and provider). */
  render(symbol: string, type: string, provider: string): string {
    if (this.isSymbol) return symbol;
    const key = symbol + "\u0000" + type + "\u0000" + provider;
    let topic = this.cache.get(key);
    if (topic === undefined) {
      topic = "";
      for (const p of this.parts) {
        if (p.literal) topic += p.value;
        else if (p.value === "symbol") topic += symbol;
        else if (p.value === "type") topic += type;
        else if (p.value === "provider") topic += provider;
        else topic += String(partitionOf(symbol, this.partitions));
      }
      // Bounded: a feed with more distinct symbols than this just recomputes.
      if (this.cache.size >= 100_000) this.cache.clear();
      this.cache.set(key, topic);
    }
    return topic;
  }
}

/** Splits a template into literal text and placeholders; throws on an unknown or unclosed one. */
export function parseTemplate(text: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  let literal = "";
  while (i < text.length) {
    const open = text.indexOf("{", i);
    if (open < 0) {
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, open);
    const close = text.indexOf("}", open);
    if (close < 0) throw new Error(`Topic template "${text}": "{" without "}".`);
    const name = text.slice(open + 1, close).trim();
    if (!(TOPIC_PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new Error(`Topic template "${text}": unknown placeholder {${name}} (use {symbol}, {type}, {provider} or {partition}).`);
    }
    if (literal !== "") parts.push({ literal: true, value: literal });
    literal = "";
    parts.push({ literal: false, value: name as TopicPlaceholder });
    i = close + 1;
  }
  if (literal !== "") parts.push({ literal: true, value: literal });
  return parts;
}
