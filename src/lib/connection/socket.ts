/**
 * The socket a slot drives: the part of a `ws` WebSocket it uses, so tests can hand the slot a
 * fake one (through `SocketFactory`) and drive every edge synchronously.
 */
import WebSocket, { type ClientOptions } from "ws";
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
