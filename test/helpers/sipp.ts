import type { Test } from 'tap';
import { spawn } from 'node:child_process';
import { isAbsolute, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { CodedError } from '../../drivers/coded-error.js';
import { freePort, freePorts } from './ports.js';

/** Scenarios shipped in test/peers/sipp/ (see its README.md). */
export const SIPP_SCENARIO_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../peers/sipp');

export type SippBuiltin = 'uac' | 'uas' | 'regexp' | 'branchc' | 'branchs';
export type SippTransport = 'u1' | 'un' | 't1' | 'tn';

export interface SippOptions {
  /** `-sn NAME` or `-sf FILE` (a bare name is taken from test/peers/sipp/). */
  scenario: { builtin: SippBuiltin } | { file: string };
  /** `host:port` of the peer (loopback only); omitted for a server that only answers. */
  remote?: string;
  /** Local SIP port (`-p`); a free one when omitted. */
  localPort?: number;
  /** Local IP for Via/Contact and for binding: 127.0.0.1 (default) or ::1. */
  localIp?: '127.0.0.1' | '::1';
  transport?: SippTransport;
  /** `-m`: stop after this many calls (default 1). */
  calls?: number;
  /** `-r` calls per `ratePeriodMs` (`-rp`, default 1000 ms). */
  rate?: number;
  ratePeriodMs?: number;
  /** `-l`: at most this many simultaneous calls. */
  limit?: number;
  /** `-s`: Request-URI user (default `service`). */
  service?: string;
  /** `-key NAME VALUE`: scenario keywords `[NAME]`. */
  keys?: Record<string, string | number>;
  /** `-set NAME VALUE`: global variables `[$NAME]`. */
  vars?: Record<string, string | number>;
  /** `-inf FILE`: CSV injection file (relative to test/peers/sipp/ unless absolute). */
  injectionFile?: string;
  /** `-au`/`-ap`: credentials for `[authentication]`. */
  auth?: { user: string; password: string };
  /** `-lost`: percentage of packets to lose. */
  lostPercent?: number;
  /** `-mp`: local media (RTP echo) port; a free block of 4 when omitted. */
  mediaPort?: number;
  /** `-rtp_echo`: echo the RTP received on the media port. */
  rtpEcho?: boolean;
  /** `-d`: length of `<pause/>` without milliseconds (ms). */
  pauseMs?: number;
  /** `-recv_timeout` (ms): per-message receive timeout. */
  recvTimeoutMs?: number;
  /** `-timeout` (s), with `-timeout_error`: SIPp gives up and fails after this (default 30). */
  timeoutS?: number;
  /** `-default_behaviors`, e.g. `all,-bye`. */
  defaultBehaviors?: string;
  /** `-trace_msg` into the run directory (default true; turn off for load runs). */
  traceMessages?: boolean;
  /** Anything else, appended verbatim. */
  extraArgs?: string[];
}

/** Final counters of a run, from the `-trace_stat` CSV (or the screen file as a fallback). */
export interface SippStats {
  source: 'csv' | 'screen';
  created: number;
  incoming: number;
  outgoing: number;
  successful: number;
  failed: number;
  retransmissions: number;
  /** Non-zero `Failed…(C)` counters by name, e.g. `{ FailedUnexpectedMessage: 1 }`. */
  failedBy: Record<string, number>;
}

export interface SippResult extends PeerExit {
  stdout: string;
  stderr: string;
  /** Null when SIPp died before writing any statistics (bad scenario, bad option). */
  stats: SippStats | null;
  /** Contents of the `-trace_err` file ('' if none): why calls failed. */
  errorLog: string;
  /** Run directory with stats.csv, screen.log, errors.log and messages.log. */
  dir: string;
}

export interface SippHandle {
  readonly pid: number;
  /** Local SIP port. */
  readonly port: number;
  readonly mediaPort: number;
  readonly dir: string;
  /** The exit result; rejects only if SIPp outlives its own -timeout (PEER_TIMEOUT). */
  readonly done: Promise<SippResult>;
  /** Soft exit (SIGUSR1: finish running calls), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<SippResult>;
  /** Everything captured from stdout and stderr (the last 256 KiB of each). */
  readonly log: string;
}

/** Run a SIPp to completion (a client, usually); resolves with its exit code and statistics. */
export async function runSipp(t: Test, opts: SippOptions): Promise<SippResult> {
  const handle = await launch(t, opts);
  return handle.done;
}

/**
 * Start a long-running SIPp (a UAS, a registrar): resolves once its SIP socket is bound, so a
 * client may send at once. `done` settles when it exits (after `calls` calls or `stop()`).
 */
export async function startSipp(t: Test, opts: SippOptions): Promise<SippHandle> {
  const handle = await launch(t, opts);
  const proto = (opts.transport ?? 'u1').startsWith('t') ? 'tcp' : 'udp';
  await waitUntil(() => udpOrTcpBoundBy(handle.pid, proto, handle.port), {
    timeoutMs: 5000, what: `SIPp listening on ${proto} port ${handle.port}`, peer: handle.peer,
  });
  return handle;
}

interface LaunchedSipp extends SippHandle {
  readonly peer: PeerProcess;
}

async function launch(t: Test, opts: SippOptions): Promise<LaunchedSipp> {
  if (opts.remote !== undefined) assertLoopback(hostOf(opts.remote), 'SIPp remote');
  const dir = await makePeerDir(t, 'sipp');
  const port = opts.localPort ?? (await freePort());
  const mediaPort = opts.mediaPort ?? ((await freePorts(1, 4))[0] as number);
  const ctrlPort = await freePort();
  const args = sippArgs(opts, { dir, port, mediaPort, ctrlPort });
  const timeoutS = opts.timeoutS ?? 30;
  const peer = spawnPeer(t, 'sipp', args, { cwd: dir, hardLimitMs: (timeoutS + 15) * 1000 });
  const done = peer.exited.then(async (exit) => {
    if (exit.hardLimitHit) {
      throw new PeerError('PEER_TIMEOUT', `SIPp outlived its -timeout ${timeoutS}s and was killed\n${peer.tail()}`);
    }
    return collectResult(peer, exit, dir);
  });
  done.catch(() => undefined); // the caller sees the rejection through `done`; avoid an unhandled one
  return {
    pid: peer.pid, port, mediaPort, dir, done, peer,
    get log() { return peer.output(); },
    async stop(graceMs = 6000) {
      if (!peer.hasExited()) peer.signal('SIGUSR1');
      await peer.waitOrKill(graceMs);
      return done;
    },
  };
}

function sippArgs(o: SippOptions, p: { dir: string; port: number; mediaPort: number; ctrlPort: number }): string[] {
  const ip = o.localIp ?? (o.remote !== undefined && hostOf(o.remote) === '::1' ? '::1' : '127.0.0.1');
  const args: string[] = [];
  if (o.remote !== undefined) args.push(o.remote);
  if ('builtin' in o.scenario) args.push('-sn', o.scenario.builtin);
  else args.push('-sf', scenarioPath(o.scenario.file));
  args.push(
    '-i', ip, '-bind_local', '-p', String(p.port), '-t', o.transport ?? 'u1',
    '-ci', '127.0.0.1', '-cp', String(p.ctrlPort), // the control socket is IPv4-only (errno 97 on ::1)
    '-mi', ip, '-mp', String(p.mediaPort),
    '-nostdin', '-m', String(o.calls ?? 1), '-timeout', `${o.timeoutS ?? 30}s`, '-timeout_error',
    '-trace_stat', '-stf', join(p.dir, 'stats.csv'),
    '-trace_screen', '-screen_file', join(p.dir, 'screen.log'),
    '-trace_err', '-error_file', join(p.dir, 'errors.log'),
  );
  if (o.traceMessages ?? true) args.push('-trace_msg', '-message_file', join(p.dir, 'messages.log'));
  pushIf(args, '-r', o.rate);
  pushIf(args, '-rp', o.ratePeriodMs); // ms is SIPp's default unit for -rp, -d and -recv_timeout
  pushIf(args, '-l', o.limit);
  pushIf(args, '-s', o.service);
  pushIf(args, '-inf', o.injectionFile === undefined ? undefined : scenarioPath(o.injectionFile));
  pushIf(args, '-lost', o.lostPercent);
  pushIf(args, '-d', o.pauseMs);
  pushIf(args, '-recv_timeout', o.recvTimeoutMs);
  pushIf(args, '-default_behaviors', o.defaultBehaviors);
  if (o.auth) args.push('-au', o.auth.user, '-ap', o.auth.password);
  if (o.rtpEcho) args.push('-rtp_echo');
  for (const [k, v] of Object.entries(o.keys ?? {})) args.push('-key', k, String(v));
  for (const [k, v] of Object.entries(o.vars ?? {})) args.push('-set', k, String(v));
  return [...args, ...(o.extraArgs ?? [])];
}

function pushIf(args: string[], flag: string, value: string | number | undefined): void {
  if (value !== undefined) args.push(flag, String(value));
}

function scenarioPath(file: string): string {
  return isAbsolute(file) ? file : join(SIPP_SCENARIO_DIR, file);
}

function hostOf(hostPort: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostPort);
  if (bracketed) return bracketed[1] as string;
  const parts = hostPort.split(':');
  return parts.length > 2 ? hostPort : (parts[0] as string); // a bare IPv6 address has no port
}

async function collectResult(peer: PeerProcess, exit: PeerExit, dir: string): Promise<SippResult> {
  const [csv, screen, errorLog] = await Promise.all(
    ['stats.csv', 'screen.log', 'errors.log'].map((f) => readFile(join(dir, f), 'utf8').catch(() => '')),
  );
  let stats: SippStats | null = null;
  try {
    stats = parseStatsCsv(csv ?? '');
  } catch {
    // a malformed CSV row: the screen file has the same counters
  }
  stats ??= parseScreen(screen ?? '');
  return { ...exit, stdout: peer.stdout(), stderr: peer.stderr(), stats, errorLog: errorLog ?? '', dir };
}

/** The last row of a `-trace_stat` file (`;`-separated, header first), or null if there is none. */
export function parseStatsCsv(text: string): SippStats | null {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return null;
  const header = (lines[0] as string).split(';');
  const row = (lines[lines.length - 1] as string).split(';');
  const get = (name: string): number => {
    const i = header.indexOf(name);
    const v = i < 0 ? NaN : Number(row[i]);
    if (!Number.isFinite(v)) throw new PeerError('PEER_BAD_OUTPUT', `SIPp stats CSV lacks a number for ${name}`);
    return v;
  };
  const failedBy: Record<string, number> = {};
  for (const name of header) {
    const m = /^(Failed\w+)\(C\)$/.exec(name);
    if (m && m[1] !== 'FailedCall' && get(name) > 0) failedBy[m[1] as string] = get(name);
  }
  return {
    source: 'csv', created: get('TotalCallCreated'), incoming: get('IncomingCall(C)'),
    outgoing: get('OutgoingCall(C)'), successful: get('SuccessfulCall(C)'), failed: get('FailedCall(C)'),
    retransmissions: get('Retransmissions(C)'), failedBy,
  };
}

/** Fallback: the cumulative column of the last statistics screen in a `-trace_screen` file. */
export function parseScreen(text: string): SippStats | null {
  const last = (label: string): number | undefined => {
    const re = new RegExp(`^\\s*${label}\\s*\\|[^|]*\\|\\s*(\\d+)`, 'gm');
    let value: number | undefined;
    for (const m of text.matchAll(re)) value = Number(m[1]);
    return value;
  };
  const successful = last('Successful call');
  const failed = last('Failed call');
  if (successful === undefined || failed === undefined) return null;
  return {
    source: 'screen', created: last('Total Calls created') ?? 0, incoming: last('Incoming calls created') ?? 0,
    outgoing: last('Outgoing calls created') ?? 0, successful, failed, retransmissions: 0, failedBy: {},
  };
}

// ------------------------------------------------------------------------------------------------
// Peer processes, shared with baresip.ts: typed errors, bounded spawning, teardown and waiting.

export type PeerErrorCode =
  | 'PEER_TIMEOUT' | 'PEER_EXITED' | 'PEER_BAD_OUTPUT' | 'PEER_BAD_OPTIONS'
  | 'PEER_COMMAND_FAILED' | 'PEER_REGISTER_FAILED';

export class PeerError extends CodedError<PeerErrorCode> {}

export interface PeerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the helper had to SIGKILL a peer that outlived its own time bound. */
  hardLimitHit: boolean;
}

export interface PeerProcess {
  readonly name: string;
  readonly pid: number;
  /** Settles (never rejects) once the process has exited and been reaped. */
  readonly exited: Promise<PeerExit>;
  hasExited(): boolean;
  stdout(): string;
  stderr(): string;
  /** The last `chars` of stdout and stderr, labelled, for error messages. */
  tail(chars?: number): string;
  /** stdout then stderr, labelled. */
  output(): string;
  signal(sig: NodeJS.Signals): void;
  /** Wait up to `graceMs` for the exit, then SIGKILL and wait for it. */
  waitOrKill(graceMs: number): Promise<PeerExit>;
}

const OUTPUT_CAP = 256 * 1024;
const started: { name: string; pid: number }[] = [];
const live = new Set<PeerProcess>();
process.on('exit', () => {
  for (const p of live) p.signal('SIGKILL');
});

/** Every peer process started by this test process, for checking that none outlives its test. */
export function spawnedPeers(): readonly { name: string; pid: number }[] {
  return started;
}

/** True while `pid` exists (a reaped child no longer does). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Spawn a peer whose output is captured (capped), which is SIGKILLed at test end if still running,
 * and after `hardLimitMs` in any case (its own time bound should have ended it before).
 */
export function spawnPeer(t: Test, command: string, args: string[], opts: { cwd: string; hardLimitMs: number }): PeerProcess {
  const child = spawn(command, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new PeerError('PEER_EXITED', `could not start ${command} ${args.join(' ')}`);
  const pid = child.pid;
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out.stdout = (out.stdout + d).slice(-OUTPUT_CAP); });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out.stderr = (out.stderr + d).slice(-OUTPUT_CAP); });
  let exitInfo: PeerExit | undefined;
  let hardLimitHit = false;
  const limit = setTimeout(() => { hardLimitHit = true; kill('SIGKILL'); }, opts.hardLimitMs).unref();
  const exited = new Promise<PeerExit>((resolveExit) => {
    const done = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (exitInfo) return;
      clearTimeout(limit);
      exitInfo = { code, signal, hardLimitHit };
      live.delete(peer);
      resolveExit(exitInfo);
    };
    child.once('close', done);
    child.once('error', (err) => { out.stderr += `\nspawn error: ${err.message}`; done(null, null); });
  });
  function kill(sig: NodeJS.Signals): void {
    if (exitInfo) return;
    try { process.kill(pid, sig); } catch { /* already gone */ }
  }
  const peer: PeerProcess = {
    name: command, pid, exited,
    hasExited: () => exitInfo !== undefined,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    tail: (chars = 3000) => `--- ${command} (pid ${pid}) stdout ---\n${out.stdout.slice(-chars)}\n` +
      `--- stderr ---\n${out.stderr.slice(-chars)}`,
    output: () => `--- ${command} (pid ${pid}) stdout ---\n${out.stdout}\n--- stderr ---\n${out.stderr}`,
    signal: kill,
    async waitOrKill(graceMs) {
      const timer = new Promise<void>((r) => setTimeout(r, graceMs).unref());
      await Promise.race([exited, timer]);
      kill('SIGKILL');
      return exited;
    },
  };
  started.push({ name: command, pid });
  live.add(peer);
  t.teardown(() => peer.waitOrKill(0));
  return peer;
}

/** A fresh directory for one peer, removed at test end unless the test failed (then kept and named). */
export async function makePeerDir(t: Test, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `octoline-${prefix}-`));
  t.teardown(async () => {
    if (t.passing()) await rm(dir, { recursive: true, force: true });
    else process.stderr.write(`# kept ${prefix} files in ${dir}\n`);
  });
  return dir;
}

/** Throw unless `host` is a loopback address: test peers never talk to anything else. */
export function assertLoopback(host: string, what: string): void {
  if (!['127.0.0.1', '::1', '[::1]'].includes(host)) {
    throw new PeerError('PEER_BAD_OPTIONS', `${what} must be 127.0.0.1 or ::1, not ${host}`);
  }
}

/** Poll `check` every `intervalMs` until it holds; fail early if `peer` exits, fail after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  o: { timeoutMs: number; what: string; peer?: PeerProcess; intervalMs?: number },
): Promise<void> {
  const deadline = performance.now() + o.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (o.peer?.hasExited()) {
      throw new PeerError('PEER_EXITED', `${o.peer.name} exited while waiting for ${o.what}\n${o.peer.tail()}`);
    }
    if (performance.now() > deadline) {
      const tail = o.peer ? `\n${o.peer.tail()}` : '';
      throw new PeerError('PEER_TIMEOUT', `timed out after ${o.timeoutMs} ms waiting for ${o.what}${tail}`);
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 20));
  }
}

/**
 * Whether process `pid` owns a socket bound to `port` (UDP, or TCP in LISTEN state), per
 * /proc/net/{udp,udp6,tcp,tcp6} and the socket inodes in /proc/PID/fd.
 */
export async function udpOrTcpBoundBy(pid: number, proto: 'udp' | 'tcp', port: number): Promise<boolean> {
  const inodes = new Set<string>();
  for (const file of [proto, `${proto}6`]) {
    const table = await readFile(`/proc/net/${file}`, 'utf8').catch(() => '');
    for (const line of table.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1] ?? '';
      const listening = proto === 'udp' || f[3] === '0A';
      if (listening && parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && f[9]) inodes.add(f[9]);
    }
  }
  if (inodes.size === 0) return false;
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m && inodes.has(m[1] as string)) return true;
  }
  return false;
}
