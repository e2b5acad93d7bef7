/**
 * Trade conditions in the three-flag model (aggregation.md §2.6, §3): every trade resolves to
 * `last` (updates open/close), `highLow` (updates high/low) and `volume` (updates volume). A
 * trade with several conditions takes the AND of their flags. Unknown codes count as
 * volume-only (the safe side for high/low) and are reported so the user can add them.
 *
 * The tables are data (the consolidated CTA/UTP rules as Polygon publishes them); users can
 * override any code. Dialects:
 *  - polygon: Polygon/Massive numeric condition ids (tape independent);
 *  - sip:     the SIP letters Alpaca and the simulator send; letters collide across tapes
 *             (`B` is Average Price on CTA tapes A/B but Bunched on UTP tape C), so the tape is
 *             taken from the tick (`extra.tape`: "A"/"B"/"C" or 1/2/3) where it has one;
 *  - tiingo:  the flag names our Tiingo adapter puts in `conditions` (oddLot, afterHours, ...);
 *  - none:    conditions are ignored, every trade updates everything (crypto, FX, providers
 *             whose codes have no published mapping such as Finnhub's).
 *  - auto:    by the tick's provider, as its descriptor says (`conditions`): polygon -> polygon;
 *             alpaca and simulator -> sip; tiingo -> tiingo; others -> none.
 */
import { findProvider } from "./providers";
import type { RawTick } from "./types";

export interface TradeFlags {
  last: boolean;
  highLow: boolean;
  volume: boolean;
}

export type ConditionDialect = "auto" | "polygon" | "sip" | "tiingo" | "none";
export const CONDITION_DIALECTS: readonly ConditionDialect[] = ["auto", "polygon", "sip", "tiingo", "none"];
/** A dialect with tables (what `auto` resolves to, besides none). */
export type TableDialect = "polygon" | "sip" | "tiingo";

const ALL: TradeFlags = Object.freeze({ last: true, highLow: true, volume: true });
const VOLUME_ONLY: TradeFlags = Object.freeze({ last: false, highLow: false, volume: true });
const HL_VOLUME: TradeFlags = Object.freeze({ last: false, highLow: true, volume: true });
const NOTHING: TradeFlags = Object.freeze({ last: false, highLow: false, volume: false });
const HL_LAST: TradeFlags = Object.freeze({ last: true, highLow: true, volume: false });

type Table = Readonly<Record<string, TradeFlags>>;

function table(groups: Array<[TradeFlags, Array<string | number>]>): Table {
  const t: Record<string, TradeFlags> = {};
  for (const [flags, codes] of groups) for (const c of codes) t[String(c)] = flags;
  return Object.freeze(t);
}

/** Polygon/Massive numeric ids (consolidated update rules). */
export const POLYGON_CONDITIONS: Table = table([
  [ALL, [0, 1, 4, 8, 9, 11, 14, 23, 25, 27, 28, 30, 34, 36]],
  [VOLUME_ONLY, [2, 7, 12, 13, 20, 21, 37, 52, 53]],
  [HL_VOLUME, [5, 10, 22, 29, 33]],
  [NOTHING, [15, 16]],
  [HL_LAST, [38]],
]);

/** SIP letters common to the CTA (tapes A/B) and UTP (tape C) plans. "" and " " mean regular. */
const SIP_COMMON: Array<[TradeFlags, string[]]> = [
  [ALL, ["@", "", " ", "A", "6", "X", "D", "F", "K", "O", "1", "5", "L", "S", "Y"]],
  [VOLUME_ONLY, ["C", "T", "U", "N", "H", "I", "V", "7"]],
  [HL_VOLUME, ["G", "4", "P", "R", "Z"]],
  [NOTHING, ["M", "Q"]],
  [HL_LAST, ["9"]],
];
/** CTA: `B` = Average Price. */
export const CTA_CONDITIONS: Table = table([...SIP_COMMON, [VOLUME_ONLY, ["B"]]]);
/** UTP: `B` = Bunched Trade, `W` = Average Price. */
export const UTP_CONDITIONS: Table = table([...SIP_COMMON, [ALL, ["B"]], [VOLUME_ONLY, ["W"]]]);

/**
 * Tiingo IEX trade flags as our adapter names them. Odd lots and after-hours (Form T-like)
 * prints add volume only, as in the consolidated rules; intermarket sweeps update everything
 * (SIP `F`); a Reg NMS Rule 611 (trade-through) exemption marks an otherwise regular print.
 * `halted` is not mapped (a print flagged halted counts as unknown: volume only).
 */
export const TIINGO_CONDITIONS: Table = table([
  [ALL, ["intermarketSweep", "nmsRule611"]],
  [VOLUME_ONLY, ["oddLot", "afterHours"]],
]);

type DialectSets = Readonly<Record<TableDialect, ReadonlySet<string>>>;
/** Closing-print conditions (for counting the closing auction as regular session). */
export const CLOSING_PRINTS: DialectSets = { polygon: new Set(["8", "19"]), sip: new Set(["6"]), tiingo: new Set() };
/** Opening-print conditions. */
export const OPENING_PRINTS: DialectSets = { polygon: new Set(["25"]), sip: new Set(["O"]), tiingo: new Set() };
/** Odd-lot conditions (for the "exclude odd lots" filter). */
export const ODD_LOTS: DialectSets = { polygon: new Set(["37"]), sip: new Set(["I"]), tiingo: new Set(["oddLot"]) };

/** The dialect a tick's conditions are in. */
export function dialectOf(tick: RawTick, dialect: ConditionDialect): TableDialect | "none" {
  if (dialect !== "auto") return dialect;
  return findProvider(tick.provider)?.conditions ?? "none";
}

/** "CTA" (tapes A/B), "UTP" (tape C) or undefined when the tick does not say. */
function planOf(tick: RawTick): "CTA" | "UTP" | undefined {
  const tape = tick.extra != null ? tick.extra.tape : undefined;
  if (tape === "A" || tape === "B" || tape === 1 || tape === 2 || tape === "1" || tape === "2") return "CTA";
  if (tape === "C" || tape === 3 || tape === "3") return "UTP";
  return undefined;
}

export interface ConditionResult {
  flags: TradeFlags;
  /** Codes found in no table (treated as volume-only). */
  unknown: string[];
}

export interface ConditionOptions {
  dialect: ConditionDialect;
  /** User overrides: code -> flags, applied before the tables (any dialect). */
  overrides?: Readonly<Record<string, TradeFlags>>;
}

const NO_UNKNOWN: string[] = [];
/** The answer for trades without conditions (most of them): shared, so the hot path allocates nothing. */
const UPDATES_ALL: ConditionResult = Object.freeze({ flags: ALL, unknown: NO_UNKNOWN });

/** Flags of a trade under the three-flag model. Quotes and trades without conditions update everything. */
export function tradeFlags(tick: RawTick, opts: ConditionOptions): ConditionResult {
  const codes = tick.conditions;
  if (codes == null || !Array.isArray(codes) || codes.length === 0) return UPDATES_ALL;
  const dialect = dialectOf(tick, opts.dialect);
  if (dialect === "none") return UPDATES_ALL;
  let last = true;
  let highLow = true;
  let volume = true;
  let unknown = NO_UNKNOWN;
  const plan = dialect === "sip" ? planOf(tick) : undefined;
  for (const raw of codes) {
    const code = String(raw);
    let f: TradeFlags | undefined = opts.overrides !== undefined ? opts.overrides[code] : undefined;
    if (f === undefined) {
      if (dialect === "polygon") f = POLYGON_CONDITIONS[code];
      else if (dialect === "tiingo") f = TIINGO_CONDITIONS[code];
      else if (plan === "UTP") f = UTP_CONDITIONS[code];
      else if (plan === "CTA") f = CTA_CONDITIONS[code];
      else {
        // Tape unknown: a letter the plans agree on resolves; a colliding one (B) takes the safer reading.
        const a = CTA_CONDITIONS[code];
        const b = UTP_CONDITIONS[code];
        f =
          a === undefined
            ? b
            : b === undefined
              ? a
              : { last: a.last && b.last, highLow: a.highLow && b.highLow, volume: a.volume && b.volume };
      }
    }
    if (f === undefined) {
      if (unknown === NO_UNKNOWN) unknown = [];
      unknown.push(code);
      f = VOLUME_ONLY;
    }
    last = last && f.last;
    highLow = highLow && f.highLow;
    volume = volume && f.volume;
  }
  return { flags: { last, highLow, volume }, unknown };
}

/** True when the trade carries one of the given conditions (in its dialect). */
export function hasCondition(tick: RawTick, dialect: ConditionDialect, sets: DialectSets): boolean {
  const codes = tick.conditions;
  if (codes == null || !Array.isArray(codes)) return false;
  const d = dialectOf(tick, dialect);
  if (d === "none") return false;
  const set = sets[d];
  for (const c of codes) if (set.has(String(c))) return true;
  return false;
}

/**
 * Parses a user override table: lines or commas of `code=flags`, where flags is any of
 * `all`, `none`, or letters l (last), h (high/low), v (volume), e.g. `I=v, 12=v, X=lhv`.
 * Throws with a clear message on a bad entry.
 */
export function parseOverrides(text: string): Record<string, TradeFlags> {
  const out: Record<string, TradeFlags> = {};
  for (const part of text.split(/[\n,;]+/)) {
    const entry = part.trim();
    if (entry === "") continue;
    const m = /^(.+?)\s*=\s*([a-z]*)$/i.exec(entry);
    if (m === null) throw new Error(`Condition override "${entry}" must look like code=flags (flags: l, h, v, all or none).`);
    const flags = m[2].toLowerCase();
    if (flags === "all") out[m[1]] = ALL;
    else if (flags === "none" || flags === "") out[m[1]] = NOTHING;
    else if (/^[lhv]+$/.test(flags)) out[m[1]] = { last: flags.includes("l"), highLow: flags.includes("h"), volume: flags.includes("v") };
    else throw new Error(`Condition override "${entry}": flags may only be l (last), h (high/low), v (volume), all or none.`);
  }
  return out;
}
