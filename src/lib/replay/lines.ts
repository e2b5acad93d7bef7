/**
 * Reads a file line by line as a pull stream: plain text or gzip (recognized by its magic
 * bytes, whatever the name). Nothing is read ahead of the consumer beyond one stream chunk
 * (64 KiB) and the current partial line, so a file of any size is read in constant memory.
 *
 * (Not `readline`: its async iterator buffers lines on its own schedule; pulling chunks from
 * the stream's own async iterator keeps Node's stream backpressure intact and lets us bound the
 * length of a line.)
 */
import { createReadStream, promises as fsp } from "fs";
import { createGunzip } from "zlib";
import type { Readable } from "stream";

/** Longest line accepted; a longer one is skipped (reported as malformed). */
export const MAX_LINE_BYTES = 1 << 20;

/** Marks a skipped over-long line in the queue (a NUL never starts a real line we keep). */
const TOO_LONG = "\u0000too-long";

export interface LineSource {
  /** Next line without its line break (a trailing `\r` removed); `null` at the end; `undefined` for an over-long line (skipped). */
  next(): Promise<string | null | undefined>;
  /** Bytes of the file read so far (compressed bytes for gzip). */
  readonly bytesRead: number;
  readonly size: number;
  readonly gzip: boolean;
  close(): void;
}

/** Opens a file for line reading; rejects with a clear Error when it is missing or unreadable. */
export async function openLines(path: string): Promise<LineSource> {
  const fh = await fsp.open(path, "r");
  let size: number;
  let gzip: boolean;
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${path} is not a file`);
    size = st.size;
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
  const raw = createReadStream(path, { highWaterMark: 64 * 1024 });
  let bytesRead = 0;
  raw.on("data", (chunk: Buffer | string) => {
    bytesRead += chunk.length;
  });
  const stream: Readable = gzip ? raw.pipe(createGunzip({ chunkSize: 64 * 1024 })) : raw;
  if (gzip) raw.on("error", (err) => stream.destroy(err));
  // An error before the first read (the file removed meanwhile, a closed replay) must not be an
  // unhandled 'error' event: the stream keeps it (errored) and the next read rejects with it.
  raw.on("error", () => undefined);
  if (stream !== raw) stream.on("error", () => undefined);
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let rest: Buffer | null = null;
  let skipping = false;
  let done = false;
  let closed = false;
  const pending: string[] = [];
  let pendingAt = 0;

  /** Splits a chunk into lines; `rest` holds an unfinished line; `skipping` is set while the rest of an over-long line passes. */
  const split = (chunk: Buffer): void => {
    let start = 0;
    let nl = chunk.indexOf(0x0a, start);
    while (nl >= 0) {
      const piece = chunk.subarray(start, nl);
      if (skipping) skipping = false; // the end of an over-long line, already reported
      else if ((rest === null ? 0 : rest.length) + piece.length > MAX_LINE_BYTES) pending.push(TOO_LONG);
      else pending.push(text(rest === null ? piece : Buffer.concat([rest, piece])));
      rest = null;
      start = nl + 1;
      nl = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length && !skipping) {
      const tail = chunk.subarray(start);
      if ((rest === null ? 0 : rest.length) + tail.length > MAX_LINE_BYTES) {
        rest = null;
        skipping = true;
        pending.push(TOO_LONG);
      } else rest = rest === null ? Buffer.from(tail) : Buffer.concat([rest, tail]);
    }
  };

  return {
    get bytesRead() {
      return bytesRead;
    },
    size,
    gzip,
    async next(): Promise<string | null | undefined> {
      for (;;) {
        if (pendingAt < pending.length) {
          const line = pending[pendingAt++];
          if (pendingAt === pending.length) {
            pending.length = 0;
            pendingAt = 0;
          }
          return line === TOO_LONG ? undefined : line;
        }
        if (done || closed) return null;
        const r = await it.next();
        if (r.done === true) {
          done = true;
          if (rest !== null && !skipping) {
            pending.push(text(rest));
            rest = null;
          }
          continue;
        }
        split(r.value);
      }
    },
    close(): void {
      if (closed) return;
      closed = true;
      pending.length = 0;
      rest = null;
      // A stream closed before it opened still reports its open error (the file may be gone by
      // then, e.g. deleted right after the flow stopped): nobody reads it any more, so absorb it
      // instead of letting it become an uncaught exception.
      raw.on("error", () => undefined);
      if (stream !== raw) stream.on("error", () => undefined);
      raw.destroy();
      if (stream !== raw) stream.destroy();
    },
  };
}

function text(b: Buffer): string {
  const end = b.length > 0 && b[b.length - 1] === 0x0d ? b.length - 1 : b.length;
  return b.toString("utf8", 0, end);
}
