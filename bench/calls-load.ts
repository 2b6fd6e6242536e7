/**
 * N concurrent bridged calls with recording through the built daemon (`node dist/daemon/cli/main.js
 * daemon`), SIPp playing the FXO gateway and the phones, real RTP through the daemon's rtpengine:
 *
 *   SIPp gateway (UAC, µ-law tone via rtp_stream) → INVITE sip:lineN@box → daemon → INVITE ext 2000+N
 *   → SIPp phones (one UAS for every extension, -rtp_echo sends the audio back) → 200, bridged,
 *   recorded from the answer (lines record N answer), the gateway hangs up after the hold time.
 *
 *   npx tsx bench/calls-load.ts [--n 8,25,50,100,150] [--hold 20] [--rate 10] [--keep]
 *
 * One box (config, database) for every N; a fresh daemon for each N, so RSS and CPU start clean.
 * Figures per N, over the steady window (every call up): CPU (% of one core) and peak RSS of the
 * daemon and of rtpengine, RTP loss per hop from rtpengine's per-stream packet counters, setup
 * latency (gateway INVITE sent → phone INVITE received, from the SIPp message logs' µs
 * timestamps), leaked rtpengine calls after the run and how long the recordings took to convert.
 * Loopback only; every SIPp run and wait is bounded; figures only, it never fails on time.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { NgClient } from '../drivers/rtpengine/ng-client.js';
import type { NgReply } from '../drivers/rtpengine/ng-types.js';
import { normalizeNumber } from '../daemon/lines/phone-number.js';
import { routeLine, setLineRecord } from '../daemon/lines/routing.js';
import { Store } from '../daemon/store/store.js';
import { freePort } from '../test/helpers/ports.js';
import { portFree } from '../daemon/cli/doctor/ports.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLI = join(ROOT, 'dist', 'daemon', 'cli', 'main.js');
const SCENARIOS = join(ROOT, 'test', 'peers', 'sipp');

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
};
const NS = arg('n', '8,25,50,100,150').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const HOLD_S = Number(arg('hold', '20'));
const RATE = Number(arg('rate', '10'));
/** Keep the box directory (daemon logs, SIPp traces) even when nothing went wrong. */
const KEEP = process.argv.includes('--keep');
/** The setup CLI takes lines 1-32 (MAX_LINES in daemon/cli/setup/answers.ts); more are written to SQLite. */
const CLI_MAX_LINES = 32;
const PACKETS_PER_S = 50; // 20 ms PCMU
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);

const ext = (line: number): string => String(2000 + line);
const password = (e: string): string => `bench-pass-${e}`;

interface Box {
  dir: string;
  configPath: string;
  dataDir: string;
  sipPort: number;
  httpPort: number;
  ngPort: number;
  gwPort: number;
  phonePort: number;
  tone: string;
  notes: string[];
}

// ------------------------------------------------------------------------------------------------
// The box: config, `octoline setup`, lines routed to one extension each and recorded from answer.

/** Rebuild dist/ when a source file is newer than its build output: the bench measures production code. */
async function ensureBuilt(): Promise<void> {
  const stale = (dir: string): boolean => readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .some((f) => {
      const out = join(ROOT, 'dist', dir, f.replace(/\.ts$/, '.js'));
      return !existsSync(out) || statSync(out).mtimeMs < statSync(join(ROOT, dir, f)).mtimeMs;
    });
  if (!stale('daemon') && !stale('drivers')) return;
  process.stdout.write('dist/ is older than the sources: npx tsc -p tsconfig.build.json\n');
  await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
}

/** `span` consecutive UDP ports free on 127.0.0.1, above the range the test helpers draw from (20000-40000). */
async function freeUdpRange(span: number): Promise<number> {
  for (let base = 50000 + (process.pid % 50) * 100; base + span < 60000; base += span) {
    let ok = true;
    for (let p = base; p < base + span && ok; p++) ok = await portFree('udp', '127.0.0.1', p);
    if (ok) return base;
  }
  throw new Error(`no ${span} consecutive free UDP ports in 50000-60000`);
}

async function cli(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 60_000, maxBuffer: 16 * 2 ** 20 });
  return stdout;
}

async function makeBox(maxN: number): Promise<Box> {
  const dir = mkdtempSync(join(tmpdir(), 'octoline-calls-load-'));
  const [sipPort, httpPort, ngPort, dtmfPort, gwPort, phonePort] = [
    await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort(),
  ];
  // rtpengine takes 2 ports (RTP + RTCP) per leg, 2 legs per call; twice that for ports still
  // cooling down from the previous N and for ports another program holds.
  const span = Math.max(200, maxN * 8);
  const rtpMin = await freeUdpRange(span);
  const box: Box = {
    dir, configPath: join(dir, 'octoline.conf'), dataDir: join(dir, 'data'),
    sipPort, httpPort, ngPort, gwPort, phonePort, tone: join(dir, 'gw-1k.wav'), notes: [],
  };
  writeFileSync(box.configPath, `[box]\nlog_level = "info"\n[sip]\nport = ${sipPort}\n[http]\nport = ${httpPort}\n` +
    `[rtpengine]\nng_port = ${ngPort}\ndtmf_log_port = ${dtmfPort}\nport_min = ${rtpMin}\nport_max = ${rtpMin + span - 1}\n`);
  const setup = ['setup', '--config', box.configPath, '--yes', '--gateway', `127.0.0.1:${gwPort}`];
  for (let n = 1; n <= Math.min(maxN, CLI_MAX_LINES); n++) setup.push('--line', `${n}=02155${String(n).padStart(5, '0')}`);
  for (let n = 1; n <= maxN; n++) setup.push('--extension', `${ext(n)}:${password(ext(n))}`);
  await cli(setup);
  // Line 1 through the CLI as a person would; every other line through the same functions the
  // `lines route` / `lines record` commands call (one CLI run costs ~1 s of CPU here).
  await cli(['lines', 'route', '1', ext(1), '--config', box.configPath]);
  await cli(['lines', 'record', '1', 'answer', '--config', box.configPath]);
  const store = Store.open(box.dataDir);
  try {
    const gatewayId = store.gateways.list()[0]?.id ?? null;
    for (let n = CLI_MAX_LINES + 1; n <= maxN; n++) {
      const number = `02155${String(n).padStart(5, '0')}`;
      store.lines.upsert({ id: n, number, numberNorm: normalizeNumber(number), gatewayId, portUser: `line${n}` });
    }
    for (let n = 2; n <= maxN; n++) {
      routeLine(store, n, ext(n));
      setLineRecord(store, n, 'answer');
    }
  } finally {
    store.close();
  }
  if (maxN > CLI_MAX_LINES) {
    box.notes.push(`lines ${CLI_MAX_LINES + 1}-${maxN} were written straight into SQLite (store.lines.upsert): \`octoline setup --line\` takes 1-${CLI_MAX_LINES}`);
  }
  await run('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', box.tone, 'synth', String(HOLD_S + 120), 'sine', '1000', 'vol', '0.5']);
  return box;
}

// ------------------------------------------------------------------------------------------------
// Processes: the daemon, SIPp, and /proc sampling.

interface Daemon {
  child: ChildProcess;
  rtpenginePid: number;
  exited: Promise<void>;
}

async function startDaemon(box: Box, logFile: string): Promise<Daemon> {
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [CLI, 'daemon', '--config', box.configPath], { cwd: ROOT, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const ok = await fetch(`http://127.0.0.1:${box.httpPort}/healthz`, { signal: AbortSignal.timeout(500) }).then((r) => r.ok, () => false);
    const rtp = child.pid === undefined ? undefined : childNamed(child.pid, 'rtpengine');
    if (ok && rtp !== undefined) return { child, rtpenginePid: rtp, exited };
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error(`daemon not healthy in 30 s; log tail:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
}

async function stopDaemon(d: Daemon): Promise<void> {
  d.child.kill('SIGTERM');
  const killed = setTimeout(() => d.child.kill('SIGKILL'), 15_000);
  await d.exited;
  clearTimeout(killed);
}

/** The pid of the child of `ppid` whose command name is `name` (rtpengine runs under setpriv, which execs it). */
function childNamed(ppid: number, name: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && stat.ppid === ppid && stat.comm === name) return Number(entry);
  }
  return undefined;
}

interface ProcStat { comm: string; ppid: number; ticks: number }

function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const rest = text.slice(close + 2).split(' ');
    // fields after "pid (comm)": state ppid … utime (14th overall) stime (15th)
    return { comm: text.slice(text.indexOf('(') + 1, close), ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return undefined;
  }
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Busy and total jiffies of the whole machine (other engineers' tests run here too). */
function machineTicks(): { busy: number; total: number } {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU per process over a window, and the peak RSS seen by 1 s samples. */
class Sampler {
  private readonly t0 = performance.now();
  private readonly ticks0: Map<number, number>;
  private readonly machine0 = machineTicks();
  private readonly peak = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: number[]) {
    this.ticks0 = new Map(pids.map((p) => [p, procStat(p)?.ticks ?? NaN]));
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  private sample(): void {
    for (const p of this.pids) this.peak.set(p, Math.max(this.peak.get(p) ?? 0, rssMiB(p)));
  }

  /** CPU % of one core per pid, machine busy % (of all cores), peak RSS MiB per pid. */
  stop(): { cpu: Map<number, number>; rss: Map<number, number>; machineBusy: number; seconds: number } {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.t0) / 1000;
    const cpu = new Map(this.pids.map((p) => [p, (((procStat(p)?.ticks ?? NaN) - (this.ticks0.get(p) ?? NaN)) / CLK_TCK / seconds) * 100]));
    const m = machineTicks();
    return { cpu, rss: this.peak, machineBusy: ((m.busy - this.machine0.busy) / (m.total - this.machine0.total)) * 100, seconds };
  }
}

interface Sipp {
  child: ChildProcess;
  dir: string;
  done: Promise<number | null>;
}

/** A SIPp bounded by its own -timeout and by a SIGKILL 15 s later; output, stats and messages in `dir`. */
function sipp(dir: string, args: string[], timeoutS: number): Sipp {
  const out = openSync(join(dir, 'sipp.out'), 'w');
  const child = spawn('sipp', [...args, '-nostdin', '-timeout', `${timeoutS}s`, '-timeout_error', '-trace_stat', '-stf', join(dir, 'stats.csv'),
    '-trace_err', '-error_file', join(dir, 'errors.log')], { cwd: dir, stdio: ['ignore', out, out] });
  closeSync(out);
  const kill = setTimeout(() => child.kill('SIGKILL'), (timeoutS + 15) * 1000);
  const done = new Promise<number | null>((r) => child.once('exit', (code) => { clearTimeout(kill); r(code); }));
  return { child, dir, done };
}

function subdir(parent: string, name: string): string {
  const d = join(parent, name);
  rmSync(d, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', d]);
  return d;
}

function sippCounters(dir: string): { ok: number; failed: number; why: string } {
  const lines = readFileSync(join(dir, 'stats.csv'), 'utf8').trim().split('\n');
  const head = (lines[0] ?? '').split(';');
  const last = (lines.at(-1) ?? '').split(';');
  const get = (n: string): number => Number(last[head.indexOf(n)] ?? NaN);
  const why = head.filter((n) => /^Failed\w+\(C\)$/.test(n) && n !== 'FailedCall(C)' && get(n) > 0).map((n) => `${n.slice(6, -3)} ${get(n)}`).join(', ');
  return { ok: get('SuccessfulCall(C)') || 0, failed: get('FailedCall(C)') || 0, why };
}

async function waitUdpBound(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && (await portFree('udp', '127.0.0.1', port))) await sleep(50);
}

// ------------------------------------------------------------------------------------------------
// Measures: rtpengine packet counters per hop, setup latency from the SIPp message logs.

/**
 * One call's ingress packet counters in rtpengine, read in one `query` (so both legs at the same
 * instant): from the gateway (leg a) and from the phone (the other leg, which echoes what it got).
 */
interface CallPackets { gwIn: number; phoneIn: number; errors: number; at: number }

interface StreamStats { packets: number; errors: number }
interface NgTag { tag?: string; medias?: Array<{ streams?: Array<{ stats?: StreamStats }> }> }

/** RTP stream of a tag (streams[1] is its RTCP; SIPp sends none). rtpengine 10.5 counts ingress only. */
function rtpStats(tag: NgTag | undefined): StreamStats {
  const st = tag?.medias?.[0]?.streams?.[0]?.stats;
  return { packets: st?.packets ?? 0, errors: st?.errors ?? 0 };
}

/** Counters of every call in rtpengine; the first reply is kept in `sample` (to read what rtpengine reports). */
async function snapshot(ng: NgClient, sample?: string): Promise<Map<string, CallPackets>> {
  const list = await ng.command('list', { limit: 10_000 });
  const ids = (list.calls as string[] | undefined) ?? [];
  const out = new Map<string, CallPackets>();
  await Promise.all(ids.map(async (id) => {
    const q: NgReply | undefined = await ng.command('query', { 'call-id': id }).catch(() => undefined);
    if (!q) return;
    const at = performance.now();
    if (sample !== undefined && !existsSync(sample)) writeFileSync(sample, JSON.stringify(q, null, 2));
    const tags = Object.values((q.tags ?? {}) as Record<string, NgTag>);
    const a = rtpStats(tags.find((t) => t.tag === 'a'));
    const b = rtpStats(tags.find((t) => t.tag !== 'a'));
    out.set(id, { gwIn: a.packets, phoneIn: b.packets, errors: a.errors + b.errors, at });
  }));
  return out;
}

/**
 * RTP figures over the window. Ingress from the gateway against what its 50 packets/s should have
 * brought in the time between a call's two queries (±1 packet per call at each end, and it also
 * shows SIPp's own pacing). The round trip box → phone → box per call at the window's end, both
 * legs read at once: what came back from the phone short of what the gateway sent in, less the one
 * packet that may be in flight (the echo answers within well under 20 ms on loopback).
 */
interface Rtp { calls: number; gwIn: number; gwExpected: number; roundTripIn: number; roundTripLost: number; lossyCalls: number; errors: number }

function rtpFigures(s0: Map<string, CallPackets>, s1: Map<string, CallPackets>): Rtp {
  const r: Rtp = { calls: 0, gwIn: 0, gwExpected: 0, roundTripIn: 0, roundTripLost: 0, lossyCalls: 0, errors: 0 };
  for (const [id, c1] of s1) {
    const lost = Math.max(0, c1.gwIn - c1.phoneIn - 1);
    r.roundTripIn += c1.gwIn;
    r.roundTripLost += lost;
    if (lost > 0) r.lossyCalls++;
    r.errors += c1.errors;
    const c0 = s0.get(id);
    if (!c0) continue;
    r.calls++;
    r.gwIn += c1.gwIn - c0.gwIn;
    r.gwExpected += (PACKETS_PER_S * (c1.at - c0.at)) / 1000;
  }
  return r;
}

/** rtpengine's own totals (this instance serves the bench alone): packets relayed and relay errors. */
async function relayTotals(ng: NgClient): Promise<{ packets: number; errors: number }> {
  const st = (await ng.command('statistics')).statistics as { totalstatistics?: Record<string, number | string> } | undefined;
  const t = st?.totalstatistics ?? {};
  return { packets: Number(t.relayedpackets ?? NaN), errors: Number(t.relayedpacketerrors ?? NaN) };
}

/** First time each INVITE (by Request-URI user) was sent / received, from a SIPp `-trace_msg` log. */
function inviteTimes(file: string, direction: 'sent' | 'received'): Map<string, number> {
  const times = new Map<string, number>();
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const re = /^-+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\n(UDP message (sent|received)).*\n\s*\nINVITE sip:([^@\s]+)@/gm;
  for (const m of text.matchAll(re)) {
    if (m[3] !== direction || times.has(m[4] as string)) continue;
    const [date, time] = (m[1] as string).split(' ');
    times.set(m[4] as string, Date.parse(`${date}T${(time as string).slice(0, 12)}Z`) + Number((time as string).slice(12)) / 1000);
  }
  return times;
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

// ------------------------------------------------------------------------------------------------
// One step: N calls.

interface Step {
  n: number;
  registered: number;
  ok: number;
  failed: number;
  why: string;
  upAtStart: number;
  upAtEnd: number;
  window: number;
  daemonCpu: number;
  rtpCpu: number;
  machineBusy: number;
  daemonRss: number;
  daemonRssIdle: number;
  rtpRss: number;
  rtp: Rtp;
  relayed: number;
  relayErrors: number;
  setupMs: number[];
  answerMs: number[];
  leaked: number;
  cdrOpen: number;
  dispositions: string;
  recordings: string;
  recordingsS: number;
  problems: string[];
}

async function register(box: Box, n: number, dir: string): Promise<{ ok: number; failed: number; why: string }> {
  const inf = join(dir, 'phones.csv');
  // SIPp 3.6.1 does not expand [field0] inside [authentication …] in a scenario; it does expand a
  // whole [authentication …] keyword read from an injection field.
  const rows = Array.from({ length: n }, (_, i) => ext(i + 1)).map((e) => `${e};[authentication username=${e} password=${password(e)}]`);
  writeFileSync(inf, `SEQUENTIAL\n${rows.join('\n')}\n`);
  // 50 registrations/s: every SIPp shares 127.0.0.1, and the SIP rate limiter allows one source
  // 200 messages/s (burst 400); a real box sees each phone from its own address.
  const reg = sipp(dir, [`127.0.0.1:${box.sipPort}`, '-sf', join(SCENARIOS, 'bench-register.xml'), '-inf', inf,
    '-i', '127.0.0.1', '-bind_local', '-p', String(box.phonePort), '-ci', '127.0.0.1', '-cp', String(await freePort()),
    '-m', String(n), '-r', '50', '-l', String(n), '-default_behaviors', 'all,-bye', '-trace_msg', '-message_file', join(dir, 'messages.log')], 30);
  await reg.done;
  return sippCounters(dir);
}

function gatewayScenario(box: Box, dir: string, holdMs: number): string {
  const file = join(dir, 'bench-gateway-call.xml');
  const text = readFileSync(join(SCENARIOS, 'bench-gateway-call.xml'), 'utf8').replaceAll('[tone]', box.tone).replaceAll('[hold_ms]', String(holdMs));
  writeFileSync(file, text);
  return file;
}

async function runStep(box: Box, n: number): Promise<Step> {
  const dir = subdir(box.dir, `n${n}`);
  const problems: string[] = [];
  const daemonLog = join(dir, 'daemon.log');
  const daemon = await startDaemon(box, daemonLog);
  const daemonPid = daemon.child.pid as number;
  const ng = new NgClient({ host: '127.0.0.1', port: box.ngPort, timeoutMs: 5000 });
  const daemonRssIdle = rssMiB(daemonPid);
  try {
    const reg = await register(box, n, subdir(dir, 'register'));
    if (reg.failed > 0 || reg.ok < n) problems.push(`registration: ${reg.ok}/${n} ok${reg.why ? ` (${reg.why})` : ''}`);

    const rampS = n / RATE;
    // Every call is held for the ramp plus HOLD_S, so all N overlap for about HOLD_S seconds.
    const holdMs = Math.round((rampS + HOLD_S) * 1000);
    const bound = Math.ceil(rampS + HOLD_S + 60);
    const phonesDir = subdir(dir, 'phones');
    const phoneMedia = await freePort();
    const phones = sipp(phonesDir, ['-sf', join(SCENARIOS, 'bench-phone-answer.xml'), '-i', '127.0.0.1', '-bind_local',
      '-p', String(box.phonePort), '-mi', '127.0.0.1', '-mp', String(phoneMedia), '-rtp_echo', '-aa',
      '-ci', '127.0.0.1', '-cp', String(await freePort()), '-m', String(n), '-buff_size', '4194304',
      '-trace_msg', '-message_file', join(phonesDir, 'messages.log')], bound);
    await waitUdpBound(box.phonePort, 5000);

    const gwDir = subdir(dir, 'gateway');
    const inf = join(gwDir, 'lines.csv');
    writeFileSync(inf, `SEQUENTIAL\n${Array.from({ length: n }, (_, i) => `line${i + 1};0139${String(i + 1).padStart(7, '0')}`).join('\n')}\n`);
    const gw = sipp(gwDir, [`127.0.0.1:${box.sipPort}`, '-sf', gatewayScenario(box, gwDir, holdMs), '-inf', inf,
      '-i', '127.0.0.1', '-bind_local', '-p', String(box.gwPort), '-mi', '127.0.0.1', '-mp', String(await freePort()), '-aa',
      '-ci', '127.0.0.1', '-cp', String(await freePort()), '-m', String(n), '-r', String(RATE), '-l', String(n),
      '-buff_size', '4194304', '-trace_msg', '-message_file', join(gwDir, 'messages.log')], bound);
    const started = Date.now();

    // Steady window: from 3 s after the last INVITE (setup done, counters moving) to 2 s before the first BYE.
    const windowStart = started + (rampS + 3) * 1000;
    const windowEnd = started + holdMs - 2000;
    await sleep(Math.max(0, windowStart - Date.now()));
    const sampler = new Sampler([daemonPid, daemon.rtpenginePid]);
    const relay0 = await relayTotals(ng);
    const s0 = await snapshot(ng, join(dir, 'rtpengine-query.json'));
    await sleep(Math.max(1000, windowEnd - Date.now()));
    const s1 = await snapshot(ng);
    const relay1 = await relayTotals(ng);
    const m = sampler.stop();

    const gwCode = await gw.done;
    // The phones' UAS ends by itself after n calls; when some never reached it, stop it.
    const phonesTimer = setTimeout(() => phones.child.kill('SIGUSR1'), 5000);
    await phones.done;
    clearTimeout(phonesTimer);
    const gwStats = sippCounters(gwDir);
    if (gwCode !== 0) problems.push(`gateway SIPp exit ${gwCode}`);

    const sent = inviteTimes(join(gwDir, 'messages.log'), 'sent');
    const rang = inviteTimes(join(phonesDir, 'messages.log'), 'received');
    const answered = answerTimes(join(gwDir, 'messages.log'));
    const setupMs: number[] = [];
    const answerMs: number[] = [];
    for (let i = 1; i <= n; i++) {
      const t0 = sent.get(`line${i}`);
      const t1 = rang.get(ext(i));
      if (t0 !== undefined && t1 !== undefined) setupMs.push(t1 - t0);
      const t2 = answered.get(`line${i}`);
      if (t0 !== undefined && t2 !== undefined) answerMs.push(t2 - t0);
    }

    // After the run: rtpengine must hold no call, every CDR must be closed, recordings converted.
    const leaked = await waitFor(async () => ((await ng.command('list', { limit: 10_000 })).calls as string[] | undefined)?.length ?? 0, (v) => v === 0, 10_000);
    const db = new BetterSqlite3(join(box.dataDir, 'octoline.db'), { readonly: true, fileMustExist: true });
    try {
      const since = started - 1000;
      const cdrOpen = await waitFor(() => Promise.resolve((db.prepare('SELECT count(*) AS c FROM calls WHERE started_at >= ? AND ended_at IS NULL').get(since) as { c: number }).c), (v) => v === 0, 10_000);
      const dispositions = (db.prepare('SELECT coalesce(disposition, \'-\') AS d, cause, count(*) AS c FROM calls WHERE started_at >= ? GROUP BY 1, 2').all(since) as Array<{ d: string; cause: string | null; c: number }>)
        .map((r) => `${r.c} ${r.d}/${r.cause ?? '-'}`).join(', ');
      const recT0 = Date.now();
      const recQuery = db.prepare('SELECT state, count(*) AS c FROM recordings r JOIN calls c ON c.id = r.call_id WHERE c.started_at >= ? GROUP BY state');
      const recStates = (): Record<string, number> => Object.fromEntries((recQuery.all(since) as Array<{ state: string; c: number }>).map((r) => [r.state, r.c]));
      const pending = (): number => { const s = recStates(); return (s.recording ?? 0) + (s.converting ?? 0); };
      await waitFor(() => Promise.resolve(pending()), (v) => v === 0, (30 + n * 2) * 1000);
      const recordingsS = (Date.now() - recT0) / 1000;
      const recordings = Object.entries(recStates()).map(([s, c]) => `${c} ${s}`).join(', ') || 'none';
      if (daemon.child.exitCode !== null) problems.push(`daemon exited with ${daemon.child.exitCode}`);
      const downs = (db.prepare('SELECT count(*) AS c FROM events WHERE type = \'gateway.down\' AND at >= ?').get(since) as { c: number }).c;
      if (downs > 0) problems.push(`gateway.down ${downs}×`);
      return {
        n, registered: reg.ok, ok: gwStats.ok, failed: gwStats.failed, why: gwStats.why, upAtStart: s0.size, upAtEnd: s1.size,
        window: m.seconds, daemonCpu: m.cpu.get(daemonPid) ?? NaN, rtpCpu: m.cpu.get(daemon.rtpenginePid) ?? NaN, machineBusy: m.machineBusy,
        daemonRss: m.rss.get(daemonPid) ?? NaN, daemonRssIdle, rtpRss: m.rss.get(daemon.rtpenginePid) ?? NaN,
        rtp: rtpFigures(s0, s1), relayed: relay1.packets - relay0.packets, relayErrors: relay1.errors - relay0.errors,
        setupMs, answerMs, leaked, cdrOpen, dispositions, recordings, recordingsS, problems,
      };
    } finally {
      db.close();
    }
  } finally {
    ng.close();
    await stopDaemon(daemon);
  }
}

/** First 200 to each INVITE at the gateway, keyed by the line (the To user). */
function answerTimes(file: string): Map<string, number> {
  const times = new Map<string, number>();
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const re = /^-+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\nUDP message received.*\n\s*\nSIP\/2\.0 200 [^\n]*\n(?:[^\n]+\n)*?To: <sip:([^@]+)@[^\n]*\n(?:[^\n]+\n)*?CSeq: 1 INVITE/gm;
  for (const m of text.matchAll(re)) {
    if (times.has(m[2] as string)) continue;
    const [date, time] = (m[1] as string).split(' ');
    times.set(m[2] as string, Date.parse(`${date}T${(time as string).slice(0, 12)}Z`) + Number((time as string).slice(12)) / 1000);
  }
  return times;
}

/** Polls `get` until `done` holds or `ms` pass; returns the last value. */
async function waitFor<T>(get: () => Promise<T>, done: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await get();
  while (!done(v) && Date.now() < deadline) {
    await sleep(250);
    v = await get();
  }
  return v;
}

// ------------------------------------------------------------------------------------------------
// Report.

function report(steps: Step[], box: Box, wallS: number): string {
  const row = (c: Array<string | number>): string => `| ${c.join(' | ')} |\n`;
  let out = `\nConcurrent bridged calls with recording (SIPp gateway → daemon + rtpengine → SIPp phones, PCMU 20 ms, loopback); ` +
    `held ${HOLD_S} s together, set up at ${RATE} calls/s\n\n`;
  out += row(['N', 'calls ok/failed', 'up in rtpengine (window start/end)', 'daemon CPU %', 'rtpengine CPU %', 'machine busy %',
    'daemon RSS MiB (idle → peak)', 'rtpengine RSS MiB', 'RTP gw→box vs 50/s %', 'RTP lost box→phone→box', 'relay errors',
    'setup p50 / p99 ms', 'answer p50 / p99 ms', 'leaked rtpengine calls', 'recordings (time to convert)']);
  out += row(Array.from({ length: 15 }, () => '---'));
  for (const s of steps) {
    const r = s.rtp;
    out += row([
      s.n, `${s.ok}/${s.failed}${s.why ? ` (${s.why})` : ''}`, `${s.upAtStart}/${s.upAtEnd}`,
      s.daemonCpu.toFixed(1), s.rtpCpu.toFixed(1), s.machineBusy.toFixed(0),
      `${s.daemonRssIdle.toFixed(0)} → ${s.daemonRss.toFixed(0)}`, s.rtpRss.toFixed(0),
      r.gwExpected > 0 ? ((r.gwIn / r.gwExpected) * 100).toFixed(1) : '-',
      `${r.roundTripLost} of ${r.roundTripIn} (${r.lossyCalls} calls)`, s.relayErrors + r.errors,
      `${percentile(s.setupMs, 50).toFixed(1)} / ${percentile(s.setupMs, 99).toFixed(1)}`,
      `${percentile(s.answerMs, 50).toFixed(1)} / ${percentile(s.answerMs, 99).toFixed(1)}`,
      s.leaked, `${s.recordings} (${s.recordingsS.toFixed(0)} s)`,
    ]);
  }
  out += '\nCPU: % of one core over the steady window (2 cores here: 200% = all of it). Machine busy: every process on all cores ' +
    '(SIPp, this script, other people\'s work). RTP gw→box: packets rtpengine received from the gateway against 50/s per call over the ' +
    'window (±1 packet per call at each end; below 100 also when SIPp itself sends late). Lost box→phone→box: per call at the window\'s ' +
    'end, packets in from the gateway minus packets echoed back by the phone, less 1 in flight, summed over calls (whole call so far). ' +
    'Relay errors: rtpengine\'s relayedpacketerrors over the window plus per-stream errors. Setup: gateway INVITE sent → phone INVITE ' +
    'received; answer: gateway INVITE sent → 200 received (µs timestamps in the two SIPp message logs, first transmission of each).\n';
  for (const s of steps) {
    out += `N=${s.n}: window ${s.window.toFixed(1)} s; rtpengine relayed ${s.relayed} packets (${(s.relayed / s.window).toFixed(0)}/s); ` +
      `${s.setupMs.length} setups timed; registered ${s.registered}/${s.n}; CDR: ${s.dispositions}${s.cdrOpen ? `, ${s.cdrOpen} never ended` : ''}` +
      `${s.problems.length ? `; PROBLEMS: ${s.problems.join('; ')}` : ''}\n`;
  }
  for (const note of box.notes) out += `Note: ${note}\n`;
  for (const s of steps.filter((x) => x.n >= 100)) {
    const both = (s.daemonCpu + s.rtpCpu) / 2;
    const clean = s.ok === s.n && s.failed === 0 && s.rtp.roundTripLost === 0 && s.relayErrors + s.rtp.errors === 0;
    out += `Goal (≥ 100 calls on 2 cores, 0 loss, < 50% CPU) at N=${s.n}: ${s.ok}/${s.n} calls ok, ` +
      `${clean ? 'no packet lost in the box' : 'NOT clean (see above)'}, daemon + rtpengine ${both.toFixed(1)}% of the 2 cores\n`;
  }
  out += `Run wall time ${(wallS / 60).toFixed(1)} min\n`;
  return out;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  for (const bin of ['sipp', 'sox', '/usr/bin/rtpengine']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) throw new Error(`${bin} is not installed (make test-deps / make deps)`);
  }
  await ensureBuilt();
  const maxN = Math.max(...NS);
  const box = await makeBox(maxN);
  process.stdout.write(`Box in ${box.dir}: SIP 127.0.0.1:${box.sipPort}, gateway (SIPp) :${box.gwPort}, phones (SIPp) :${box.phonePort}; ` +
    `N = ${NS.join(', ')}; hold ${HOLD_S} s; ${RATE} calls/s\n`);
  const steps: Step[] = [];
  for (const n of NS) {
    process.stdout.write(`N=${n} …\n`);
    const step = await runStep(box, n);
    steps.push(step);
    process.stdout.write(`N=${n}: ${step.ok}/${n} ok, daemon ${step.daemonCpu.toFixed(0)}% rtpengine ${step.rtpCpu.toFixed(0)}%, leaked ${step.leaked}` +
      `${step.problems.length ? `, ${step.problems.join('; ')}` : ''}\n`);
  }
  process.stdout.write(report(steps, box, (performance.now() - t0) / 1000));
  if (KEEP || steps.some((s) => s.problems.length > 0 || s.failed > 0 || s.leaked > 0)) process.stdout.write(`Daemon logs and SIPp traces kept in ${box.dir}\n`);
  else rmSync(box.dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
