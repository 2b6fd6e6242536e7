import t, { type Test } from 'tap';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { makeTestBox, runCli, type TestBox } from '../helpers/octoline.js';

// `octoline agents` with the daemon stopped: actions are saved to the agents table for the ACD to
// start from, and `list` reads the database. With the daemon running the same commands go through
// the API (tested with a running daemon in the ACD suites).

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
    '--gateway', '127.0.0.1:5062', '--line', '1=021-5555-0101', '--extension', '1001', '--extension', '1002', '--extension', '1003']);
  t.equal(r.code, 0, r.stderr);
  return { box, c: ['--config', box.configPath] };
}

async function ok(t: Test, args: string[], out: RegExp): Promise<{ stdout: string; stderr: string }> {
  const r = await runCli(args);
  t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  t.match(r.stdout, out, args.join(' '));
  return r;
}

/** A refused command: exit code `code`, one line on stderr matching `msg`. */
async function refused(t: Test, args: string[], msg: RegExp, code = 1): Promise<void> {
  const r = await runCli(args);
  t.equal(r.code, code, args.join(' '));
  t.match(r.stderr, msg, args.join(' '));
  t.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
}

const AGENTS = 'SELECT ext, logged_in, paused, pause_reason FROM agents ORDER BY ext';

t.test('without the daemon, agents are logged in and paused in the database and listed from it', async (t) => {
  const { box, c } = await setUpBox(t);
  t.ok((await runCli(['queues', 'add', 'sales', '--members', '1001,1002', ...c])).code === 0, 'a queue with two members');

  await ok(t, ['agents', 'login', '1001', ...c], /^✓ agent 1001: available; saved; applies when octoline starts$/m);
  await ok(t, ['agents', 'login', '1002', ...c], /^✓ agent 1002: available; saved; applies when octoline starts$/m);
  await ok(t, ['agents', 'pause', '1002', '--reason', 'lunch', ...c], /^✓ agent 1002: paused \(lunch\); saved; applies when octoline starts$/m);
  t.same(rows(box, AGENTS), [
    { ext: '1001', logged_in: 1, paused: 0, pause_reason: '' },
    { ext: '1002', logged_in: 1, paused: 1, pause_reason: 'lunch' },
  ]);

  const json = await ok(t, ['agents', 'list', '--json', ...c], /^\[/);
  t.equal(json.stderr, '', 'JSON mode prints no note');
  const base = { callsTaken: 0, missedInARow: 0, registered: false };
  t.match(JSON.parse(json.stdout), [
    { ext: '1001', name: String, state: 'available', pauseReason: '', queues: ['sales'], since: Number, ...base },
    { ext: '1002', name: String, state: 'paused', pauseReason: 'lunch', queues: ['sales'], since: Number, ...base },
    { ext: '1003', name: String, state: 'logged_out', pauseReason: '', queues: [], since: 0, ...base },
  ]);

  const list = await ok(t, ['agents', 'list', ...c], /^EXT\s+NAME\s+STATE\s+REASON\s+QUEUES\s+SINCE$/m);
  t.equal(list.stderr, 'daemon not running: states from the database\n');
  t.match(list.stdout, /^1001\s+\S+\s+available\s+-\s+sales\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
  t.match(list.stdout, /^1002\s+\S+\s+paused\s+lunch\s+sales\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
  t.match(list.stdout, /^1003\s+\S+\s+logged_out\s+-\s+-\s+-$/m);

  await ok(t, ['agents', 'unpause', '1002', ...c], /^✓ agent 1002: available; saved/m);
  await ok(t, ['agents', 'pause', '1001', ...c], /^✓ agent 1001: paused \(busy\); saved/m);
  await ok(t, ['agents', 'logout', '1001', ...c], /^✓ agent 1001: logged_out; saved/m);
  t.same(rows(box, AGENTS), [
    { ext: '1001', logged_in: 0, paused: 0, pause_reason: '' },
    { ext: '1002', logged_in: 1, paused: 0, pause_reason: '' },
  ]);
});

t.test('an unknown extension, a bad reason and the daemon-only actions are refused, changing nothing', async (t) => {
  const { box, c } = await setUpBox(t);
  await ok(t, ['agents', 'pause', '1001', '--reason', 'meeting', ...c], /paused \(meeting\)/);
  const before = rows(box, AGENTS);

  await refused(t, ['agents', 'login', '1999', ...c], /^octoline: there is no extension 1999 \(extensions: 1001, 1002, 1003\)$/m);
  await refused(t, ['agents', 'pause', '1001', '--reason', 'Coffee!', ...c], /^octoline: --reason: "Coffee!" must be 1-32 characters/m, 2);
  await refused(t, ['agents', 'spy', '1003', '1001', '--mode', 'shout', ...c], /^octoline: --mode: "shout" is not a mode: use listen, whisper or barge$/m, 2);
  await refused(t, ['agents', 'spy', '1003', '1001', '--mode', 'barge', ...c], /^octoline: octoline is not running \(no answer on http:\/\/127\.0\.0\.1:\d+\)/m);
  await refused(t, ['agents', 'conference', '1001', '1002', ...c], /^octoline: octoline is not running/m);
  t.same(rows(box, AGENTS), before, 'nothing changed');
});

t.test('the agents commands explain themselves with --help', async (t) => {
  for (const cmd of [['agents', 'list'], ['agents', 'pause'], ['agents', 'spy'], ['agents', 'conference']]) await ok(t, [...cmd, '--help'], /Usage: octoline agents/);
});
