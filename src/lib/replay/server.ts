/**
 * The replay's local market: a WebSocket server on 127.0.0.1 (ephemeral port) that plays a
 * recorded file to whoever subscribes, reached through the same connection slot, dedup and
 * events as a live provider (like the simulator). The replay state (position, pass, pause)
 * lives here, so a reconnect of the local socket continues where it was.
 *
 * Protocol:
 *   client -> {"action":"subscribe"|"unsubscribe","channel":"trades"|"quotes","symbols":[...]}
 *   server -> {"event":"subscribed"|"unsubscribed","channel":...,"symbols":[...]}
 *             [tick, tick, ...]                         (Tick objects, µs times, recvTs = replay clock)
 *             {"event":"replay-end", ...counts}         (after the last tick of each pass)
 *             {"event":"malformed","reason":...,"sample":...,"line":n}
 *             {"event":"error","code":"replay_file","message":...}   (missing/unreadable file)
 *
 * Timing: the replay clock runs on the file's receipt times (`recvTs`, recordings from a live
 * feed) or event times (`ts`, CSV), never backwards. At `speed` N > 0 a tick is sent when
 * wall time since the anchor reaches (clock - anchor clock) / N; at 0 as fast as the client
 * reads: sends wait while more than HIGH_WATER bytes are not yet handed to the kernel, so TCP
 * flow control carries a slow flow's backpressure back to the file reads.
 */
import { basename } from "path";
import { WebSocketServer, WebSocket } from "ws";
import type { AddressInfo } from "net";
import { daySchedule } from "../calendar";
import type { RawTick as Tick } from "../types";
import { openLines, type LineSource } from "./lines";
import { csvLayout, type CsvLayout, parseCsvLine, parseJsonLine, symbolFromFileName } from "./records";

export interface ReplayOptions {
  /** Absolute path of the file. */
  file: string;
  /** 1 = real time, N = N times faster, 0 = as fast as the flow takes them. */
  speed: number;
  loop: boolean;
  /** Event-time window [from, to) in µs; null = open. */
  from: number | null;
  to: number | null;
}

export type ReplayState = "waiting" | "playing" | "paused" | "ended" | "error";

export interface ReplayProgress {
  state: ReplayState;
  /** 1-based pass number (loops). */
  pass: number;
  /** Share of the file read in this pass, 0..100 (bytes; compressed bytes for gzip). */
  percent: number;
  /** Replay clock (µs, loop shift included); null before the first tick. */
  clock: number | null;
  speed: number;
  error?: string;
}

export type ReplayAction = "pause" | "resume" | "seek" | "restart" | "speed";

/** Bytes sent but not yet handed to the kernel before sends wait (speed 0 backpressure). */
const HIGH_WATER = 256 * 1024;
/** Most ticks in one frame. */
const MAX_FRAME_TICKS = 2000;
/** A frame is sent once it holds this many ticks and the next tick has another time. */
const FRAME_TICKS = 200;
/** A pass stops once a tick's time is this far past `to` (tolerates slightly unordered files). */
const TO_GRACE_US = 60_000_000;
const DAY_US = 86_400_000_000;
/** A tick this far behind the replay clock counts as out of order (reported in replay-end). */
const OUT_OF_ORDER_US = 1_000_000;

interface Client {
  ws: WebSocket;
  trades: Set<string>;
  quotes: Set<string>;
}

class Interrupted extends Error {}

export class ReplayServer {
  private wss: WebSocketServer | null = null;
  private starting: Promise<string> | null = null;
  private readonly clients = new Set<Client>();
  private closed = false;
  private running = false;

  private state: ReplayState = "waiting";
  private pass = 1;
  private shift = 0;
  private clock: number | null = null;
  private percent = 0;
  private errorText: string | undefined;
  private paused = false;
  private speed: number;
  /** Pacing anchor: wall ms and replay clock µs. */
  private anchorWall = 0;
  private anchorClock: number | null = null;
  /** Seek target (µs, file time without shift): lines before it are read without sending. */
  private seekTo: number | null = null;
  /** Bumped by restart / seek backwards: the running pass stops and the loop starts over. */
  private generation = 0;
  private wake: (() => void) | null = null;
  private inflight = 0;
  private source: LineSource | null = null;

  /** Counters of the current pass (reported in replay-end). */
  private counts = { lines: 0, ticks: 0, skipped: 0, malformed: 0, outOfOrder: 0 };
  private passFirst: number | null = null;
  private passLast: number | null = null;
  private passStartedAt = 0;

  constructor(private readonly opts: ReplayOptions) {
    this.speed = opts.speed;
  }

  start(): Promise<string> {
    if (this.starting !== null) return this.starting;
    this.starting = new Promise<string>((resolve, reject) => {
      const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
      this.wss = wss;
      wss.once("error", reject);
      wss.once("listening", () => {
        wss.off("error", reject);
        wss.on("error", () => undefined);
        resolve(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
      });
      wss.on("connection", (ws) => this.onConnection(ws));
    });
    return this.starting;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.generation++;
    this.poke();
    this.source?.close();
    this.source = null;
    const wss = this.wss;
    this.wss = null;
    this.starting = null;
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    if (wss !== null) await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  progress(): ReplayProgress {
    const p: ReplayProgress = { state: this.paused && this.state === "playing" ? "paused" : this.state, pass: this.pass, percent: this.percent, clock: this.clock === null ? null : this.clock + this.shift, speed: this.speed };
    if (this.errorText !== undefined) p.error = this.errorText;
    return p;
  }

  /**
   * pause | resume | seek (arg: µs, file time) | restart | speed (arg: number >= 0).
   * Returns an error text for a bad argument, else undefined.
   */
  control(action: ReplayAction, arg?: number): string | undefined {
    switch (action) {
      case "pause":
        this.paused = true;
        break;
      case "resume":
        this.paused = false;
        this.anchorClock = null;
        break;
      case "speed":
        if (arg === undefined || !Number.isFinite(arg) || arg < 0) return "speed must be a number >= 0";
        this.speed = arg;
        this.anchorClock = null;
        break;
      case "restart":
        this.restartAt(null, false);
        break;
      case "seek": {
        if (arg === undefined || !Number.isFinite(arg)) return "seek needs a time (ISO or µs)";
        // The time is as the flow sees it (loop shift included); the file has it without.
        const target = arg - this.shift;
        if (this.clock !== null && target >= this.clock && this.state === "playing") {
          this.seekTo = target; // forward: read on without sending
          this.anchorClock = null;
        } else this.restartAt(target, true);
        break;
      }
    }
    this.poke();
    return undefined;
  }

  /** Starts the current pass (keepPass) or the first one over, reading without sending up to `seek`. */
  private restartAt(seek: number | null, keepPass: boolean): void {
    this.generation++;
    this.seekTo = seek;
    if (!keepPass) {
      this.pass = 1;
      this.shift = 0;
    }
    this.anchorClock = null;
    this.errorText = undefined;
    if (this.state === "ended" || this.state === "error") this.state = "waiting";
    this.source?.close();
    if (!this.running) this.ensureRunning();
  }

  // ------------------------------------------------------------------------------- clients

  private onConnection(ws: WebSocket): void {
    const client: Client = { ws, trades: new Set(), quotes: new Set() };
    this.clients.add(client);
    ws.on("message", (data) => this.onMessage(client, String(data)));
    ws.on("close", () => {
      this.clients.delete(client);
      this.poke();
    });
    ws.on("error", () => undefined);
    if (this.state === "error" && this.errorText !== undefined) this.sendTo(client, { event: "error", code: "replay_file", message: this.errorText });
    this.ensureRunning();
  }

  private onMessage(client: Client, text: string): void {
    let msg: { action?: unknown; channel?: unknown; symbols?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    const channel = msg.channel === "quotes" ? "quotes" : "trades";
    const symbols = Array.isArray(msg.symbols) ? msg.symbols.filter((s): s is string => typeof s === "string" && s !== "") : [];
    if (msg.action === "subscribe") for (const s of symbols) client[channel].add(s);
    else if (msg.action === "unsubscribe") for (const s of symbols) client[channel].delete(s);
    else return;
    this.sendTo(client, { event: msg.action, channel, symbols });
    this.poke();
  }

  private sendTo(client: Client, msg: object): void {
    if (client.ws.readyState === WebSocket.OPEN) client.ws.send(JSON.stringify(msg));
  }

  private broadcastText(text: string): void {
    for (const c of this.clients) {
      if (c.ws.readyState !== WebSocket.OPEN) continue;
      const n = text.length;
      this.inflight += n;
      c.ws.send(text, () => {
        this.inflight -= n;
        if (this.inflight < HIGH_WATER / 2) this.poke();
      });
    }
  }

  private wanted(t: Tick): boolean {
    for (const c of this.clients) if ((t.type === "trade" ? c.trades : c.quotes).has(t.symbol)) return true;
    return false;
  }

  private get hasSubscriber(): boolean {
    for (const c of this.clients) if (c.ws.readyState === WebSocket.OPEN && (c.trades.size > 0 || c.quotes.size > 0)) return true;
    return false;
  }

  // ------------------------------------------------------------------------------- the loop

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    if (w !== null) w();
  }

  /** Waits for a poke or `ms` (Infinity = only a poke); throws Interrupted if the generation changed. */
  private async sleep(gen: number, ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      this.wake = () => {
        if (timer !== null) clearTimeout(timer);
        resolve();
      };
      if (ms !== Infinity) timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, Math.max(0, Math.min(ms, 2_000_000_000)));
    });
    if (gen !== this.generation || this.closed) throw new Interrupted();
  }

  private ensureRunning(): void {
    if (this.running || this.closed) return;
    this.running = true;
    void this.loop().finally(() => {
      this.running = false;
    });
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      const gen = this.generation;
      try {
        if (this.state === "ended" || this.state === "error") {
          await this.sleep(gen, Infinity); // until restart/seek (which bump the generation) or close
          continue;
        }
        await this.playPass(gen);
        if (gen !== this.generation) continue;
        if (this.opts.loop && this.passFirst !== null && this.passLast !== null) {
          this.shift += loopShift(this.passFirst + this.shift, this.passLast + this.shift);
          this.pass++;
          this.anchorClock = null;
          this.seekTo = null;
        } else {
          this.state = "ended";
        }
      } catch (err) {
        if (err instanceof Interrupted) continue;
        this.state = "error";
        this.errorText = err instanceof Error ? err.message : String(err);
        this.broadcastText(JSON.stringify({ event: "error", code: "replay_file", message: this.errorText }));
      } finally {
        this.source?.close();
        this.source = null;
      }
    }
  }

  private async waitUntilPlayable(gen: number): Promise<void> {
    let waited = false;
    while (this.paused || !this.hasSubscriber || this.inflight > HIGH_WATER) {
      waited = true;
      await this.sleep(gen, Infinity);
    }
    if (waited) this.anchorClock = null;
  }

  private async playPass(gen: number): Promise<void> {
    const o = this.opts;
    this.counts = { lines: 0, ticks: 0, skipped: 0, malformed: 0, outOfOrder: 0 };
    this.passFirst = null;
    this.passLast = null;
    this.clock = null;
    this.percent = 0;
    this.state = this.hasSubscriber ? "playing" : "waiting";
    await this.waitUntilPlayable(gen);
    this.state = "playing";
    this.passStartedAt = Date.now();
    let src: LineSource;
    try {
      src = await openLines(o.file);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === "ENOENT" ? "no such file" : e.code === "EACCES" ? "permission denied" : e.message;
      throw new Error(`Cannot read the replay file ${o.file}: ${why}.`);
    }
    if (gen !== this.generation) {
      src.close();
      throw new Interrupted();
    }
    this.source = src;
    let layout: CsvLayout | null = null;
    let format: "json" | "csv" | null = null;
    let frame: Tick[] = [];
    let frameTs = NaN;
    const flush = (): void => {
      if (frame.length === 0) return;
      this.broadcastText(JSON.stringify(frame));
      frame = [];
    };
    const malformed = (reason: string, sample: string): void => {
      this.counts.malformed++;
      flush();
      this.broadcastText(JSON.stringify({ event: "malformed", reason, sample: sample.slice(0, 200), line: this.counts.lines }));
    };
    for (;;) {
      let line: string | null | undefined;
      try {
        line = await src.next();
      } catch (err) {
        if (gen !== this.generation || this.closed) throw new Interrupted();
        throw new Error(`Cannot read the replay file ${o.file}: ${err instanceof Error ? err.message : String(err)}.`);
      }
      if (gen !== this.generation || this.closed) throw new Interrupted();
      if (line === null) break;
      this.counts.lines++;
      this.percent = src.size > 0 ? Math.min(100, (src.bytesRead / src.size) * 100) : 100;
      if (line === undefined) {
        malformed("line too long", "");
        continue;
      }
      if (format === null) {
        const head = line.trim();
        if (head === "") continue;
        if (head[0] === "{" || head[0] === "[") format = "json";
        else {
          const l = csvLayout(head, symbolFromFileName(basename(o.file)));
          if (typeof l === "string") throw new Error(`${basename(o.file)}: not JSON lines, and ${l}.`);
          layout = l;
          format = "csv";
          continue;
        }
      }
      if (line.trim() === "") continue;
      const parsed = format === "json" ? parseJsonLine(line) : parseCsvLine(line, layout as CsvLayout);
      if (typeof parsed === "string") {
        malformed(parsed, line);
        continue;
      }
      for (const rec of parsed) {
        const ts = rec.tick.ts;
        if (o.to !== null && ts >= o.to) {
          if (ts >= o.to + TO_GRACE_US) {
            flush();
            this.endPass();
            return;
          }
          this.counts.skipped++;
          continue;
        }
        if (o.from !== null && ts < o.from) {
          this.counts.skipped++;
          continue;
        }
        const prev: number | null = this.clock;
        // A file not in time order (e.g. a CSV export grouped by symbol) replays oddly: count it.
        if (prev !== null && rec.clock < prev - OUT_OF_ORDER_US) this.counts.outOfOrder++;
        const clock: number = prev === null || rec.clock > prev ? rec.clock : prev;
        this.clock = clock;
        if (this.passFirst === null) this.passFirst = clock;
        this.passLast = clock;
        if (this.seekTo !== null) {
          if (ts < this.seekTo) {
            this.counts.skipped++;
            continue;
          }
          this.seekTo = null;
          this.anchorClock = null;
        }
        if (!this.wanted(rec.tick)) {
          this.counts.skipped++;
          continue;
        }
        // Pacing (speed > 0): wait until the tick is due; a pause, a new subscriber or a speed change re-anchors.
        if (this.speed > 0 && this.dueIn(clock) >= 1) {
          flush();
          let wait = this.dueIn(clock);
          while (wait >= 1) {
            await this.sleep(gen, wait);
            if (this.paused || !this.hasSubscriber) break;
            wait = this.dueIn(clock);
          }
          await this.waitUntilPlayable(gen);
          this.dueIn(clock); // re-anchors here after a pause
          if (!this.wanted(rec.tick)) {
            this.counts.skipped++;
            continue;
          }
        }
        // Frames break only between different event times (equal prints share a frame, where
        // the feed's dedup tells them apart by occurrence), or when full.
        if (frame.length >= MAX_FRAME_TICKS || (frame.length >= FRAME_TICKS && ts !== frameTs)) flush();
        const t = rec.tick;
        t.ts = ts + this.shift;
        t.recvTs = clock + this.shift;
        frame.push(t);
        frameTs = ts;
        this.counts.ticks++;
        if (this.inflight > HIGH_WATER || this.paused) {
          flush();
          await this.waitUntilPlayable(gen);
        }
      }
    }
    flush();
    this.endPass();
  }

  /** Ms until a tick at `clock` is due at the current speed (anchoring the pacing at it when unanchored); 0 at speed 0. */
  private dueIn(clock: number): number {
    if (this.speed <= 0) return 0;
    if (this.anchorClock === null) {
      this.anchorClock = clock;
      this.anchorWall = Date.now();
    }
    return this.anchorWall + (clock - this.anchorClock) / 1000 / this.speed - Date.now();
  }

  private endPass(): void {
    this.percent = 100;
    const end = {
      event: "replay-end",
      file: basename(this.opts.file),
      pass: this.pass,
      loop: this.opts.loop,
      lines: this.counts.lines,
      ticks: this.counts.ticks,
      skipped: this.counts.skipped,
      malformed: this.counts.malformed,
      outOfOrder: this.counts.outOfOrder,
      first: this.passFirst === null ? null : this.passFirst + this.shift,
      last: this.passLast === null ? null : this.passLast + this.shift,
      durationMs: Date.now() - this.passStartedAt,
    };
    this.broadcastText(JSON.stringify(end));
  }
}

/**
 * How far a loop pass is shifted in time: whole days, at least the pass's span, so that a
 * session recorded 09:30-16:00 plays 09:30-16:00 again; a pass that began on an NYSE trading
 * day moves on to the next trading day (weekends and holidays skipped).
 */
export function loopShift(first: number, last: number): number {
  let days = Math.max(1, Math.ceil((last - first + 1) / DAY_US));
  if (daySchedule(first).trading) {
    while (!daySchedule(first + days * DAY_US).trading && days < 400) days++;
  }
  return days * DAY_US;
}
