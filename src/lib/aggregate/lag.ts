/**
 * The feed's delay for the wall clock mode: the lowest receipt delay (recvTs - ts) seen in the
 * last minute, kept in six 10-second buckets of receipt time. A 15-minute delayed feed then
 * closes its bars 15 minutes after their end instead of closing each bar on its first tick; a
 * provider clock a little ahead of ours gives a small negative value. 0 until a tick arrives.
 */
export const LAG_BUCKETS = 6;
export const LAG_BUCKET_US = 10_000_000;

export class LagEstimator {
  /** The current estimate, µs. */
  lagUs = 0;
  private readonly lagMin = new Float64Array(LAG_BUCKETS).fill(Infinity);
  private readonly lagId = new Float64Array(LAG_BUCKETS).fill(-1);

  /** Notes one tick's receipt and event times (µs); a receipt time that is not finite is ignored. */
  note(recvTs: number, ts: number): void {
    if (!Number.isFinite(recvTs)) return;
    const id = Math.floor(recvTs / LAG_BUCKET_US);
    const i = id % LAG_BUCKETS;
    if (this.lagId[i] !== id) {
      this.lagId[i] = id;
      this.lagMin[i] = Infinity;
    }
    const lag = recvTs - ts;
    if (lag < this.lagMin[i]) this.lagMin[i] = lag;
    let m = Infinity;
    for (let k = 0; k < LAG_BUCKETS; k++) if (this.lagId[k] > id - LAG_BUCKETS && this.lagMin[k] < m) m = this.lagMin[k];
    this.lagUs = m;
  }
}
