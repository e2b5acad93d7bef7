/**
 * Fixed-size numeric buffers for the streaming indicators: a ring of the last n values and a
 * monotonic deque for the highest/lowest of the last n values (O(1) amortized per value).
 */

/** The last `capacity` values, oldest first. */
export class Ring {
  private readonly buf: Float64Array;
  private head = 0;
  count = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** The oldest value (the one the next push evicts when full). */
  oldest(): number {
    return this.buf[this.head];
  }

  /** The i-th value, 0 = oldest. */
  at(i: number): number {
    const j = this.head + i;
    return this.buf[j < this.capacity ? j : j - this.capacity];
  }

  push(x: number): void {
    if (this.count === this.capacity) {
      this.buf[this.head] = x;
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    } else {
      const j = this.head + this.count;
      this.buf[j < this.capacity ? j : j - this.capacity] = x;
      this.count++;
    }
  }

  /** Sum, oldest to newest (the order the reference definitions add in). */
  sum(): number {
    let s = 0;
    for (let i = 0; i < this.count; i++) s += this.at(i);
    return s;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}

/**
 * Highest (sign = 1) or lowest (sign = -1) of the last n values. Holds the "suffix extremes"
 * (value, index) in index order; each value enters and leaves once.
 */
export class WindowExtreme {
  private readonly vals: Float64Array;
  private readonly idx: Float64Array;
  private head = 0;
  private size = 0;
  /** Index of the next value. */
  private next = 0;

  constructor(
    private readonly n: number,
    private readonly sign: 1 | -1,
  ) {
    this.vals = new Float64Array(n + 1);
    this.idx = new Float64Array(n + 1);
  }

  private slot(i: number): number {
    const j = this.head + i;
    return j <= this.n ? j : j - this.n - 1;
  }

  /** The extreme of the window that would hold the last n-1 values plus x (nothing changes). */
  peek(x: number): number {
    const oldestKept = this.next - this.n + 1; // window of the next value: [next-n+1, next]
    let best = x;
    for (let i = 0; i < this.size && i < 2; i++) {
      const s = this.slot(i);
      if (this.idx[s] >= oldestKept) {
        if (this.sign * (this.vals[s] - best) > 0) best = this.vals[s];
        break;
      }
    }
    return best;
  }

  /** Adds x; returns the extreme of the last n values (x included). */
  push(x: number): number {
    while (this.size > 0) {
      const back = this.slot(this.size - 1);
      if (this.sign * (this.vals[back] - x) > 0) break;
      this.size--;
    }
    const s = this.slot(this.size);
    this.vals[s] = x;
    this.idx[s] = this.next;
    this.size++;
    const oldestKept = this.next - this.n + 1;
    while (this.idx[this.head] < oldestKept) {
      this.head = this.head === this.n ? 0 : this.head + 1;
      this.size--;
    }
    this.next++;
    return this.vals[this.head];
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
    this.next = 0;
  }
}
