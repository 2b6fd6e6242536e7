import t from 'tap';
import { FakeClock } from '../../clock.js';
import { BanList, type BanEvent } from './ban-list.js';

function setup(opts: ConstructorParameters<typeof BanList>[1] = {}) {
  const clock = new FakeClock();
  const bans = new BanList({ clock }, { threshold: 5, windowMs: 60_000, banMs: 600_000, ...opts });
  const events: BanEvent[] = [];
  bans.on('banned', (e) => events.push(e));
  return { clock, bans, events };
}

t.test('a source is banned at the threshold-th failure within the window', async (t) => {
  const { bans, events, clock } = setup();
  for (let i = 0; i < 4; i++) {
    t.notOk(bans.recordFailure('198.51.100.7'));
    clock.advance(1000);
  }
  t.notOk(bans.isBanned('198.51.100.7'));
  t.ok(bans.recordFailure('198.51.100.7'), 'the fifth starts the ban');
  t.ok(bans.isBanned('198.51.100.7'));
  t.notOk(bans.isBanned('198.51.100.8'), 'others are not affected');
  t.same(events, [{ address: '198.51.100.7', failures: 5, banMs: 600_000 }]);
});

t.test('failures older than the window do not count (sliding window)', async (t) => {
  const { bans, clock } = setup();
  for (let i = 0; i < 20; i++) {
    bans.recordFailure('198.51.100.7');
    clock.advance(15_001);
  }
  t.notOk(bans.isBanned('198.51.100.7'), 'never 5 within 60 s');
});

t.test('a ban ends after its time, and the source starts counting from zero', async (t) => {
  const { bans, clock } = setup();
  for (let i = 0; i < 5; i++) bans.recordFailure('198.51.100.7');
  clock.advance(599_999);
  t.ok(bans.isBanned('198.51.100.7'));
  clock.advance(1);
  t.notOk(bans.isBanned('198.51.100.7'));
  t.notOk(bans.recordFailure('198.51.100.7'), 'one failure after the ban does not ban again');
});

t.test('IPv4-mapped IPv6 and IPv4 are the same source', async (t) => {
  const { bans } = setup();
  for (let i = 0; i < 5; i++) bans.recordFailure('::ffff:198.51.100.7');
  t.ok(bans.isBanned('198.51.100.7'));
});

t.test('exempt addresses are never banned', async (t) => {
  const { bans } = setup({ exempt: ['192.0.2.20'] });
  for (let i = 0; i < 50; i++) bans.recordFailure('192.0.2.20');
  t.notOk(bans.isBanned('192.0.2.20'));
  t.same(bans.size, { tracked: 0, banned: 0 });
});

t.test('unban lifts a ban and list shows what is left', async (t) => {
  const { bans, clock } = setup();
  for (let i = 0; i < 5; i++) bans.recordFailure('198.51.100.7');
  clock.advance(100_000);
  t.same(bans.list(), [{ address: '198.51.100.7', remainingMs: 500_000 }]);
  t.ok(bans.unban('198.51.100.7'));
  t.notOk(bans.isBanned('198.51.100.7'));
  t.notOk(bans.unban('198.51.100.7'));
});

t.test('memory stays bounded under failures from 100k distinct source addresses', async (t) => {
  const { bans } = setup({ maxTracked: 1000, maxBanned: 500, threshold: 2 });
  for (let i = 0; i < 100_000; i++) {
    const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    bans.recordFailure(a);
    if (i % 3 === 0) bans.recordFailure(a);
    if (bans.size.tracked > 1000 || bans.size.banned > 500) break;
  }
  t.ok(bans.size.tracked <= 1000, `tracked ${bans.size.tracked}`);
  t.ok(bans.size.banned <= 500, `banned ${bans.size.banned}`);
  t.ok(bans.isBanned('10.1.134.159'), 'the newest bans are kept');
});

t.test('prune drops ended bans and stale failures', async (t) => {
  const { bans, clock } = setup();
  for (let i = 0; i < 5; i++) bans.recordFailure('198.51.100.7');
  bans.recordFailure('198.51.100.9');
  clock.advance(600_000);
  bans.prune();
  t.same(bans.size, { tracked: 0, banned: 0 });
});

t.test('bad options are refused with SIP_AUTH_BAD_OPTIONS', async (t) => {
  t.throws(() => new BanList({ clock: new FakeClock() }, { threshold: 0 }), { code: 'SIP_AUTH_BAD_OPTIONS' });
  t.throws(() => new BanList({ clock: new FakeClock() }, { maxTracked: 1.5 }), { code: 'SIP_AUTH_BAD_OPTIONS' });
});
