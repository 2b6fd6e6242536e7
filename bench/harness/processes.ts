import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/** A child process and its exit code (null when a signal ended it). */
export interface Proc { child: ChildProcess; exited: Promise<number | null> }

/** `cmd` with stdout and stderr appended to `logFile`. */
export function spawnLogged(cmd: string, args: string[], logFile: string, cwd: string): Proc {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return { child, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
}

/** Sends `signal`, and SIGKILL when the process has not exited `graceMs` later. */
export async function stopProc(p: Proc, graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const killed = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(killed);
}
