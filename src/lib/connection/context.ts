/**
 * The context a provider session gets: one per socket. Every callback first checks that its
 * socket is still the slot's current one, so a stale session (its socket closed) can do nothing.
 */
import { nowMicros } from "../time";
import type { Channel, RawTick } from "../types";
import type { Provider, ProviderFailure, SessionContext } from "../providers/types";
import type { SlotEventArgs } from "./events";
import type { SlotSocket } from "./socket";

/** What the context reaches in its slot. */
export interface SessionPort {
  /** The slot's socket now. */
  current(): SlotSocket | null;
  send(text: string, replaceKey: string | undefined): void;
  /** The provider handshake succeeded. */
  ready(): void;
  tick(tick: RawTick): void;
  emit(...event: SlotEventArgs): void;
  fail(failure: ProviderFailure): void;
  malformed(reason: string, sample: string | undefined): void;
  frameRecvTs(): number;
  upstream(channel: Channel): ReadonlySet<string>;
}

export function sessionContext(provider: Provider, ws: SlotSocket, port: SessionPort): SessionContext {
  const live = (): boolean => ws === port.current();
  return {
    settings: provider.settings,
    send: (message: string | object, replaceKey?: string) => {
      if (live()) port.send(typeof message === "string" ? message : JSON.stringify(message), replaceKey);
    },
    ready: () => {
      if (live()) port.ready();
    },
    tick: (tick: RawTick) => {
      if (live()) port.tick(tick);
    },
    subscribed: (symbols: string[], channel: Channel) => {
      if (live() && symbols.length > 0) port.emit("subscribed", { symbols, channel });
    },
    unsubscribed: (symbols: string[], channel: Channel) => {
      if (live() && symbols.length > 0) port.emit("unsubscribed", { symbols, channel });
    },
    rejected: (symbols: string[], channel: Channel, code: string, message: string) => {
      if (live()) port.emit("rejected", { symbols, channel, code, message });
    },
    fail: (failure: ProviderFailure) => {
      if (live()) port.fail(failure);
    },
    warn: (code: string, message: string) => {
      if (live()) port.emit("warning", { code, message });
    },
    event: (topic: "replay-end", payload: Record<string, unknown>) => {
      if (live()) port.emit(topic, payload);
    },
    malformed: (reason: string, sample?: string) => {
      if (live()) port.malformed(reason, sample);
    },
    now: nowMicros,
    get frameRecvTs() {
      return port.frameRecvTs();
    },
    upstream: (channel: Channel) => port.upstream(channel),
  };
}
