import t from 'tap';
import { WaitEstimator, waitMinutes } from './expected-wait.js';

t.test('with no samples: 60 s per position, shared by the agents', async (t) => {
  const e = new WaitEstimator();
  t.equal(e.expectedS(1, 1), 60);
  t.equal(e.expectedS(3, 1), 180);
  t.equal(e.expectedS(3, 2), 90);
  t.equal(e.expectedS(1, 3), 20, 'no float noise: 60/3 is 20, not 21');
  t.equal(e.expectedS(2, 0), 120, 'no agent counts as one, not a division by zero');
});

t.test('with samples: mean recent wait per position × position, rounded up', async (t) => {
  const e = new WaitEstimator();
  e.answered(30_000);
  e.answered(50_000);
  t.equal(e.expectedS(1, 1), 40);
  t.equal(e.expectedS(3, 1), 120);
  t.equal(e.expectedS(3, 2), 120, 'the samples already carry the staffing: agents do not divide again');
  const j = new WaitEstimator();
  j.answered(40_000, 3);
  t.equal(j.expectedS(1, 1), 14, 'joined third and waited 40 s: 13.33 s per position rounds up to 14');
  e.answered(1);
  t.equal(e.expectedS(1, 1), 27, '(30 + 50 + 0.001 s) / 3 = 26.667 s → 27');
});

t.test('only the last `keep` answers count', async (t) => {
  const e = new WaitEstimator({ keep: 3 });
  e.answered(600_000);
  for (let i = 0; i < 3; i++) e.answered(10_000);
  t.equal(e.expectedS(1, 1), 10, 'the old 10-minute wait has dropped out');

  const d = new WaitEstimator();
  for (let i = 0; i < 20; i++) d.answered(10_000);
  t.equal(d.expectedS(1, 1), 10);
  d.answered(220_000);
  t.equal(d.expectedS(1, 1), 21, 'default keep is 20: (19×10 s + 220 s) / 20 = 20.5 s → 21');
});

t.test('never negative, garbage ignored', async (t) => {
  const e = new WaitEstimator();
  e.answered(-5_000);
  t.equal(e.expectedS(1, 1), 0, 'a negative wait (clock step) counts as 0');
  e.answered(Number.NaN);
  e.answered(Number.POSITIVE_INFINITY);
  t.equal(e.expectedS(1, 1), 0, 'non-finite waits are dropped');
  t.equal(e.expectedS(-2, 1), 0, 'a negative position gives 0, never below');
  const fresh = new WaitEstimator();
  t.equal(fresh.expectedS(0, 1), 0);
  t.equal(fresh.expectedS(1, Number.NaN), 60, 'an unknown agent count counts as one');
});

t.test('an answered-at-once caller gives 0 s', async (t) => {
  const e = new WaitEstimator();
  e.answered(0);
  t.equal(e.expectedS(5, 1), 0);
});

t.test('waitMinutes: under a minute is 0, then whole minutes rounded up, capped at 60', async (t) => {
  t.equal(waitMinutes(0), 0);
  t.equal(waitMinutes(59), 0);
  t.equal(waitMinutes(59.9), 0);
  t.equal(waitMinutes(60), 1);
  t.equal(waitMinutes(61), 2);
  t.equal(waitMinutes(300), 5);
  t.equal(waitMinutes(301), 6);
  t.equal(waitMinutes(3600), 60);
  t.equal(waitMinutes(3601), 60);
  t.equal(waitMinutes(999_999), 60);
  t.equal(waitMinutes(Number.POSITIVE_INFINITY), 60);
  t.equal(waitMinutes(-10), 0);
  t.equal(waitMinutes(Number.NaN), 0);
});

t.test('estimate to words, end to end', async (t) => {
  const e = new WaitEstimator();
  e.answered(90_000, 2);
  t.equal(waitMinutes(e.expectedS(1, 2)), 0, '45 s → under a minute');
  t.equal(waitMinutes(e.expectedS(4, 2)), 3, '180 s → 3 minutes');
});
