/**
 * tick-subscribe: subscribes its symbols on a tick-feed and emits each tick once.
 * Output 1: ticks (one message per tick, or one array per frame in batch mode).
 * Output 2: feed events (connected, disconnected, reconnecting, subscribed, unsubscribed,
 * error, subscriptions).
 * Input: msg.action = subscribe | unsubscribe | replace | getSubscriptions.
 */
import { randomBytes } from "crypto";
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from "node-red";
import type { FeedCore, FeedEventTopic, FeedStatus, FeedUser } from "../../lib/feed";
import { parseChannels, parseSymbols, SymbolError } from "../../lib/symbols";
import { InfluxTickFormatter, INFLUX_PRECISION } from "../../lib/influx";
import { parsePartitions, TopicTemplate } from "../../lib/topic";
import type { Channel, Tick } from "../../lib/types";
import { replayTime } from "../../lib/providers/replay";
import type { ReplayAction } from "../../lib/replay/server";
import type { TickFeedNode } from "../tick-feed/api";
import { statusView, type StatusView } from "./status";
import { ConflateGate, type OverloadSettings, parseOverload } from "./overload";

interface TickSubscribeDef extends NodeDef {
  feed?: string;
  symbols?: string;
  channels?: string;
  /** "tick" (default): one message per tick; "batch": msg.payload = array of the ticks read together (at most 10,000). */
  output?: string;
  /** "object" (default): msg.payload = Tick; "influxdb": what node-red-contrib-influxdb writes as is. */
  format?: string;
  /** msg.topic template: {symbol} (default), {type}, {provider}, {partition}. */
  topic?: string;
  /** Number of partitions for {partition} (integer >= 1, default 1). */
  partitions?: string | number;
  /** InfluxDB measurement (format influxdb; default "ticks"). */
  measurement?: string;
  /** "backpressure" (default) | "conflate"; maxLagMs: lag that starts conflation (default 1000). */
  overload?: string;
  maxLagMs?: string | number;
}

/** The output settings, checked once at deploy. */
function outputSettings(config: TickSubscribeDef): { influx: InfluxTickFormatter | null; template: TopicTemplate } {
  const format = config.format === undefined || config.format === "" ? "object" : config.format;
  if (format !== "object" && format !== "influxdb") throw new Error(`Unknown format "${format}": use object or influxdb.`);
  const partitions = parsePartitions(config.partitions);
  return { influx: format === "influxdb" ? new InfluxTickFormatter(config.measurement) : null, template: new TopicTemplate(config.topic, partitions) };
}

const ACTIONS = ["subscribe", "unsubscribe", "replace", "getSubscriptions", "pause", "resume", "seek", "restart", "speed"] as const;
/** Replay controls (provider `replay` only). */
const REPLAY_ACTIONS: readonly string[] = ["pause", "resume", "seek", "restart", "speed"];
type Action = (typeof ACTIONS)[number];

/**
 * Message ids: a random per-process prefix plus a counter: unique like Node-RED's own random
 * ids, without a random draw per tick.
 */
const ID_PREFIX = randomBytes(6).toString("hex") + "-";
let idCounter = 0;
function nextMsgId(): string {
  return ID_PREFIX + ++idCounter;
}

/** Batch mode: most ticks in one message. */
const MAX_BATCH = 10_000;

/** How often the status (and its ticks/s figure) may change. */
const STATUS_PERIOD_MS = 1000;
/** How long an input error stays visible in the status. */
const ERROR_SHOW_MS = 5000;

export = function register(RED: NodeAPI): void {
  function TickSubscribe(this: Node, config: TickSubscribeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const feedNode = config.feed ? (RED.nodes.getNode(config.feed) as TickFeedNode | null) : null;
    const core: FeedCore | null = feedNode?.core ?? null;
    const batch = config.output === "batch";
    let out: ReturnType<typeof outputSettings> | null = null;
    let outError = "";
    let overload: OverloadSettings | null = null;
    try {
      out = outputSettings(config);
      overload = parseOverload(config);
    } catch (err) {
      out = null;
      outError = (err as Error).message;
    }
    let channels: Channel[] = parseChannels(config.channels) ?? ["trades"];
    let symbols: string[] = [];
    let lastView = "";
    let feedStatus: FeedStatus | null = core?.status() ?? null;
    let count = 0;
    let lastCountAt = Date.now();
    let rate = 0;
    let flash: { key: string; params: Record<string, string | number>; until: number } | null = null;
    let timer: NodeJS.Timeout | null = null;
    let pending: Tick[] | null = null;
    let flushHandle: NodeJS.Immediate | null = null;
    const flush = (): void => {
      if (flushHandle !== null) clearImmediate(flushHandle);
      flushHandle = null;
      const ticks = pending;
      pending = null;
      if (ticks === null || ticks.length === 0) return;
      const influx = out?.influx ?? null;
      if (influx === null) node.send([{ _msgid: nextMsgId(), topic: "ticks", payload: ticks }, null]);
      else node.send([{ _msgid: nextMsgId(), topic: "ticks", precision: INFLUX_PRECISION, payload: ticks.map((t) => influx.batchPoint(t)) }, null]);
    };

    const show = (v: StatusView): void => {
      const text = RED._("tick-subscribe.status." + v.key, v.params);
      const id = v.fill + v.shape + text;
      if (id === lastView) return;
      lastView = id;
      node.status({ fill: v.fill, shape: v.shape, text });
    };

    const refresh = (): void => {
      const now = Date.now();
      if (flash !== null && now < flash.until) {
        show({ fill: "red", shape: "ring", key: flash.key, params: flash.params });
        return;
      }
      flash = null;
      if (feedStatus !== null) show(statusView(feedStatus, symbols.length, rate, now, core === null ? null : core.replayProgress()));
    };

    if (core === null || out === null) {
      const reason = core === null ? (feedNode === null ? "no-feed" : "feed-config") : "output-config";
      const error = core === null ? feedNode?.configError ?? "" : outError;
      node.status({ fill: "red", shape: "ring", text: RED._("tick-subscribe.status." + reason) });
      node.error(RED._("tick-subscribe.errors." + reason, { error }));
      node.on("input", (_msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => {
        done(new Error(RED._("tick-subscribe.errors." + reason, { error })));
      });
      return;
    }
    const { influx, template } = out;

    const deliver = (ticks: Tick[]): void => {
      if (batch) {
        // Everything read in this event-loop turn goes out as one message (flushed before the
        // next turn's reads); a full batch goes out at once, so the buffer stays bounded.
        if (pending === null) {
          pending = ticks;
          flushHandle = setImmediate(flush);
        } else {
          for (let i = 0; i < ticks.length; i++) pending.push(ticks[i]);
        }
        if (pending.length >= MAX_BATCH) flush();
        return;
      }
      // One send per tick: each tick is its own message with its own id. (Sending an array of
      // messages in one call would make Node-RED deep-clone every message after the first
      // and give them all the same _msgid.)
      for (let i = 0; i < ticks.length; i++) {
        const t = ticks[i];
        const topic = template.isSymbol ? t.symbol : template.render(t.symbol, t.type, t.provider);
        if (influx === null) node.send([{ _msgid: nextMsgId(), topic, payload: t }, null]);
        else node.send([{ _msgid: nextMsgId(), topic, measurement: influx.measurement, precision: INFLUX_PRECISION, payload: influx.outPayload(t) }, null]);
      }
    };
    // overload: conflate puts a per-turn drain between the feed and Node-RED; backpressure hands
    // each frame's ticks to Node-RED in the turn that read them.
    const gate =
      overload !== null && overload.mode === "conflate"
        ? new ConflateGate(overload.maxLagMs, deliver, (payload) => node.send([null, { topic: "overload", payload }]))
        : null;

    const user: FeedUser = {
      id: node.id,
      paced: gate !== null,
      onTicks(ticks: Tick[]): void {
        count += ticks.length;
        if (gate !== null) gate.accept(ticks);
        else deliver(ticks);
      },
      onEvent(topic: FeedEventTopic, payload: Record<string, unknown>): void {
        const msg: NodeMessage = { topic, payload };
        node.send([null, msg]);
        if (topic === "error" && payload.severity !== "warning") {
          const code = String(payload.code ?? "error");
          // Errors the user must act on are catchable; transient socket trouble is only an event.
          if (
            payload.kind === "auth" ||
            payload.kind === "plan" ||
            code === "symbol_limit" ||
            code === "malformed" ||
            code === "connect_failing" ||
            code === "frame_too_large" ||
            payload.symbols !== undefined
          ) {
            node.error(RED._("tick-subscribe.errors.feed", { code, message: String(payload.message ?? payload.reason ?? "") }), msg);
          }
        }
      },
      onStatus(status: FeedStatus): void {
        feedStatus = status;
        refresh();
      },
    };

    const apply = (next: string[], nextChannels: Channel[]): string[] => {
      symbols = next;
      channels = nextChannels;
      return core.setSymbols(user, {
        trades: channels.includes("trades") ? symbols : [],
        quotes: channels.includes("quotes") ? symbols : [],
      });
    };

    core.register(user);
    try {
      apply(parseSymbols(config.symbols ?? ""), channels);
    } catch (err) {
      node.error(RED._("tick-subscribe.errors.bad-symbols", { error: (err as Error).message }));
      flash = { key: "bad-symbols", params: {}, until: Date.now() + ERROR_SHOW_MS };
    }
    refresh();

    timer = setInterval(() => {
      const now = Date.now();
      rate = (count * 1000) / Math.max(1, now - lastCountAt);
      count = 0;
      lastCountAt = now;
      refresh();
    }, STATUS_PERIOD_MS);

    node.on("input", (msg: NodeMessageInFlow, send: (m: Array<NodeMessage | null>) => void, done: (err?: Error) => void) => {
      try {
        const action = (msg as { action?: unknown }).action;
        if (typeof action !== "string" || !(ACTIONS as readonly string[]).includes(action)) {
          throw new Error(RED._("tick-subscribe.errors.bad-action", { action: String(action) }));
        }
        const m = msg as NodeMessageInFlow & { subscriptions?: unknown; channels?: unknown };
        let nextChannels = channels;
        if (m.channels !== undefined) {
          const c = parseChannels(m.channels);
          if (c === null) throw new Error(RED._("tick-subscribe.errors.bad-channels", { channels: String(m.channels) }));
          nextChannels = c;
        }
        if (REPLAY_ACTIONS.includes(action)) {
          let arg: number | undefined;
          if (action === "seek") {
            const t = replayTime(msg.payload);
            if (t === null || Number.isNaN(t)) throw new Error(RED._("tick-subscribe.errors.bad-seek", { value: String(msg.payload) }));
            arg = t;
          } else if (action === "speed") {
            const n = typeof msg.payload === "number" ? msg.payload : typeof msg.payload === "string" && msg.payload.trim() !== "" ? Number(msg.payload) : NaN;
            if (!Number.isFinite(n) || n < 0) throw new Error(RED._("tick-subscribe.errors.bad-speed", { value: String(msg.payload) }));
            arg = n;
          }
          const err = core.control(action as ReplayAction, arg);
          if (err !== undefined) throw new Error(RED._("tick-subscribe.errors.replay", { action, error: err }));
          refresh();
          done();
          return;
        }
        if ((action as Action) === "getSubscriptions") {
          m.subscriptions = [...symbols];
          send([null, { topic: "subscriptions", payload: { symbols: [...symbols], channels: [...channels] } }]);
          done();
          return;
        }
        let given: string[];
        try {
          given = parseSymbols(msg.payload ?? "");
        } catch (err) {
          if (err instanceof SymbolError) throw new Error(RED._("tick-subscribe.errors.bad-symbols", { error: err.message }));
          throw err;
        }
        if (given.length === 0 && action !== "replace") throw new Error(RED._("tick-subscribe.errors.no-symbols"));
        let next: string[];
        if (action === "subscribe") next = [...symbols, ...given.filter((s) => !symbols.includes(s))];
        else if (action === "unsubscribe") next = symbols.filter((s) => !given.includes(s));
        else next = given;
        const refused = apply(next, nextChannels);
        m.subscriptions = [...symbols];
        if (refused.length > 0) (m as { refused?: string[] }).refused = refused;
        refresh();
        done();
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        flash = { key: "bad-input", params: {}, until: Date.now() + ERROR_SHOW_MS };
        refresh();
        done(e);
      }
    });

    node.on("close", (_removed: boolean, done: () => void) => {
      if (timer !== null) clearInterval(timer);
      timer = null;
      if (flushHandle !== null) clearImmediate(flushHandle);
      flushHandle = null;
      pending = null;
      gate?.close();
      core.deregister(user);
      done();
    });
  }

  RED.nodes.registerType("tick-subscribe", TickSubscribe);
};
