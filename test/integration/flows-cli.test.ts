import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dbRows, cliOut } from '../helpers/cli-session.js';
import { makeTestBox, ROOT, runCli, type TestBox } from '../helpers/octoline.js';

// Each CLI run costs a Node start: the validator's findings are covered one by one in
// daemon/ivr/flow-validate.test.ts; here an installer's session end to end.

const rows = dbRows;

const SETUP = (box: TestBox) => ['setup', '--config', box.configPath, '--yes', '--admin-password', 'correct-horse-battery', '--data-dir', box.dataDir,
  '--gateway', '127.0.0.1:5062', '--line', '1=021-5555-0101', '--line', '2=021-5555-0102', '--extension', '1001'];


const SMALL = {
  name: 'promo', description: 'spring promotion', language: 'en', start: 'hello', on_error: 'bye',
  nodes: {
    hello: { type: 'play', prompts: ['welcome'], next: 'to-sales' },
    'to-sales': { type: 'route', target: '1001', on_no_answer: 'bye' },
    bye: { type: 'hangup', prompts: ['goodbye'] },
  },
};

t.test('setup imports the shipped flows and points unrouted lines at flow:main, once', async (t) => {
  const box = await makeTestBox(t);
  const c = ['--config', box.configPath];
  const first = await cliOut(t, SETUP(box), /IVR flows: after-hours v1 \(new\), holiday v1 \(new\), main v1 \(new\)/);
  t.match(first, /Lines 1, 2 answer with flow:main/);
  t.same(rows(box, 'SELECT id, target FROM lines ORDER BY id'), [{ id: 1, target: 'flow:main' }, { id: 2, target: 'flow:main' }]);

  await cliOut(t, ['lines', 'route', '2', '1001', ...c], /line 2: inbound calls go to 1001/);
  const again = await cliOut(t, SETUP(box), /IVR flows: after-hours v1, holiday v1, main v1$/m);
  t.notMatch(again, /answer with flow:main/, 'no line without a target left');
  t.same(rows(box, 'SELECT id, target FROM lines ORDER BY id'), [{ id: 1, target: 'flow:main' }, { id: 2, target: '1001' }], 'a routed line keeps its target');
  t.same(rows(box, 'SELECT flow_name, version FROM flow_versions ORDER BY flow_name'), [
    { flow_name: 'after-hours', version: 1 }, { flow_name: 'holiday', version: 1 }, { flow_name: 'main', version: 1 },
  ], 'unchanged files make no new version');

  const list = await cliOut(t, ['flows', 'list', ...c], /^NAME\s+VERSION\s+UPDATED\s+LINES\s+DESCRIPTION$/m);
  t.match(list, /^main\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+1\s+Business hours/m);
  t.match(list, /^holiday\s+1\s+\S+ \S+\s+-\s+Public holidays/m);
});

t.test('import, show, versions, rollback, validate and lines flow', async (t) => {
  const box = await makeTestBox(t);
  const c = ['--config', box.configPath];
  t.equal((await runCli(SETUP(box))).code, 0);
  const file = join(box.dir, 'promo.json');
  writeFileSync(file, JSON.stringify(SMALL, null, 2));

  await cliOut(t, ['flows', 'import', file, '--comment', 'first cut', ...c], /✓ flow promo: version 1 saved \(route a line to it with octoline lines flow N promo\)/);
  await cliOut(t, ['flows', 'import', file, ...c], /✓ flow promo: unchanged, version 1 is the same/);
  writeFileSync(file, JSON.stringify({ ...SMALL, nodes: { ...SMALL.nodes, hello: { ...SMALL.nodes.hello, prompts: ['welcome', 'notice.recording'] } } }, null, 2));
  await cliOut(t, ['flows', 'import', file, '--comment', 'recording notice', ...c], /version 2 saved/);
  await cliOut(t, ['flows', 'import', file, '--name', 'promo-b', ...c], /✓ flow promo-b: version 1 saved/);

  const json = JSON.parse(await cliOut(t, ['flows', 'show', 'promo', ...c], /^\{/)) as typeof SMALL;
  t.same(json.nodes.hello.prompts, ['welcome', 'notice.recording']);
  const v1 = JSON.parse(await cliOut(t, ['flows', 'show', 'promo', '--version', '1', ...c], /^\{/)) as typeof SMALL;
  t.same(v1, SMALL, 'version 1 as imported');

  const versions = await cliOut(t, ['flows', 'versions', 'promo', ...c], /^VERSION\s+SAVED\s+COMMENT$/m);
  t.match(versions, /^1\s+\S+ \S+\s+first cut$/m);
  t.match(versions, /^2 \*\s+\S+ \S+\s+recording notice$/m);
  await cliOut(t, ['flows', 'rollback', 'promo', '1', ...c], /✓ flow promo: version 1 is current again, saved as version 3/);
  t.same(JSON.parse(await cliOut(t, ['flows', 'show', 'promo', ...c], /^\{/)), SMALL);
  t.match(JSON.parse(await cliOut(t, ['flows', 'versions', 'promo', '--json', ...c], /^\[/)), [
    { version: 1, current: false, comment: 'first cut' }, { version: 2, current: false }, { version: 3, current: true, comment: 'rollback to version 1' },
  ]);

  const valid = await runCli(['flows', 'validate', 'promo', ...c]);
  t.equal(valid.code, 0, valid.stderr);
  t.match(valid.stdout, /^✓ flow promo: no errors$/m);
  const shipped = await runCli(['flows', 'validate', join(ROOT, 'flows', 'main.json'), ...c]);
  t.equal(shipped.code, 0);
  t.match(shipped.stdout, /^warning \/nodes\/sales\/target {2}FLOW_UNKNOWN_TARGET {2}group:sales does not exist on this box yet/m);
  t.match(shipped.stdout, /✓ \S+main\.json: no errors, 8 warnings$/m);

  await cliOut(t, ['lines', 'flow', '2', 'promo', ...c], /✓ line 2: inbound calls go to flow:promo/);
  t.same(rows(box, 'SELECT id, target FROM lines ORDER BY id'), [{ id: 1, target: 'flow:main' }, { id: 2, target: 'flow:promo' }]);
  const missing = await runCli(['lines', 'flow', '2', 'nope', ...c]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /^octoline: flow nope does not exist \(flows: after-hours, holiday, main, promo, promo-b\); import it with octoline flows import FILE$/m);

  const inUse = await runCli(['flows', 'remove', 'promo', ...c]);
  t.equal(inUse.code, 1);
  t.match(inUse.stderr, /^octoline: line 2 still routes to flow:promo; route it elsewhere first/m);
  await cliOut(t, ['flows', 'remove', 'promo-b', ...c], /✓ flow promo-b removed/);
});

t.test('a flow with errors is refused with its findings, and nothing is stored', async (t) => {
  const box = await makeTestBox(t);
  const c = ['--config', box.configPath];
  t.equal((await runCli(SETUP(box))).code, 0);
  const file = join(box.dir, 'bad.json');
  writeFileSync(file, `{ "name": "bad", "language": "en", "start": "menu", "on_error": "menu",
    "nodes": { "menu": { "type": "menu", "prompts": ["menu.main", "no.such.prompt"], "options": { "1": "a", "1": "loop", "2": "ghost" }, "on_fail": "menu" },
      "loop": { "type": "set", "values": { "x": "1" }, "next": "again" }, "again": { "type": "goto", "target": "loop" } } }`);
  const before = rows(box, 'SELECT * FROM flow_versions ORDER BY id');

  for (const args of [['flows', 'import', file], ['flows', 'validate', file]]) {
    const r = await runCli([...args, ...c]);
    t.equal(r.code, 1, args.join(' '));
    const out = r.stdout + r.stderr;
    t.match(out, /^error {3}\/nodes\/menu\/options\/1 {2}FLOW_DUPLICATE_KEY {2}digit 1 is given twice/m);
    t.match(out, /^error {3}\/nodes\/menu\/options\/2 {2}FLOW_MISSING_NODE {2}points at node "ghost"/m);
    t.match(out, /^error {3}\/nodes\/menu\/prompts\/1 {2}FLOW_MISSING_PROMPT {2}prompt no\.such\.prompt does not exist in en/m);
    t.match(out, /^error {3}\/nodes\/loop {2}FLOW_LOOP_WITHOUT_INPUT {2}loop without input: loop, again/m);
  }
  t.match((await runCli(['flows', 'import', file, ...c])).stderr, /^octoline: \S+bad\.json not imported: 4 errors \(nothing was stored\)$/m);
  t.same(rows(box, 'SELECT * FROM flow_versions ORDER BY id'), before, 'nothing stored');

  writeFileSync(file, '{ "name": "bad", ');
  const notJson = await runCli(['flows', 'validate', file, ...c]);
  t.equal(notJson.code, 1);
  t.match(notJson.stdout, /^error {3}\/ {2}FLOW_JSON {2}not valid JSON/m);

  const unreadable = await runCli(['flows', 'import', join(box.dir, 'missing.json'), ...c]);
  t.equal(unreadable.code, 1);
  t.match(unreadable.stderr, /^octoline: cannot read \S+missing\.json: ENOENT$/m);
  const unknown = await runCli(['flows', 'show', 'nope', ...c]);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /^octoline: there is no flow nope \(flows: after-hours, holiday, main\)$/m);
  const badVersion = await runCli(['flows', 'rollback', 'main', 'two', ...c]);
  t.equal(badVersion.code, 2);
  t.match(badVersion.stderr, /"two" is not a version number/);
});

t.test('simulate walks the main menu by the box clock', async (t) => {
  const box = await makeTestBox(t);
  const c = ['--config', box.configPath];
  t.equal((await runCli(SETUP(box))).code, 0);
  const open = await cliOut(t, ['flows', 'simulate', 'main', '--digits', '1', '--at', '2026-12-24 10:00', ...c], /^flow main at 2026-12-24 10:00:00 \(Asia\/Shanghai\), keys 1$/m);
  t.match(open, /^ {2}menu\s+menu\s+.*digit 1/m);
  t.match(open, /^→ route group:sales$/m);
  const closed = JSON.parse(await cliOut(t, ['flows', 'simulate', 'main', '--at', '2026-12-24 20:00', '--json', ...c], /^\{/)) as { outcome: string; steps: Array<{ node: string }> };
  t.equal(closed.outcome, 'route flow:after-hours');
  t.same(closed.steps.map((s) => s.node), ['hours', 'to-after-hours']);
  const holiday = JSON.parse(await cliOut(t, ['flows', 'simulate', 'main', '--at', '2026-10-01 10:00', '--json', ...c], /^\{/)) as { outcome: string };
  t.equal(holiday.outcome, 'route flow:holiday');
  const badKeys = await runCli(['flows', 'simulate', 'main', '--digits', '1,x', ...c]);
  t.equal(badKeys.code, 2);
  t.match(badKeys.stderr, /--digits: "1,x" is not a list of keys/);
});

t.test('the flows commands explain themselves with --help', async (t) => {
  for (const cmd of [['flows'], ['flows', 'import'], ['flows', 'simulate'], ['lines', 'flow']]) await cliOut(t, [...cmd, '--help'], /Usage: octoline/);
});
