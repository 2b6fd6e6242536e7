import { mkdirSync } from 'node:fs';
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
