/**
 * Paced reading: a turn handles frames until they took READ_TURN_BUDGET_MS of our own work or
 * reached the turn's frame allowance; then the socket is paused and the frames already read (the
 * rest of the socket chunk being parsed) are held, in order, for the next turns. The allowance
 * comes from the flow: Node-RED delivers messages on setImmediate, after the turn, so the time
 * from one turn's end to the next turn's start is the flow's work on that turn's frames; a turn
 * may take as many frames as keep that work near FLOW_TURN_MS (at least one). So a slow flow
 * reads the socket as slowly as it works, and Node-RED's HTTP server (editor, admin API) and its
 * signal handlers get their turn in between. Without it one poll phase may read megabytes (libuv
 * reads a ready socket up to 32 times) and start all their messages at once. Nothing is lost:
 * unread data waits in the kernel (TCP pushback); held frames are at most one socket chunk and
 * are handed over before a close is reported.
 */
import type { Clock, TimerHandle } from "./clock";

/** Our own work on frames per event-loop turn (ms). */
export const READ_TURN_BUDGET_MS = 20;
/** The flow's work per turn that the frame allowance aims at (ms). */
export const FLOW_TURN_MS = 50;

/** The part of a socket that pacing uses. */
export interface PausableSocket {
  readonly isPaused: boolean;
  pause(): void;
  resume(): void;
}

/** A frame read while the turn's budget was spent, with its receipt time (µs). */
export interface HeldFrame {
  readonly data: Buffer;
  readonly isBinary: boolean;
  readonly recvTs: number;
}

export interface ReadHooks {
  /** Handles a held frame (in a later turn, in order). */
  handle(frame: HeldFrame): void;
  /** Reading resumed after frames were held (health checks restart their windows). */
  resumed(): void;
  /** The frame allowance applies (false: our own 20 ms budget only, for users that conflate). */
  followFlow?(): boolean;
}

export class ReadBudget {
  /** Apply the budget (every slot turns it on; off here so the unit tests can compare). */
  paced = false;
  /** Times the socket was paused. */
  pauses = 0;
  /** Frames held for a later turn (total). */
  heldTotal = 0;
  /** When this turn's first frame arrived, and when the last frame was handled (ms). */
  private turnAt = 0;
  private handledAt = 0;
  private spent = false;
  /** Frames this turn may take; frames handled since the turn began. */
  private allowance = 1;
  private framesThisTurn = 0;
  private turnHandle: TimerHandle | null = null;
  private held: HeldFrame[] = [];
  private heldHead = 0;
  private heldSinceResume = false;

  /** `current`: the slot's socket now (null = none). */
  constructor(
    private readonly clock: Clock,
    private readonly current: () => PausableSocket | null,
    private readonly hooks: ReadHooks,
  ) {}

  /** Frames wait for a later turn (the socket is paused until they are handled). */
  get holding(): boolean {
    return this.heldHead < this.held.length;
  }

  get pending(): boolean {
    return this.turnHandle !== null;
  }

  /**
   * A frame of `ws` arrived (at `recvTs` µs): true when it must wait for a later turn (it is then
   * held), false when it is to be handled now (then call `spend` after handling it). Nothing is
   * allocated unless the frame is held (this runs for every frame).
   */
  hold(ws: PausableSocket, data: Buffer, isBinary: boolean, recvTs: number): boolean {
    if (!this.paced) return false;
    if (this.turnHandle === null) this.beginTurn(this.clock.now()); // the turn's budget counts from its first frame
    if (!this.spent && !this.holding) return false;
    this.held.push({ data, isBinary, recvTs });
    this.heldTotal++;
    this.heldSinceResume = true;
    this.pause(ws);
    return true;
  }

  /** A frame of `ws` was handled: once the turn's budget is spent, pause it for the rest of the turn. */
  spend(ws: PausableSocket): void {
    if (!this.paced) return;
    const now = this.clock.now();
    if (this.turnHandle === null) this.beginTurn(now);
    this.handledAt = now;
    this.framesThisTurn++;
    if ((this.framesThisTurn >= this.allowance || now - this.turnAt >= READ_TURN_BUDGET_MS) && ws === this.current()) {
      this.spent = true;
      this.pause(ws);
    }
  }

  /** Hands every held frame over now, in order (the socket is closing: nothing received is lost). */
  flush(): void {
    while (this.holding) this.hooks.handle(this.takeHeld());
  }

  /** The socket closed: no turn end pending, nothing held. */
  clear(): void {
    if (this.turnHandle !== null) this.clock.clearImmediate(this.turnHandle);
    this.turnHandle = null;
    this.spent = false;
    this.held = [];
    this.heldHead = 0;
    this.heldSinceResume = false;
  }

  /** A turn starts: its frame allowance from the flow's work on the frames handled before. */
  private beginTurn(now: number): void {
    // The work since the last frame was handled, per frame (the first turn ever counts as slow).
    const perFrame = (now - this.handledAt) / Math.max(1, this.framesThisTurn);
    const follow = this.hooks.followFlow?.() ?? true;
    this.allowance = follow && perFrame > 0 ? Math.max(1, Math.floor(FLOW_TURN_MS / perFrame)) : Infinity;
    this.framesThisTurn = 0;
    this.turnAt = now;
    this.spent = false;
    this.turnHandle = this.clock.setImmediate(this.endTurn);
  }

  private pause(ws: PausableSocket): void {
    if (ws.isPaused) return;
    ws.pause();
    this.pauses++;
  }

  private takeHeld(): HeldFrame {
    const f = this.held[this.heldHead++];
    if (this.heldHead === this.held.length) {
      this.held = [];
      this.heldHead = 0;
    }
    return f;
  }

  /**
   * The turn's end, before the messages its frames started (they were queued after it). When it
   * paused the socket, settle after them, where their work can be measured; resuming here would
   * let the socket's buffered data in before that work ran.
   */
  private readonly endTurn = (): void => {
    this.turnHandle = null;
    const ws = this.current();
    if (ws !== null && (this.holding || ws.isPaused)) this.turnHandle = this.clock.setImmediate(this.settle);
  };

  /** After the work of the frames handled so far: the held frames first, then read again. */
  private readonly settle = (): void => {
    this.turnHandle = null;
    const ws = this.current();
    if (ws === null) return;
    this.beginTurn(this.clock.now());
    while (this.holding && !this.spent) {
      this.hooks.handle(this.takeHeld());
      this.spend(ws);
    }
    if (this.holding || this.spent) return; // paused: this turn's end settles again
    if (ws.isPaused) ws.resume();
    if (this.heldSinceResume) {
      this.heldSinceResume = false;
      this.hooks.resumed();
    }
  };
}
