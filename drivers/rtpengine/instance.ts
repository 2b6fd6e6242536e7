import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, rmSync } from 'node:fs';
import type { Logger } from 'pino';
import { RtpengineError } from './errors.js';
import { OutputTail } from './process-lines.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const SETPRIV = '/usr/bin/setpriv';

/**
 * One running rtpengine process. It is started under `setpriv --pdeathsig KILL` where available,
 * so the kernel kills it if the daemon itself dies without a chance to stop it: no orphan ever
 * holds the box's RTP ports.
 */
export class RtpengineInstance {
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private readonly tail = new OutputTail();
  private exitInfo: ExitInfo | undefined;

  constructor(binary: string, configPath: string, log: Logger) {
    const args = [`--config-file=${configPath}`];
    const [cmd, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', binary, ...args]] : [binary, args];
    this.child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (this.child.stdout) this.tail.attach(this.child.stdout, log);
    if (this.child.stderr) this.tail.attach(this.child.stderr, log);
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      };
      this.child.once('exit', done);
      this.child.once('error', () => done(null, null));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Last lines rtpengine printed (for error messages). */
  output(): string {
    return this.tail.text();
  }

  /** SIGTERM, then SIGKILL after the grace period. */
  async stop(graceMs: number): Promise<ExitInfo> {
    if (this.exitInfo) return this.exitInfo;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export function assertExecutable(binary: string): void {
  try {
    accessSync(binary, constants.X_OK);
  } catch (err) {
    throw new RtpengineError('RTPENGINE_BINARY_MISSING',
      `rtpengine not found at ${binary}; install it with: apt-get install rtpengine-daemon (or set rtpengine.binary)`, { cause: err });
  }
}

/**
 * A previous daemon killed with SIGKILL on a machine without setpriv can leave its rtpengine
 * behind; it is ours when its command line names our config file. Kill it before starting anew.
 */
export async function killLeftover(pidFile: string, configPath: string, log: Logger): Promise<void> {
  const pid = Number.parseInt(readOrEmpty(pidFile), 10);
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return;
  const ours = () => readOrEmpty(`/proc/${pid}/cmdline`).split('\0').includes(`--config-file=${configPath}`);
  if (!ours()) return;
  log.warn({ pid }, 'killing an rtpengine left over from an earlier run');
  try { process.kill(pid, 'SIGKILL'); } catch { return; }
  // Its ports are free only once it is gone; bounded wait.
  for (let i = 0; i < 100 && ours(); i++) await new Promise((r) => setTimeout(r, 20));
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
