import t from 'tap';
import { FakeClock } from '../../clock.js';
import { testLogger } from '../../../test/helpers/log.js';
import { RateLimiter, type Verdict } from './rate-limit.js';

function limiter(opts: ConstructorParameters<typeof RateLimiter>[1] = {}): { rl: RateLimiter; clock: FakeClock } {
  const clock = new FakeClock();
  return { rl: new RateLimiter({ clock, log: testLogger() }, opts), clock };
}

function admitMany(rl: RateLimiter, address: string, n: number, kind: 'request' | 'response' = 'request'): Record<Verdict, number> {
  const out: Record<Verdict, number> = { accept: 0, 'over-source-limit': 0, flood: 0 };
  for (let i = 0; i < n; i++) out[rl.admit(address, kind)]++;
  return out;
}

t.test('a source gets its burst, then its rate, and the rest is dropped and counted', async (t) => {
  const { rl, clock } = limiter({ perSourceRate: 10, perSourceBurst: 20 });
  t.same(admitMany(rl, '192.0.2.1', 30), { accept: 20, 'over-source-limit': 10, flood: 0 });
  clock.advance(500);
  t.equal(admitMany(rl, '192.0.2.1', 10).accept, 5, 'half a second refills 5 tokens');
  t.equal(rl.stats().droppedSource, 15);
  t.equal(rl.stats().accepted, 25);
});

t.test('one flooding source does not use up another source\'s allowance', async (t) => {
  const { rl } = limiter({ perSourceRate: 10, perSourceBurst: 20 });
  admitMany(rl, '192.0.2.66', 1000);
  t.same(admitMany(rl, '192.0.2.7', 20), { accept: 20, 'over-source-limit': 0, flood: 0 });
});

t.test('responses from a peer we sent to skip its bucket; from strangers they count', async (t) => {
  const { rl } = limiter({ perSourceRate: 1, perSourceBurst: 5 });
  rl.markPeer('192.0.2.5', false);
  t.equal(admitMany(rl, '192.0.2.5', 50, 'response').accept, 50);
  t.equal(admitMany(rl, '192.0.2.5', 10, 'request').accept, 5, 'its requests are still limited');
  t.equal(admitMany(rl, '192.0.2.9', 50, 'response').accept, 5);
});

t.test('over the global ceiling only settled sources get through', async (t) => {
  const { rl, clock } = limiter({ perSourceRate: 1000, perSourceBurst: 1000, globalRate: 100, globalBurst: 100 });
  rl.markPeer('192.0.2.1', true); // e.g. the FXO gateway we send INVITEs to
  let sprayed = 0;
  for (let i = 0; i < 500; i++) if (rl.admit(`198.51.100.${i % 250}`, 'request') === 'accept') sprayed++;
  t.equal(sprayed, 100, 'the spray used the global burst and was then shed');
  t.equal(rl.stats().droppedFlood, 400);
  t.same(admitMany(rl, '192.0.2.1', 50), { accept: 50, 'over-source-limit': 0, flood: 0 }, 'the gateway still gets through');
  t.equal(admitMany(rl, '203.0.113.1', 5).flood, 5, 'a new source waits until the flood ends');
  clock.advance(1000);
  t.equal(admitMany(rl, '203.0.113.1', 5).accept, 5, 'and gets through once the ceiling refilled');
});

t.test('the table stays bounded under 100k spoofed sources and keeps settled peers', async (t) => {
  const { rl, clock } = limiter({ maxSources: 1000, globalRate: 1e9, globalBurst: 1e9, perSourceRate: 1, perSourceBurst: 2 });
  rl.markPeer('192.0.2.1', true);
  for (let i = 0; i < 2; i++) rl.admit('192.0.2.1', 'request'); // use up the gateway's bucket
  let maxSize = 0;
  for (let i = 0; i < 100_000; i++) {
    rl.admit(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'request');
    if (i % 997 === 0) clock.advance(1);
    maxSize = Math.max(maxSize, rl.size);
  }
  t.ok(maxSize <= 1000, `table size peaked at ${maxSize}`);
  t.equal(rl.stats().settled, 1, 'the settled gateway was never evicted');
  t.equal(rl.admit('192.0.2.1', 'request'), 'over-source-limit', 'and its bucket state survived the spray');
});

t.test('drops are logged at most once per second per source', async (t) => {
  const clock = new FakeClock();
  const lines: string[] = [];
  const log = testLogger();
  log.warn = ((obj: unknown, msg?: string) => { lines.push(msg ?? String(obj)); }) as typeof log.warn;
  const rl = new RateLimiter({ clock, log }, { perSourceRate: 1, perSourceBurst: 1 });
  for (let i = 0; i < 1000; i++) rl.admit('192.0.2.66', 'request');
  t.equal(lines.length, 1);
  clock.advance(1000);
  for (let i = 0; i < 1000; i++) rl.admit('192.0.2.66', 'request');
  t.equal(lines.length, 2);
});
