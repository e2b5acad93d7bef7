/**
 * tick-subscribe: subscribes its symbols on a tick-feed and emits each tick once.
 * Output 1: ticks (one message per tick, or one array per frame in batch mode; output.ts).
 * Output 2: feed events (connected, disconnected, reconnecting, subscribed, unsubscribed,
 * error, subscriptions).
 * Input: msg.action = subscribe | unsubscribe | replace | getSubscriptions (actions.ts).
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from "node-red";
import type { FeedEventTopic, FeedStatus, FeedUser } from "../../lib/feed";
import { parseChannels, parseSymbols } from "../../lib/symbols";
import type { Tick } from "../../lib/types";
import type { TickFeedNode } from "../tick-feed/api";
import { StatusBadge } from "../common/badge";
import { onClose, onInput, type Done } from "../common/input";
import { runAction, Subscriptions } from "./actions";
import { outputSettings, TickOutput, type OutputProps } from "./output";
import { RateMeter, statusView } from "./status";
import { ConflateGate, parseOverload } from "./overload";

interface TickSubscribeDef extends NodeDef, OutputProps {
  feed?: string;
  symbols?: string;
  channels?: string;
  /** "backpressure" (default) | "conflate"; maxLagMs: lag that starts conflation (default 1000). */
  overload?: string;
  maxLagMs?: string | number;
}

/** Feed errors the user must act on are catchable (node.error); transient socket trouble is only an event. */
function isUsersError(payload: Record<string, unknown>): boolean {
  if (payload.severity === "warning") return false;
  const code = String(payload.code ?? "error");
  return (
    payload.kind === "auth" ||
    payload.kind === "plan" ||
    ["symbol_limit", "malformed", "connect_failing", "frame_too_large"].includes(code) ||
    payload.symbols !== undefined
  );
}

/** A node that cannot run: red status, the error logged, every input refused. */
function refuse(RED: NodeAPI, node: Node, reason: string, error: string): void {
  node.status({ fill: "red", shape: "ring", text: RED._("tick-subscribe.status." + reason) });
  node.error(RED._("tick-subscribe.errors." + reason, { error }));
  node.on("input", (_msg: NodeMessageInFlow, _send: unknown, done: Done) =>
    done(new Error(RED._("tick-subscribe.errors." + reason, { error }))),
  );
}

export = function register(RED: NodeAPI): void {
  function TickSubscribe(this: Node, config: TickSubscribeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const feedNode = config.feed ? (RED.nodes.getNode(config.feed) as TickFeedNode | null) : null;
    const core = feedNode?.core ?? null;
    if (core === null) return refuse(RED, node, feedNode === null ? "no-feed" : "feed-config", feedNode?.configError ?? "");
    let settings;
    let overload;
    try {
      settings = outputSettings(config);
      overload = parseOverload(config);
    } catch (err) {
      return refuse(RED, node, "output-config", (err as Error).message);
    }
    const out = new TickOutput(node, config.output === "batch", settings);
    // overload: conflate puts a per-turn drain between the feed and Node-RED; backpressure hands
    // each frame's ticks to Node-RED in the turn that read them.
    const gate =
      overload.mode === "conflate"
        ? new ConflateGate(overload.maxLagMs, out.deliver, (payload) => node.send([null, { topic: "overload", payload }]))
        : null;

    let feedStatus: FeedStatus | null = core.status();
    const meter = new RateMeter();
    const subs = new Subscriptions(core, () => user, parseChannels(config.channels) ?? ["trades"]);
    const badge = new StatusBadge(
      node,
      () => {
        if (feedStatus === null) return null;
        const v = statusView(feedStatus, subs.symbols.length, meter.rate, Date.now(), core.replayProgress());
        return { fill: v.fill, shape: v.shape, text: RED._("tick-subscribe.status." + v.key, v.params) };
      },
      { badInputText: RED._("tick-subscribe.status.bad-input"), everyPeriod: () => meter.period() },
    );

    const user: FeedUser = {
      id: node.id,
      conflates: gate !== null,
      onTicks(ticks: Tick[]): void {
        meter.add(ticks.length);
        if (gate !== null) gate.accept(ticks);
        else out.deliver(ticks);
      },
      onEvent(topic: FeedEventTopic, payload: Record<string, unknown>): void {
        const msg: NodeMessage = { topic, payload };
        node.send([null, msg]);
        if (topic === "error" && isUsersError(payload)) {
          node.error(
            RED._("tick-subscribe.errors.feed", {
              code: String(payload.code ?? "error"),
              message: String(payload.message ?? payload.reason ?? ""),
            }),
            msg,
          );
        }
      },
      onStatus(status: FeedStatus): void {
        feedStatus = status;
        badge.refresh();
      },
    };

    core.register(user);
    try {
      subs.apply(parseSymbols(config.symbols ?? ""), subs.channels);
    } catch (err) {
      node.error(RED._("tick-subscribe.errors.bad-symbols", { error: (err as Error).message }));
      badge.flash(RED._("tick-subscribe.status.bad-symbols"));
    }
    badge.refresh();

    onInput(node, badge, (msg, send) => {
      runAction(msg, send, subs, (key, args) => RED._(key, args));
      badge.refresh();
    });
    onClose(
      node,
      () => badge.stop(),
      () => out.close(),
      () => gate?.close(),
      () => core.deregister(user),
    );
  }

  RED.nodes.registerType("tick-subscribe", TickSubscribe);
};
