/** Twelve Data helpers: symbol chunks, refusal codes and message lists (./twelvedata.ts). */
import { textOf } from "./common";

/** Joined symbol text per subscribe message: far below the server's 1 MB input limit. */
const MAX_PARAM_CHARS = 60_000;

export const fold = (s: string): string => s.trim().toUpperCase();

/** Splits symbols into comma-joined strings of at most `max` characters. */
export function chunkSymbols(symbols: string[], max = MAX_PARAM_CHARS): string[] {
  const out: string[] = [];
  let cur = "";
  for (const s of symbols) {
    if (cur !== "" && cur.length + 1 + s.length > max) {
      out.push(cur);
      cur = "";
    }
    cur = cur === "" ? s : cur + "," + s;
  }
  if (cur !== "") out.push(cur);
  return out;
}

/** A refusal text mapped to a short code. */
export function failCode(message: string): string {
  if (/limit|too many|maximum|exceed/i.test(message)) return "symbol_limit";
  if (/not (?:authori[sz]ed|entitled|available)|upgrade|plan|access/i.test(message)) return "not_entitled";
  if (/not found|invalid|unknown|incorrect|doesn'?t exist|does not exist/i.test(message)) return "invalid_symbol";
  return "rejected";
}

/** True when an error text is about the API key (not a symbol). */
export function isKeyError(code: number, text: string): boolean {
  return code === 401 || /api ?key|\bapikey\b|unauthori[sz]ed request|invalid key/i.test(text);
}

export function stringList(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (!Array.isArray(v)) return [];
  return v.map((m) =>
    typeof m === "string"
      ? m
      : typeof m === "object" && m !== null && "message" in m
        ? textOf((m as { message: unknown }).message, "")
        : textOf(m, ""),
  );
}
