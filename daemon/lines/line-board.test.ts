import t from 'tap';
import { LineBoard, type BoardLine } from './line-board.js';

const eight = (over: Partial<Record<number, Partial<BoardLine>>> = {}): BoardLine[] =>
  Array.from({ length: 8 }, (_, i) => ({ line: i + 1, gatewayId: i < 4 ? 1 : 2, direction: 'both' as const, ...over[i + 1] }));

t.test('linear hunting takes the lowest free line, skipping busy, down and in-only lines', async (t) => {
  const cases: Array<{ name: string; board: () => LineBoard; allowed?: number[]; want: number | undefined }> = [
    { name: 'all idle', board: () => new LineBoard(eight()), want: 1 },
    { name: 'line 1 in use', board: () => { const b = new LineBoard(eight()); b.apply(1, { type: 'outbound-seize' }); return b; }, want: 2 },
    { name: 'line 1 ringing', board: () => { const b = new LineBoard(eight()); b.apply(1, { type: 'inbound-invite' }); return b; }, want: 2 },
    { name: 'line 1 in-only', board: () => new LineBoard(eight({ 1: { direction: 'in' } })), want: 2 },
    { name: 'out-only lines may be picked', board: () => new LineBoard(eight({ 1: { direction: 'out' } })), want: 1 },
    { name: 'gateway 1 down', board: () => { const b = new LineBoard(eight()); b.gateway(1, false); return b; }, want: 5 },
    { name: 'only allowed lines', board: () => new LineBoard(eight()), allowed: [6, 7], want: 6 },
    { name: 'allowed but busy', board: () => { const b = new LineBoard(eight()); b.apply(6, { type: 'outbound-seize' }); return b; }, allowed: [6], want: undefined },
    { name: 'unknown line allowed', board: () => new LineBoard(eight()), allowed: [9], want: undefined },
  ];
  for (const c of cases) t.equal(c.board().pickOutbound(c.allowed), c.want, c.name);
});

t.test('round-robin hunting moves on from the last line picked and wraps', async (t) => {
  const b = new LineBoard(eight(), { hunt: 'round-robin' });
  t.same([b.pickOutbound(), b.pickOutbound(), b.pickOutbound()], [1, 2, 3]);
  b.apply(4, { type: 'outbound-seize' });
  t.equal(b.pickOutbound(), 5, 'busy line 4 skipped');
  t.same([b.pickOutbound([1, 2]), b.pickOutbound([1, 2])], [1, 2], 'wraps within the allowed lines');
});

t.test('a gateway going down takes all of its lines down and back up idle', async (t) => {
  const b = new LineBoard(eight());
  b.apply(2, { type: 'outbound-seize' });
  b.gateway(1, false);
  t.same(b.list().map((l) => l.state), ['down', 'down', 'down', 'down', 'idle', 'idle', 'idle', 'idle']);
  t.same(b.apply(1, { type: 'inbound-invite' }), [{ type: 'refuse', status: 503 }], 'a down line refuses');
  b.gateway(1, true);
  t.same(b.list().map((l) => l.state), Array(8).fill('idle'));
});

t.test('an out-only line refuses an inbound call; direction can change live', async (t) => {
  const b = new LineBoard(eight({ 3: { direction: 'out' } }));
  t.same(b.apply(3, { type: 'inbound-invite' }), [{ type: 'refuse', status: 503 }]);
  t.equal(b.state(3), 'idle');
  b.sync([{ line: 3, gatewayId: 1, direction: 'both' }]);
  t.same(b.apply(3, { type: 'inbound-invite' }), []);
  t.equal(b.state(3), 'ringing');
  t.equal(b.apply(9, { type: 'released' }), undefined, 'unknown line');
});
