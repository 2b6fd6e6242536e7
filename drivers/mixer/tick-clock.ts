import type { Clock, TimerHandle } from '../clock.js';

/** 500 ms: a busy machine stalls a process for 100 ms and more; only a longer stall is skipped. */
export const MAX_CATCH_UP = 25;

export interface TickClockOptions {
  periodMs: number;
  /** The most ticks run back to back to catch up (default MAX_CATCH_UP). */
  maxCatchUp?: number;
  /**
   * Runs the due ticks after the event loop's I/O (default setImmediate): when the timer fires late,
   * the packets that arrived meanwhile are read before the ticks that need them.
   */
  defer?: (fn: () => void) => void;
}

/**
 * A 20 ms clock that does not drift: tick n is due at start + n × period, so a timer firing late
 * makes the next wait shorter instead of shifting every later tick (a setInterval slips by its
 * lateness each time). A tick missed by a late timer runs on catch-up, so the packets sent per
 * second stay right; after a long stall (the process paused, `maxCatchUp` periods or more) the
 * missed ticks are handed to `onSkip` at once instead (time moves on, nothing stale is sent).
 */
export class TickClock {
  private origin = 0;
  private n = 0;
  private timer: TimerHandle | undefined;
  private running = false;
  /** Ticks that began a period or more after they were due, or were skipped after a stall. */
  late = 0;

  constructor(
    private readonly clock: Clock,
    private readonly opts: TickClockOptions,
    private readonly onTick: () => void,
    private readonly onSkip: (ticks: number) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.origin = this.clock.monotonic();
    this.n = 0;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Ticks due now that have not run yet (0 when on time; more while a stall is being caught up). */
  overdue(): number {
    if (!this.running) return 0;
    return Math.max(0, Math.floor((this.clock.monotonic() - this.due(this.n)) / this.opts.periodMs) + 1);
  }

  private due(n: number): number {
    return this.origin + n * this.opts.periodMs;
  }

  private fire(): void {
    this.timer = undefined;
    if (!this.running) return;
    const period = this.opts.periodMs;
    const maxCatchUp = this.opts.maxCatchUp ?? MAX_CATCH_UP;
    let now = this.clock.monotonic();
    const behind = Math.floor((now - this.due(this.n)) / period);
    if (behind >= maxCatchUp) {
      this.late += behind;
      this.n += behind;
      this.onSkip(behind);
    }
    for (let run = 0; run < maxCatchUp && now >= this.due(this.n) && this.running; run++) {
      if (now - this.due(this.n) >= period) this.late++;
      this.n++;
      this.onTick();
      now = this.clock.monotonic();
    }
    this.schedule();
  }

  private schedule(): void {
    if (!this.running) return;
    const wait = Math.max(0, Math.ceil(this.due(this.n) - this.clock.monotonic()));
    const defer = this.opts.defer ?? setImmediate;
    this.timer = this.clock.setTimeout(() => defer(() => this.fire()), wait);
  }
}
