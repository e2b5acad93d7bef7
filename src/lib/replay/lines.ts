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
  const { size, gzip } = await probe(path);
  return new FileLines(path, size, gzip);
}

/** The file's size and whether it is gzip (by its magic bytes). */
async function probe(path: string): Promise<{ size: number; gzip: boolean }> {
  const fh = await fsp.open(path, "r");
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${path} is not a file`);
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return { size: st.size, gzip: bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b };
  } finally {
    await fh.close();
  }
}

/** Cuts chunks into lines; `rest` holds an unfinished line; `skipping` is set while the rest of an over-long line passes. */
class LineSplitter {
  private rest: Buffer | null = null;
  private skipping = false;
  private readonly pending: string[] = [];
  private pendingAt = 0;

  /** The next complete line (TOO_LONG for an over-long one), or null when none is waiting. */
  shift(): string | null {
    if (this.pendingAt >= this.pending.length) return null;
    const line = this.pending[this.pendingAt++];
    if (this.pendingAt === this.pending.length) {
      this.pending.length = 0;
      this.pendingAt = 0;
    }
    return line;
  }

  push(chunk: Buffer): void {
    let start = 0;
    let nl = chunk.indexOf(0x0a, start);
    while (nl >= 0) {
      const piece = chunk.subarray(start, nl);
      const rest = this.rest;
      if (this.skipping)
        this.skipping = false; // the end of an over-long line, already reported
      else if ((rest === null ? 0 : rest.length) + piece.length > MAX_LINE_BYTES) this.pending.push(TOO_LONG);
      else this.pending.push(text(rest === null ? piece : Buffer.concat([rest, piece])));
      this.rest = null;
      start = nl + 1;
      nl = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length && !this.skipping) {
      const tail = chunk.subarray(start);
      const rest = this.rest;
      if ((rest === null ? 0 : rest.length) + tail.length > MAX_LINE_BYTES) {
        this.rest = null;
        this.skipping = true;
        this.pending.push(TOO_LONG);
      } else this.rest = rest === null ? Buffer.from(tail) : Buffer.concat([rest, tail]);
    }
  }

  /** The end of the input: an unfinished last line counts. */
  end(): void {
    if (this.rest !== null && !this.skipping) this.pending.push(text(this.rest));
    this.rest = null;
  }

  clear(): void {
    this.pending.length = 0;
    this.pendingAt = 0;
    this.rest = null;
  }
}

class FileLines implements LineSource {
  bytesRead = 0;
  private readonly raw: Readable;
  private readonly stream: Readable;
  private readonly it: AsyncIterator<Buffer>;
  private readonly lines = new LineSplitter();
  private done = false;
  private closed = false;

  constructor(
    path: string,
    readonly size: number,
    readonly gzip: boolean,
  ) {
    const raw = createReadStream(path, { highWaterMark: 64 * 1024 });
    raw.on("data", (chunk: Buffer | string) => {
      this.bytesRead += chunk.length;
    });
    const stream: Readable = gzip ? raw.pipe(createGunzip({ chunkSize: 64 * 1024 })) : raw;
    if (gzip) raw.on("error", (err) => stream.destroy(err));
    // An error before the first read (the file removed meanwhile, a closed replay) must not be an
    // unhandled 'error' event: the stream keeps it (errored) and the next read rejects with it.
    raw.on("error", () => undefined);
    if (stream !== raw) stream.on("error", () => undefined);
    this.raw = raw;
    this.stream = stream;
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async next(): Promise<string | null | undefined> {
    for (;;) {
      const line = this.lines.shift();
      if (line !== null) return line === TOO_LONG ? undefined : line;
      if (this.done || this.closed) return null;
      const r = await this.it.next();
      if (r.done === true) {
        this.done = true;
        this.lines.end();
        continue;
      }
      this.lines.push(r.value);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lines.clear();
    const { raw, stream } = this;
    // A stream closed before it opened still reports its open error (the file may be gone by
    // then, e.g. deleted right after the flow stopped): nobody reads it any more, so absorb it
    // instead of letting it become an uncaught exception.
    raw.on("error", () => undefined);
    if (stream !== raw) stream.on("error", () => undefined);
    raw.destroy();
    if (stream !== raw) stream.destroy();
  }
}

function text(b: Buffer): string {
  const end = b.length > 0 && b[b.length - 1] === 0x0d ? b.length - 1 : b.length;
  return b.toString("utf8", 0, end);
}
