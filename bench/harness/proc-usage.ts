import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The pid of the child of `ppid` whose command name is `name` (rtpengine runs under setpriv, which execs it). */
export function childNamed(ppid: number, name: string): number | undefined {
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
    // after "pid (comm)": state ppid … utime stime (fields 14 and 15 of the line), all threads
    return { comm: text.slice(text.indexOf('(') + 1, close), ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return undefined;
  }
}

export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Busy and total jiffies of the whole machine (other people's work runs here too). */
function machineTicks(): { busy: number; total: number } {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;

export interface Usage { cpu: Map<number, number>; rss: Map<number, number>; machineBusy: number; seconds: number }

/** CPU per process over a window, and the peak RSS seen by 1 s samples. */
export class Sampler {
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
  stop(): Usage {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.t0) / 1000;
    const cpu = new Map(this.pids.map((p) => [p, (((procStat(p)?.ticks ?? NaN) - (this.ticks0.get(p) ?? NaN)) / CLK_TCK / seconds) * 100]));
    const m = machineTicks();
    return { cpu, rss: this.peak, machineBusy: ((m.busy - this.machine0.busy) / (m.total - this.machine0.total)) * 100, seconds };
  }
}
