/**
 * What a slot tells its owner (the feed): typed hooks and the event map. Each event topic has
 * its own payload type, so a listener that switches on the topic gets the payload narrowed,
 * with no casts.
 */
import type { Channel, RawTick } from "../types";
import type { FailureKind } from "../providers/types";
import type { Slot } from "./slot";

/** Symbols (dis)confirmed or refused on one channel. */
export type SymbolsPayload = { symbols: string[]; channel: Channel };

/** An error event: a failure (with its kind), or `connect_failing` (kind "failing") after a run of failed attempts. */
export type SlotErrorPayload = {
  code: string;
  message: string;
  kind?: FailureKind | "failing";
  /** frame_too_large: the frame limit (bytes). */
  limit?: number | undefined;
  /** connect_failing: the code of the failure that keeps happening, and the attempts so far. */
  cause?: string;
  attempts?: number;
};

/** The slot's events and their payloads. */
export interface SlotEvents {
  connected: { url: string };
  disconnected: { code: number; reason: string; error?: string; wasOpen: boolean };
  reconnecting: { in: number; attempt: number; cause?: string };
  subscribed: SymbolsPayload;
  unsubscribed: SymbolsPayload;
  rejected: SymbolsPayload & { code: string; message: string };
  error: SlotErrorPayload;
  warning: { code: string; message: string };
  /** Produced by the provider itself (a replay pass ended); passed on as is. */
  "replay-end": Record<string, unknown>;
}

export type SlotEventTopic = keyof SlotEvents;

/** One event as arguments: `[topic, payload]`, the payload typed by the topic. */
export type SlotEventArgs = { [K in SlotEventTopic]: [topic: K, payload: SlotEvents[K]] }[SlotEventTopic];

export interface SlotHooks {
  /** Hot path: one parsed tick. */
  onTick(tick: RawTick, slot: Slot): void;
  /** The frame that produced the last ticks is done. */
  onFrameEnd(slot: Slot): void;
  onState(slot: Slot): void;
  /** A slot event; declare the listener as `(slot, ...[topic, payload]: SlotEventArgs)` and switch on `topic`. */
  onEvent(slot: Slot, ...event: SlotEventArgs): void;
  onMalformed(slot: Slot, reason: string, sample: string | undefined): void;
  /** Paced reading takes the flow's pace (true when absent); false while every user conflates. */
  followFlow?(): boolean;
}
