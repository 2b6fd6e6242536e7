/**
 * N concurrent bridged calls with recording through the built daemon (`node dist/daemon/cli/main.js
 * daemon`), SIPp playing the FXO gateway and the phones, real RTP through the daemon's rtpengine:
 *
 *   SIPp gateway (UAC, µ-law tone via rtp_stream) → INVITE sip:lineK@box → daemon → INVITE to
 *   extension 2000+K → SIPp phones (one UAS for every extension, -rtp_echo sends the audio back) →
 *   200, bridged, recorded from the answer (`lines record K answer`); the gateway hangs up after the hold.
 *
 * A gateway names at most 99 lines (LINE_N in drivers/gateway/profiles.ts), so call K > 99 is an
 * internal call instead: extension 3000+K (a SIPp UAC with digest credentials) calls 2000+K, whose
 * calls are recorded from the answer (`extensions record`). Same two legs, bridge and recording.
 *
 *   npx tsx bench/calls-load.ts [--n 8,25,50,100,150] [--hold 20] [--rate 10] [--keep]
 *
 * One box (config, database) for every N; a fresh daemon for each N, so RSS and CPU start clean.
 * Figures per N over the steady window (every call up): CPU (% of one core) and peak RSS of the
 * daemon and of rtpengine, RTP from rtpengine's packet counters, setup latency (caller's INVITE sent
 * → phone's INVITE received, from the SIPp message logs' µs timestamps), leaked rtpengine calls
 * after the run and how long the recordings took to convert. Loopback only; every SIPp run and wait
 * is bounded; figures only, it never fails on time.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { NgClient } from '../drivers/rtpengine/ng-client.js';
import type { NgReply } from '../drivers/rtpengine/ng-types.js';
import { setExtensionRecord } from '../daemon/calls/extension-settings.js';
import { portFree } from '../daemon/cli/doctor/ports.js';
import { normalizeNumber } from '../daemon/lines/phone-number.js';
import { routeLine, setLineRecord } from '../daemon/lines/routing.js';
import { Store } from '../daemon/store/store.js';
import { freePort, freePorts } from '../test/helpers/ports.js';
import { arg, flag } from './harness/bench-args.js';
import { boxPorts, octoline, writeBoxConfig, type BoxPorts } from './harness/box.js';
import { startDaemon } from './harness/daemon.js';
import { percentile, tableRow } from './harness/figures.js';
import { SCENARIOS } from './harness/paths.js';
import { prepareDaemonBench } from './harness/prerequisites.js';
import { rssMiB, Sampler, type Usage } from './harness/proc-usage.js';
import { stopProc } from './harness/processes.js';
import { runBench } from './harness/run-bench.js';
import { startSipp, type SippRun } from './harness/sipp.js';

const NS = arg('n', '8,25,50,100,150').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const HOLD_S = Number(arg('hold', '20'));
const RATE = Number(arg('rate', '10'));
/** Keep the box directory (daemon logs, SIPp traces) even when nothing went wrong. */
const KEEP = flag('keep');
/** `octoline setup --line` takes 1-32 (MAX_LINES in daemon/cli/setup/answers.ts); more are written to SQLite. */
const CLI_MAX_LINES = 32;
/** The gateway profiles read line1 … line99 from the Request-URI (LINE_N in drivers/gateway/profiles.ts). */
const GATEWAY_MAX_LINES = 99;
const run = promisify(execFile);

/** Call K rings extension 2000+K; K > 99 is placed by extension 3000+K. */
const ext = (k: number): string => String(2000 + k);
const callerExt = (k: number): string => String(3000 + k);
const password = (e: string): string => `bench-pass-${e}`;
const lineNumber = (k: number): string => `02155${String(k).padStart(5, '0')}`;

interface Box extends BoxPorts {
  dir: string;
  configPath: string;
  dataDir: string;
  phonePort: number;
  rtpMin: number;
  rtpMax: number;
  tone: string;
}

// ------------------------------------------------------------------------------------------------
// The box: config, `octoline setup`, a line (or a caller) and an extension per call, recorded.

/** `span` consecutive UDP ports free on 127.0.0.1, above the range the test helpers draw from (20000-40000). */
async function freeUdpRange(span: number): Promise<number> {
  for (let base = 50000 + (process.pid % 50) * 100; base + span < 60000; base += span) {
    let ok = true;
    for (let p = base; p < base + span && ok; p++) ok = await portFree('udp', '127.0.0.1', p);
    if (ok) return base;
  }
  throw new Error(`no ${span} consecutive free UDP ports in 50000-60000`);
}

/** What the box setup had to do beyond the CLI for `maxN` calls (printed under the table). */
function setupNotes(maxN: number): string[] {
  const notes: string[] = [];
  const lines = Math.min(maxN, GATEWAY_MAX_LINES);
  if (lines > CLI_MAX_LINES) {
    notes.push(`lines ${CLI_MAX_LINES + 1}-${lines} were written straight into SQLite (store.lines.upsert): \`octoline setup --line\` takes 1-${CLI_MAX_LINES}`);
  }
  if (maxN > GATEWAY_MAX_LINES) {
    notes.push(`calls ${GATEWAY_MAX_LINES + 1}+ are internal (extension 3000+K → 2000+K, recorded, one SIPp each): a gateway names lines 1-${GATEWAY_MAX_LINES} only (LINE_N, drivers/gateway/profiles.ts)`);
  }
  return notes;
}

/** A fresh box for N calls in `dir`: leftovers of a previous N (recordings still queued) cannot reach this one. */
async function makeBox(maxN: number, dir: string): Promise<Box> {
  mkdirSync(dir, { recursive: true });
  const ports = await boxPorts();
  const phonePort = await freePort();
  // rtpengine takes 2 ports (RTP + RTCP) per leg, 2 legs per call; twice that for ports still
  // cooling down from the previous N and for ports another program holds.
  const span = Math.max(200, maxN * 8);
  const rtpMin = await freeUdpRange(span);
  const box: Box = {
    dir, configPath: join(dir, 'octoline.conf'), dataDir: join(dir, 'data'),
    ...ports, phonePort, rtpMin, rtpMax: rtpMin + span - 1, tone: join(dir, 'gw-1k.wav'),
  };
  writeBoxConfig(box.configPath, ports, box.rtpMin, box.rtpMax);
  const lines = Math.min(maxN, GATEWAY_MAX_LINES);
  const setup = ['setup', '--config', box.configPath, '--yes', '--gateway', `127.0.0.1:${ports.gwPort}`];
  for (let k = 1; k <= Math.min(lines, CLI_MAX_LINES); k++) setup.push('--line', `${k}=${lineNumber(k)}`);
  for (let k = 1; k <= maxN; k++) setup.push('--extension', `${ext(k)}:${password(ext(k))}`);
  for (let k = GATEWAY_MAX_LINES + 1; k <= maxN; k++) setup.push('--extension', `${callerExt(k)}:${password(callerExt(k))}`);
  await octoline(setup);
  // Line 1 through the CLI as a person would; every other line through the same functions the
  // `lines route` / `lines record` / `extensions record` commands call (one CLI run costs ~1 s of CPU).
  await octoline(['lines', 'route', '1', ext(1), '--config', box.configPath]);
  await octoline(['lines', 'record', '1', 'answer', '--config', box.configPath]);
  const store = Store.open(box.dataDir);
  try {
    const gatewayId = store.gateways.list()[0]?.id ?? null;
    for (let k = CLI_MAX_LINES + 1; k <= lines; k++) {
      store.lines.upsert({ id: k, number: lineNumber(k), numberNorm: normalizeNumber(lineNumber(k)), gatewayId, portUser: `line${k}` });
    }
    for (let k = 2; k <= lines; k++) {
      routeLine(store, k, ext(k));
      setLineRecord(store, k, 'answer');
    }
    for (let k = GATEWAY_MAX_LINES + 1; k <= maxN; k++) setExtensionRecord(store, ext(k), 'answer');
  } finally {
    store.close();
  }
  await run('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', box.tone, 'synth', String(HOLD_S + 120), 'sine', '1000', 'vol', '0.5']);
  return box;
}

// ------------------------------------------------------------------------------------------------
// Processes: SIPp and its output.

/** A bounded SIPp (startSipp) with a 4 MiB socket buffer and its messages logged (messages.log: setup latency). */
function sipp(dir: string, args: string[], timeoutS: number): SippRun {
  return startSipp(dir, [...args, '-buff_size', '4194304', '-trace_msg', '-message_file', join(dir, 'messages.log')], timeoutS);
}

interface Counters { ok: number; failed: number; why: string }

function sippCounters(dir: string): Counters {
  const lines = (existsSync(join(dir, 'stats.csv')) ? readFileSync(join(dir, 'stats.csv'), 'utf8') : '').trim().split('\n');
  const head = (lines[0] ?? '').split(';');
  const last = (lines.at(-1) ?? '').split(';');
  const get = (n: string): number => Number(last[head.indexOf(n)] ?? NaN);
  const why = head.filter((n) => /^Failed\w+\(C\)$/.test(n) && n !== 'FailedCall(C)' && get(n) > 0).map((n) => `${n.slice(6, -3)} ${get(n)}`).join(', ');
  return { ok: get('SuccessfulCall(C)') || 0, failed: get('FailedCall(C)') || 0, why };
}

/** A media port for SIPp: it binds the port and the port + 2 (a second stream), so take a free block of 4. */
async function mediaPort(): Promise<number> {
  return (await freePorts(1, 4))[0] as number;
}

async function waitUdpBound(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && (await portFree('udp', '127.0.0.1', port))) await sleep(50);
}

/** Polls `get` until `done` holds or `ms` pass; returns the last value. */
async function waitFor<T>(get: () => T | Promise<T>, done: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await get();
  while (!done(v) && Date.now() < deadline) {
    await sleep(250);
    v = await get();
  }
  return v;
}

// ------------------------------------------------------------------------------------------------
// RTP: rtpengine's packet counters.

/**
 * One call's ingress packet counters in rtpengine, read in one `query` (so both legs at the same
 * instant): from the caller (leg a) and from the phone (the other leg, which echoes what it got).
 */
interface CallPackets { callerIn: number; phoneIn: number; errors: number; at: number }

interface StreamStats { packets: number; errors: number }
interface NgTag { tag?: string; medias?: Array<{ streams?: Array<{ stats?: StreamStats }> }> }

/** RTP stream of a tag (streams[1] is its RTCP; SIPp sends none). rtpengine 10.5 counts ingress only. */
function rtpStats(tag: NgTag | undefined): StreamStats {
  const st = tag?.medias?.[0]?.streams?.[0]?.stats;
  return { packets: st?.packets ?? 0, errors: st?.errors ?? 0 };
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function rtpengineCalls(ng: NgClient): Promise<string[]> {
  return ((await ng.command('list', { limit: 10_000 })).calls as string[] | undefined) ?? [];
}

/** Counters of every call in rtpengine; the first reply is kept in `sample` (to read what rtpengine reports). */
async function snapshot(ng: NgClient, sample?: string): Promise<Map<string, CallPackets>> {
  const out = new Map<string, CallPackets>();
  // A few at a time: 50 query replies (~4 KB each) at once overflow this client's UDP receive buffer.
  await inBatches(await rtpengineCalls(ng), 8, async (id) => {
    const q: NgReply | undefined = await ng.command('query', { 'call-id': id }).catch((err: unknown) => {
      process.stdout.write(`  query ${id} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      return undefined;
    });
    if (!q) return;
    const at = performance.now();
    if (sample !== undefined && !existsSync(sample)) writeFileSync(sample, JSON.stringify(q, null, 2));
    const tags = Object.values((q.tags ?? {}) as Record<string, NgTag>);
    const a = rtpStats(tags.find((t) => t.tag === 'a'));
    const b = rtpStats(tags.find((t) => t.tag !== 'a'));
    out.set(id, { callerIn: a.packets, phoneIn: b.packets, errors: a.errors + b.errors, at });
  });
  return out;
}

/**
 * RTP over the window. Ingress from the callers against the 50 packets/s they should send in the
 * time between a call's two queries (±1 packet per call at each end; below 100% also when SIPp
 * itself sends late). Echo short: of the packets rtpengine sent to the phones over the window
 * (= what it got from the callers), how many did not come back: lost, or still in flight at the
 * window's end beyond those in flight at its start (an echo delayed by a busy CPU counts here).
 */
interface Rtp { calls: number; callerIn: number; callerExpected: number; phoneIn: number; echoShort: number; errors: number }

function rtpFigures(s0: Map<string, CallPackets>, s1: Map<string, CallPackets>): Rtp {
  const r: Rtp = { calls: 0, callerIn: 0, callerExpected: 0, phoneIn: 0, echoShort: 0, errors: 0 };
  for (const [id, c1] of s1) {
    const c0 = s0.get(id);
    if (!c0) continue;
    r.calls++;
    r.callerIn += c1.callerIn - c0.callerIn;
    r.phoneIn += c1.phoneIn - c0.phoneIn;
    r.echoShort += Math.max(0, (c1.callerIn - c0.callerIn) - (c1.phoneIn - c0.phoneIn));
    r.errors += c1.errors - c0.errors;
    r.callerExpected += (50 * (c1.at - c0.at)) / 1000; // PCMU, 20 ms packets
  }
  return r;
}

/**
 * Datagrams the kernel dropped at receiving sockets (full receive buffer), per local UDP port, from
 * /proc/net/udp: on loopback the one place a packet is lost. Summed over rtpengine's media ports
 * and over the phones' echo socket.
 */
function udpDrops(ports: (port: number) => boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const port = parseInt((f[1] ?? '').split(':')[1] ?? '', 16);
    if (!Number.isFinite(port) || !ports(port)) continue;
    out.set(`${port}/${f[9] ?? ''}`, Number(f.at(-1))); // keyed by port and inode: a socket, not a port reused
  }
  return out;
}

function dropsBetween(d0: Map<string, number>, d1: Map<string, number>): number {
  let n = 0;
  for (const [k, v] of d1) n += v - (d0.get(k) ?? 0);
  return n;
}

/** rtpengine's own totals (this instance serves the bench alone): packets relayed and relay errors. */
async function relayTotals(ng: NgClient): Promise<{ packets: number; errors: number }> {
  const st = (await ng.command('statistics')).statistics as { totalstatistics?: Record<string, number | string> } | undefined;
  const t = st?.totalstatistics ?? {};
  return { packets: Number(t.relayedpackets ?? NaN), errors: Number(t.relayedpacketerrors ?? NaN) };
}

// ------------------------------------------------------------------------------------------------
// Setup latency: the SIPp message logs (`-trace_msg`), each message under a µs timestamp line.

interface Logged { t: number; sent: boolean; text: string }

function messageLog(file: string): Logged[] {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const parts = text.split(/^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\n/m);
  const out: Logged[] = [];
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const [date, time] = (parts[i] as string).split(' ') as [string, string];
    const body = parts[i + 1] as string;
    const t = Date.parse(`${date}T${time.slice(0, 12)}Z`) + Number(time.slice(12)) / 1000;
    out.push({ t, sent: body.startsWith('UDP message sent'), text: body.slice(body.indexOf('\n\n') + 2) });
  }
  return out;
}

const header = (text: string, name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(text)?.[1] ?? '';
const uriUser = (value: string): string => /sip:([^@;>\s]+)@/.exec(value)?.[1] ?? '';

/** First time, per Request-URI user, an INVITE with CSeq `cseq` was sent (`sent`) or received. */
function inviteTimes(log: Logged[], sent: boolean, cseq?: number): Map<string, number> {
  const times = new Map<string, number>();
  for (const m of log) {
    if (m.sent !== sent || !m.text.startsWith('INVITE ')) continue;
    if (cseq !== undefined && header(m.text, 'CSeq') !== `${cseq} INVITE`) continue;
    const user = uriUser(m.text.split('\n')[0] ?? '');
    if (!times.has(user)) times.set(user, m.t);
  }
  return times;
}

/** First 200 to an INVITE received, per To user. */
function answerTimes(log: Logged[]): Map<string, number> {
  const times = new Map<string, number>();
  for (const m of log) {
    if (m.sent || !m.text.startsWith('SIP/2.0 200') || !header(m.text, 'CSeq').endsWith('INVITE')) continue;
    const user = uriUser(header(m.text, 'To'));
    if (!times.has(user)) times.set(user, m.t);
  }
  return times;
}

interface Latency { setupMs: number[]; answerMs: number[] }

/** Caller's INVITE (keyed by the extension it rings) → phone's INVITE, and → the caller's 200. */
function latencies(callerLog: Logged[], sentInvites: Map<string, number>, phonesReceived: Map<string, number>, keyToExt: (user: string) => string): Latency {
  const answered = answerTimes(callerLog);
  const r: Latency = { setupMs: [], answerMs: [] };
  for (const [user, t0] of sentInvites) {
    const rang = phonesReceived.get(keyToExt(user));
    if (rang !== undefined) r.setupMs.push(rang - t0);
    const ok = answered.get(user);
    if (ok !== undefined) r.answerMs.push(ok - t0);
  }
  return r;
}

// ------------------------------------------------------------------------------------------------
// One step: N calls.

interface Step {
  n: number;
  registered: number;
  calls: Counters;
  upAtStart: number;
  upAtEnd: number;
  usage: Usage;
  daemonCpu: number;
  rtpCpu: number;
  daemonRssIdle: number;
  daemonRss: number;
  rtpRss: number;
  rtp: Rtp;
  relayed: number;
  relayErrors: number;
  /** UDP datagrams dropped by the kernel over the window at rtpengine's sockets and at the phones' echo socket. */
  drops: { rtp: number; phones: number };
  gateway: Latency;
  internal: Latency;
  leaked: number;
  cdrOpen: number;
  dispositions: string;
  recordings: string;
  conversion: Conversion;
  problems: string[];
}

async function register(box: Box, n: number, dir: string): Promise<Counters> {
  mkdirSync(dir, { recursive: true });
  const inf = join(dir, 'phones.csv');
  // SIPp 3.6.1 does not expand [field0] inside [authentication …] in a scenario; it does expand a
  // whole [authentication …] keyword read from an injection field.
  const rows = Array.from({ length: n }, (_, i) => ext(i + 1)).map((e) => `${e};[authentication username=${e} password=${password(e)}]`);
  writeFileSync(inf, `SEQUENTIAL\n${rows.join('\n')}\n`);
  // 50 registrations/s: every SIPp shares 127.0.0.1, and the SIP rate limiter allows one source
  // 200 messages/s (burst 400); a real box sees each phone from its own address.
  const reg = sipp(dir, [`127.0.0.1:${box.sipPort}`, '-sf', join(SCENARIOS, 'bench-register.xml'), '-inf', inf,
    '-p', String(box.phonePort), '-ci', '127.0.0.1', '-cp', String(await freePort()),
    '-m', String(n), '-r', '50', '-l', String(n), '-default_behaviors', 'all,-bye'], 30);
  await reg.exited;
  return sippCounters(dir);
}

/** A scenario of test/peers/sipp with the tone's path and the hold time written in. */
function scenarioCopy(box: Box, dir: string, name: string, holdMs: number): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, readFileSync(join(SCENARIOS, name), 'utf8').replaceAll('[tone]', box.tone).replaceAll('[hold_ms]', String(holdMs)));
  return file;
}

interface Callers { gateway: SippRun; internal: SippRun[]; started: number; holdMs: number }

/**
 * Places the N calls at RATE per second: calls 1-99 from the gateway on lines 1-99, then the rest
 * as internal calls. Every call is held for the whole ramp plus HOLD_S from the first call's
 * start, so all N overlap for about HOLD_S seconds.
 */
async function placeCalls(box: Box, n: number, dir: string): Promise<Callers> {
  const onLines = Math.min(n, GATEWAY_MAX_LINES);
  const holdMs = Math.round((n / RATE + HOLD_S) * 1000);
  const bound = Math.ceil(n / RATE + HOLD_S + 60);
  const gwDir = join(dir, 'gateway');
  const gwScenario = scenarioCopy(box, gwDir, 'bench-gateway-call.xml', holdMs);
  const gwInf = join(gwDir, 'lines.csv');
  writeFileSync(gwInf, `SEQUENTIAL\n${Array.from({ length: onLines }, (_, i) => `line${i + 1};0139${String(i + 1).padStart(7, '0')}`).join('\n')}\n`);
  const gateway = sipp(gwDir, [`127.0.0.1:${box.sipPort}`, '-sf', gwScenario, '-inf', gwInf, '-p', String(box.gwPort),
    '-mp', String(await mediaPort()), '-aa', '-ci', '127.0.0.1', '-cp', String(await freePort()),
    '-m', String(onLines), '-r', String(RATE), '-l', String(onLines)], bound);
  const started = Date.now();
  const internal: SippRun[] = [];
  for (let k = onLines + 1; k <= n; k++) {
    await sleep(Math.max(0, started + ((k - 1) / RATE) * 1000 - Date.now()));
    internal.push(await internalCall(box, k, join(dir, 'internal', String(k)), started + holdMs - Date.now(), bound));
  }
  return { gateway, internal, started, holdMs };
}

/**
 * One internal call in its own SIPp: SIPp 3.6.1 computes the digest uri from `-auth_uri` (one per
 * process) or the remote address, and the box wants it equal to the Request-URI, which names the callee.
 */
async function internalCall(box: Box, k: number, dir: string, holdMs: number, bound: number): Promise<SippRun> {
  const scenario = scenarioCopy(box, dir, 'bench-phone-call.xml', Math.max(1000, Math.round(holdMs)));
  const inf = join(dir, 'call.csv');
  writeFileSync(inf, `SEQUENTIAL\n${ext(k)};${callerExt(k)};[authentication username=${callerExt(k)} password=${password(callerExt(k))}]\n`);
  return sipp(dir, [`127.0.0.1:${box.sipPort}`, '-sf', scenario, '-inf', inf, '-auth_uri', `${ext(k)}@127.0.0.1:${box.sipPort}`,
    '-p', String(await freePort()), '-mp', String(await mediaPort()), '-aa', '-ci', '127.0.0.1', '-cp', String(await freePort()), '-m', '1'], bound);
}

async function runStep(box: Box, n: number): Promise<Step> {
  const dir = join(box.dir, 'run');
  mkdirSync(dir, { recursive: true });
  const problems: string[] = [];
  const daemon = await startDaemon(box.configPath, box.httpPort, join(dir, 'daemon.log'));
  const ng = new NgClient({ host: '127.0.0.1', port: box.ngPort, timeoutMs: 5000 });
  const daemonRssIdle = rssMiB(daemon.pid);
  try {
    const reg = await register(box, n, join(dir, 'register'));
    if (reg.failed > 0 || reg.ok < n) problems.push(`registration: ${reg.ok}/${n} ok${reg.why ? ` (${reg.why})` : ''}`);
    const phonesDir = join(dir, 'phones');
    const phonesMedia = await mediaPort();
    const phones = sipp(phonesDir, ['-sf', join(SCENARIOS, 'bench-phone-answer.xml'), '-p', String(box.phonePort), '-mp', String(phonesMedia),
      '-rtp_echo', '-aa', '-ci', '127.0.0.1', '-cp', String(await freePort()), '-m', String(n)], Math.ceil(n / RATE + HOLD_S + 60));
    await waitUdpBound(box.phonePort, 5000);

    const callers = await placeCalls(box, n, dir);
    // Steady window: from 3 s after the last call was placed to 2 s before the first BYE.
    await sleep(Math.max(0, callers.started + (n / RATE + 3) * 1000 - Date.now()));
    const sampler = new Sampler([daemon.pid, daemon.rtpenginePid]);
    const inRtpRange = (p: number): boolean => p >= box.rtpMin && p <= box.rtpMax;
    const isPhoneMedia = (p: number): boolean => p === phonesMedia || p === phonesMedia + 2;
    const drops0 = { rtp: udpDrops(inRtpRange), phones: udpDrops(isPhoneMedia) };
    const relay0 = await relayTotals(ng);
    const s0 = await snapshot(ng, join(dir, 'rtpengine-query.json'));
    await sleep(Math.max(1000, callers.started + callers.holdMs - 2000 - Date.now()));
    const s1 = await snapshot(ng);
    const relay1 = await relayTotals(ng);
    const drops = { rtp: dropsBetween(drops0.rtp, udpDrops(inRtpRange)), phones: dropsBetween(drops0.phones, udpDrops(isPhoneMedia)) };
    const usage = sampler.stop();

    const codes = await Promise.all([callers.gateway.exited, ...callers.internal.map((c) => c.exited)]);
    const callersDone = Date.now();
    // The phones' UAS ends by itself after n calls; when some never reached it, stop it.
    const stopPhones = setTimeout(() => phones.child.kill('SIGUSR1'), 5000);
    await phones.exited;
    clearTimeout(stopPhones);
    const bad = codes.filter((c) => c !== 0);
    if (bad.length > 0) problems.push(`${bad.length} caller SIPp exited non-zero (${[...new Set(bad)].join(', ')})`);
    const counters = [callers.gateway, ...callers.internal].map((c) => sippCounters(c.dir));
    const calls = {
      ok: counters.reduce((a, c) => a + c.ok, 0), failed: counters.reduce((a, c) => a + c.failed, 0),
      why: [...new Set(counters.map((c) => c.why).filter(Boolean))].join(', '),
    };

    const phonesLog = inviteTimes(messageLog(join(phonesDir, 'messages.log')), false);
    const gwLog = messageLog(join(callers.gateway.dir, 'messages.log'));
    const gateway = latencies(gwLog, inviteTimes(gwLog, true), phonesLog, (user) => ext(Number(user.replace('line', ''))));
    const inLog = callers.internal.flatMap((c) => messageLog(join(c.dir, 'messages.log')));
    // The internal call's setup starts at its INVITE with credentials (CSeq 2), after the 407.
    const internal = latencies(inLog, inviteTimes(inLog, true, 2), phonesLog, (user) => user);

    const after = await afterRun(box, ng, callers.started, callersDone, n);
    if (daemon.child.exitCode !== null) problems.push(`daemon exited with ${daemon.child.exitCode}`);
    return {
      n, registered: reg.ok, calls, upAtStart: s0.size, upAtEnd: s1.size, usage,
      daemonCpu: usage.cpu.get(daemon.pid) ?? NaN, rtpCpu: usage.cpu.get(daemon.rtpenginePid) ?? NaN,
      daemonRssIdle, daemonRss: usage.rss.get(daemon.pid) ?? NaN, rtpRss: usage.rss.get(daemon.rtpenginePid) ?? NaN,
      rtp: rtpFigures(s0, s1), relayed: relay1.packets - relay0.packets, relayErrors: relay1.errors - relay0.errors, drops,
      gateway, internal, ...after, problems: [...problems, ...after.problems],
    };
  } finally {
    ng.close();
    await stopProc(daemon, 15_000);
  }
}

/** Recordings converted after the calls: audio seconds, and from the first hang-up to the last file ready. */
interface Conversion { audioS: number; spanS: number; count: number }

interface After { leaked: number; cdrOpen: number; dispositions: string; recordings: string; conversion: Conversion; problems: string[] }

/** After the last BYE: rtpengine must hold no call, every CDR must be closed, and the recordings get converted. */
async function afterRun(box: Box, ng: NgClient, started: number, callersDone: number, n: number): Promise<After> {
  const problems: string[] = [];
  const leaked = (await waitFor(() => rtpengineCalls(ng), (ids) => ids.length === 0, 10_000)).length;
  const db = new BetterSqlite3(join(box.dataDir, 'octoline.db'), { readonly: true, fileMustExist: true });
  try {
    const since = started - 1000;
    const count = (sql: string, ...params: number[]): number => (db.prepare(sql).get(...params) as { c: number }).c;
    const cdrOpen = await waitFor(() => count('SELECT count(*) AS c FROM calls WHERE started_at >= ? AND ended_at IS NULL', since), (v) => v === 0, 10_000);
    const dispositions = (db.prepare('SELECT coalesce(disposition, \'-\') AS d, coalesce(cause, \'-\') AS cause, count(*) AS c FROM calls WHERE started_at >= ? GROUP BY 1, 2')
      .all(since) as Array<{ d: string; cause: string; c: number }>).map((r) => `${r.c} ${r.d}/${r.cause}`).join(', ');
    // The gateway's OPTIONS pings go unanswered once its SIPp has gone: only downs before that count.
    const downs = count('SELECT count(*) AS c FROM events WHERE type = \'gateway.down\' AND at BETWEEN ? AND ?', since, callersDone);
    if (downs > 0) problems.push(`gateway.down ${downs}× while calls were up`);
    const states = (): Record<string, number> => Object.fromEntries((db.prepare('SELECT r.state, count(*) AS c FROM recordings r JOIN calls c ON c.id = r.call_id WHERE c.started_at >= ? GROUP BY r.state')
      .all(since) as Array<{ state: string; c: number }>).map((r) => [r.state, r.c]));
    // Conversions run one at a time (0.7-1.7 s each here): bounded by 30 s + 2 s per call.
    const left = await waitFor(states, (s) => (s.recording ?? 0) + (s.converting ?? 0) === 0, (30 + 2 * n) * 1000);
    const recordings = Object.entries(left).map(([s, c]) => `${c} ${s}`).join(', ') || 'none';
    if ((left.done ?? 0) < n) problems.push(`recordings: ${recordings}`);
    const conv = db.prepare(`SELECT count(*) AS count, coalesce(sum(r.duration_ms), 0) / 1000.0 AS audioS,
      coalesce(max(r.finished_at) - min(c.ended_at), 0) / 1000.0 AS spanS FROM recordings r JOIN calls c ON c.id = r.call_id
      WHERE c.started_at >= ? AND r.state = 'done'`).get(since) as Conversion;
    return { leaked, cdrOpen, dispositions, recordings, conversion: conv, problems };
  } finally {
    db.close();
  }
}

// ------------------------------------------------------------------------------------------------
// Report.

const ms = (xs: number[]): string => (xs.length ? `${percentile(xs, 50).toFixed(1)} / ${percentile(xs, 99).toFixed(1)}` : '-');

function report(steps: Step[], notes: string[], wallS: number): string {
  let out = `\nConcurrent bridged calls with recording (SIPp gateway → daemon + rtpengine → SIPp phones, PCMU 20 ms, loopback); ` +
    `all held together ${HOLD_S} s, placed at ${RATE} calls/s\n\n`;
  out += tableRow(['N', 'calls ok/failed', 'up in rtpengine (window start/end)', 'daemon CPU %', 'rtpengine CPU %', 'machine busy %',
    'daemon RSS MiB (idle → peak)', 'rtpengine RSS MiB', 'RTP in from callers, % of 50/s', 'RTP lost: UDP drops rtpengine / phones', 'relay errors', 'echo short',
    'setup p50 / p99 ms', 'answer p50 / p99 ms', 'leaked rtpengine calls', 'recordings converted']);
  out += tableRow(Array.from({ length: 16 }, () => '---'));
  for (const s of steps) {
    const r = s.rtp;
    out += tableRow([
      s.n, `${s.calls.ok}/${s.calls.failed}${s.calls.why ? ` (${s.calls.why})` : ''}`, `${s.upAtStart}/${s.upAtEnd}`,
      s.daemonCpu.toFixed(1), s.rtpCpu.toFixed(1), s.usage.machineBusy.toFixed(0),
      `${s.daemonRssIdle.toFixed(0)} → ${s.daemonRss.toFixed(0)}`, s.rtpRss.toFixed(0),
      r.callerExpected > 0 ? ((r.callerIn / r.callerExpected) * 100).toFixed(1) : '-',
      `${s.drops.rtp} / ${s.drops.phones} of ${r.callerIn + r.phoneIn}`, s.relayErrors + r.errors, `${r.echoShort} of ${r.callerIn}`,
      ms(s.gateway.setupMs), ms(s.gateway.answerMs), s.leaked, `${s.recordings}, last ${s.conversion.spanS.toFixed(0)} s after the first hang-up`,
    ]);
  }
  out += '\nCPU: % of one core over the steady window (2 cores here: 200% = all of it). Machine busy: every process on both cores ' +
    '(SIPp, this script, other people\'s work). RTP in from callers: packets rtpengine received from the gateway/callers against 50/s ' +
    'per call over the window (±1 packet per call at each end; below 100 also when SIPp sends late). RTP lost: datagrams the kernel ' +
    'dropped over the window at rtpengine\'s media sockets / at the phones\' echo socket (/proc/net/udp drops), of the packets rtpengine ' +
    'received. Relay errors: rtpengine\'s relayedpacketerrors plus per-stream errors over the window. Echo short: packets rtpengine ' +
    'forwarded to the phones in the window that had not come back by its end (lost, or delayed by a busy CPU). Setup: gateway INVITE sent → phone INVITE ' +
    'received; answer: gateway INVITE sent → its 200 received (µs timestamps of the SIPp message logs, first transmission of each).\n';
  for (const s of steps) {
    out += `N=${s.n}: window ${s.usage.seconds.toFixed(1)} s, rtpengine relayed ${(s.relayed / s.usage.seconds).toFixed(0)} packets/s, ` +
      `recordings ${s.conversion.count} × ${(s.conversion.audioS / Math.max(1, s.conversion.count)).toFixed(0)} s of audio converted in ` +
      `${(s.conversion.spanS / Math.max(1, s.conversion.count)).toFixed(2)} s each (${(s.conversion.audioS / Math.max(1, s.conversion.spanS)).toFixed(0)}× real time, one at a time); phones registered ${s.registered}/${s.n}; setups timed ${s.gateway.setupMs.length}` +
      `${s.internal.setupMs.length ? ` + ${s.internal.setupMs.length} internal (p50 / p99 ${ms(s.internal.setupMs)} ms)` : ''}; ` +
      `CDR ${s.dispositions}${s.cdrOpen ? `, ${s.cdrOpen} never ended` : ''}${s.problems.length ? `; PROBLEMS: ${s.problems.join('; ')}` : ''}\n`;
  }
  for (const note of notes) out += `Note: ${note}\n`;
  for (const s of steps.filter((x) => x.n >= 100)) {
    const clean = s.calls.ok === s.n && s.calls.failed === 0 && s.drops.rtp + s.drops.phones === 0 && s.relayErrors + s.rtp.errors === 0;
    out += `Goal (≥ 100 calls on 2 cores, 0 loss, < 50% CPU) at N=${s.n}: ${s.calls.ok}/${s.n} calls ok, ` +
      `${clean ? 'no packet lost in the box' : 'NOT clean (see above)'}, daemon + rtpengine ${((s.daemonCpu + s.rtpCpu) / 2).toFixed(1)}% of the 2 cores\n`;
  }
  out += `Run wall time ${(wallS / 60).toFixed(1)} min\n`;
  return out;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const root = await prepareDaemonBench('calls-load');
  process.stdout.write(`N = ${NS.join(', ')}; all calls held together ${HOLD_S} s; placed at ${RATE} calls/s; a fresh box per N under ${root}\n`);
  const steps: Step[] = [];
  for (const n of NS) {
    const box = await makeBox(n, join(root, `n${n}`));
    process.stdout.write(`N=${n}: daemon SIP 127.0.0.1:${box.sipPort}, gateway (SIPp) :${box.gwPort}, phones (SIPp) :${box.phonePort} …\n`);
    const s = await runStep(box, n).catch((err: unknown) => {
      // A box that falls over under load is a result too: say where, and go on with the next N.
      process.stdout.write(`N=${n} FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      return undefined;
    });
    if (!s) continue;
    steps.push(s);
    process.stdout.write(`N=${n}: ${s.calls.ok}/${n} ok, daemon ${s.daemonCpu.toFixed(0)}% rtpengine ${s.rtpCpu.toFixed(0)}%, leaked ${s.leaked}` +
      `${s.problems.length ? `, ${s.problems.join('; ')}` : ''}\n`);
  }
  process.stdout.write(report(steps, setupNotes(Math.max(...NS)), (performance.now() - t0) / 1000));
  if (KEEP || steps.length < NS.length || steps.some((s) => s.problems.length > 0 || s.calls.failed > 0 || s.leaked > 0)) process.stdout.write(`Daemon logs and SIPp traces kept in ${root}\n`);
  else rmSync(root, { recursive: true, force: true });
}

runBench(main);
