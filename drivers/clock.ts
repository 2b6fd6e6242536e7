/**
 * Time is injected (STYLE.md): the SIP stack and the engines take a Clock, tests pass a FakeClock
 * and advance it instead of sleeping.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock epoch milliseconds (UTC). */
  now(): number;
  /** Monotonic milliseconds, for durations and timers. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to; timers fire in order during advance(). */
export class FakeClock implements Clock {
  private mono = 0;
  private wall: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(startEpochMs = Date.UTC(2026, 0, 1)) {
    this.wall = startEpochMs;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { at: this.mono + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Pending (not cancelled, not fired) timers. */
  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  advance(ms: number): void {
    const target = this.mono + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.wall += next.at - this.mono;
      this.mono = next.at;
      this.timers = this.timers.filter((t) => t !== next);
      next.fn();
    }
    this.wall += target - this.mono;
    this.mono = target;
  }

  private nextDue(limit: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) {
      if (t.cancelled || t.at > limit) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    return best;
  }
}
