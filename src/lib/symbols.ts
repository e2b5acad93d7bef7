/** Symbol list parsing and validation for node properties and `msg.payload`. */
import type { Channel } from "./types";

const SYMBOL_RE = /^[A-Za-z0-9][A-Za-z0-9._:/\-^=*@!$&+#]{0,63}$/;

export class SymbolError extends Error {
  constructor(
    message: string,
    readonly invalid: string[],
  ) {
    super(message);
    this.name = "SymbolError";
  }
}

/**
 * Parses symbols from a comma/space separated string or an array of strings. Keeps the
 * spelling (providers differ: "AAPL.US", "btcusdt", "BTC-USD"), drops duplicates and blanks.
 * Throws SymbolError naming every invalid entry.
 */
export function parseSymbols(input: unknown): string[] {
  let parts: unknown[];
  if (typeof input === "string") parts = input.split(/[\s,;]+/);
  else if (Array.isArray(input)) parts = (input as unknown[]).flatMap((v) => (typeof v === "string" ? v.split(/[\s,;]+/) : [v]));
  else throw new SymbolError("Symbols must be a string or an array of strings.", []);
  const out: string[] = [];
  const invalid: string[] = [];
  for (const p of parts) {
    if (typeof p !== "string") {
      invalid.push(String(p));
      continue;
    }
    const s = p.trim();
    if (s === "") continue;
    if (!SYMBOL_RE.test(s)) invalid.push(s);
    else if (!out.includes(s)) out.push(s);
  }
  if (invalid.length > 0) throw new SymbolError(`Invalid symbol(s): ${invalid.join(", ")}`, invalid);
  return out;
}

export type ChannelChoice = "trades" | "quotes" | "both";

export function parseChannels(value: unknown): Channel[] | null {
  if (value === undefined || value === null || value === "" || value === "trades") return ["trades"];
  if (value === "quotes") return ["quotes"];
  if (value === "both") return ["trades", "quotes"];
  if (Array.isArray(value)) {
    const out: Channel[] = [];
    for (const v of value as unknown[]) {
      if (v !== "trades" && v !== "quotes") return null;
      if (!out.includes(v)) out.push(v);
    }
    return out.length > 0 ? out : null;
  }
  return null;
}
