import t from 'tap';
import { dbRows, setUpCliBox, cliOk, cliRefused } from '../helpers/cli-session.js';
import { runCli } from '../helpers/octoline.js';

// `octoline agents` with the daemon stopped: actions are saved to the agents table for the ACD to
// start from, and `list` reads the database. With the daemon running the same commands go through
// the API (tested with a running daemon in the ACD suites).

const rows = dbRows;




const AGENTS = 'SELECT ext, logged_in, paused, pause_reason FROM agents ORDER BY ext';

t.test('without the daemon, agents are logged in and paused in the database and listed from it', async (t) => {
  const { box, c } = await setUpCliBox(t, { lines: 1 });
  t.ok((await runCli(['queues', 'add', 'sales', '--members', '1001,1002', ...c])).code === 0, 'a queue with two members');

  await cliOk(t, ['agents', 'login', '1001', ...c], /^✓ agent 1001: available; saved; applies when octoline starts$/m);
  await cliOk(t, ['agents', 'login', '1002', ...c], /^✓ agent 1002: available; saved; applies when octoline starts$/m);
  await cliOk(t, ['agents', 'pause', '1002', '--reason', 'lunch', ...c], /^✓ agent 1002: paused \(lunch\); saved; applies when octoline starts$/m);
  t.same(rows(box, AGENTS), [
    { ext: '1001', logged_in: 1, paused: 0, pause_reason: '' },
    { ext: '1002', logged_in: 1, paused: 1, pause_reason: 'lunch' },
  ]);

  const json = await cliOk(t, ['agents', 'list', '--json', ...c], /^\[/);
  t.equal(json.stderr, '', 'JSON mode prints no note');
  const base = { callsTaken: 0, missedInARow: 0, registered: false };
  t.match(JSON.parse(json.stdout), [
    { ext: '1001', name: String, state: 'available', pauseReason: '', queues: ['sales'], since: Number, ...base },
    { ext: '1002', name: String, state: 'paused', pauseReason: 'lunch', queues: ['sales'], since: Number, ...base },
  ]);
  t.notOk(JSON.parse(json.stdout).some((a: { ext: string }) => a.ext === '1003'), '1003 is in no queue and has no state: not an agent');

  const list = await cliOk(t, ['agents', 'list', ...c], /^EXT\s+NAME\s+STATE\s+REASON\s+QUEUES\s+SINCE$/m);
  t.equal(list.stderr, 'daemon not running: states from the database\n');
  t.match(list.stdout, /^1001\s+\S+\s+available\s+-\s+sales\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
  t.match(list.stdout, /^1002\s+\S+\s+paused\s+lunch\s+sales\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
  t.notMatch(list.stdout, /^1003/m);

  await cliOk(t, ['agents', 'unpause', '1002', ...c], /^✓ agent 1002: available; saved/m);
  await cliOk(t, ['agents', 'pause', '1001', ...c], /^✓ agent 1001: paused \(busy\); saved/m);
  await cliOk(t, ['agents', 'logout', '1001', ...c], /^✓ agent 1001: logged_out; saved/m);
  t.same(rows(box, AGENTS), [
    { ext: '1001', logged_in: 0, paused: 0, pause_reason: '' },
    { ext: '1002', logged_in: 1, paused: 0, pause_reason: '' },
  ]);
});

t.test('an unknown extension, a bad reason and the daemon-only actions are refused, changing nothing', async (t) => {
  const { box, c } = await setUpCliBox(t, { lines: 1 });
  await cliOk(t, ['agents', 'pause', '1001', '--reason', 'meeting', ...c], /paused \(meeting\)/);
  const before = rows(box, AGENTS);

  await cliRefused(t, ['agents', 'login', '1999', ...c], /^octoline: there is no extension 1999 \(extensions: 1001, 1002, 1003\)$/m);
  await cliRefused(t, ['agents', 'pause', '1001', '--reason', 'Coffee!', ...c], /^octoline: --reason: "Coffee!" must be 1-32 characters/m, 2);
  await cliRefused(t, ['agents', 'spy', '1003', '1001', '--mode', 'shout', ...c], /^octoline: --mode: "shout" is not a mode: use listen, whisper or barge$/m, 2);
  await cliRefused(t, ['agents', 'spy', '1003', '1001', '--mode', 'barge', ...c], /^octoline: octoline is not running \(no answer on http:\/\/127\.0\.0\.1:\d+\)/m);
  await cliRefused(t, ['agents', 'conference', '1001', '1002', ...c], /^octoline: octoline is not running/m);
  t.same(rows(box, AGENTS), before, 'nothing changed');
});

t.test('the agents commands explain themselves with --help', async (t) => {
  for (const cmd of [['agents', 'list'], ['agents', 'pause'], ['agents', 'spy'], ['agents', 'conference']]) await cliOk(t, [...cmd, '--help'], /Usage: octoline agents/);
});

t.test('an agent\'s own wrap-up and a phone\'s supervisor rights are stored', async (t) => {
  const { box, c } = await setUpCliBox(t, { lines: 1 });
  await cliOk(t, ['agents', 'wrapup', '1001', '30', ...c], /^✓ agent 1001: wrap-up 30 s/m);
  t.same(rows(box, 'SELECT ext, wrap_up_s FROM agents'), [{ ext: '1001', wrap_up_s: 30 }]);
  await cliOk(t, ['agents', 'wrapup', '1001', 'queue', ...c], /^✓ agent 1001: wrap-up of each queue/m);
  t.same(rows(box, 'SELECT ext, wrap_up_s FROM agents'), [{ ext: '1001', wrap_up_s: null }]);
  await cliRefused(t, ['agents', 'wrapup', '1001', '9999', ...c], /^octoline: wrap-up: "9999" must be 0-3600 seconds, or queue$/m, 2);

  await cliOk(t, ['extensions', 'supervisor', '1003', 'on', ...c], /^✓ extension 1003: supervisor on$/m);
  t.same(rows(box, "SELECT username, role, extension FROM users WHERE extension IS NOT NULL"), [{ username: 'phone-1003', role: 'supervisor', extension: '1003' }]);
  await cliRefused(t, ['extensions', 'supervisor', '1003', 'maybe', ...c], /"maybe" is not on or off/);
  await cliOk(t, ['extensions', 'supervisor', '1003', 'off', ...c], /^✓ extension 1003: supervisor off$/m);
  t.same(rows(box, "SELECT username FROM users WHERE extension IS NOT NULL"), []);
});
