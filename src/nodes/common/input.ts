/**
 * The Node-RED side every processing node shares: refusing to run with a bad configuration,
 * the input handler (control messages, data, send/done, a red flash on bad input) and close.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from "node-red";
import { StatusBadge, type StatusView } from "./badge";
import { controlOf } from "./glue";

export type Done = (err?: Error) => void;
/** What a node sends: one message, or one entry per output (an entry may be an array of messages). */
export type Out = NodeMessage | Array<NodeMessage | NodeMessage[] | null>;
export type Send = (m: Out) => void;
export type Control = NonNullable<ReturnType<typeof controlOf>>;

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Runs `resolve` (the node's settings parser). On an error: a red "config" status, the error
 * logged (`<type>.errors.config`), and every input message refused with it; returns undefined.
 */
export function resolveOrRefuse<T>(RED: NodeAPI, node: Node, type: string, resolve: () => T): T | undefined {
  try {
    return resolve();
  } catch (err) {
    const text = RED._(`${type}.errors.config`, { error: (err as Error).message });
    node.status({ fill: "red", shape: "ring", text: RED._(`${type}.status.config`) });
    node.error(text);
    node.on("input", (_m: NodeMessageInFlow, _s: unknown, done: Done) => done(new Error(text)));
    return undefined;
  }
}

/** "null", "array" or the typeof of a payload that is not what a node takes (for error texts). */
export function typeName(p: unknown): string {
  return p === null ? "null" : Array.isArray(p) ? "array" : typeof p;
}

export interface InputHandlers {
  /** msg.reset / msg.flush (true = every symbol, or one symbol). */
  control(c: Control, send: Send): void;
  /** Any other message; throws (a catchable error, a red flash) on bad input. */
  data(msg: NodeMessageInFlow, send: Send): void;
  /** After a message was handled without error (re-arm a timer, report). */
  after?(): void;
}

/**
 * Where a core's output goes: the input handler's `send` while a message is handled (so Node-RED
 * tracks it), `node.send` otherwise (output a timer causes).
 */
export class Outlet {
  private current: Send | null = null;

  constructor(private readonly node: Node) {}

  send(m: Out): void {
    if (this.current !== null) this.current(m);
    else this.node.send(m);
  }

  during(send: Send, fn: () => void): void {
    this.current = send;
    try {
      fn();
    } finally {
      this.current = null;
    }
  }
}

/** An input handler that turns a thrown error into a red flash and done(err); done() otherwise. */
export function onInput(node: Node, badge: StatusBadge, handle: (msg: NodeMessageInFlow, send: Send) => void, outlet?: Outlet): void {
  node.on("input", (msg: NodeMessageInFlow, send: Send, done: Done) => {
    try {
      if (outlet !== undefined) outlet.during(send, () => handle(msg, send));
      else handle(msg, send);
      done();
    } catch (err) {
      badge.flash();
      done(asError(err));
    }
  });
}

/** The processing nodes' input handler: a control message or data, then `after`. */
function handleInput(node: Node, badge: StatusBadge, h: InputHandlers, outlet?: Outlet): void {
  onInput(
    node,
    badge,
    (msg, send) => {
      const c = controlOf(msg);
      if (c !== undefined) h.control(c, send);
      else h.data(msg, send);
      h.after?.();
    },
    outlet,
  );
}

/** On close: runs each cleanup (timers, badge, state), then done. */
export function onClose(node: Node, ...cleanups: Array<() => void>): void {
  node.on("close", (_removed: boolean, done: () => void) => {
    for (const c of cleanups) c();
    done();
  });
}

/** What a processing node's setup hands back: the wiring every such node has. */
export interface NodeParts {
  /** The status badge's view (refreshed once a second, red flash on bad input). */
  status: () => StatusView;
  input: InputHandlers;
  /** Where the core's output goes (see Outlet), for cores that emit through a callback. */
  outlet?: Outlet;
  /** Cleanups on close, after the badge's timer (timers, state). */
  close: Array<() => void>;
}

/**
 * A processing node type's registration (the module's export): creates the node, resolves its
 * settings (refusing to run on a bad configuration, see resolveOrRefuse), hands node, settings and
 * properties to `setup`, and wires what it returns: the status badge (`<type>.status.bad-input`
 * on a flash), the input handler and close.
 */
export function defineNode<D extends NodeDef, C>(
  type: string,
  resolve: (def: D) => C,
  setup: (RED: NodeAPI, node: Node, cfg: C, def: D) => NodeParts,
  opts?: Parameters<NodeAPI["nodes"]["registerType"]>[2],
): (RED: NodeAPI) => void {
  return function register(RED: NodeAPI): void {
    function TickstreamNode(this: Node, def: D): void {
      RED.nodes.createNode(this, def);
      const cfg = resolveOrRefuse(RED, this, type, () => resolve(def));
      if (cfg === undefined) return;
      const parts = setup(RED, this, cfg, def);
      const badge = new StatusBadge(this, parts.status, RED._(`${type}.status.bad-input`));
      handleInput(this, badge, parts.input, parts.outlet);
      onClose(this, () => badge.stop(), ...parts.close);
    }
    RED.nodes.registerType(type, TickstreamNode, opts);
  };
}
