import t from 'tap';
import { dbRows, setUpCliBox, cliOut, cliRefused } from '../helpers/cli-session.js';
import type { TestBox } from '../helpers/octoline.js';

// Each CLI run costs a Node start: the edge cases of the parsing live in the unit tests beside
// daemon/acd/queue-settings.ts and daemon/lines/routing.ts; here an installer's session end to
// end, and that refusals are one line, exit 1, and change nothing.

const rows = dbRows;




const snapshot = (box: TestBox) => ({
  queues: rows(box, 'SELECT * FROM queues ORDER BY name'),
  members: rows(box, 'SELECT * FROM queue_members ORDER BY queue, position'),
  vip: rows(box, 'SELECT * FROM vip ORDER BY number'),
  lines: rows(box, 'SELECT id, target, fallback FROM lines ORDER BY id'),
});

t.test('queues are added, changed, listed, routed to, guarded and removed', async (t) => {
  const { box, c } = await setUpCliBox(t);
  await cliOut(t, ['queues', 'add', 'night', '--members', '1003', ...c], /queue night created: ring-all, members 1003, max wait 300s, overflow hangup/);
  await cliOut(t, ['queues', 'add', 'Sales', '--strategy', 'longest-idle', '--members', '1001,1002:1', '--max-wait', '120', '--overflow', 'queue:night',
    '--join-empty', 'no', '--callback-digit', 'none', '--language', 'en', ...c], /queue sales created: longest-idle, members 1001,1002:1, max wait 120s, overflow queue:night/);
  await cliOut(t, ['queues', 'add', 'sales', '--wrap-up', '30', ...c], /queue sales updated: longest-idle, members 1001,1002:1/);

  const list = await cliOut(t, ['queues', 'list', ...c], /^NAME\s+STRATEGY\s+MEMBERS\s+MAX-WAIT\s+OVERFLOW$/m);
  t.match(list, /^night\s+ring-all\s+1003\s+300s\s+hangup$/m);
  t.match(list, /^sales\s+longest-idle\s+1001,1002:1\s+120s\s+queue:night$/m);
  const json = JSON.parse(await cliOut(t, ['queues', 'list', '--json', ...c], /^\[/)) as unknown;
  t.match(json, [
    { name: 'night', strategy: 'ring-all', maxWaitS: 300, overflow: '', joinEmpty: true, wrapUpS: 10, callbackDigit: '1', language: 'zh-CN', members: [{ ext: '1003', penalty: 0, position: 0 }] },
    {
      name: 'sales', strategy: 'longest-idle', maxWaitS: 120, overflow: 'queue:night', joinEmpty: false, wrapUpS: 30, callbackDigit: '', language: 'en',
      members: [{ ext: '1001', penalty: 0, position: 0 }, { ext: '1002', penalty: 1, position: 1 }],
    },
  ]);
  t.match(await cliOut(t, ['queues', 'show', 'sales', ...c], /^name\s+sales$/m), /^wrap-up\s+30s$/m);
  t.match(JSON.parse(await cliOut(t, ['queues', 'show', 'SALES', '--json', ...c], /^\{/)), { name: 'sales', wrapUpS: 30 });

  await cliOut(t, ['lines', 'route', '1', 'queue:Sales', ...c], /line 1: inbound calls go to queue:sales/);
  t.same(rows(box, 'SELECT id, target FROM lines ORDER BY id'), [{ id: 1, target: 'queue:sales' }, { id: 2, target: 'flow:main' }]);

  const before = snapshot(box);
  await cliRefused(t, ['queues', 'add', 'sales', '--max-wait', '99999', '--wrap-up', '5', ...c], /^octoline: --max-wait must be 0-86400 seconds, not "99999"$/m);
  await cliRefused(t, ['queues', 'add', 'sales', '--members', '1001,1999', ...c], /^octoline: --members: no extension 1999; add it with octoline setup --extension 1999$/m);
  await cliRefused(t, ['queues', 'add', 'support', '--members', '1001', '--strategy', 'fastest', ...c], /^octoline: --strategy must be one of ring-all, longest-idle, round-robin/m);
  await cliRefused(t, ['queues', 'add', 'support', '--members', '1001', '--overflow', 'queue:nope', ...c], /^octoline: --overflow: queue nope does not exist$/m);
  await cliRefused(t, ['queues', 'remove', 'sales', ...c], /^octoline: line 1 still sends callers to queue:sales; point it elsewhere first$/m);
  await cliRefused(t, ['queues', 'remove', 'night', ...c], /^octoline: queue sales \(overflow\) still sends callers to queue:night/m);
  await cliRefused(t, ['queues', 'show', 'support', ...c], /^octoline: there is no queue support \(queues: night, sales\)$/m);
  await cliRefused(t, ['lines', 'route', '2', 'queue:support', ...c], /^octoline: queue support does not exist \(queues: night, sales\); add it with octoline queues add support/m);
  t.same(snapshot(box), before, 'nothing changed');

  await cliOut(t, ['lines', 'route', '1', '1001', ...c], /line 1: inbound calls go to 1001/);
  await cliOut(t, ['queues', 'remove', 'sales', ...c], /queue sales removed/);
  await cliOut(t, ['queues', 'remove', 'night', ...c], /queue night removed/);
  t.same(rows(box, 'SELECT name FROM queues'), []);
  t.same(rows(box, 'SELECT * FROM queue_members'), [], 'members went with them');
  t.match(await cliOut(t, ['queues', 'list', ...c], /No queues yet/), /octoline queues add NAME --members/);
});

t.test('VIP callers are added, changed, listed without their PIN and removed', async (t) => {
  const { box, c } = await setUpCliBox(t);
  await cliOut(t, ['vip', 'add', '+86 138-0013-8000', '--name', 'Mr Wang', '--level', '9', '--pin', '246810', ...c], /VIP \+8613800138000 \(Mr Wang\): level 9, PIN set/);
  await cliOut(t, ['vip', 'add', '021-5555-0199', ...c], /VIP 02155550199: level 5, PIN none/);
  await cliOut(t, ['vip', 'add', '021 5555 0199', '--level', '3', ...c], /VIP 02155550199: level 3/);

  const list = await cliOut(t, ['vip', 'list', ...c], /^NUMBER\s+NAME\s+LEVEL\s+PIN\s+ADDED$/m);
  t.match(list, /^\+8613800138000\s+Mr Wang\s+9\s+set\s+\d{4}-\d\d-\d\d$/m);
  t.match(list, /^02155550199\s+-\s+3\s+-\s+\d{4}-\d\d-\d\d$/m);
  t.notMatch(list, /246810/, 'the PIN is never printed');
  const json = await cliOut(t, ['vip', 'list', '--json', ...c], /^\[/);
  t.notMatch(json, /246810/);
  t.match(JSON.parse(json), [
    { number: '+8613800138000', name: 'Mr Wang', level: 9, pin: 'set', createdAt: /^\d{4}-\d\d-\d\dT/ },
    { number: '02155550199', name: '', level: 3, pin: null },
  ]);

  const before = snapshot(box);
  await cliRefused(t, ['vip', 'add', 'boss', ...c], /^octoline: "boss" is not a phone number/m);
  await cliRefused(t, ['vip', 'add', '02155550199', '--level', '10', ...c], /^octoline: --level must be 1-9 \(higher is served first\), not "10"$/m);
  await cliRefused(t, ['vip', 'add', '02155550199', '--pin', '12', ...c], /^octoline: --pin must be 4-8 digits, or none$/m);
  await cliRefused(t, ['vip', 'remove', '021-5555-0100', ...c], /^octoline: 021-5555-0100 is not a VIP caller/m);
  t.same(snapshot(box), before, 'nothing changed');

  await cliOut(t, ['vip', 'remove', '021 5555 0199', ...c], /02155550199 is no longer a VIP caller/);
  t.same(rows(box, 'SELECT number, name, level, pin FROM vip'), [{ number: '+8613800138000', name: 'Mr Wang', level: 9, pin: '246810' }]);
});

t.test('the new commands explain themselves with --help', async (t) => {
  for (const cmd of [['queues', 'add'], ['queues', 'list'], ['queues', 'show'], ['queues', 'remove'], ['vip', 'add'], ['vip', 'list'], ['vip', 'remove']]) {
    await cliOut(t, [...cmd, '--help'], /Usage: octoline/);
  }
  await cliOut(t, ['lines', 'route', '--help'], /EXT, group:NAME, queue:NAME or flow:NAME/);
});
