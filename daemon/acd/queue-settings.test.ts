import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from '../store/database.js';
import { Store } from '../store/store.js';
import { QUEUE_DEFAULTS, type QueueSettings } from './acd-types.js';
import { addQueue, addVip, getQueue, removeQueue, removeVip } from './queue-settings.js';

function box(dir: string): Store {
  const store = new Store(openDatabase(join(dir, 'octoline.db')));
  for (const ext of ['1001', '1002', '1003']) store.extensions.upsert({ ext, displayName: '', realm: 'octoline', ha1Md5: 'x', ha1Sha256: 'y' });
  store.lines.upsert({ id: 1, number: '02155550101', numberNorm: '02155550101', gatewayId: null, portUser: 'line1' });
  store.ringGroups.upsert({ name: 'night', strategy: 'ring-all', members: ['1003'] });
  return store;
}

const m = (ext: string, penalty: number, position: number) => ({ ext, penalty, position });

t.test('a new queue takes the defaults; an existing one changes only the flags given', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  const made = addQueue(store, ' Sales ', { members: '1002, 1001' }, 1000);
  const want: QueueSettings = { ...QUEUE_DEFAULTS, name: 'sales', members: [m('1002', 0, 0), m('1001', 0, 1)] };
  t.same(made, { queue: want, created: true }, 'lower-case name, members in order with penalty 0');
  t.same(store.queues.get('sales'), want);

  const all = {
    strategy: 'Round-Robin', members: '1001:0,1002:1,1003:2', ringTimeout: '20', retry: '0', maxWait: '0', overflow: 'group:NIGHT',
    maxLength: '8', joinEmpty: 'no', leaveEmpty: 'YES', wrapUp: '30', announceEvery: 'never', announcePosition: 'no', announceWait: 'no',
    callbackDigit: 'none', stickyDays: '0', stickyWait: '30', autoPause: '0', language: 'en',
  };
  t.same(addQueue(store, 'sales', all, 2000).queue, {
    name: 'sales', strategy: 'round-robin', ringTimeoutS: 20, retryS: 0, maxWaitS: 0, overflow: 'group:night', maxLength: 8, joinEmpty: false,
    leaveEmpty: true, wrapUpS: 30, announceEveryS: -1, announcePosition: false, announceWait: false, callbackDigit: '', stickyDays: 0,
    stickyWaitS: 30, autoPauseAfter: 0, language: 'en', members: [m('1001', 0, 0), m('1002', 1, 1), m('1003', 2, 2)],
  }, 'every flag');

  const r = addQueue(store, 'SALES', { maxWait: '120', callbackDigit: '#' }, 3000);
  t.equal(r.created, false);
  t.match(store.queues.get('sales'), { strategy: 'round-robin', maxWaitS: 120, callbackDigit: '#', overflow: 'group:night', members: [{ ext: '1001' }, { ext: '1002' }, { ext: '1003' }] }, 'the rest kept');
  t.equal(getQueue(store, 'Sales').maxWaitS, 120);
});

t.test('each overflow target is accepted when it exists', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  addQueue(store, 'backup', { members: '1003' });
  store.flows.save({ name: 'after-hours' });
  const cases: Array<[string, string]> = [
    ['1003', '1003'], ['group:night', 'group:night'], ['queue:Backup', 'queue:backup'], ['flow:after-hours', 'flow:after-hours'],
    ['voicemail:1001', 'voicemail:1001'], ['voicemail:group:sales', 'voicemail:group:sales'], ['Callback', 'callback'], ['hangup', ''], ['', ''],
  ];
  for (const [typed, stored] of cases) t.equal(addQueue(store, 'sales', { members: '1001', overflow: typed }).queue.overflow, stored, typed);
});

t.test('bad queue input is refused, naming the flag, and nothing is written', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  addQueue(store, 'sales', { members: '1001' }, 1000);
  const before = store.queues.list();
  const cases: Array<[() => unknown, string, RegExp]> = [
    [() => addQueue(store, 'sales', { maxWait: '86401' }), 'QUEUE_BAD_SETTING', /^--max-wait must be 0-86400 seconds, not "86401"$/],
    [() => addQueue(store, 'sales', { maxWait: '5m' }), 'QUEUE_BAD_SETTING', /^--max-wait must be 0-86400 seconds/],
    [() => addQueue(store, 'sales', { ringTimeout: '2' }), 'QUEUE_BAD_SETTING', /^--ring-timeout must be 5-120 seconds/],
    [() => addQueue(store, 'sales', { retry: '-1' }), 'QUEUE_BAD_SETTING', /^--retry must be 0-60 seconds/],
    [() => addQueue(store, 'sales', { maxLength: '1.5' }), 'QUEUE_BAD_SETTING', /^--max-length must be 0-100 callers/],
    [() => addQueue(store, 'sales', { wrapUp: '' }), 'QUEUE_BAD_SETTING', /^--wrap-up must be 0-3600 seconds/],
    [() => addQueue(store, 'sales', { announceEvery: '-2' }), 'QUEUE_BAD_SETTING', /^--announce-every must be 0-3600 seconds \(0 = on entry only\) or never/],
    [() => addQueue(store, 'sales', { stickyDays: '400' }), 'QUEUE_BAD_SETTING', /^--sticky-days must be 0-365 days/],
    [() => addQueue(store, 'sales', { stickyWait: 'x' }), 'QUEUE_BAD_SETTING', /^--sticky-wait must be 0-300 seconds/],
    [() => addQueue(store, 'sales', { autoPause: '21' }), 'QUEUE_BAD_SETTING', /^--auto-pause must be 0-20 missed offers/],
    [() => addQueue(store, 'sales', { joinEmpty: 'maybe' }), 'QUEUE_BAD_SETTING', /^--join-empty must be yes or no, not "maybe"$/],
    [() => addQueue(store, 'sales', { leaveEmpty: 'on' }), 'QUEUE_BAD_SETTING', /^--leave-empty must be yes or no/],
    [() => addQueue(store, 'sales', { strategy: 'fastest' }), 'QUEUE_BAD_SETTING', /^--strategy must be one of ring-all, longest-idle, round-robin, fewest-calls, least-talk, random, linear, not "fastest"$/],
    [() => addQueue(store, 'sales', { callbackDigit: '12' }), 'QUEUE_BAD_SETTING', /^--callback-digit must be one digit \(0-9, \* or #\) or none/],
    [() => addQueue(store, 'sales', { language: 'fr' }), 'QUEUE_BAD_SETTING', /^--language must be zh-CN or en, not "fr"$/],
    [() => addQueue(store, 'sales', { overflow: 'queue:sales' }), 'QUEUE_BAD_SETTING', /^--overflow: queue sales cannot overflow to itself$/],
    [() => addQueue(store, 'sales', { overflow: 'queue:nope' }), 'QUEUE_BAD_SETTING', /^--overflow: queue nope does not exist$/],
    [() => addQueue(store, 'sales', { overflow: 'group:day' }), 'QUEUE_BAD_SETTING', /^--overflow: ring group day does not exist$/],
    [() => addQueue(store, 'sales', { overflow: 'flow:main' }), 'QUEUE_BAD_SETTING', /^--overflow: flow main does not exist$/],
    [() => addQueue(store, 'sales', { overflow: '1999' }), 'QUEUE_BAD_SETTING', /^--overflow: extension 1999 does not exist$/],
    [() => addQueue(store, 'sales', { overflow: 'voicemail:a b' }), 'QUEUE_BAD_SETTING', /^--overflow: "a b" is not a mailbox name/],
    [() => addQueue(store, 'sales', { overflow: 'sip:x' }), 'QUEUE_BAD_SETTING', /^--overflow: "sip:x" is not a target: use EXT, group:NAME, queue:NAME, flow:NAME, voicemail:MAILBOX, callback or hangup$/],
    [() => addQueue(store, 'sales', { members: '1001,1999' }), 'QUEUE_BAD_MEMBER', /^--members: no extension 1999; add it with octoline setup --extension 1999$/],
    [() => addQueue(store, 'sales', { members: '1001:10' }), 'QUEUE_BAD_MEMBER', /^--members: "1001:10" is not EXT or EXT:PENALTY with a penalty 0-9/],
    [() => addQueue(store, 'sales', { members: '1001,1001:1' }), 'QUEUE_BAD_MEMBER', /^--members: extension 1001 is listed twice$/],
    [() => addQueue(store, 'sales', { members: ' , ' }), 'QUEUE_BAD_MEMBER', /^--members: give at least one extension/],
    [() => addQueue(store, 'support', {}), 'QUEUE_BAD_MEMBER', /^--members: a new queue needs its agents' extensions/],
    [() => addQueue(store, 'has space', { members: '1001' }), 'QUEUE_BAD_NAME', /^"has space" is not a queue name/],
    [() => addQueue(store, '-x', { members: '1001' }), 'QUEUE_BAD_NAME', /not a queue name/],
    [() => addQueue(store, 'q'.repeat(33), { members: '1001' }), 'QUEUE_BAD_NAME', /not a queue name/],
    [() => getQueue(store, 'support'), 'QUEUE_NOT_FOUND', /^there is no queue support \(queues: sales\)$/],
    [() => removeQueue(store, 'support'), 'QUEUE_NOT_FOUND', /^there is no queue support/],
  ];
  for (const [fn, code, message] of cases) t.throws(fn, { code, message }, `${code} ${String(message)}`);
  t.same(store.queues.list(), before, 'unchanged');
  t.same(store.queues.get('support'), undefined);
});

t.test('a queue something still sends callers to is not removed', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  addQueue(store, 'sales', { members: '1001' });
  addQueue(store, 'backup', { members: '1002' });
  addQueue(store, 'sales', { overflow: 'queue:backup' });

  store.lines.setTarget(1, 'queue:sales');
  t.throws(() => removeQueue(store, 'sales'), { code: 'QUEUE_IN_USE', message: 'line 1 still sends callers to queue:sales; point it elsewhere first' });
  store.lines.setTarget(1, '1001');
  store.lines.setFallback(1, 'queue:sales');
  t.throws(() => removeQueue(store, 'Sales'), { code: 'QUEUE_IN_USE' }, 'a fallback counts too');
  store.lines.setFallback(1, '');

  t.throws(() => removeQueue(store, 'backup'), { code: 'QUEUE_IN_USE', message: 'queue sales (overflow) still sends callers to queue:backup; point it elsewhere first' });
  store.flows.save({ name: 'main', nodes: { q: { type: 'queue', queue: 'backup' }, r: { type: 'route', target: 'queue:sales' } } } as { name: string });
  t.throws(() => removeQueue(store, 'backup'), { code: 'QUEUE_IN_USE', message: 'queue sales (overflow), flow main still send callers to queue:backup; point them elsewhere first' });
  t.throws(() => removeQueue(store, 'sales'), { code: 'QUEUE_IN_USE', message: /^flow main still sends/ }, 'a flow routing to it');
  t.equal(store.queues.list().length, 2, 'nothing removed');

  store.flows.save({ name: 'main', nodes: {} } as { name: string });
  t.equal(removeQueue(store, 'SALES'), 'sales');
  t.equal(removeQueue(store, 'backup'), 'backup', 'its only user is gone');
  t.same(store.queues.list(), []);
});

t.test('VIP callers are added by normalised number, changed field by field and removed', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  t.same(addVip(store, '+86 138-0013-8000', { name: ' Mr Wang ', level: '9', pin: '2468' }, 1000),
    { number: '+8613800138000', name: 'Mr Wang', level: 9, pin: '2468', createdAt: 1000 });
  t.same(addVip(store, '021-5555-0199', {}, 2000), { number: '02155550199', name: '', level: 5, pin: null, createdAt: 2000 }, 'default level 5, no PIN');
  t.same(addVip(store, '+8613800138000', { level: '7' }, 3000), { number: '+8613800138000', name: 'Mr Wang', level: 7, pin: '2468', createdAt: 1000 }, 'only the level changes');
  t.equal(addVip(store, '+8613800138000', { pin: 'none' }).pin, null, 'none clears the PIN');

  const before = store.vip.list();
  const cases: Array<[() => unknown, string, RegExp]> = [
    [() => addVip(store, 'boss', {}), 'VIP_BAD_NUMBER', /^"boss" is not a phone number/],
    [() => addVip(store, '12', {}), 'VIP_BAD_NUMBER', /not a phone number/],
    [() => addVip(store, '02155550199', { level: '0' }), 'VIP_BAD_SETTING', /^--level must be 1-9 \(higher is served first\), not "0"$/],
    [() => addVip(store, '02155550199', { level: '10' }), 'VIP_BAD_SETTING', /^--level must be 1-9/],
    [() => addVip(store, '02155550199', { pin: '123' }), 'VIP_BAD_SETTING', /^--pin must be 4-8 digits, or none$/],
    [() => addVip(store, '02155550199', { pin: '123456789' }), 'VIP_BAD_SETTING', /^--pin must be 4-8 digits/],
    [() => addVip(store, '02155550199', { pin: '12a4' }), 'VIP_BAD_SETTING', /^--pin must be 4-8 digits/],
    [() => addVip(store, '02155550199', { name: 'x'.repeat(65) }), 'VIP_BAD_SETTING', /^--name must be at most 64 characters$/],
    [() => removeVip(store, '021-5555-0100'), 'VIP_NOT_FOUND', /^021-5555-0100 is not a VIP caller/],
    [() => removeVip(store, ''), 'VIP_NOT_FOUND', /is not a VIP caller/],
  ];
  for (const [fn, code, message] of cases) t.throws(fn, { code, message }, `${code} ${String(message)}`);
  t.same(store.vip.list(), before, 'unchanged');

  t.equal(removeVip(store, '(021) 5555 0199'), '02155550199', 'any formatting');
  t.same(store.vip.list().map((v) => v.number), ['+8613800138000']);
});
