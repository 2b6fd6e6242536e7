import t, { type Test } from 'tap';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { makeTestBox, runCli, type TestBox } from '../helpers/octoline.js';

// Each CLI run costs a Node start: the edge cases of the parsing live in the unit tests beside
// daemon/calls/extension-settings.ts, ring-group-settings.ts and daemon/lines/routing.ts; here a
// user's session end to end, and that refusals are one line, exit 1, and change nothing.

const rows = <T>(box: TestBox, sql: string): T[] => {
  const db = new BetterSqlite3(join(box.dataDir, 'octoline.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
};

async function setUpBox(t: Test): Promise<{ box: TestBox; c: string[] }> {
  const box = await makeTestBox(t);
  const r = await runCli(['setup', '--config', box.configPath, '--yes', '--admin-password', 'correct-horse-battery', '--data-dir', box.dataDir,
    '--gateway', '127.0.0.1:5062', '--line', '1=021-5555-0101', '--line', '2=021-5555-0102',
    '--extension', '1001', '--extension', '1002', '--extension', '1003']);
  t.equal(r.code, 0, r.stderr);
  return { box, c: ['--config', box.configPath] };
}

async function ok(t: Test, args: string[], out: RegExp): Promise<string> {
  const r = await runCli(args);
  t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  t.match(r.stdout, out, args.join(' '));
  return r.stdout;
}

/** A refused command: exit code 1, one line on stderr matching `msg`. */
async function refused(t: Test, args: string[], msg: RegExp): Promise<void> {
  const r = await runCli(args);
  t.equal(r.code, 1, args.join(' '));
  t.match(r.stderr, msg, args.join(' '));
  t.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
}

const PERMS = 'SELECT ext, record, outbound, allowed_lines, allow_prefixes, deny_prefixes FROM extensions ORDER BY ext';

t.test('extension permissions and recording are set, listed and bad input refused', async (t) => {
  const { box, c } = await setUpBox(t);
  await ok(t, ['extensions', 'permit', '1001', '--lines', '2,1', '--allow', '00852, +852', '--deny', '9', ...c],
    /extension 1001: outbound on, lines 1,2, allow 00852,\+852, deny 9/);
  await ok(t, ['extensions', 'permit', '1002', '--outbound', 'off', ...c], /extension 1002: outbound off, lines all, allow -, deny -/);
  await ok(t, ['extensions', 'record', '1002', 'answer', ...c], /extension 1002: recording answer/);
  const want = [
    { ext: '1001', record: 'off', outbound: 1, allowed_lines: '[1,2]', allow_prefixes: '["00852","+852"]', deny_prefixes: '["9"]' },
    { ext: '1002', record: 'answer', outbound: 0, allowed_lines: '[]', allow_prefixes: '[]', deny_prefixes: '[]' },
    { ext: '1003', record: 'off', outbound: 1, allowed_lines: '[]', allow_prefixes: '[]', deny_prefixes: '[]' },
  ];
  t.same(rows(box, PERMS), want);

  const list = await ok(t, ['extensions', 'list', ...c], /^EXT\s+NAME\s+RECORD\s+OUTBOUND\s+LINES\s+ALLOW\s+DENY$/m);
  t.match(list, /^1001\s+\S+\s+off\s+on\s+1,2\s+00852,\+852\s+9$/m);
  t.match(list, /^1002\s+\S+\s+answer\s+off\s+all\s+-\s+-$/m);
  const json = await ok(t, ['extensions', 'list', '--json', ...c], /^\[/);
  t.match(JSON.parse(json), [
    { ext: '1001', name: String, record: 'off', outbound: true, lines: [1, 2], allow: ['00852', '+852'], deny: ['9'] },
    { ext: '1002', name: String, record: 'answer', outbound: false, lines: [], allow: [], deny: [] },
    { ext: '1003', name: String, record: 'off', outbound: true, lines: [], allow: [], deny: [] },
  ]);

  await refused(t, ['extensions', 'permit', '1999', '--outbound', 'off', ...c], /^octoline: there is no extension 1999 \(extensions: 1001, 1002, 1003\)$/m);
  await refused(t, ['extensions', 'permit', '1001', '--lines', '1,9', '--allow', '00', ...c], /^octoline: --lines: there is no line "9" \(lines: 1, 2; or use all\)$/m);
  await refused(t, ['extensions', 'record', '1001', 'always', ...c], /^octoline: "always" is not a recording policy: use off, ring or answer$/m);
  t.same(rows(box, PERMS), want, 'nothing changed');
});

t.test('ring groups are added, routed to, guarded and removed; a line gets a fallback and recording', async (t) => {
  const { box, c } = await setUpBox(t);
  await ok(t, ['groups', 'add', 'Sales', '--members', '1002,1001', ...c], /group sales: ring-all 1002, 1001/);
  await ok(t, ['groups', 'add', 'night', '--members', '1003', '--strategy', 'linear', ...c], /group night: linear 1003/);
  const list = await ok(t, ['groups', 'list', ...c], /^NAME\s+STRATEGY\s+MEMBERS$/m);
  t.match(list, /^night\s+linear\s+1003$/m);
  t.match(list, /^sales\s+ring-all\s+1002,1001$/m);
  const json = await ok(t, ['groups', 'list', '--json', ...c], /^\[/);
  t.same(JSON.parse(json), [
    { name: 'night', strategy: 'linear', members: ['1003'] },
    { name: 'sales', strategy: 'ring-all', members: ['1002', '1001'] },
  ]);

  await ok(t, ['lines', 'route', '1', 'group:SALES', ...c], /line 1: inbound calls go to group:sales/);
  await ok(t, ['lines', 'fallback', '1', 'group:night', ...c], /line 1: unanswered calls go to group:night/);
  await ok(t, ['lines', 'record', '1', 'ring', ...c], /line 1: recording ring/);
  t.match(await ok(t, ['lines', 'list', ...c], /FALLBACK\s+RECORD$/m), /^1\s+021-5555-0101\s+line1\s+both\s+group:sales\s+group:night\s+ring$/m);

  const before = { groups: rows(box, 'SELECT * FROM ring_group_members ORDER BY group_name, position'), lines: rows(box, 'SELECT * FROM lines ORDER BY id') };
  await refused(t, ['groups', 'remove', 'night', ...c], /^octoline: line 1 still routes to group:night; route it elsewhere first/m);
  await refused(t, ['groups', 'add', 'sales', '--members', '1001,1999', ...c], /^octoline: --members: no extension 1999; add it with octoline setup --extension 1999$/m);
  await refused(t, ['lines', 'route', '2', 'group:support', ...c], /^octoline: ring group support does not exist; add it with octoline groups add support --members/m);
  await refused(t, ['lines', 'record', '2', 'always', ...c], /^octoline: "always" is not a recording policy/m);
  t.same({ groups: rows(box, 'SELECT * FROM ring_group_members ORDER BY group_name, position'), lines: rows(box, 'SELECT * FROM lines ORDER BY id') }, before, 'nothing changed');

  await ok(t, ['lines', 'fallback', '1', 'hangup', ...c], /line 1: unanswered calls are hung up/);
  await ok(t, ['groups', 'remove', 'night', ...c], /group night removed/);
  t.same(rows(box, 'SELECT name FROM ring_groups'), [{ name: 'sales' }]);
  t.same(rows(box, "SELECT ext FROM ring_group_members WHERE group_name = 'night'"), [], 'members went with it');
  t.same(rows(box, 'SELECT id, target, fallback, record FROM lines ORDER BY id'), [
    { id: 1, target: 'group:sales', fallback: '', record: 'ring' },
    { id: 2, target: 'flow:main', fallback: '', record: 'off' },
  ]);
});

t.test('the new commands explain themselves with --help', async (t) => {
  for (const cmd of [['extensions', 'permit'], ['groups', 'add'], ['lines', 'fallback']]) await ok(t, [...cmd, '--help'], /Usage: octoline/);
});
