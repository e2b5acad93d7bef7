/**
 * Paced reading: once a socket's frames took READ_TURN_BUDGET_MS within one event-loop turn,
 * the socket is paused until the next turn. Without it one poll phase may read megabytes (libuv
 * reads a ready socket up to 32 times), and Node-RED's HTTP server (editor, admin API) and its
 * signal handlers wait behind all the messages those reads start. After a slow turn (the flow
 * working on what was read: Node-RED delivers messages on setImmediate) a turn reads one socket
 * chunk only, so a slow flow reads the socket as slowly as it works. Nothing is lost: unread data
 * waits in the kernel (TCP pushback). Every slot reads paced (both overload modes).
 */
import type { Clock, TimerHandle } from "./clock";

/** Read budget per event-loop turn (ms). */
export const READ_TURN_BUDGET_MS = 20;
/**
 * When the rest of the previous turn (the flow working on what was read: Node-RED delivers
 * messages on setImmediate) took longer than this, the next turn reads one socket chunk only.
 */
export const SLOW_TURN_MS = 50;

/** The part of a socket that pacing uses. */
export interface PausableSocket {
  readonly isPaused: boolean;
  pause(): void;
  resume(): void;
}

export class ReadBudget {
  /** Apply the budget (every slot turns it on; off here so the unit tests can compare). */
  paced = false;
  /** Times the socket was paused for the rest of a turn. */
  pauses = 0;
  /** When this turn's first frame arrived, and when the last turn ended (ms). */
  private turnAt = 0;
  private turnEndAt = 0;
  private budgetMs = READ_TURN_BUDGET_MS;
  private turnHandle: TimerHandle | null = null;

  /** `current`: the slot's socket now (null = none). */
  constructor(
    private readonly clock: Clock,
    private readonly current: () => PausableSocket | null,
  ) {}

  /** A frame of `ws` was handled: pause it for the rest of this turn once the turn's budget is spent. */
  spend(ws: PausableSocket): void {
    if (!this.paced) return;
    const now = this.clock.now();
    if (this.turnHandle === null) {
      this.turnAt = now;
      this.turnHandle = this.clock.setImmediate(this.endTurn);
      // A slow flow (a long gap since the last read turn ended): read one chunk per turn.
      this.budgetMs = now - this.turnEndAt > SLOW_TURN_MS ? 0 : READ_TURN_BUDGET_MS;
      if (this.budgetMs > 0) return;
    }
    if (now - this.turnAt >= this.budgetMs && ws === this.current() && !ws.isPaused) {
      ws.pause();
      this.pauses++;
    }
  }

  /** The socket closed: no turn end pending. */
  clear(): void {
    if (this.turnHandle !== null) this.clock.clearImmediate(this.turnHandle);
    this.turnHandle = null;
  }

  get pending(): boolean {
    return this.turnHandle !== null;
  }

  private readonly endTurn = (): void => {
    this.turnHandle = null;
    this.turnEndAt = this.clock.now();
    const ws = this.current();
    if (ws !== null && ws.isPaused) ws.resume();
  };
}
