import type { Test } from 'tap';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort, freePorts } from './ports.js';
import { readLocalToken } from '../../daemon/auth/local-token.js';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/**
 * The CLI from source through tsx's loader in the same process (not tsx's CLI, which runs a
 * second process and would hide signals and exits from the tests), so tests never run a stale build.
 */
export const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const BUILT_CLI = join(ROOT, 'dist', 'daemon', 'cli', 'main.js');
/**
 * `make test` builds right before the suite and sets OCTOLINE_TEST_BUILT=1: the tests then run the
 * fresh build (what production runs, and each CLI start is ~1 s faster than transpiling).
 */
const CLI = process.env['OCTOLINE_TEST_BUILT'] === '1' && existsSync(BUILT_CLI)
  ? [BUILT_CLI]
  : ['--import', TSX_LOADER, join(ROOT, 'daemon', 'cli', 'main.ts')];

export interface TestBox {
  dir: string;
  configPath: string;
  dataDir: string;
  runtimeDir: string;
  sipPort: number;
  httpPort: number;
  ngPort: number;
  dtmfPort: number;
  rtpMin: number;
  url: string;
}

/** A config in a temp dir with every listener on its own free loopback port. */
export async function makeTestBox(t: Test, extraToml = ''): Promise<TestBox> {
  const dir = t.testdir({});
  const [sipPort, httpPort, ngPort, dtmfPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const [rtpMin] = await freePorts(1, 40);
  const box: TestBox = {
    dir, configPath: join(dir, 'octoline.conf'), dataDir: join(dir, 'data'), runtimeDir: join(dir, 'data', 'run'),
    sipPort, httpPort, ngPort, dtmfPort, rtpMin: rtpMin as number, url: `http://127.0.0.1:${httpPort}`,
  };
  writeFileSync(box.configPath, `[box]\nlog_level = "info"\n[sip]\nport = ${sipPort}\n[http]\nport = ${httpPort}\n` +
    `[rtpengine]\nng_port = ${ngPort}\ndtmf_log_port = ${dtmfPort}\nport_min = ${box.rtpMin}\nport_max = ${box.rtpMin + 39}\n${extraToml}`);
  return box;
}

export interface CliResult { code: number; stdout: string; stderr: string }

/** Run `octoline ARGS` to completion (bounded). */
export function runCli(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [...CLI, ...args], { timeout: opts.timeoutMs ?? 60_000, cwd: ROOT }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

export interface RunningDaemon {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `octoline daemon --config …` as a child process, killed at test end if still running. */
export function spawnDaemon(t: Test, box: TestBox, extraArgs: string[] = []): RunningDaemon {
  const child = spawn(process.execPath, [...CLI, 'daemon', '--config', box.configPath, ...extraArgs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => { out += c; });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => { err += c; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Wait until /healthz says ok, the process exits, or the bound passes. */
export async function waitHealthy(d: RunningDaemon, box: TestBox, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void d.exited.then(() => { exited = true; });
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`${box.url}/healthz`, { signal: AbortSignal.timeout(500) });
      if (res.status === 200) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`daemon not healthy (exited=${exited}); stderr:\n${d.stderr()}\nstdout tail:\n${d.stdout().slice(-2000)}`);
}

/** PIDs of processes whose command line contains `needle` (for orphan checks). */
export function pidsMatching(needle: string): Promise<number[]> {
  return new Promise((resolve) => {
    execFile('pgrep', ['-f', needle], (_err, stdout) => resolve(stdout.split('\n').filter(Boolean).map(Number)));
  });
}

/** GET /api/v1/status with the daemon's local CLI token (what `octoline status --json` prints). */
export async function getStatus<T = Record<string, unknown>>(box: TestBox): Promise<T> {
  const token = readLocalToken(box.runtimeDir) ?? '';
  const res = await fetch(`${box.url}/api/v1/status`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`status answered ${res.status}`);
  return (await res.json()) as T;
}
