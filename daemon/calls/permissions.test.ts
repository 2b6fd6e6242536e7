import t from 'tap';
import { outboundDecision, type ExtensionPermissions } from './permissions.js';

const BOX = ['00', '+', '1900', '0900'];
const open: ExtensionPermissions = { outbound: true, allowedLines: [], allowPrefixes: [], denyPrefixes: [] };

t.test('a local number is allowed on any line; the box blocks international and premium rate', async (t) => {
  t.same(outboundDecision(open, '02155550199', BOX), { allowed: true, lines: undefined });
  t.match(outboundDecision(open, '00441234567', BOX, '1001'), {
    allowed: false, code: 'PREFIX_BLOCKED', prefix: '00', message: 'extension 1001 may not dial 00441234567: prefix 00 is blocked (international)',
  });
  t.match(outboundDecision(open, '+441234567', BOX), { allowed: false, code: 'PREFIX_BLOCKED', prefix: '+' });
  t.match(outboundDecision(open, '09001234567', BOX), { allowed: false, code: 'PREFIX_BLOCKED', prefix: '0900', message: /prefix 0900 is blocked$/ });
  t.same(outboundDecision(open, '00441234567', []), { allowed: true, lines: undefined }, 'nothing blocked on this box');
});

t.test('an allow prefix lifts a box block only as far as it reaches', async (t) => {
  const hk: ExtensionPermissions = { ...open, allowPrefixes: ['00852', '+852'] };
  t.same(outboundDecision(hk, '0085212345678', BOX), { allowed: true, lines: undefined });
  t.same(outboundDecision(hk, '+85212345678', BOX), { allowed: true, lines: undefined }, '+ compared as written');
  t.match(outboundDecision(hk, '00441234567', BOX), { allowed: false, code: 'PREFIX_BLOCKED', prefix: '00' });
  t.match(outboundDecision(hk, '0085212345678', [...BOX, '008529']), { allowed: true }, 'a longer block elsewhere does not matter');
  t.match(outboundDecision(hk, '0085291234567', [...BOX, '008529']), { allowed: false, prefix: '008529' }, 'a longer box block wins over a shorter allow');

  const intl: ExtensionPermissions = { ...open, allowPrefixes: ['00'] };
  t.match(outboundDecision(intl, '00441234567', BOX), { allowed: true }, 'equal length: allow wins');
  t.match(outboundDecision(intl, '+441234567', BOX), { allowed: false, prefix: '+' }, '00 does not cover +');
});

t.test('the extension\'s own deny list always blocks', async (t) => {
  const p: ExtensionPermissions = { ...open, allowPrefixes: ['00', '95'], denyPrefixes: ['9', '0044'] };
  t.match(outboundDecision(p, '95555', BOX, '1002'), { allowed: false, code: 'PREFIX_BLOCKED', prefix: '9', message: 'extension 1002 may not dial 95555: prefix 9 is denied for it' });
  t.match(outboundDecision(p, '00441234567', BOX), { allowed: false, prefix: '0044', message: /denied for it \(international\)/ });
  t.match(outboundDecision(p, '00331234567', BOX), { allowed: true });
});

t.test('outbound off refuses every number; allowed lines are handed on', async (t) => {
  t.same(outboundDecision({ ...open, outbound: false }, '02155550199', BOX, '1001'), {
    allowed: false, code: 'OUTBOUND_DISABLED', message: 'extension 1001 may not dial 02155550199: outbound calls are turned off for it',
  });
  t.same(outboundDecision({ ...open, allowedLines: [2, 3] }, '02155550199', BOX), { allowed: true, lines: [2, 3] });
  t.match(outboundDecision({ ...open, denyPrefixes: [''] }, '02155550199', BOX), { allowed: true }, 'an empty prefix blocks nothing');
});
