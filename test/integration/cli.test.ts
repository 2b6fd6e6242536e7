import t from 'tap';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { loadConfig } from '../../daemon/config/index.js';
import { verifyPassword } from '../../daemon/auth/password.js';
import { sipHa1 } from '../../daemon/auth/sip-credentials.js';
import { makeTestBox, runCli, spawnDaemon, waitHealthy } from '../helpers/octoline.js';
import { startBaresip } from '../helpers/baresip.js';
import { freePort, occupyTcpPort } from '../helpers/ports.js';

const rows = <T>(dbPath: string, sql: string): T[] => {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
};

t.test('setup by flags writes the config and creates gateway, lines, extensions and admin rows', async (t) => {
  const dir = t.testdir({});
  const config = join(dir, 'etc', 'octoline.conf');
  const [sip, http] = [await freePort(), await freePort()];
  const r = await runCli(['setup', '--config', config, '--yes', '--admin-password', 'correct-horse-battery',
    '--bind', '127.0.0.1', '--sip-port', String(sip), '--http-port', String(http), '--data-dir', join(dir, 'data'),
    '--rtp-ports', '32000-32099', '--gateway', '127.0.0.1:5062', '--gateway-model', 'grandstream-gxw410x',
    '--line', '1=021-5555-0101', '--line', '2=+86 21 5555 0102', '--extension', '1001:s3cret-pass', '--extension', '1002']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /✓ Setup saved/);
  t.match(r.stdout, /1002\s+\S{12}/, 'the generated SIP password is shown once');
  t.notMatch(r.stdout, /s3cret-pass/, 'a given password is not echoed');

  const cfg = loadConfig(config, { mustExist: true });
  t.equal(cfg.sip.port, sip);
  t.equal(cfg.http.port, http);
  t.equal(cfg.rtpengine.port_min, 32000);
  t.equal(cfg.box.data_dir, join(dir, 'data'));

  const db = join(dir, 'data', 'octoline.db');
  t.same(rows(db, 'SELECT model, host, port FROM gateways'), [{ model: 'grandstream-gxw410x', host: '127.0.0.1', port: 5062 }]);
  t.same(rows(db, 'SELECT id, number, number_norm, port_user FROM lines ORDER BY id'), [
    { id: 1, number: '021-5555-0101', number_norm: '02155550101', port_user: 'line1' },
    { id: 2, number: '+86 21 5555 0102', number_norm: '+862155550102', port_user: 'line2' },
  ]);
  const exts = rows<{ ext: string; ha1_md5: string }>(db, 'SELECT ext, ha1_md5 FROM extensions ORDER BY ext');
  t.same(exts.map((e) => e.ext), ['1001', '1002']);
  t.equal(exts[0]?.ha1_md5, sipHa1('1001', 'octoline', 's3cret-pass').ha1Md5, 'only the digest HA1 is stored');
  const [admin] = rows<{ role: string; password_hash: string; must_change_password: number }>(db, "SELECT role, password_hash, must_change_password FROM users WHERE username = 'admin'");
  t.equal(admin?.role, 'admin');
  t.ok(await verifyPassword('correct-horse-battery', admin?.password_hash ?? ''), 'admin password set');
  t.equal(admin?.must_change_password, 0, 'a chosen password need not be changed');
  t.notMatch(readFileSync(config, 'utf8'), /correct-horse|s3cret/, 'no secret in the config file');

  const again = await runCli(['setup', '--config', config, '--yes', '--line', '1=021-5555-0199', '--extension', '1003']);
  t.equal(again.code, 0, again.stderr);
  t.equal(rows<{ number: string }>(db, 'SELECT number FROM lines WHERE id = 1')[0]?.number, '021-5555-0199', 'running again updates in place');
  t.equal(rows(db, 'SELECT ext FROM extensions').length, 3, 'and adds, keeping what was there');
  t.equal(loadConfig(config).sip.port, sip, 'keeps the ports set before');
  t.ok(await verifyPassword('correct-horse-battery', rows<{ password_hash: string }>(db, "SELECT password_hash FROM users WHERE username = 'admin'")[0]?.password_hash ?? ''), 'admin password untouched');
});

t.test('setup refuses bad values with the flag and the rule, and writes nothing', async (t) => {
  const dir = t.testdir({});
  const config = join(dir, 'octoline.conf');
  const cases: Array<[string[], RegExp]> = [
    [['--sip-port', '70000'], /--sip-port: a port number 1-65535; got "70000"/],
    [['--line', '9x=123'], /--line: N=NUMBER/],
    [['--line', '1=call me'], /not a phone number/],
    [['--extension', 'abc'], /--extension: an extension of 2-8 digits/],
    [['--extension', '1001:short'], /at least 8 characters/],
    [['--gateway-model', 'acme'], /one of generic, grandstream-gxw410x/],
    [['--bind', 'my-box'], /--bind: an IPv4 or IPv6 address/],
    [['--rtp-ports', '100-50'], /--rtp-ports: a range A-B/],
    [['--admin-password', 'short'], /at least 10 characters/],
  ];
  for (const [flags, msg] of cases) {
    const r = await runCli(['setup', '--config', config, '--yes', ...flags]);
    t.not(r.code, 0, `${flags.join(' ')} refused`);
    t.match(r.stderr, msg);
  }
  t.notOk(existsSync(config), 'no config written');
  t.notOk(existsSync(join(dir, 'data')), 'no database created');
});

t.test('setup without --yes and without a terminal asks for flags instead of hanging', async (t) => {
  const dir = t.testdir({});
  const r = await runCli(['setup', '--config', join(dir, 'o.conf')], { input: '' });
  t.equal(r.code, 1);
  t.match(r.stderr, /pass --yes with flags/);
});

t.test('doctor passes on a healthy machine and names each check', async (t) => {
  const box = await makeTestBox(t);
  const r = await runCli(['doctor', '--config', box.configPath]);
  t.equal(r.code, 0, r.stdout + r.stderr);
  for (const label of ['config', 'rtpengine', 'ffmpeg', `SIP port 127.0.0.1:${box.sipPort}/udp`, `HTTP port 127.0.0.1:${box.httpPort}/tcp`, 'data dir', 'disk space', 'clock and time zone']) {
    t.match(r.stdout, new RegExp(`✓ ${label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), `✓ ${label}`);
  }
  t.match(r.stdout, /All checks passed/);
});

t.test('doctor marks each problem ✗ with a fix and exits 1', async (t) => {
  const box = await makeTestBox(t, 'binary = "/nonexistent/rtpengine"\n');
  await occupyTcpPort(t, box.httpPort);
  const r = await runCli(['doctor', '--config', box.configPath]);
  t.equal(r.code, 1);
  t.match(r.stdout, /✗ rtpengine: \/nonexistent\/rtpengine not found\n\s+fix: apt-get install rtpengine-daemon/);
  t.match(r.stdout, new RegExp(`✗ HTTP port 127\\.0\\.0\\.1:${box.httpPort}/tcp: in use by another program\\n\\s+fix: .*http\\.port`));
  t.match(r.stdout, /2 problems found/);
});

t.test('doctor reports a broken config with its field and exits 1', async (t) => {
  const dir = t.testdir({ 'o.conf': '[box]\ntime_zone = "Nowhere/Land"\n' });
  const r = await runCli(['doctor', '--config', join(dir, 'o.conf')]);
  t.equal(r.code, 1);
  t.match(r.stdout, /✗ config: .*box\.time_zone/);
});

t.test('doctor accepts the ports the running daemon holds', async (t) => {
  const box = await makeTestBox(t);
  const d = spawnDaemon(t, box);
  await waitHealthy(d, box);
  const r = await runCli(['doctor', '--config', box.configPath]);
  t.equal(r.code, 0, r.stdout);
  t.match(r.stdout, /✓ daemon: running/);
  t.match(r.stdout, /in use by the running octoline/);
});

t.test('backup while running, restore refused while running, restore after stop brings the rows back', async (t) => {
  const box = await makeTestBox(t);
  const setup = await runCli(['setup', '--config', box.configPath, '--yes', '--extension', '1001']);
  t.equal(setup.code, 0, setup.stderr);
  const d = spawnDaemon(t, box);
  await waitHealthy(d, box);
  const file = join(box.dir, 'backup.db');
  const b = await runCli(['backup', '--config', box.configPath, '--out', file]);
  t.equal(b.code, 0, b.stderr);
  t.ok(existsSync(file));
  const refused = await runCli(['restore', file, '--config', box.configPath]);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /daemon is running; stop it first/);
  d.child.kill('SIGTERM');
  await d.exited;

  await runCli(['setup', '--config', box.configPath, '--yes', '--extension', '1002']);
  const r = await runCli(['restore', file, '--config', box.configPath]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /previous database is kept as .*octoline\.db\.replaced-/);
  t.same(rows<{ ext: string }>(join(box.dataDir, 'octoline.db'), 'SELECT ext FROM extensions').map((e) => e.ext), ['1001'], 'the backup is in place');
  const bad = await runCli(['restore', join(box.dir, 'octoline.conf'), '--config', box.configPath]);
  t.equal(bad.code, 1, 'a file that is not a database is refused');
  t.match(bad.stderr, /damaged/);
  t.same(rows<{ ext: string }>(join(box.dataDir, 'octoline.db'), 'SELECT ext FROM extensions').map((e) => e.ext), ['1001'], 'and the database is untouched');
});

t.test('setup run as root hands the database to the owner of the data dir', async (t) => {
  const dir = t.testdir({});
  const data = join(dir, 'data');
  mkdirSync(data);
  chownSync(data, 4321, 4321); // a stand-in for the octoline user
  const r = await runCli(['setup', '--config', join(dir, 'octoline.conf'), '--yes', '--data-dir', data, '--extension', '1001']);
  t.equal(r.code, 0, r.stderr);
  t.equal(statSync(join(data, 'octoline.db')).uid, 4321, 'the daemon user can open it');
});

t.test('doctor asks the gateway with OPTIONS: a live one answers, a silent one is a ✗', async (t) => {
  const gateway = await startBaresip(t, { user: 'gateway' }); // a real SIP UA standing in for the FXO gateway
  const box = await makeTestBox(t);
  const set = await runCli(['setup', '--config', box.configPath, '--yes', '--gateway', `127.0.0.1:${gateway.sipPort}`, '--gateway-model', 'dinstar-dag']);
  t.equal(set.code, 0, set.stderr);
  const ok = await runCli(['doctor', '--config', box.configPath]);
  t.equal(ok.code, 0, ok.stdout);
  t.match(ok.stdout, new RegExp(`✓ gateway: 127\\.0\\.0\\.1:${gateway.sipPort} \\(dinstar-dag\\) answered OPTIONS: \\d{3}`));

  const silent = await freePort();
  await runCli(['setup', '--config', box.configPath, '--yes', '--gateway', `127.0.0.1:${silent}`]);
  const bad = await runCli(['doctor', '--config', box.configPath]);
  t.equal(bad.code, 1);
  t.match(bad.stdout, new RegExp(`✗ gateway: 127\\.0\\.0\\.1:${silent} \\(generic\\) did not answer OPTIONS within 2 s\\n\\s+fix: check the gateway`));
});
