import t, { type Test } from 'tap';
import { join } from 'node:path';
import { dbRows } from '../helpers/cli-session.js';
import { makeTestBox, runCli, type TestBox } from '../helpers/octoline.js';

const rows = dbRows;

async function setUpBox(t: Test): Promise<TestBox> {
  const box = await makeTestBox(t);
  const r = await runCli(['setup', '--config', box.configPath, '--yes', '--admin-password', 'correct-horse-battery', '--data-dir', box.dataDir,
    '--gateway', '127.0.0.1:5062', '--line', '1=021-5555-0101', '--line', '2=021-5555-0102', '--extension', '1001', '--extension', '1002']);
  t.equal(r.code, 0, r.stderr);
  return box;
}

t.test('lines are routed, given a direction and listed', async (t) => {
  const box = await setUpBox(t);
  const c = ['--config', box.configPath];
  const route = await runCli(['lines', 'route', '1', '1001', ...c]);
  t.equal(route.code, 0, route.stderr);
  t.match(route.stdout, /line 1: inbound calls go to 1001/);
  t.equal((await runCli(['groups', 'add', 'sales', '--members', '1001,1002', ...c])).code, 0);
  t.equal((await runCli(['lines', 'route', '2', 'group:sales', ...c])).code, 0);
  t.equal((await runCli(['lines', 'direction', '2', 'in', ...c])).code, 0);
  t.same(rows(box, 'SELECT id, target, direction FROM lines ORDER BY id'), [
    { id: 1, target: '1001', direction: 'both' },
    { id: 2, target: 'group:sales', direction: 'in' },
  ]);

  const list = await runCli(['lines', 'list', ...c]);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, /^LINE\s+NUMBER\s+PORT\s+DIRECTION\s+TARGET\s+FALLBACK\s+RECORD$/m);
  t.match(list.stdout, /^1\s+021-5555-0101\s+line1\s+both\s+1001\s+hangup\s+off$/m);
  t.match(list.stdout, /^2\s+021-5555-0102\s+line2\s+in\s+group:sales\s+hangup\s+off$/m);
  const json = await runCli(['lines', 'list', '--json', ...c]);
  t.same(JSON.parse(json.stdout), [
    { line: 1, number: '021-5555-0101', portUser: 'line1', direction: 'both', target: '1001', fallback: '', record: 'off', enabled: true },
    { line: 2, number: '021-5555-0102', portUser: 'line2', direction: 'in', target: 'group:sales', fallback: '', record: 'off', enabled: true },
  ]);
});

t.test('bad routing input is refused with one clear line and nothing changes', async (t) => {
  const box = await setUpBox(t);
  const c = ['--config', box.configPath];
  const before = rows(box, 'SELECT id, target, direction FROM lines ORDER BY id');
  const cases: Array<[string[], RegExp]> = [
    [['lines', 'route', '1', '1999'], /^octoline: extension 1999 does not exist/],
    [['lines', 'route', '1', 'ivr:main'], /^octoline: "ivr:main" is not a target/],
    [['lines', 'route', '9', '1001'], /^octoline: there is no line 9 \(lines: 1, 2\)/],
    [['lines', 'route', 'x', '1001'], /^octoline: "x" is not a line number/],
    [['lines', 'direction', '1', 'sideways'], /^octoline: "sideways" is not a direction: use in, out or both/],
  ];
  for (const [args, msg] of cases) {
    const r = await runCli([...args, ...c]);
    t.equal(r.code, 1, args.join(' '));
    t.match(r.stderr, msg, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  t.same(rows(box, 'SELECT id, target, direction FROM lines ORDER BY id'), before, 'nothing changed');
});

t.test('the blacklist is added to, listed and removed from', async (t) => {
  const box = await setUpBox(t);
  const c = ['--config', box.configPath];
  const add = await runCli(['blacklist', 'add', '021-5555-0199', '--reason', 'spam calls', ...c]);
  t.equal(add.code, 0, add.stderr);
  t.match(add.stdout, /021-5555-0199 is blacklisted/);
  t.same(rows(box, 'SELECT number, number_norm, reason FROM blacklist'), [{ number: '021-5555-0199', number_norm: '02155550199', reason: 'spam calls' }]);

  const dup = await runCli(['blacklist', 'add', '021 5555 0199', ...c]);
  t.equal(dup.code, 1);
  t.match(dup.stderr, /^octoline: 021 5555 0199 is already on the blacklist$/m);
  const bad = await runCli(['blacklist', 'add', 'not-a-number', ...c]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /^octoline: "not-a-number" is not a phone number/);
  t.equal(rows(box, 'SELECT 1 FROM blacklist').length, 1, 'nothing added');

  const list = await runCli(['blacklist', 'list', ...c]);
  t.match(list.stdout, /^021-5555-0199\s+\d{4}-\d\d-\d\d\s+spam calls$/m);
  const json = await runCli(['blacklist', 'list', '--json', ...c]);
  t.match(JSON.parse(json.stdout), [{ number: '021-5555-0199', numberNorm: '02155550199', reason: 'spam calls' }]);

  const missing = await runCli(['blacklist', 'remove', '999', ...c]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /^octoline: 999 is not on the blacklist$/m);
  const rm = await runCli(['blacklist', 'remove', '(021) 5555-0199', ...c]);
  t.equal(rm.code, 0, rm.stderr);
  t.same(rows(box, 'SELECT 1 FROM blacklist'), []);
  t.match((await runCli(['blacklist', 'list', ...c])).stdout, /The blacklist is empty/);
});

t.test('the commands explain themselves with --help', async (t) => {
  for (const cmd of [['lines'], ['lines', 'route'], ['blacklist', 'add']]) {
    const r = await runCli([...cmd, '--help']);
    t.equal(r.code, 0, cmd.join(' '));
    t.match(r.stdout, /Usage: octoline/);
  }
});
