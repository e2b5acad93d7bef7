/**
 * tick-subscribe's input: msg.action = subscribe | unsubscribe | replace | getSubscriptions, and
 * the replay controls pause | resume | seek | restart | speed (provider `replay` only).
 */
import type { NodeMessageInFlow } from "node-red";
import type { FeedCore, FeedUser } from "../../lib/feed";
import { replayTime } from "../../lib/providers/replay";
import type { ReplayAction } from "../../lib/replay/server";
import { parseChannels, parseSymbols, SymbolError } from "../../lib/symbols";
import type { Channel } from "../../lib/types";
import type { Send } from "../common/input";

const ACTIONS = ["subscribe", "unsubscribe", "replace", "getSubscriptions", "pause", "resume", "seek", "restart", "speed"] as const;
/** Replay controls (provider `replay` only). */
const REPLAY_ACTIONS: readonly string[] = ["pause", "resume", "seek", "restart", "speed"];

/** What an action works on: the node's symbols and channels, and the feed. */
export interface ActionTarget {
  readonly symbols: string[];
  readonly channels: Channel[];
  /** Subscribes exactly these; returns the symbols the feed refused. */
  apply(next: string[], channels: Channel[]): string[];
  /** A replay control; returns an error text or undefined. */
  control(action: ReplayAction, arg?: number): string | undefined;
}

type Translate = (key: string, args?: Record<string, string>) => string;

function replayArg(action: string, payload: unknown, t: Translate): number | undefined {
  if (action === "seek") {
    const at = replayTime(payload);
    if (at === null || Number.isNaN(at)) throw new Error(t("tick-subscribe.errors.bad-seek", { value: String(payload) }));
    return at;
  }
  if (action === "speed") {
    const n = typeof payload === "number" ? payload : typeof payload === "string" && payload.trim() !== "" ? Number(payload) : NaN;
    if (!Number.isFinite(n) || n < 0) throw new Error(t("tick-subscribe.errors.bad-speed", { value: String(payload) }));
    return n;
  }
  return undefined;
}

/** Runs one input message's action; throws a catalog message on bad input. */
export function runAction(msg: NodeMessageInFlow, send: Send, target: ActionTarget, t: Translate): void {
  const action = (msg as { action?: unknown }).action;
  if (typeof action !== "string" || !(ACTIONS as readonly string[]).includes(action)) {
    throw new Error(t("tick-subscribe.errors.bad-action", { action: String(action) }));
  }
  const m = msg as NodeMessageInFlow & { subscriptions?: unknown; channels?: unknown; refused?: string[] };
  let nextChannels = target.channels;
  if (m.channels !== undefined) {
    const c = parseChannels(m.channels);
    if (c === null) throw new Error(t("tick-subscribe.errors.bad-channels", { channels: String(m.channels) }));
    nextChannels = c;
  }
  if (REPLAY_ACTIONS.includes(action)) {
    const err = target.control(action as ReplayAction, replayArg(action, msg.payload, t));
    if (err !== undefined) throw new Error(t("tick-subscribe.errors.replay", { action, error: err }));
    return;
  }
  const symbols = target.symbols;
  if (action === "getSubscriptions") {
    m.subscriptions = [...symbols];
    send([null, { topic: "subscriptions", payload: { symbols: [...symbols], channels: [...target.channels] } }]);
    return;
  }
  let given: string[];
  try {
    given = parseSymbols(msg.payload ?? "");
  } catch (err) {
    if (err instanceof SymbolError) throw new Error(t("tick-subscribe.errors.bad-symbols", { error: err.message }));
    throw err;
  }
  if (given.length === 0 && action !== "replace") throw new Error(t("tick-subscribe.errors.no-symbols"));
  let next: string[];
  if (action === "subscribe") next = [...symbols, ...given.filter((s) => !symbols.includes(s))];
  else if (action === "unsubscribe") next = symbols.filter((s) => !given.includes(s));
  else next = given;
  const refused = target.apply(next, nextChannels);
  m.subscriptions = [...target.symbols];
  if (refused.length > 0) m.refused = refused;
}

/** The node's subscriptions on its feed. */
export class Subscriptions implements ActionTarget {
  symbols: string[] = [];

  constructor(
    private readonly core: Pick<FeedCore, "setSymbols" | "control">,
    private readonly user: () => FeedUser,
    public channels: Channel[],
  ) {}

  apply(next: string[], channels: Channel[]): string[] {
    this.symbols = next;
    this.channels = channels;
    return this.core.setSymbols(this.user(), {
      trades: channels.includes("trades") ? next : [],
      quotes: channels.includes("quotes") ? next : [],
    });
  }

  control(action: ReplayAction, arg?: number): string | undefined {
    return this.core.control(action, arg);
  }
}
