/**
 * The production packaging: systemd unit, rtpengine drop-in and config, tmpfiles.d, sysusers.d and
 * scripts/install. Everything runs offline against temporary roots: systemd is not PID 1 here and
 * nothing outside a temp dir is touched. rtpengine only ever binds 127.0.0.1.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import {
  chmod,
  copyFile,
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freePorts } from '../helpers/ports.js';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SYSTEMD_DIR = join(PROJECT, 'systemd');
const UNIT = join(SYSTEMD_DIR, 'octoline.service');
const DROP_IN = join(SYSTEMD_DIR, 'rtpengine-daemon.service.d', 'octoline.conf');
const RTP_CONF = join(SYSTEMD_DIR, 'rtpengine-octoline.conf');
const TMPFILES = join(SYSTEMD_DIR, 'octoline.tmpfiles');
const SYSUSERS = join(SYSTEMD_DIR, 'octoline.sysusers');
const INSTALL = join(PROJECT, 'scripts', 'install');
const RTPENGINE = '/usr/bin/rtpengine';
const HOST_UNITS = '/usr/lib/systemd/system';

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a command to completion; never rejects on a non-zero exit (the caller asserts on it). */
function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd ?? PROJECT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** The part of a tap test tempDir needs. */
interface Teardown {
  teardown(fn: () => unknown): void;
}

async function tempDir(t: Teardown, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `octoline-${label}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Lines of systemd-analyze's stderr about our files. Known-harmless lines would be listed here; there
 * are none with systemd 252: a clean unit prints nothing at all.
 */
const HARMLESS: RegExp[] = [];
function complaintsAbout(stderr: string, needles: string[]): string[] {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .filter((l) => needles.some((n) => l.includes(n)))
    .filter((l) => !HARMLESS.some((re) => re.test(l)));
}

/** The unit with ExecStart pointing at a binary that exists here (verify checks it is executable). */
async function unitCopy(dir: string, edit: (text: string) => string = (s) => s): Promise<string> {
  const text = await readFile(UNIT, 'utf8');
  if (!/^ExecStart=\/usr\/bin\/octoline daemon --config \/etc\/octoline\/octoline\.conf /m.test(text)) {
    throw new Error('octoline.service: ExecStart is not /usr/bin/octoline daemon --config /etc/octoline/octoline.conf …');
  }
  const path = join(dir, 'octoline.service');
  await writeFile(path, edit(text.replace('ExecStart=/usr/bin/octoline ', `ExecStart=${process.execPath} `)));
  return path;
}

async function dropInCopy(dir: string, edit: (text: string) => string = (s) => s): Promise<void> {
  await mkdir(join(dir, 'rtpengine-daemon.service.d'), { recursive: true });
  await writeFile(join(dir, 'rtpengine-daemon.service.d', 'octoline.conf'), edit(await readFile(DROP_IN, 'utf8')));
}

/** systemd-analyze verify with `dir` searched first for units and drop-ins, then the system's. */
function verify(dir: string, units: string[]): Promise<RunResult> {
  return run('systemd-analyze', ['--man=no', 'verify', ...units], {
    env: { ...process.env, SYSTEMD_UNIT_PATH: `${dir}:` },
    cwd: dir,
  });
}

t.test('the unit files pass systemd-analyze verify', async (t) => {
  const dir = await tempDir(t, 'verify');
  const unit = await unitCopy(dir);
  await dropInCopy(dir);
  const res = await verify(dir, [unit, 'rtpengine-daemon.service']);
  t.equal(res.code, 0, 'verify exits 0', { stderr: res.stderr });
  t.same(complaintsAbout(res.stderr, ['octoline', 'rtpengine', dir]), [], 'no complaint about our units', {
    stderr: res.stderr,
  });
});

t.test('verify catches a broken unit (so the check above means something)', async (t) => {
  const cases: Array<[string, (s: string) => string, RegExp]> = [
    ['a bad value', (s) => s.replace('Restart=on-failure', 'Restart=sometimes'), /restart specifier.*sometimes/i],
    ['an unknown directive', (s) => s.replace('Restart=on-failure', 'Restartt=on-failure'), /Unknown key 'Restartt'/],
    ['a misspelt section', (s) => s.replace('[Service]', '[Servce]'), /Servce/],
  ];
  for (const [what, edit, expected] of cases) {
    const dir = await tempDir(t, 'broken');
    const unit = await unitCopy(dir, edit);
    const res = await verify(dir, [unit]);
    const complaints = complaintsAbout(res.stderr, ['octoline', dir]);
    t.ok(complaints.length > 0, `${what} is reported`, { stderr: res.stderr });
    t.match(complaints.join('\n'), expected, `${what}: the message names it`);
  }
});

t.test('the rtpengine drop-in is read by verify and replaces ExecStart', async (t) => {
  const dir = await tempDir(t, 'dropin');
  // Without the empty ExecStart= the drop-in adds a second ExecStart: a hard error. Seeing it proves
  // verify reads our drop-in, so the clean result in the first test covers the drop-in too.
  await dropInCopy(dir, (s) => s.replace(/^ExecStart=$/m, ''));
  const res = await verify(dir, ['rtpengine-daemon.service']);
  t.not(res.code, 0, 'a drop-in that does not reset ExecStart fails');
  t.match(res.stderr, /more than one ExecStart/);

  const dropIn = await readFile(DROP_IN, 'utf8');
  t.match(dropIn, /^ExecStart=\/usr\/bin\/rtpengine .*--config-file \/etc\/rtpengine\/rtpengine-octoline\.conf$/m);
  t.match(dropIn, /^Before=octoline\.service$/m, 'ordered before octoline');
  t.match(dropIn, /^SupplementaryGroups=octoline$/m, 'rtpengine may write the spool');
  const debian = await readFile(join(HOST_UNITS, 'rtpengine-daemon.service'), 'utf8');
  t.match(debian, /^ExecStart=\/usr\/bin\/rtpengine /m, "Debian's unit still passes its config in ExecStart");
});

/** `key = value` pairs of an rtpengine config (comments and sections dropped). */
function confKeys(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return out;
}

function ngPing(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const sock = createSocket('udp4');
    const cookie = `t${process.pid}x${Date.now()}`;
    const timer = setTimeout(() => {
      sock.close();
      resolvePromise(false);
    }, timeoutMs);
    sock.on('message', (msg) => {
      if (!msg.toString('latin1').startsWith(`${cookie} `)) return;
      clearTimeout(timer);
      sock.close();
      resolvePromise(msg.toString('latin1') === `${cookie} d6:result4:ponge`);
    });
    sock.bind(0, '127.0.0.1', () => {
      sock.send(Buffer.from(`${cookie} d7:command4:pinge`, 'latin1'), port, '127.0.0.1');
    });
  });
}

t.test('rtpengine-octoline.conf is a valid rtpengine config', async (t) => {
  const text = await readFile(RTP_CONF, 'utf8');
  const keys = confKeys(text);
  t.match(text, /^\[rtpengine\]$/m, 'the section rtpengine reads by default');
  t.equal(keys.get('table'), '-1', 'userspace');
  t.equal(keys.get('listen-ng'), '127.0.0.1:22222');
  t.equal(keys.get('port-min'), '30000');
  t.equal(keys.get('port-max'), '30999');
  t.equal(keys.get('dtmf-log-dest'), '127.0.0.1:5999');
  t.equal(keys.get('recording-dir'), '/var/lib/octoline/spool');
  t.equal(keys.get('recording-method'), 'pcap');
  t.equal(keys.get('delete-delay'), '0');
  t.equal(keys.get('timeout'), '60');

  // rtpengine silently ignores unknown keys: check each against its own option list.
  const help = await run(RTPENGINE, ['--help']);
  const known = `${help.stdout}\n${help.stderr}`;
  for (const key of keys.keys()) t.ok(known.includes(`--${key}=`), `rtpengine knows ${key}`);

  // Start it on a loopback-only copy and ask it over ng.
  const dir = await tempDir(t, 'rtpengine');
  const spool = join(dir, 'spool');
  const [ng, cli, dtmf] = [await freePort(), await freePort(), await freePort()];
  const [rtpBase] = await freePorts(1, 20);
  if (rtpBase === undefined) throw new Error('no free port block');
  const copy = text
    .replace(/^listen-ng = .*$/m, `listen-ng = 127.0.0.1:${ng}`)
    .replace(/^listen-cli = .*$/m, `listen-cli = 127.0.0.1:${cli}`)
    .replace(/^dtmf-log-dest = .*$/m, `dtmf-log-dest = 127.0.0.1:${dtmf}`)
    .replace(/^port-min = .*$/m, `port-min = ${rtpBase}`)
    .replace(/^port-max = .*$/m, `port-max = ${rtpBase + 19}`)
    .replace(/^recording-dir = .*$/m, `recording-dir = ${spool}`);
  const addresses = [...confKeys(copy).values()].flatMap((v) => v.match(/\d+\.\d+\.\d+\.\d+/g) ?? []);
  t.same([...new Set(addresses)], ['127.0.0.1'], 'the copy uses loopback only');
  const confPath = join(dir, 'rtpengine.conf');
  await writeFile(confPath, copy);

  const child = spawn(
    RTPENGINE,
    [`--config-file=${confPath}`, '--foreground', '--log-stderr', `--pidfile=${join(dir, 'rtpengine.pid')}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  let pong = false;
  for (let i = 0; i < 25 && !pong && child.exitCode === null; i++) pong = await ngPing(ng, 200);
  t.ok(pong, 'rtpengine answers an ng ping', { port: ng, log });
  t.match(log, /Startup complete/, 'rtpengine logs a complete startup', { log });
  t.notMatch(log, /\b(?:ERR|CRIT|ALERT|EMERG):/, 'and no error', { log });
  for (const sub of ['pcaps', 'metadata']) {
    t.ok((await stat(join(spool, sub))).isDirectory(), `it set up ${sub}/ in the recording dir`);
  }
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'and stops cleanly on SIGTERM');
});

t.test('tmpfiles.d and sysusers.d files are rejected when broken', async (t) => {
  const dir = await tempDir(t, 'broken-tmpfiles');
  await mkdir(join(dir, 'etc'));
  const badUsers = join(dir, 'bad.sysusers');
  await writeFile(badUsers, (await readFile(SYSUSERS, 'utf8')).replace(/^u /m, 'x '));
  const users = await run('systemd-sysusers', [`--root=${dir}`, badUsers]);
  t.not(users.code, 0, 'a bad sysusers line fails', { stderr: users.stderr });

  const goodUsers = await run('systemd-sysusers', [`--root=${dir}`, SYSUSERS]);
  t.equal(goodUsers.code, 0, 'the shipped sysusers file applies', { stderr: goodUsers.stderr });
  const badTmp = join(dir, 'bad.tmpfiles');
  await writeFile(badTmp, (await readFile(TMPFILES, 'utf8')).replace('0750 octoline', '07x0 octoline'));
  const tmp = await run('systemd-tmpfiles', [`--root=${dir}`, '--create', badTmp]);
  t.not(tmp.code, 0, 'a bad tmpfiles mode fails', { stderr: tmp.stderr });
});

/** A built-looking project tree: what `npm ci && npm run build` would leave, in miniature. */
async function fakeSource(dir: string): Promise<string> {
  const src = join(dir, 'src');
  await mkdir(join(src, 'dist', 'daemon', 'cli'), { recursive: true });
  await writeFile(join(src, 'dist', 'daemon', 'cli', 'main.js'), '#!/usr/bin/env node\nconsole.log("octoline");\n');
  await writeFile(
    join(src, 'package.json'),
    JSON.stringify({ name: 'octoline', version: '0.0.0', private: true, type: 'module' }),
  );
  await writeFile(
    join(src, 'package-lock.json'),
    JSON.stringify({
      name: 'octoline',
      version: '0.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'octoline', version: '0.0.0' } },
    }),
  );
  // Not in package.json: `npm prune --omit=dev` must remove it.
  await mkdir(join(src, 'node_modules', 'dev-only-pkg'), { recursive: true });
  await writeFile(join(src, 'node_modules', 'dev-only-pkg', 'package.json'), '{"name":"dev-only-pkg","version":"1.0.0"}');
  await mkdir(join(src, 'flows'));
  await writeFile(join(src, 'flows', 'main.json'), '{}');
  await mkdir(join(src, 'sounds', 'build'), { recursive: true });
  await writeFile(join(src, 'sounds', 'build', 'welcome.wav'), 'RIFF');
  await mkdir(join(src, 'web'));
  await writeFile(join(src, 'web', 'index.html'), '<!doctype html>');
  await cp(SYSTEMD_DIR, join(src, 'systemd'), { recursive: true });
  return src;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function mode(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o7777).toString(8).padStart(4, '0');
}

t.test('scripts/install --root stages the production layout', async (t) => {
  const dir = await tempDir(t, 'install');
  const src = await fakeSource(dir);
  const root = join(dir, 'root');
  const started = Date.now();
  const first = await run(INSTALL, ['--root', root, '--no-build', '--source', src]);
  t.equal(first.code, 0, 'install exits 0', { stdout: first.stdout, stderr: first.stderr });
  t.match(first.stdout, /==> copying the project/, 'prints progress lines');
  t.comment(`staged install took ${Date.now() - started} ms`);

  const opt = join(root, 'opt', 'octoline');
  t.equal(await readlink(join(root, 'usr', 'bin', 'octoline')), '/opt/octoline/dist/daemon/cli/main.js', 'symlink');
  t.equal((await stat(join(opt, 'dist', 'daemon', 'cli', 'main.js'))).mode & 0o111, 0o111, 'main.js is executable');
  for (const f of ['package.json', 'package-lock.json', 'flows/main.json', 'sounds/build/welcome.wav', 'web/index.html']) {
    t.ok(await exists(join(opt, f)), `${f} copied`);
  }
  t.notOk(await exists(join(opt, 'node_modules', 'dev-only-pkg')), 'dev dependencies pruned');
  t.notOk(await exists(`${opt}.new`), 'no staging leftovers');
  const installed: Array<[string, string]> = [
    ['etc/systemd/system/octoline.service', UNIT],
    ['etc/systemd/system/rtpengine-daemon.service.d/octoline.conf', DROP_IN],
    ['etc/rtpengine/rtpengine-octoline.conf', RTP_CONF],
    ['usr/lib/tmpfiles.d/octoline.conf', TMPFILES],
    ['usr/lib/sysusers.d/octoline.conf', SYSUSERS],
  ];
  for (const [path, from] of installed) {
    t.equal(await readFile(join(root, path), 'utf8'), await readFile(from, 'utf8'), `${path} installed`);
  }

  // The staged sysusers and tmpfiles files create the user and the data dirs.
  const users = await run('systemd-sysusers', [`--root=${root}`]);
  t.equal(users.code, 0, 'systemd-sysusers applies the staged file', { stderr: users.stderr });
  const passwd = await readFile(join(root, 'etc', 'passwd'), 'utf8');
  const entry = passwd.split('\n').find((l) => l.startsWith('octoline:'));
  t.ok(entry, 'user octoline created');
  const [, , uid, gid, , home, shell] = (entry ?? '').split(':');
  t.equal(home, '/var/lib/octoline', 'home is the data dir');
  t.equal(shell, '/usr/sbin/nologin', 'no login shell');
  t.match(await readFile(join(root, 'etc', 'group'), 'utf8'), /^dialout:x:\d+:octoline$/m, 'octoline is in dialout');
  // What `octoline setup` run as root leaves behind: root-owned config and database files.
  await mkdir(join(root, 'etc', 'octoline'), { recursive: true });
  await mkdir(join(root, 'var', 'lib', 'octoline'), { recursive: true });
  await writeFile(join(root, 'etc', 'octoline', 'octoline.conf'), '[box]\n', { mode: 0o600 });
  await writeFile(join(root, 'var', 'lib', 'octoline', 'octoline.db'), '', { mode: 0o644 });
  await writeFile(join(root, 'var', 'lib', 'octoline', 'octoline.db-wal'), '', { mode: 0o644 });
  const tmp = await run('systemd-tmpfiles', [`--root=${root}`, '--create']);
  t.equal(tmp.code, 0, 'systemd-tmpfiles applies the staged file', { stderr: tmp.stderr });
  const dirs: Array<[string, string]> = [
    ['var/lib/octoline', '0750'],
    ['var/lib/octoline/recordings', '0750'],
    ['var/lib/octoline/voicemail', '0750'],
    ['var/lib/octoline/prompts', '0750'],
    ['var/lib/octoline/spool', '2770'],
    ['var/lib/octoline/spool/pcaps', '2770'],
    ['var/lib/octoline/spool/metadata', '2770'],
    ['var/lib/octoline/spool/tmp', '2770'],
    ['run/octoline', '0750'],
  ];
  for (const [path, want] of dirs) {
    const st = await stat(join(root, path));
    t.equal(await mode(join(root, path)), want, `${path} mode ${want}`);
    t.equal(`${st.uid}:${st.gid}`, `${uid}:${gid}`, `${path} owned by octoline`);
  }
  const owner = async (path: string): Promise<string> => {
    const st = await stat(join(root, path));
    return `${st.uid}:${st.gid}:${await mode(join(root, path))}`;
  };
  t.equal(await owner('etc/octoline'), `0:${gid}:0750`, '/etc/octoline is root:octoline 0750');
  t.equal(await owner('etc/octoline/octoline.conf'), `0:${gid}:0640`, 'a root-written octoline.conf becomes readable by the daemon');
  t.notOk(await exists(join(root, 'var', 'lib', 'octoline', 'octoline.db-shm')), 'nothing but directories is created');

  // The unit's ExecStartPre chown, run the way systemd runs it, hands the DB files to octoline.
  const unitText = await readFile(join(root, 'etc', 'systemd', 'system', 'octoline.service'), 'utf8');
  const chownLine = /^ExecStartPre=[-+]*(\/usr\/bin\/chown .*)$/m.exec(unitText)?.[1];
  t.ok(chownLine, 'the unit chowns the database before start');
  const [chown, ...chownArgs] = (chownLine ?? 'false').split(' ');
  const rooted = chownArgs.map((a) => (a.startsWith('/') ? join(root, a) : a));
  // Inside the staged root the name octoline means nothing to the host: use the numeric ids.
  const chowned = await run(chown ?? 'false', rooted.map((a) => (a === 'octoline:octoline' ? `${uid}:${gid}` : a)));
  t.not(chowned.code, null, 'chown ran');
  t.equal(await owner('var/lib/octoline/octoline.db'), `${uid}:${gid}:0644`, 'a root-written database goes to octoline');
  t.equal(await owner('var/lib/octoline/octoline.db-wal'), `${uid}:${gid}:0644`, 'and its WAL too');

  // The staged units verify against the staged root: ExecStart=/usr/bin/octoline is resolved
  // through the staged symlink, so this also proves the link and main.js work together.
  await mkdir(join(root, 'usr', 'lib', 'systemd'), { recursive: true });
  await cp(HOST_UNITS, join(root, 'usr', 'lib', 'systemd', 'system'), { recursive: true, verbatimSymlinks: true });
  // Binaries the units name (ExecStart of the drop-in, ExecStartPre of octoline.service).
  for (const bin of [RTPENGINE, '/usr/bin/systemd-tmpfiles']) {
    const to = join(root, bin);
    await copyFile(bin, to);
    await chmod(to, 0o755);
  }
  const ver = await run('systemd-analyze', ['--man=no', `--root=${root}`, 'verify', 'octoline.service', 'rtpengine-daemon.service']);
  t.equal(ver.code, 0, 'verify in the staged root exits 0', { stderr: ver.stderr });
  t.same(complaintsAbout(ver.stderr, ['octoline', 'rtpengine']), [], 'and has no complaint', { stderr: ver.stderr });
  await chmod(join(opt, 'dist', 'daemon', 'cli', 'main.js'), 0o644);
  const noexec = await run('systemd-analyze', ['--man=no', `--root=${root}`, 'verify', 'octoline.service']);
  t.match(noexec.stderr, /\/usr\/bin\/octoline is not executable/, 'verify does check the staged ExecStart');

  // Again (upgrade): still fine, the local rtpengine config is kept, the shipped one put beside it.
  const local = join(root, 'etc', 'rtpengine', 'rtpengine-octoline.conf');
  const edited = (await readFile(RTP_CONF, 'utf8')).replace(/^interface = .*$/m, 'interface = 127.0.0.1 # edited');
  await writeFile(local, edited);
  await writeFile(join(opt, 'stale-file'), 'from the previous version');
  const second = await run(INSTALL, ['--root', root, '--no-build', '--source', src]);
  t.equal(second.code, 0, 'a second run exits 0', { stdout: second.stdout, stderr: second.stderr });
  t.equal(await readFile(local, 'utf8'), edited, 'local rtpengine config kept');
  t.equal(await readFile(`${local}.dist`, 'utf8'), await readFile(RTP_CONF, 'utf8'), 'shipped one beside it');
  t.notOk(await exists(join(opt, 'stale-file')), 'the code dir is replaced, not merged');
  t.equal((await stat(join(opt, 'dist', 'daemon', 'cli', 'main.js'))).mode & 0o111, 0o111, 'main.js executable again');
  t.ok((await stat(join(root, 'var', 'lib', 'octoline', 'spool'))).isDirectory(), 'data dir untouched');
});

t.test('scripts/install --prefix moves the code and the unit follows', async (t) => {
  const dir = await tempDir(t, 'prefix');
  const src = await fakeSource(dir);
  const root = join(dir, 'root');
  const res = await run(INSTALL, ['--root', root, '--no-build', '--source', src, '--prefix', '/srv/octoline']);
  t.equal(res.code, 0, 'install exits 0', { stderr: res.stderr });
  t.equal(await readlink(join(root, 'usr', 'bin', 'octoline')), '/srv/octoline/dist/daemon/cli/main.js');
  const unit = await readFile(join(root, 'etc', 'systemd', 'system', 'octoline.service'), 'utf8');
  t.match(unit, /^WorkingDirectory=\/srv\/octoline$/m);
  t.notMatch(unit, /\/opt\/octoline/);
  t.notOk(await exists(join(root, 'opt')), 'nothing in /opt');
});

t.test('scripts/install takes the rtpengine mode from an existing octoline.conf', async (t) => {
  const dir = await tempDir(t, 'mode');
  const src = await fakeSource(dir);
  const root = join(dir, 'root');
  const staged = await run(INSTALL, ['--root', root, '--no-build', '--source', src]);
  t.match(staged.stdout, /rtpengine mode: spawn/, 'spawn without a config');
  await mkdir(join(root, 'etc', 'octoline'), { recursive: true });
  await writeFile(
    join(root, 'etc', 'octoline', 'octoline.conf'),
    '[sip]\nmode = "nonsense"\n\n[rtpengine]\ninterface = "127.0.0.1"\nmode = "external"   # set by hand\n',
  );
  const again = await run(INSTALL, ['--root', root, '--no-build', '--source', src]);
  t.equal(again.code, 0, 'install exits 0', { stderr: again.stderr });
  t.match(again.stdout, /rtpengine mode: external/, 'external from [rtpengine] mode, not from another section');
  const forced = await run(INSTALL, ['--root', root, '--no-build', '--source', src, '--rtpengine-mode', 'spawn']);
  t.match(forced.stdout, /rtpengine mode: spawn/, 'the flag wins');
});

t.test('scripts/install refuses bad options with a clear message', async (t) => {
  const dir = await tempDir(t, 'options');
  const bad = await run(INSTALL, ['--root', join(dir, 'r'), '--no-build', '--rtpengine-mode', 'both']);
  t.not(bad.code, 0);
  t.match(bad.stderr, /spawn or external/);
  const unknown = await run(INSTALL, ['--frobnicate']);
  t.not(unknown.code, 0);
  t.match(unknown.stderr, /unknown option: --frobnicate/);
  const help = await run(INSTALL, ['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /--root DIR/);
});
