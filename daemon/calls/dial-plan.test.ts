import t from 'tap';
import { classifyDial, type DialPlanContext, type DialTarget } from './dial-plan.js';

const EXTS = new Set(['1001', '1002', '88']);
const ctx: DialPlanContext = { pickupCode: '*8', directedPickupPrefix: '**', isExtension: (s) => EXTS.has(s) };

t.test('what a phone dialled is classified', async (t) => {
  const cases: Array<[string, DialTarget]> = [
    ['1002', { kind: 'extension', ext: '1002' }],
    [' 1001 ', { kind: 'extension', ext: '1001' }],
    ['88', { kind: 'extension', ext: '88' }],
    ['021-5555-0199', { kind: 'external', number: '02155550199' }],
    ['(021) 5555.0199', { kind: 'external', number: '02155550199' }],
    ['+86 21 5555 0199', { kind: 'external', number: '+862155550199' }],
    ['0085212345678', { kind: 'external', number: '0085212345678' }],
    ['110', { kind: 'external', number: '110' }],
    ['1003', { kind: 'external', number: '1003' }],
    ['*8', { kind: 'pickup' }],
    ['**1002', { kind: 'directed-pickup', ext: '1002' }],
    ['*80', { kind: 'feature', code: '*80' }],
    ['*45', { kind: 'feature', code: '*45' }],
    ['#21#', { kind: 'feature', code: '#21#' }],
    ['**#', { kind: 'feature', code: '**#' }],
  ];
  for (const [dialled, want] of cases) t.same(classifyDial(dialled, ctx), want, JSON.stringify(dialled));
});

t.test('what cannot be dialled is invalid, with a reason', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /nothing was dialled/],
    ['   ', /nothing was dialled/],
    ['12', /not an extension and too short/],
    ['7', /not an extension and too short/],
    ['+1', /too short/],
    ['alice', /is not a number/],
    ['021-CALL-NOW', /is not a number/],
    ['86+21', /is not a number/],
    ['**1999', /there is no extension 1999 to pick up/],
    ['**', /dial \*\* followed by the extension/],
    ['*abc', /is not a feature code/],
    ['0'.repeat(25), /too long/],
  ];
  for (const [dialled, reason] of cases) {
    const got = classifyDial(dialled, ctx);
    t.equal(got.kind, 'invalid', JSON.stringify(dialled));
    if (got.kind === 'invalid') t.match(got.reason, reason, JSON.stringify(dialled));
  }
});

t.test('the box\'s own codes decide, and an existing extension always wins', async (t) => {
  const other: DialPlanContext = { pickupCode: '#9', directedPickupPrefix: '*7', isExtension: (s) => EXTS.has(s) };
  t.same(classifyDial('#9', other), { kind: 'pickup' });
  t.same(classifyDial('*8', other), { kind: 'feature', code: '*8' }, 'the default code is an ordinary feature code here');
  t.same(classifyDial('*71001', other), { kind: 'directed-pickup', ext: '1001' });
  t.same(classifyDial('**1002', other), { kind: 'feature', code: '**1002' });
  // A digits-only prefix must not swallow outside numbers that happen to start with it.
  const digits: DialPlanContext = { pickupCode: '*8', directedPickupPrefix: '8', isExtension: (s) => EXTS.has(s) };
  t.same(classifyDial('81001', digits), { kind: 'directed-pickup', ext: '1001' });
  t.same(classifyDial('85551234', digits), { kind: 'external', number: '85551234' });
  t.same(classifyDial('88', digits), { kind: 'extension', ext: '88' }, 'extension before the prefix');
});

t.test('agent codes and supervise prefixes, when the box has an ACD', async (t) => {
  const acd: DialPlanContext = {
    ...ctx, agentCodes: { toggle: '*45', pause: '*46', unpause: '*47' },
    supervisePrefixes: { listen: '555', whisper: '556', barge: '557' },
  };
  const cases: Array<[string, DialTarget]> = [
    ['*45', { kind: 'agent', action: 'toggle' }],
    ['*46', { kind: 'agent', action: 'pause' }],
    ['*47', { kind: 'agent', action: 'unpause' }],
    ['5551001', { kind: 'supervise', mode: 'listen', ext: '1001' }],
    ['5561002', { kind: 'supervise', mode: 'whisper', ext: '1002' }],
    ['55788', { kind: 'supervise', mode: 'barge', ext: '88' }],
    // No extension after the prefix: an ordinary number, never swallowed.
    ['5551003', { kind: 'external', number: '5551003' }],
    ['555', { kind: 'external', number: '555' }],
    ['*450', { kind: 'feature', code: '*450' }],
  ];
  for (const [dialled, want] of cases) t.same(classifyDial(dialled, acd), want, dialled);
  t.same(classifyDial('*45', ctx), { kind: 'feature', code: '*45' }, 'without an ACD *45 is just a reserved code');
});
