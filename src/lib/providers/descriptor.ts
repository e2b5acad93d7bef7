/**
 * The provider descriptor: what the package knows about a provider besides its wire protocol, in
 * one plain object per provider (exported by its module, listed once in ./index.ts). The
 * registry, the `ProviderId` type, the backfill list, the condition dialect and the tick-feed
 * editor (its provider list, key rows and option rows, through the `tickFeedProviders` setting)
 * all derive from it. Everything but `create` is plain JSON-able data.
 */
import type { TableDialect } from "../conditions";
import { NO_LIMITS } from "./common";
import type { FeedSettings, Provider, ProviderLimits } from "./types";

/** Whether a credential is needed: required, optional, paired (both or neither) or not used. */
export type CredentialNeed = "required" | "optional" | "paired" | "none";

/** How the editor and the runtime check a provider option typed as text (blank = the default). */
export type OptionCheck = "positive" | "non-negative" | "json";

export interface OptionChoice {
  readonly value: string;
  /** Catalog key of its text (`tick-feed.…`), or `text` for a literal one. */
  readonly label?: string;
  readonly text?: string;
}

/** A provider option: a key of the feed's `options` and the editor input that sets it. */
export interface OptionSpec {
  readonly name: string;
  readonly input: "text" | "number" | "select" | "checkbox";
  /** Catalog key of the label; none = an input without its own label (`placeholderLabel` says what it is). */
  readonly label?: string;
  /** What the runtime uses when the option is blank or absent (a select's first choice, shown as placeholder otherwise). */
  readonly default: string | number | boolean;
  readonly check?: OptionCheck;
  readonly choices?: readonly OptionChoice[];
  /** Literal placeholder (default: the default value); or a catalog key in `placeholderLabel`. */
  readonly placeholder?: string;
  readonly placeholderLabel?: string;
  /** Editor layout: on the same row as the option before it; the input's CSS width; a number's minimum. */
  readonly inline?: boolean;
  readonly width?: string;
  readonly min?: string;
}

export interface ProviderDescriptor<Id extends string = string> {
  readonly id: Id;
  /** The English name, equal to the catalog entry `tick-feed.provider.<id>` (the editor shows the catalog's). */
  readonly label: string;
  readonly credentials: { readonly apiKey: CredentialNeed; readonly apiSecret: CredentialNeed };
  /** The default WebSocket endpoint with the default options ("" = none, local or required). */
  readonly url: string;
  /** The feed's `url` must be set (no default endpoint). */
  readonly urlRequired: boolean;
  /** Provider options (tick-feed `options`), in editor order. */
  readonly options: readonly OptionSpec[];
  /** Editor: catalog key of a heading above the options. */
  readonly heading?: string;
  /** Top-level tick-feed properties that belong to this provider (replay's file, speed, ...). */
  readonly properties?: readonly string[];
  /** Limits with the default options (the module may derive others from a plan option). */
  readonly limits: ProviderLimits;
  /** How `auto` reads the condition codes of its trades (../conditions.ts). */
  readonly conditions: TableDialect | "none";
  /** REST trade history for backfill: its default base URL and pace, or why there is none. */
  readonly backfill: RestHistorySpec | { readonly unsupported: string };
  /** The editor's Test connection button applies. */
  readonly testable: boolean;
  /** The symbol Test connection subscribes (one every plan streams), per option value where it differs. */
  readonly testSymbol: string;
  readonly testSymbolBy?: { readonly option: string; readonly values: Readonly<Record<string, string>> };
}

/** A provider's REST trade history (backfill): its default base URL and documented pace. */
export interface RestHistorySpec {
  readonly restUrl: string;
  /** Least time between requests (ms). */
  readonly minIntervalMs: number;
  /** Wait after a 429 that names no retry time (ms); absent = exponential backoff. */
  readonly rateLimitMs?: number;
}

/** A registry entry: the descriptor and the factory of the provider's runtime. */
export interface ProviderModule<Id extends string = string> extends ProviderDescriptor<Id> {
  readonly create: (settings: FeedSettings) => Provider;
}

/** What a provider module declares; `define` fills in the usual values of what it leaves out. */
export interface ProviderSpec<Id extends string> {
  readonly id: Id;
  readonly label: string;
  /** Default: neither credential is used. */
  readonly apiKey?: CredentialNeed;
  readonly apiSecret?: CredentialNeed;
  readonly url?: string;
  readonly urlRequired?: boolean;
  readonly options?: readonly OptionSpec[];
  readonly heading?: string;
  readonly properties?: readonly string[];
  /** Over NO_LIMITS (no symbol cap, one connection, no message pace). */
  readonly limits?: Partial<ProviderLimits>;
  /** Default: none. */
  readonly conditions?: TableDialect | "none";
  readonly backfill: ProviderDescriptor["backfill"];
  /** Default: true. */
  readonly testable?: boolean;
  /** Default: AAPL. */
  readonly testSymbol?: string;
  readonly testSymbolBy?: ProviderDescriptor["testSymbolBy"];
  readonly create: (settings: FeedSettings) => Provider;
}

/** A provider module's registry entry from what it declares. */
export function defineProvider<const Id extends string>(spec: ProviderSpec<Id>): ProviderModule<Id> {
  const {
    apiKey = "none",
    apiSecret = "none",
    url = "",
    urlRequired = false,
    options = [],
    limits,
    conditions = "none",
    testable = true,
    testSymbol = "AAPL",
    ...rest
  } = spec;
  return {
    ...rest,
    credentials: { apiKey, apiSecret },
    url,
    urlRequired,
    options,
    limits: { ...NO_LIMITS, ...limits },
    conditions,
    testable,
    testSymbol,
  };
}

type Layout = Pick<OptionSpec, "inline" | "width">;

/** A select option whose default is its first choice; `labels`: the catalog prefix of the choice texts. */
export function selectOption(name: string, label: string, values: readonly string[], labels: string, layout: Layout = {}): OptionSpec {
  const choices = values.map((value) => ({ value, label: labels + (value === "" ? "auto" : value) }));
  return { name, input: "select", label, default: values[0], choices, ...layout };
}

/** A select option with literal choice texts ([value, text]); its default is the first choice. */
export function selectTexts(name: string, label: string, pairs: ReadonlyArray<readonly [string, string]>, layout: Layout = {}): OptionSpec {
  return { name, input: "select", label, default: pairs[0][0], choices: pairs.map(([value, text]) => ({ value, text })), ...layout };
}

/** A number option with a check; the editor shows its default as the placeholder. */
export function numberOption(name: string, label: string, dflt: number, check: OptionCheck, min: string, layout: Layout = {}): OptionSpec {
  return { name, input: "number", label, default: dflt, check, min, ...layout };
}

/** The default REST base URL of a provider with a trade history ("" without one). */
export function restUrlOf(d: ProviderDescriptor): string {
  return "restUrl" in d.backfill ? d.backfill.restUrl : "";
}

/** The REST pace of a provider's trade history (no pace without one). */
export function restPaceOf(d: ProviderDescriptor): { minIntervalMs: number; rateLimitMs: number } {
  return "restUrl" in d.backfill
    ? { minIntervalMs: d.backfill.minIntervalMs, rateLimitMs: d.backfill.rateLimitMs ?? 0 }
    : { minIntervalMs: 0, rateLimitMs: 0 };
}

/** What an option check says about a value: true, or the catalog key of the message. Blank passes (= default). */
export function checkOption(check: OptionCheck | undefined, value: unknown): true | string {
  if (check === undefined || value === undefined || value === null || String(value).trim() === "") return true;
  if (check === "json") {
    try {
      JSON.parse(String(value));
      return true;
    } catch {
      return "tick-feed.errors.json";
    }
  }
  const n = Number(value);
  if (check === "positive") return (Number.isFinite(n) && n > 0) || "tick-feed.errors.positive";
  return (Number.isFinite(n) && n >= 0) || "tick-feed.errors.non-negative";
}

/** The descriptor as plain JSON (no factory; Infinity as null), as the editor receives it. */
export function plainDescriptor(d: ProviderDescriptor): Record<string, unknown> {
  return JSON.parse(JSON.stringify(d, (key, v: unknown) => (key === "create" ? undefined : v === Infinity ? null : v))) as Record<
    string,
    unknown
  >;
}
