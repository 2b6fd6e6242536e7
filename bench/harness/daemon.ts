import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, ROOT } from './paths.js';
import { childNamed } from './proc-usage.js';
import { spawnLogged, type Proc } from './processes.js';

/** The built daemon and the rtpengine it started. */
export interface Daemon extends Proc { pid: number; rtpenginePid: number }

/** Starts `octoline daemon` and waits (30 s at most) until /healthz answers and its rtpengine runs. */
export async function startDaemon(configPath: string, httpPort: number, logFile: string): Promise<Daemon> {
  const d = spawnLogged(process.execPath, [CLI, 'daemon', '--config', configPath], logFile, ROOT);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && d.child.exitCode === null && d.child.pid !== undefined) {
    const ok = await fetch(`http://127.0.0.1:${httpPort}/healthz`, { signal: AbortSignal.timeout(500) }).then((r) => r.ok, () => false);
    const rtp = childNamed(d.child.pid, 'rtpengine');
    if (ok && rtp !== undefined) return { ...d, pid: d.child.pid, rtpenginePid: rtp };
    await sleep(200);
  }
  d.child.kill('SIGKILL');
  throw new Error(`daemon not healthy in 30 s; log tail:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
}
