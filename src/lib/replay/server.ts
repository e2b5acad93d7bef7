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
import { WebSocket } from "ws";
import { daySchedule } from "../calendar";
import type { RawTick } from "../types";
import { applySubscription, LocalMarket, type MarketClient as Client } from "../simulator/local-market";
import { openLines, type LineSource } from "./lines";
import type { ReplayRecord } from "./records";
import { RecordReader } from "./reader";
import { FrameOut } from "./frame-out";

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

class Interrupted extends Error {}

export class ReplayServer {
  private readonly market: LocalMarket;
  private readonly clients: Set<Client>;
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
    this.market = new LocalMarket(
      {
        connected: (client) => {
          if (this.state === "error" && this.errorText !== undefined)
            this.sendTo(client, { event: "error", code: "replay_file", message: this.errorText });
          this.ensureRunning();
        },
        message: (client, text) => this.onMessage(client, text),
        closed: () => this.poke(),
      },
      false,
    );
    this.clients = this.market.clients;
  }

  start(): Promise<string> {
    return this.market.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.generation++;
    this.poke();
    this.source?.close();
    this.source = null;
    await this.market.close();
  }

  progress(): ReplayProgress {
    const p: ReplayProgress = {
      state: this.paused && this.state === "playing" ? "paused" : this.state,
      pass: this.pass,
      percent: this.percent,
      clock: this.clock === null ? null : this.clock + this.shift,
      speed: this.speed,
    };
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

  private onMessage(client: Client, text: string): void {
    const req = applySubscription(client, text);
    if (typeof req === "string") return;
    // "subscribed"/"unsubscribed", as the header says and the replay provider expects.
    this.sendTo(client, { event: `${req.action}d`, channel: req.channel, symbols: req.symbols });
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

  private wanted(t: RawTick): boolean {
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
      if (ms !== Infinity)
        timer = setTimeout(
          () => {
            this.wake = null;
            resolve();
          },
          Math.max(0, Math.min(ms, 2_000_000_000)),
        );
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
    this.counts = { lines: 0, ticks: 0, skipped: 0, malformed: 0, outOfOrder: 0 };
    this.passFirst = null;
    this.passLast = null;
    this.clock = null;
    this.percent = 0;
    this.state = this.hasSubscriber ? "playing" : "waiting";
    await this.waitUntilPlayable(gen);
    this.state = "playing";
    this.passStartedAt = Date.now();
    const src = await this.openSource(gen);
    const reader = new RecordReader(this.opts.file);
    const frame = new FrameOut((text) => this.broadcastText(text));
    for (;;) {
      const line = await this.nextLine(src, gen);
      if (line === null) break;
      this.counts.lines++;
      this.percent = src.size > 0 ? Math.min(100, (src.bytesRead / src.size) * 100) : 100;
      const parsed = reader.read(line);
      if (parsed === null) continue;
      if (typeof parsed === "string") {
        this.counts.malformed++;
        frame.flush();
        this.broadcastText(
          JSON.stringify({ event: "malformed", reason: parsed, sample: (line ?? "").slice(0, 200), line: this.counts.lines }),
        );
        continue;
      }
      for (const rec of parsed) {
        if ((await this.play(gen, rec, frame)) === "end") {
          frame.flush();
          this.endPass();
          return;
        }
      }
    }
    frame.flush();
    this.endPass();
  }

  private async openSource(gen: number): Promise<LineSource> {
    let src: LineSource;
    try {
      src = await openLines(this.opts.file);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === "ENOENT" ? "no such file" : e.code === "EACCES" ? "permission denied" : e.message;
      throw new Error(`Cannot read the replay file ${this.opts.file}: ${why}.`);
    }
    if (gen !== this.generation) {
      src.close();
      throw new Interrupted();
    }
    this.source = src;
    return src;
  }

  /** The next line (null at the end, undefined when over-long); Interrupted when the pass must stop. */
  private async nextLine(src: LineSource, gen: number): Promise<string | null | undefined> {
    let line: string | null | undefined;
    try {
      line = await src.next();
    } catch (err) {
      if (gen !== this.generation || this.closed) throw new Interrupted();
      throw new Error(`Cannot read the replay file ${this.opts.file}: ${err instanceof Error ? err.message : String(err)}.`);
    }
    if (gen !== this.generation || this.closed) throw new Interrupted();
    return line;
  }

  /** One record: window, replay clock, seek, subscription, pacing, then into the frame. "end": past `to`. */
  private async play(gen: number, rec: ReplayRecord, frame: FrameOut): Promise<"end" | undefined> {
    const o = this.opts;
    const ts = rec.tick.ts;
    if (o.to !== null && ts >= o.to) {
      if (ts >= o.to + TO_GRACE_US) return "end";
      this.counts.skipped++;
      return undefined;
    }
    if (o.from !== null && ts < o.from) {
      this.counts.skipped++;
      return undefined;
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
        return undefined;
      }
      this.seekTo = null;
      this.anchorClock = null;
    }
    if (!this.wanted(rec.tick) || !(await this.pace(gen, clock, rec.tick, frame))) {
      this.counts.skipped++;
      return undefined;
    }
    // Frames break only between different event times (equal prints share a frame, where
    // the feed's dedup tells them apart by occurrence), or when full.
    if (frame.length >= MAX_FRAME_TICKS || (frame.length >= FRAME_TICKS && ts !== frame.ts)) frame.flush();
    const t = rec.tick;
    t.ts = ts + this.shift;
    t.recvTs = clock + this.shift;
    frame.add(t, ts);
    this.counts.ticks++;
    if (this.inflight > HIGH_WATER || this.paused) {
      frame.flush();
      await this.waitUntilPlayable(gen);
    }
    return undefined;
  }

  /**
   * Pacing (speed > 0): waits until the tick is due; a pause, a new subscriber or a speed change
   * re-anchors. False when the tick is no longer wanted after the wait.
   */
  private async pace(gen: number, clock: number, tick: RawTick, frame: FrameOut): Promise<boolean> {
    if (!(this.speed > 0 && this.dueIn(clock) >= 1)) return true;
    frame.flush();
    let wait = this.dueIn(clock);
    while (wait >= 1) {
      await this.sleep(gen, wait);
      if (this.paused || !this.hasSubscriber) break;
      wait = this.dueIn(clock);
    }
    await this.waitUntilPlayable(gen);
    this.dueIn(clock); // re-anchors here after a pause
    return this.wanted(tick);
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
