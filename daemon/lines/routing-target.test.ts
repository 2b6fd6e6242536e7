import t from 'tap';
import { formatTarget, parseTarget } from './routing-target.js';

t.test('routing targets are parsed or refused', async (t) => {
  const cases: Array<[string, ReturnType<typeof parseTarget>]> = [
    ['1001', { kind: 'extension', ext: '1001' }],
    ['group:sales', { kind: 'group', name: 'sales' }],
    ['queue:support-1', { kind: 'queue', name: 'support-1' }],
    ['flow:night', { kind: 'flow', name: 'night' }],
    ['1', undefined],
    ['123456789', undefined],
    ['group:', undefined],
    ['group:has space', undefined],
    ['ivr:main', undefined],
    ['sip:1001@x', undefined],
  ];
  for (const [raw, want] of cases) t.same(parseTarget(raw), want, raw);
  t.equal(formatTarget({ kind: 'group', name: 'sales' }), 'group:sales');
});
