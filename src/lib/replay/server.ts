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
 * wall time since the anchor reaches (clock - anchor clock) / N (./clock.ts); at 0 as fast as
 * the client reads: sends wait while more than HIGH_WATER bytes are not yet handed to the
 * kernel (./clients.ts), so TCP flow control carries a slow flow's backpressure back to the
 * file reads. Each pass's counts go out in its replay-end event (./pass-report.ts).
 */
import type { RawTick } from "../types";
import { ReplayClients } from "./clients";
import { Pacer, Wakeup, loopShift } from "./clock";
import { openLines, type LineSource } from "./lines";
import { PassReport } from "./pass-report";
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

/** Most ticks in one frame. */
const MAX_FRAME_TICKS = 2000;
/** A frame is sent once it holds this many ticks and the next tick has another time. */
const FRAME_TICKS = 200;
/** A pass stops once a tick's time is this far past `to` (tolerates slightly unordered files). */
const TO_GRACE_US = 60_000_000;
/** A tick this far behind the replay clock counts as out of order (reported in replay-end). */
const OUT_OF_ORDER_US = 1_000_000;

class Interrupted extends Error {}

export class ReplayServer {
  private readonly clients: ReplayClients;
  private readonly wakeup = new Wakeup();
  private readonly pacer: Pacer;
  private closed = false;
  private running = false;

  private state: ReplayState = "waiting";
  private pass = 1;
  private shift = 0;
  private clock: number | null = null;
  private percent = 0;
  private errorText: string | undefined;
  private paused = false;
  /** Seek target (µs, file time without shift): lines before it are read without sending. */
  private seekTo: number | null = null;
  /** Bumped by restart / seek backwards: the running pass stops and the loop starts over. */
  private generation = 0;
  private source: LineSource | null = null;

  /** Counters of the current pass (reported in replay-end). */
  private report = new PassReport();

  constructor(private readonly opts: ReplayOptions) {
    this.pacer = new Pacer(opts.speed);
    this.clients = new ReplayClients(
      (client) => {
        if (this.state === "error" && this.errorText !== undefined)
          this.clients.sendTo(client, { event: "error", code: "replay_file", message: this.errorText });
        this.ensureRunning();
      },
      () => this.poke(),
    );
  }

  start(): Promise<string> {
    return this.clients.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.generation++;
    this.poke();
    this.source?.close();
    this.source = null;
    await this.clients.close();
  }

  progress(): ReplayProgress {
    const p: ReplayProgress = {
      state: this.paused && this.state === "playing" ? "paused" : this.state,
      pass: this.pass,
      percent: this.percent,
      clock: this.clock === null ? null : this.clock + this.shift,
      speed: this.pacer.speed,
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
        this.pacer.reanchor();
        break;
      case "speed":
        if (arg === undefined || !Number.isFinite(arg) || arg < 0) return "speed must be a number >= 0";
        this.pacer.speed = arg;
        this.pacer.reanchor();
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
          this.pacer.reanchor();
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
    this.pacer.reanchor();
    this.errorText = undefined;
    if (this.state === "ended" || this.state === "error") this.state = "waiting";
    this.source?.close();
    if (!this.running) this.ensureRunning();
  }

  // ------------------------------------------------------------------------------- the loop

  private poke(): void {
    this.wakeup.poke();
  }

  /** Waits for a poke or `ms` (Infinity = only a poke); throws Interrupted if the generation changed. */
  private async sleep(gen: number, ms: number): Promise<void> {
    await this.wakeup.wait(ms);
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
        const { first, last } = this.report;
        if (this.opts.loop && first !== null && last !== null) {
          this.shift += loopShift(first + this.shift, last + this.shift);
          this.pass++;
          this.pacer.reanchor();
          this.seekTo = null;
        } else {
          this.state = "ended";
        }
      } catch (err) {
        if (err instanceof Interrupted) continue;
        this.state = "error";
        this.errorText = err instanceof Error ? err.message : String(err);
        this.clients.broadcastText(JSON.stringify({ event: "error", code: "replay_file", message: this.errorText }));
      } finally {
        this.source?.close();
        this.source = null;
      }
    }
  }

  private async waitUntilPlayable(gen: number): Promise<void> {
    let waited = false;
    while (this.paused || !this.clients.hasSubscriber || this.clients.backedUp) {
      waited = true;
      await this.sleep(gen, Infinity);
    }
    if (waited) this.pacer.reanchor();
  }

  private async playPass(gen: number): Promise<void> {
    this.clock = null;
    this.percent = 0;
    this.state = this.clients.hasSubscriber ? "playing" : "waiting";
    await this.waitUntilPlayable(gen);
    this.state = "playing";
    this.report = new PassReport();
    const src = await this.openSource(gen);
    const reader = new RecordReader(this.opts.file);
    const frame = new FrameOut((text) => this.clients.broadcastText(text));
    for (;;) {
      const line = await this.nextLine(src, gen);
      if (line === null) break;
      this.report.counts.lines++;
      this.percent = src.size > 0 ? Math.min(100, (src.bytesRead / src.size) * 100) : 100;
      const parsed = reader.read(line);
      if (parsed === null) continue;
      if (typeof parsed === "string") {
        this.report.counts.malformed++;
        frame.flush();
        this.clients.broadcastText(
          JSON.stringify({ event: "malformed", reason: parsed, sample: (line ?? "").slice(0, 200), line: this.report.counts.lines }),
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
      this.report.counts.skipped++;
      return undefined;
    }
    if (o.from !== null && ts < o.from) {
      this.report.counts.skipped++;
      return undefined;
    }
    const prev: number | null = this.clock;
    // A file not in time order (e.g. a CSV export grouped by symbol) replays oddly: count it.
    if (prev !== null && rec.clock < prev - OUT_OF_ORDER_US) this.report.counts.outOfOrder++;
    const clock: number = prev === null || rec.clock > prev ? rec.clock : prev;
    this.clock = clock;
    if (this.report.first === null) this.report.first = clock;
    this.report.last = clock;
    if (this.seekTo !== null) {
      if (ts < this.seekTo) {
        this.report.counts.skipped++;
        return undefined;
      }
      this.seekTo = null;
      this.pacer.reanchor();
    }
    if (!this.clients.wanted(rec.tick) || !(await this.pace(gen, clock, rec.tick, frame))) {
      this.report.counts.skipped++;
      return undefined;
    }
    // Frames break only between different event times (equal prints share a frame, where
    // the feed's dedup tells them apart by occurrence), or when full.
    if (frame.length >= MAX_FRAME_TICKS || (frame.length >= FRAME_TICKS && ts !== frame.ts)) frame.flush();
    const t = rec.tick;
    t.ts = ts + this.shift;
    t.recvTs = clock + this.shift;
    frame.add(t, ts);
    this.report.counts.ticks++;
    if (this.clients.backedUp || this.paused) {
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
    const pacer = this.pacer;
    if (!(pacer.speed > 0 && pacer.dueIn(clock) >= 1)) return true;
    frame.flush();
    let wait = pacer.dueIn(clock);
    while (wait >= 1) {
      await this.sleep(gen, wait);
      if (this.paused || !this.clients.hasSubscriber) break;
      wait = pacer.dueIn(clock);
    }
    await this.waitUntilPlayable(gen);
    pacer.dueIn(clock); // re-anchors here after a pause
    return this.clients.wanted(tick);
  }

  private endPass(): void {
    this.percent = 100;
    this.clients.broadcastText(this.report.endEvent(this.opts.file, this.pass, this.opts.loop, this.shift));
  }
}
