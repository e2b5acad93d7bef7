/**
 * The socket a slot drives: the part of a `ws` WebSocket it uses, so tests can hand the slot a
 * fake one (through `SocketFactory`) and drive every edge synchronously.
 */
import WebSocket, { type ClientOptions } from "ws";
import type { Provider } from "../providers/types";
import { type Clock, OneShot } from "./clock";
import type { SlotOptions } from "./options";
import type { PausableSocket } from "./read-budget";

export interface SlotSocket extends PausableSocket {
  readonly readyState: number;
  on(event: "open" | "ping" | "pong", listener: () => void): this;
  on(event: "message", listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: "error", listener: (err: Error) => void): this;
  on(event: "close", listener: (code: number, reason: Buffer) => void): this;
  removeAllListeners(): this;
  send(text: string): void;
  ping(): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

export type SocketFactory = (url: string, options: ClientOptions) => SlotSocket;

/** readyState of an open socket (the WebSocket constant). */
export const SOCKET_OPEN = WebSocket.OPEN;

/** The real thing: a `ws` client socket. */
export const wsSocket: SocketFactory = (url, options) => new WebSocket(url, options);

/** The options of a slot's socket: handshake deadline, frame limit, extra CAs, then the provider's own. */
export function socketOptions(o: SlotOptions, provider: Provider): ClientOptions {
  return {
    handshakeTimeout: o.handshakeTimeoutMs,
    perMessageDeflate: false,
    ...(o.maxFrameBytes !== undefined && o.maxFrameBytes > 0 ? { maxPayload: o.maxFrameBytes } : {}),
    ...(o.ca ? { ca: o.ca } : {}),
    ...(provider.wsOptions ? provider.wsOptions() : {}),
  };
}

/** Starts a graceful close (1000) of an open socket; one that is not open yet, or throws, is terminated. */
export function closeSocket(ws: SlotSocket): void {
  try {
    if (ws.readyState === SOCKET_OPEN) ws.close(1000, "closing");
    else ws.terminate();
  } catch {
    ws.terminate();
  }
}

/**
 * A slot's close of its socket: graceful first and terminated after a bound (a peer that never
 * answers the close handshake must not hold us), and the callers waiting for the close to end.
 */
export class SocketClose {
  /** start() came while closing: connect again once closed (the slot ignores it after dispose()). */
  restart = false;
  private waiters: Array<() => void> = [];
  private readonly bound: OneShot;

  constructor(
    clock: Clock,
    private readonly boundMs: number,
  ) {
    this.bound = new OneShot(clock);
  }

  /** The bound's timer is pending. */
  get pending(): boolean {
    return this.bound.pending;
  }

  /** Resolves when the close under way ends (see `settle`). */
  wait(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Starts closing `ws`; terminates it after the bound if it is still the slot's `current()` socket. */
  begin(ws: SlotSocket, current: () => SlotSocket | null): void {
    closeSocket(ws);
    this.bound.set(() => {
      if (current() === ws) ws.terminate();
    }, this.boundMs);
  }

  /** The socket is gone: the bound is no longer needed. */
  clear(): void {
    this.bound.clear();
  }

  /** The close has ended: everyone waiting is told. */
  settle(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
