import t from 'tap';
import { dbRows, setUpCliBox, cliOut, cliRefused } from '../helpers/cli-session.js';

// Each CLI run costs a Node start: the edge cases of the parsing live in the unit tests beside
// daemon/calls/extension-settings.ts, ring-group-settings.ts and daemon/lines/routing.ts; here a
// user's session end to end, and that refusals are one line, exit 1, and change nothing.

const rows = dbRows;




const PERMS = 'SELECT ext, record, outbound, allowed_lines, allow_prefixes, deny_prefixes FROM extensions ORDER BY ext';

t.test('extension permissions and recording are set, listed and bad input refused', async (t) => {
  const { box, c } = await setUpCliBox(t);
  await cliOut(t, ['extensions', 'permit', '1001', '--lines', '2,1', '--allow', '00852, +852', '--deny', '9', ...c],
    /extension 1001: outbound on, lines 1,2, allow 00852,\+852, deny 9/);
  await cliOut(t, ['extensions', 'permit', '1002', '--outbound', 'off', ...c], /extension 1002: outbound off, lines all, allow -, deny -/);
  await cliOut(t, ['extensions', 'record', '1002', 'answer', ...c], /extension 1002: recording answer/);
  const want = [
    { ext: '1001', record: 'off', outbound: 1, allowed_lines: '[1,2]', allow_prefixes: '["00852","+852"]', deny_prefixes: '["9"]' },
    { ext: '1002', record: 'answer', outbound: 0, allowed_lines: '[]', allow_prefixes: '[]', deny_prefixes: '[]' },
    { ext: '1003', record: 'off', outbound: 1, allowed_lines: '[]', allow_prefixes: '[]', deny_prefixes: '[]' },
  ];
  t.same(rows(box, PERMS), want);

  const list = await cliOut(t, ['extensions', 'list', ...c], /^EXT\s+NAME\s+RECORD\s+OUTBOUND\s+LINES\s+ALLOW\s+DENY$/m);
  t.match(list, /^1001\s+\S+\s+off\s+on\s+1,2\s+00852,\+852\s+9$/m);
  t.match(list, /^1002\s+\S+\s+answer\s+off\s+all\s+-\s+-$/m);
  const json = await cliOut(t, ['extensions', 'list', '--json', ...c], /^\[/);
  t.match(JSON.parse(json), [
    { ext: '1001', name: String, record: 'off', outbound: true, lines: [1, 2], allow: ['00852', '+852'], deny: ['9'] },
    { ext: '1002', name: String, record: 'answer', outbound: false, lines: [], allow: [], deny: [] },
    { ext: '1003', name: String, record: 'off', outbound: true, lines: [], allow: [], deny: [] },
  ]);

  await cliRefused(t, ['extensions', 'permit', '1999', '--outbound', 'off', ...c], /^octoline: there is no extension 1999 \(extensions: 1001, 1002, 1003\)$/m);
  await cliRefused(t, ['extensions', 'permit', '1001', '--lines', '1,9', '--allow', '00', ...c], /^octoline: --lines: there is no line "9" \(lines: 1, 2; or use all\)$/m);
  await cliRefused(t, ['extensions', 'record', '1001', 'always', ...c], /^octoline: "always" is not a recording policy: use off, ring or answer$/m);
  t.same(rows(box, PERMS), want, 'nothing changed');
});

t.test('ring groups are added, routed to, guarded and removed; a line gets a fallback and recording', async (t) => {
  const { box, c } = await setUpCliBox(t);
  await cliOut(t, ['groups', 'add', 'Sales', '--members', '1002,1001', ...c], /group sales: ring-all 1002, 1001/);
  await cliOut(t, ['groups', 'add', 'night', '--members', '1003', '--strategy', 'linear', ...c], /group night: linear 1003/);
  const list = await cliOut(t, ['groups', 'list', ...c], /^NAME\s+STRATEGY\s+MEMBERS$/m);
  t.match(list, /^night\s+linear\s+1003$/m);
  t.match(list, /^sales\s+ring-all\s+1002,1001$/m);
  const json = await cliOut(t, ['groups', 'list', '--json', ...c], /^\[/);
  t.same(JSON.parse(json), [
    { name: 'night', strategy: 'linear', members: ['1003'] },
    { name: 'sales', strategy: 'ring-all', members: ['1002', '1001'] },
  ]);

  await cliOut(t, ['lines', 'route', '1', 'group:SALES', ...c], /line 1: inbound calls go to group:sales/);
  await cliOut(t, ['lines', 'fallback', '1', 'group:night', ...c], /line 1: unanswered calls go to group:night/);
  await cliOut(t, ['lines', 'record', '1', 'ring', ...c], /line 1: recording ring/);
  t.match(await cliOut(t, ['lines', 'list', ...c], /FALLBACK\s+RECORD$/m), /^1\s+021-5555-0101\s+line1\s+both\s+group:sales\s+group:night\s+ring$/m);

  const before = { groups: rows(box, 'SELECT * FROM ring_group_members ORDER BY group_name, position'), lines: rows(box, 'SELECT * FROM lines ORDER BY id') };
  await cliRefused(t, ['groups', 'remove', 'night', ...c], /^octoline: line 1 still routes to group:night; route it elsewhere first/m);
  await cliRefused(t, ['groups', 'add', 'sales', '--members', '1001,1999', ...c], /^octoline: --members: no extension 1999; add it with octoline setup --extension 1999$/m);
  await cliRefused(t, ['lines', 'route', '2', 'group:support', ...c], /^octoline: ring group support does not exist; add it with octoline groups add support --members/m);
  await cliRefused(t, ['lines', 'record', '2', 'always', ...c], /^octoline: "always" is not a recording policy/m);
  t.same({ groups: rows(box, 'SELECT * FROM ring_group_members ORDER BY group_name, position'), lines: rows(box, 'SELECT * FROM lines ORDER BY id') }, before, 'nothing changed');

  await cliOut(t, ['lines', 'fallback', '1', 'hangup', ...c], /line 1: unanswered calls are hung up/);
  await cliOut(t, ['groups', 'remove', 'night', ...c], /group night removed/);
  t.same(rows(box, 'SELECT name FROM ring_groups'), [{ name: 'sales' }]);
  t.same(rows(box, "SELECT ext FROM ring_group_members WHERE group_name = 'night'"), [], 'members went with it');
  t.same(rows(box, 'SELECT id, target, fallback, record FROM lines ORDER BY id'), [
    { id: 1, target: 'group:sales', fallback: '', record: 'ring' },
    { id: 2, target: 'flow:main', fallback: '', record: 'off' },
  ]);
});

t.test('the new commands explain themselves with --help', async (t) => {
  for (const cmd of [['extensions', 'permit'], ['groups', 'add'], ['lines', 'fallback']]) await cliOut(t, [...cmd, '--help'], /Usage: octoline/);
});
