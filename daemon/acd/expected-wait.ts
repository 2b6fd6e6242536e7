/** Expected-wait estimate told to queued callers ("your expected wait is about N minutes"). Pure. */

/** Said before any call was answered: a guess, 60 s per caller ahead per agent. */
const DEFAULT_WAIT_PER_POSITION_MS = 60_000;

/** Recent answered waits of a queue, to estimate how long a newcomer waits (said to callers). */
export class WaitEstimator {
  private readonly keep: number;
  /** Oldest first; only the last `keep` answers count, so the estimate follows the current load. */
  private readonly samples: number[] = [];

  constructor(opts: { keep?: number } = {}) {
    this.keep = Math.max(1, Math.floor(opts.keep ?? 20));
  }

  /**
   * A caller who joined at `position` was answered after waiting `waitMs`: kept as wait per position,
   * which already reflects how many agents were working. Garbage (NaN, ∞) is dropped, a negative wait counts as 0.
   */
  answered(waitMs: number, position = 1): void {
    if (!Number.isFinite(waitMs)) return;
    const pos = Number.isFinite(position) ? Math.max(1, position) : 1;
    this.samples.push(Math.max(0, waitMs) / pos);
    if (this.samples.length > this.keep) this.samples.shift();
  }

  /**
   * Expected wait in seconds for the caller at `position` (1-based) with `agents` agents able to take
   * calls: mean recent wait per position × position (the samples carry the staffing of their time); with no
   * samples a guess of 60 s × position / max(1, agents).
   * Never negative; rounded up to whole seconds.
   */
  expectedS(position: number, agents: number): number {
    const pos = Number.isFinite(position) ? Math.max(0, position) : 1;
    const workers = Number.isFinite(agents) ? Math.max(1, agents) : 1;
    const perPositionMs = this.samples.length === 0
      ? DEFAULT_WAIT_PER_POSITION_MS / workers
      : this.samples.reduce((a, b) => a + b, 0) / this.samples.length;
    // Whole ms first, so float noise (20000.000001 ms) does not round up to an extra second.
    const ms = Math.round(perPositionMs * pos);
    return Math.ceil(ms / 1000);
  }
}

/** What to say: 0 → 'under-minute' when expected < 60 s, else whole minutes rounded up, capped at 60. */
export function waitMinutes(expectedS: number): number {
  if (Number.isNaN(expectedS) || expectedS < 60) return 0;
  // Capped: "about 90 minutes" helps nobody and a runaway estimate must not read out a huge number.
  return Math.min(60, Math.ceil(expectedS / 60));
}
