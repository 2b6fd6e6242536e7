import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnLogged, type Proc } from './processes.js';

/** A SIPp run and the directory of its output (sipp.out, stats.csv, errors.log). */
export interface SippRun extends Proc { dir: string }

/**
 * SIPp on loopback in its own directory, bounded by its own -timeout and by a SIGKILL 15 s after
 * it. `args` names the target, the scenario and the rates; this adds the addresses and the traces.
 */
export function startSipp(dir: string, args: string[], timeoutS: number): SippRun {
  mkdirSync(dir, { recursive: true });
  const p = spawnLogged('sipp', [...args, '-i', '127.0.0.1', '-bind_local', '-mi', '127.0.0.1', '-nostdin',
    '-timeout', `${timeoutS}s`, '-timeout_error', '-trace_stat', '-stf', join(dir, 'stats.csv'),
    '-trace_err', '-error_file', join(dir, 'errors.log')], join(dir, 'sipp.out'), dir);
  const kill = setTimeout(() => p.child.kill('SIGKILL'), (timeoutS + 15) * 1000);
  void p.exited.then(() => clearTimeout(kill));
  return { ...p, dir };
}

/**
 * A command to a running SIPp through its UDP control socket (`-cp PORT`): the keyboard's keys
 * (`p` pauses placing new calls, `q` quits once the calls in progress ended) or `cset rate N`.
 */
export async function sippControl(controlPort: number, command: string): Promise<void> {
  const sock = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => sock.send(command, controlPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  } finally {
    sock.close();
  }
}

/** The final cumulative counters of a SIPp run (last row of its stats.csv, columns like `SuccessfulCall(C)`); empty before any row. */
export function sippStats(dir: string): Map<string, number> {
  const file = join(dir, 'stats.csv');
  const rows = (existsSync(file) ? readFileSync(file, 'utf8') : '').trim().split('\n');
  const head = (rows[0] ?? '').split(';');
  const last = (rows.length > 1 ? rows.at(-1) ?? '' : '').split(';');
  return new Map(head.map((name, i) => [name, Number(last[i] ?? NaN)]));
}
