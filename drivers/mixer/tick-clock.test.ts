import t from 'tap';
import type { Clock } from '../clock.js';
import { TickClock } from './tick-clock.js';

/** A clock whose single pending timer the test fires by hand, at a time of its choosing (timers are late in real life). */
class HandClock implements Clock {
  mono = 1000;
  pending: { at: number; fn: () => void } | undefined;
  now(): number { return this.mono; }
  monotonic(): number { return this.mono; }
  setTimeout(fn: () => void, ms: number) {
    const timer = { at: this.mono + ms, fn };
    this.pending = timer;
    return { cancel: () => { if (this.pending === timer) this.pending = undefined; } };
  }
  /** Fires the pending timer `lateMs` after it was due. */
  fire(lateMs = 0): void {
    const p = this.pending;
    if (!p) throw new Error('no timer pending');
    this.pending = undefined;
    this.mono = p.at + lateMs;
    p.fn();
  }
}

function setup() {
  const clock = new HandClock();
  const ticks: number[] = [];
  const skips: number[] = [];
  const tc = new TickClock(clock, { periodMs: 20, defer: (fn) => fn() }, () => ticks.push(clock.mono), (n) => skips.push(n));
  tc.start();
  return { clock, ticks, skips, tc };
}

t.test('late timers do not shift the schedule: the next wait is shorter', async (t) => {
  const { clock, ticks, tc } = setup();
  for (let i = 0; i < 500; i++) clock.fire(3); // every wake-up 3 ms late, as timers are
  t.equal(ticks.length, 500, 'one tick per wake-up');
  t.equal(clock.pending?.at, 1000 + 500 * 20, 'the 501st tick is still due at start + 500 × 20 ms (a re-armed 20 ms timer would be at +1500 ms more)');
  t.equal(tc.late, 0, 'a few ms late is not a late tick');
});

t.test('a wake-up a few periods late runs the missed ticks at once and counts them late', async (t) => {
  const { clock, ticks, skips, tc } = setup();
  clock.fire();
  t.equal(tc.overdue(), 0, 'on time: nothing owed');
  clock.mono = 1085;
  t.equal(tc.overdue(), 4, 'at 1085, before the late timer ran: ticks 1-4 are owed');
  clock.fire(65); // tick 1 due at 1020 runs at 1085: ticks 2, 3 and 4 (1040, 1060, 1080) are due too
  t.equal(ticks.length, 5, 'ticks 0-4 ran');
  t.equal(tc.late, 3, 'ticks 1, 2 and 3 started a period or more late');
  t.same(skips, []);
  t.equal(clock.pending?.at, 1100, 'the next one on the original schedule');
});

t.test('a long stall skips the missed ticks instead of bursting them out', async (t) => {
  const { clock, ticks, skips, tc } = setup();
  clock.fire();
  clock.fire(610); // due 1020, runs at 1630: 30 periods overdue
  t.same(skips, [30], 'thirty ticks handed to onSkip');
  t.equal(ticks.length, 2, 'then one tick runs, for 1620');
  t.equal(tc.late, 30);
  t.equal(clock.pending?.at, 1640, 'still on the original 20 ms grid');
  tc.stop();
  t.equal(clock.pending, undefined, 'stop() cancels the timer');
});
