/**
 * Replay file records: one line of a recording becomes zero or more ticks.
 *
 * Two formats, told apart by the first non-empty line:
 *  - JSON lines: each line a Tick object exactly as the core `file` node writes `msg.payload`
 *    of tick-subscribe output 1 (`JSON.stringify(payload)` + newline), or an array of Ticks
 *    (batch output). Unknown keys are ignored; `extra` is kept.
 *  - CSV: a header row naming the columns (tolerant aliases, any case, `_`/`-`/space ignored),
 *    then one tick per row. Comma, semicolon or tab separated (taken from the header), fields
 *    may be double-quoted.
 * Pure: no I/O. Bad lines return a reason string, never throw.
 */
import { toIdString, toMicros } from "../time";
import { looseNumber } from "../numbers";
import { isProviderId } from "../providers";
import type { RawTick, TickType } from "../types";

/** A tick read from a file, with the time the replay clock runs on. */
export interface ReplayRecord {
  tick: RawTick;
  /** Recorded receipt time when the file has one (JSON lines from a live feed), else ts. */
  clock: number;
}

export type LineResult = ReplayRecord[] | string;

/** Builds a Tick from loose fields; returns a reason when the fields cannot make one. */
/**
 * A time in µs. In a Tick (JSON lines) `ts`/`recvTs` are µs by definition (ISO text is read
 * too); CSV columns and a JSON `time` are guessed: s, ms, µs or ns by magnitude, or ISO text.
 */
function timeOf(v: unknown, tickUnits: boolean): number {
  if (tickUnits && (typeof v === "number" || (typeof v === "string" && /^-?\d+$/.test(v)))) return toMicros(v, "us");
  return toMicros(v, "auto");
}

function makeTick(o: Record<string, unknown>, fallbackSymbol: string, tickUnits: boolean): ReplayRecord | string {
  const symbol = typeof o.symbol === "string" && o.symbol !== "" ? o.symbol : fallbackSymbol;
  if (symbol === "") return "no symbol";
  const ts = o.ts !== undefined && o.ts !== null ? timeOf(o.ts, tickUnits) : timeOf(o.time, false);
  if (!Number.isFinite(ts)) return "no valid time";
  const price = looseNumber(o.price);
  const bid = looseNumber(o.bid);
  const ask = looseNumber(o.ask);
  let type: TickType;
  if (o.type === "trade" || o.type === "quote") type = o.type;
  else type = price === undefined && (bid !== undefined || ask !== undefined) ? "quote" : "trade";
  if (type === "trade" && price === undefined) return "trade without a price";
  if (type === "quote" && bid === undefined && ask === undefined) return "quote without bid or ask";
  const recorded = o.recvTs === undefined || o.recvTs === null ? NaN : timeOf(o.recvTs, tickUnits);
  const provider = isProviderId(o.provider) ? o.provider : "replay";
  const tick: RawTick = { symbol, type, ts, recvTs: ts, provider };
  if (price !== undefined) tick.price = price;
  const size = looseNumber(o.size);
  if (size !== undefined) tick.size = size;
  if (bid !== undefined) tick.bid = bid;
  const bidSize = looseNumber(o.bidSize);
  if (bidSize !== undefined) tick.bidSize = bidSize;
  if (ask !== undefined) tick.ask = ask;
  const askSize = looseNumber(o.askSize);
  if (askSize !== undefined) tick.askSize = askSize;
  if (typeof o.exchange === "string" || typeof o.exchange === "number") tick.exchange = o.exchange;
  const c = o.conditions;
  if (Array.isArray(c)) tick.conditions = c.filter((x): x is string | number => typeof x === "string" || typeof x === "number");
  else if (typeof c === "string" && c.trim() !== "") tick.conditions = c.split(/[\s,;|]+/).filter((x) => x !== "");
  const id = toIdString(o.id);
  if (id !== undefined && id !== "") tick.id = id;
  if (typeof o.seq === "number" || (typeof o.seq === "string" && o.seq !== ""))
    tick.seq = typeof o.seq === "string" && /^\d{1,15}$/.test(o.seq) ? Number(o.seq) : o.seq;
  // A recorded backfilled trade stays one (it came late, after a reconnect, and says so).
  if (o.backfill === true || o.backfill === "true") tick.backfill = true;
  // Only flat extras (scalars): a nested one from a hostile file could not even be sent on (stack overflow).
  if (
    o.extra !== null &&
    typeof o.extra === "object" &&
    !Array.isArray(o.extra) &&
    Object.values(o.extra).every((x) => x === null || typeof x !== "object")
  )
    tick.extra = o.extra as Record<string, unknown>;
  return { tick, clock: Number.isFinite(recorded) && recorded >= ts - 86_400_000_000 ? recorded : ts };
}

/** One JSON line: a Tick object or an array of them (batch output). */
export function parseJsonLine(line: string): LineResult {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return "invalid JSON";
  }
  const items = Array.isArray(v) ? v : [v];
  const out: ReplayRecord[] = [];
  for (const item of items) {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return "not a tick object";
    const r = makeTick(item as Record<string, unknown>, "", true);
    if (typeof r === "string") return r;
    out.push(r);
  }
  return out;
}

/** Tick keys and the header names accepted for them (compared lower-case without `_`, `-`, spaces, dots). */
export const CSV_ALIASES: Readonly<Record<string, readonly string[]>> = {
  symbol: ["symbol", "sym", "ticker", "instrument", "code", "pair"],
  ts: ["ts", "time", "timestamp", "t", "datetime", "sipTimestamp", "tradeTime", "eventTime", "participantTimestamp"],
  recvTs: ["recvts", "receivedat", "received"],
  type: ["type", "kind"],
  price: ["price", "p", "last", "tradePrice", "lastPrice"],
  size: ["size", "volume", "qty", "quantity", "v", "q", "amount", "tradeSize", "lastSize", "shares"],
  bid: ["bid", "bp", "bidPrice"],
  bidSize: ["bidSize", "bs", "bidQty", "bidVolume"],
  ask: ["ask", "ap", "askPrice", "offer"],
  askSize: ["askSize", "as", "askQty", "askVolume", "offerSize"],
  exchange: ["exchange", "x", "ex", "venue", "market", "mic"],
  conditions: ["conditions", "c", "condition", "cond", "saleCondition", "saleConditions", "flags"],
  id: ["id", "i", "tradeId", "tid"],
  seq: ["seq", "sequence", "sequenceNumber", "sn"],
  provider: ["provider", "source"],
};

const norm = (s: string): string =>
  s
    .trim()
    .replace(/^\uFEFF/, "")
    .replace(/[\s_.-]/g, "")
    .toLowerCase();

const ALIAS_INDEX: Map<string, string> = (() => {
  const m = new Map<string, string>();
  for (const [key, names] of Object.entries(CSV_ALIASES)) for (const n of names) m.set(norm(n), key);
  return m;
})();

/** Splits one CSV row (RFC 4180 quoting, no line breaks inside fields). */
export function splitCsv(line: string, sep: string): string[] {
  if (!line.includes('"')) return line.split(sep);
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export interface CsvLayout {
  sep: string;
  /** Tick key per column (undefined = ignored column). */
  columns: Array<string | undefined>;
  /** Symbol for files without a symbol column (from the file name). */
  symbol: string;
}

/** Reads a CSV header; returns a reason when it names no time or no price/bid/ask column. */
export function csvLayout(header: string, fileSymbol: string): CsvLayout | string {
  const counts = [",", ";", "\t"].map((s) => header.split(s).length);
  const sep = counts[1] > counts[0] && counts[1] >= counts[2] ? ";" : counts[2] > counts[0] ? "\t" : ",";
  const columns = splitCsv(header, sep).map((h) => ALIAS_INDEX.get(norm(h)));
  const has = (k: string): boolean => columns.includes(k);
  if (!has("ts")) return "the CSV header names no time column (time, timestamp, t, ...)";
  if (!has("price") && !has("bid") && !has("ask")) return "the CSV header names no price (or bid/ask) column";
  if (!has("symbol") && fileSymbol === "") return "the CSV header names no symbol column";
  return { sep, columns, symbol: fileSymbol };
}

/** One CSV data row. */
export function parseCsvLine(line: string, layout: CsvLayout): LineResult {
  const cells = splitCsv(line, layout.sep);
  const o: Record<string, unknown> = {};
  for (let i = 0; i < layout.columns.length && i < cells.length; i++) {
    const key = layout.columns[i];
    if (key === undefined) continue;
    const v = cells[i].trim();
    if (v !== "") o[key] = v;
  }
  if (o.type !== undefined) {
    const t = String(o.type).toLowerCase();
    o.type = t === "t" || t === "trade" || t === "trades" ? "trade" : t === "q" || t === "quote" || t === "quotes" ? "quote" : undefined;
  }
  const r = makeTick(o, layout.symbol, false);
  return typeof r === "string" ? r : [r];
}

/** Symbol implied by a file name: `AAPL.csv.gz` -> `AAPL`, `aapl_trades_2026-11-24.csv` -> `AAPL`. */
export function symbolFromFileName(base: string): string {
  const stem = base.replace(/(\.gz)?$/i, "").replace(/\.[^.]*$/, "");
  const first = stem.split(/[_\s]/)[0];
  return /^[A-Za-z0-9.:/-]{1,20}$/.test(first) ? first.toUpperCase() : "";
}
