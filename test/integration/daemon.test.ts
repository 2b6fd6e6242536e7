import t from 'tap';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { makeTestBox, pidsMatching, runCli, spawnDaemon, waitHealthy } from '../helpers/octoline.js';
import { occupyTcpPort } from '../helpers/ports.js';

t.test('the daemon starts, answers /healthz, serves its status, and SIGTERM leaves no process behind', async (t) => {
  const box = await makeTestBox(t);
  const d = spawnDaemon(t, box);
  await waitHealthy(d, box);

  t.match(d.stderr(), /First start: user "admin", one-time password: \S{16}/, 'prints the one-time admin password');
  t.match(d.stderr(), new RegExp(`http://127\\.0\\.0\\.1:${box.httpPort}/`), 'prints the URL');
  t.notMatch(d.stdout(), /one-time password/, 'the password is not in the JSON log');

  const health = await (await fetch(`${box.url}/healthz`)).json() as { ok: boolean };
  t.equal(health.ok, true);
  t.equal((await fetch(`${box.url}/api/v1/status`)).status, 401, 'the API needs a credential');
  t.match(await (await fetch(`${box.url}/`)).text(), /Octoline/, 'the web page placeholder is served');

  const status = await runCli(['status', '--json', '--config', box.configPath]);
  t.equal(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout) as { rtpengine: { state: string; pid: number }; sip: { port: number }; version: string };
  t.equal(s.rtpengine.state, 'running');
  t.equal(s.sip.port, box.sipPort);
  const rtpPid = s.rtpengine.pid;
  t.ok(existsSync(`/proc/${rtpPid}`), 'rtpengine runs');

  const human = await runCli(['status', '--config', box.configPath]);
  t.match(human.stdout, /✓ rtpengine\s+running \(spawn, pid \d+\)/);

  d.child.kill('SIGTERM');
  const exit = await d.exited;
  t.equal(exit.code, 0, 'clean exit');
  t.same(await pidsMatching(join(box.runtimeDir, 'rtpengine.conf')), [], 'no orphan rtpengine');
  t.notOk(existsSync(join(box.runtimeDir, 'cli.token')), 'the CLI token is removed');
  t.match(d.stdout(), /"msg":"octoline stopped"/);

  const after = await runCli(['status', '--config', box.configPath]);
  t.equal(after.code, 1, 'status says not running');
  t.match(after.stderr, /not running/);
});

t.test('a second start keeps the admin and prints no new password', async (t) => {
  const box = await makeTestBox(t);
  const first = spawnDaemon(t, box);
  await waitHealthy(first, box);
  first.child.kill('SIGTERM');
  await first.exited;
  const second = spawnDaemon(t, box);
  await waitHealthy(second, box);
  t.notMatch(second.stderr(), /one-time password/);
  second.child.kill('SIGINT');
  t.equal((await second.exited).code, 0, 'Ctrl-C stops it cleanly too');
});

t.test('a daemon killed outright takes its rtpengine with it', async (t) => {
  const box = await makeTestBox(t);
  const d = spawnDaemon(t, box);
  await waitHealthy(d, box);
  const needle = join(box.runtimeDir, 'rtpengine.conf');
  t.equal((await pidsMatching(needle)).length, 1, 'one rtpengine');
  d.child.kill('SIGKILL');
  await d.exited;
  // The kernel delivers the parent-death signal at once; allow it a bounded moment to be reaped.
  let left = await pidsMatching(needle);
  for (let i = 0; i < 50 && left.length; i++) { await new Promise((r) => setTimeout(r, 100)); left = await pidsMatching(needle); }
  t.same(left, [], 'no orphan rtpengine');
});

t.test('an HTTP port already in use is a clear error naming the port, and nothing is left running', async (t) => {
  const box = await makeTestBox(t);
  await occupyTcpPort(t, box.httpPort);
  const d = spawnDaemon(t, box);
  const exit = await d.exited;
  t.equal(exit.code, 1);
  t.match(d.stderr(), new RegExp(`HTTP port 127\\.0\\.0\\.1:${box.httpPort}/tcp is already in use`));
  t.same(await pidsMatching(join(box.runtimeDir, 'rtpengine.conf')), [], 'rtpengine stopped again');
});

t.test('a SIP port already in use is a clear error naming the port', async (t) => {
  const box = await makeTestBox(t);
  await occupyTcpPort(t, box.sipPort);
  const d = spawnDaemon(t, box);
  t.equal((await d.exited).code, 1);
  t.match(d.stderr(), new RegExp(`SIP port 127\\.0\\.0\\.1:${box.sipPort}/tcp is already in use`));
});

t.test('a bad config is refused with the field path, and nothing starts', async (t) => {
  const box = await makeTestBox(t);
  writeFileSync(box.configPath, '[sip]\nport = 99999\n');
  const d = spawnDaemon(t, box);
  t.equal((await d.exited).code, 1);
  t.match(d.stderr(), /sip\.port: SIP port \(UDP and TCP\): a port number 1-65535; got 99999/);
  t.notOk(existsSync(box.dataDir), 'no data dir created');
});

t.test('a corrupt database stops the start with a pointer to restore, and the file is kept', async (t) => {
  const box = await makeTestBox(t);
  mkdirSync(box.dataDir, { recursive: true });
  const junk = 'not a database\n'.repeat(100);
  writeFileSync(join(box.dataDir, 'octoline.db'), junk);
  const d = spawnDaemon(t, box);
  t.equal((await d.exited).code, 1);
  t.match(d.stderr(), /damaged.*octoline restore/);
  t.equal(readFileSync(join(box.dataDir, 'octoline.db'), 'utf8'), junk, 'nothing overwritten');
});

t.test('a missing rtpengine binary is a one-line error with the fix', async (t) => {
  const box = await makeTestBox(t, 'binary = "/nonexistent/rtpengine"\n');
  const d = spawnDaemon(t, box);
  t.equal((await d.exited).code, 1);
  t.match(d.stderr(), /rtpengine not found at \/nonexistent\/rtpengine; install it with: apt-get install rtpengine-daemon/);
});

t.test('rtpengine killed under a running daemon comes back, is logged as events, and status shows it', async (t) => {
  const box = await makeTestBox(t);
  const d = spawnDaemon(t, box);
  await waitHealthy(d, box);
  const status = async () => JSON.parse((await runCli(['status', '--json', '--config', box.configPath])).stdout) as
    { rtpengine: { state: string; pid: number; restarts: number } };
  const before = await status();
  process.kill(before.rtpengine.pid, 'SIGKILL');
  let now = await status();
  for (let i = 0; i < 40 && (now.rtpengine.restarts < 1 || now.rtpengine.state !== 'running'); i++) {
    await new Promise((r) => setTimeout(r, 250));
    now = await status();
  }
  t.equal(now.rtpengine.state, 'running');
  t.equal(now.rtpengine.restarts, 1);
  t.not(now.rtpengine.pid, before.rtpengine.pid, 'a new rtpengine process');
  const db = new BetterSqlite3(join(box.dataDir, 'octoline.db'), { readonly: true });
  t.teardown(() => db.close());
  const types = (db.prepare("SELECT type FROM events WHERE type LIKE 'system.rtpengine.%' ORDER BY id").all() as Array<{ type: string }>).map((r) => r.type);
  t.same(types, ['system.rtpengine.exited', 'system.rtpengine.restarted']);
  t.match(d.stdout(), /"event":"system.rtpengine.restarted"/);
});
