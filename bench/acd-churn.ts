/**
 * The ACD under churn, through the built daemon (`node dist/daemon/cli/main.js daemon`) and its
 * rtpengine: 8 lines kept busy by the gateway, 20 queued callbacks, agents paused, unpaused, logged
 * out and in while they take calls, supervisors joining calls through the mixer.
 *
 *   npx tsx bench/acd-churn.ts [--minutes 10] [--agents 4] [--callbacks 20] [--supervisors 3] [--rate 0.35] [--keep]
 *
 * The box: lines 1-8 routed to queue:sales (longest-idle, wrap-up 3 s, ring 10 s, max wait 30 s then
 * goodbye, announcements every 30 s, callback digit 1, no sticky agent, no auto-pause), agents
 * 1001… and supervisors 1901… (`extensions supervisor … on`). SIPp plays everybody:
 * - the gateway (bench-acd-caller.xml): one UAC on the gateway's address; its INVITEs name no line
 *   (trunk mode), so the box hunts the lowest idle line and refuses a call when none is idle (404).
 *   At most 8 calls at once (-l 8). Callers hold 8-40 s (uniform: waiting plus talking, so some give
 *   up in the queue) and stream a tone. The same SIPp answers the box's callback INVITEs and OPTIONS
 *   pings (-oocsf bench-acd-gateway-ooc.xml): the customer talks 20 s and hangs up.
 * - the phones (bench-acd-phones.xml): one SIPp registers every extension with digest, then one UAS
 *   on that port answers at once with -rtp_echo and takes the mixer's re-INVITE.
 *
 * Phases, each bounded:
 * 1. Callbacks: every agent paused (API); the gateway places the first 20 calls at 2/s from callers
 *    who press 1 (RFC 2833 pcap) once queued: the box confirms and hangs up, their entries keep their
 *    place. Calls after them are ordinary callers, who fill the lines. When all 20
 *    `queue.callback_requested` are in, the gateway drops to `--rate` calls/s and every agent is
 *    unpaused: 8 lines busy, 20 callbacks queued ahead of the live callers.
 * 2. Churn, `--minutes`: every 5-15 s one working agent is paused (3 in 4) or logged out, and back
 *    5-20 s later (at most half of them away); every 15 s a supervisor whose last session ended is
 *    put on a random agent's call (POST /api/v1/supervise; whisper, barge, listen in turn). CPU of
 *    the daemon and rtpengine over the phase.
 * 3. Drain: the gateway stops placing calls (SIPp `p`), agents come back; until every callback was
 *    served or failed and no call is up (at most 4 min).
 * 4. Mixer: K gateway calls answered by K agents; daemon and rtpengine CPU over 15 s, then the same
 *    calls each with a whisper supervisor (K conferences in the mixer) over 15 s: the difference ÷ K.
 * 5. Leaks: rtpengine `list` (ng) must be empty and /api/v1/status must show 0 active calls.
 *
 * Figures from the events table afterwards. Queue decision latency: per `agent.offered`, the time
 * since the offer became possible, that is the latest of: the caller's `queue.joined` (or
 * `queue.callback_requested`, or its previous `agent.no_answer`), the offered agent's last
 * `agent.state` change, and for a callback the moment a line last became free (from the CDRs'
 * line intervals). Events carry whole ms. Loopback only; never fails on time.
 *
 * Approximations: the callers are SIPp (they never listen); the supervision CPU phase is separate
 * from the churn (supervisors join calls during the churn too, but the churn's CPU varies too much
 * to isolate the mixer); a callback's customer always answers.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { NgClient } from '../drivers/rtpengine/ng-client.js';
import { loadConfig } from '../daemon/config/index.js';
import { freePort, freePorts } from '../test/helpers/ports.js';
import { arg, flag } from './harness/bench-args.js';
import { boxPorts, octoline, writeBoxConfig, type BoxPorts } from './harness/box.js';
import { DaemonApi } from './harness/daemon-api.js';
import { startDaemon, type Daemon } from './harness/daemon.js';
import { percentile, tableRow } from './harness/figures.js';
import { SCENARIOS } from './harness/paths.js';
import { prepareDaemonBench } from './harness/prerequisites.js';
import { Sampler, type Usage } from './harness/proc-usage.js';
import { stopProc } from './harness/processes.js';
import { runBench } from './harness/run-bench.js';
import { sippControl, sippStats, startSipp, type SippRun } from './harness/sipp.js';
import { waitFor } from './harness/wait.js';

const bounded = (name: string, def: number, min: number, max: number): number => {
  const v = Number(arg(name, String(def)));
  return Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : def;
};
const MINUTES = bounded('minutes', 10, 0.5, 60);
const AGENTS = Math.round(bounded('agents', 4, 2, 20));
const CALLBACKS = Math.round(bounded('callbacks', 20, 0, 100));
const SUPERVISORS = Math.round(Math.min(AGENTS, bounded('supervisors', 3, 1, 10)));
/** Gateway calls per second in the churn; with 8-40 s holds about 8 lines' worth (printed: line occupancy). */
const RATE = bounded('rate', 0.35, 0.05, 5);
const KEEP = flag('keep');

const LINES = 8;
const HOLD_MS = [8000, 40_000] as const;
const CALLBACK_TALK_MS = 20_000;
const PHASE1_RATE = 2;
const WRAP_UP_S = 3;
const MAX_WAIT_S = 30;
const CPU_WINDOW_MS = 15_000;
const TRUNK = '02150000000';
const DTMF_1 = '/usr/share/sip-tester/dtmf_2833_1.pcap';
const QUEUE = 'sales';

const run = promisify(execFile);
const agentExt = (k: number): string => String(1000 + k);
const supervisorExt = (k: number): string => String(1900 + k);
const password = (e: string): string => `bench-pass-${e}`;
const AGENT_EXTS = Array.from({ length: AGENTS }, (_, i) => agentExt(i + 1));
const SUPERVISOR_EXTS = Array.from({ length: SUPERVISORS }, (_, i) => supervisorExt(i + 1));
const uniform = (lo: number, hi: number): number => lo + Math.random() * (hi - lo);

// ------------------------------------------------------------------------------------------------
// The box.

interface Box extends BoxPorts { dir: string; configPath: string; dbPath: string; phonePort: number; tone: string }

async function cli(box: Box, args: string[]): Promise<string> {
  return octoline([...args, '--config', box.configPath]);
}

async function makeBox(dir: string): Promise<Box> {
  const ports = await boxPorts();
  const configPath = join(dir, 'octoline.conf');
  // rtpengine: 4 ports per call (2 legs, RTP + RTCP), up to 2 calls per supervised call; twice that.
  const span = 400;
  const rtpMin = (await freePorts(1, span))[0] as number;
  writeBoxConfig(configPath, ports, rtpMin, rtpMin + span - 1);
  const setup = ['setup', '--yes', '--gateway', `127.0.0.1:${ports.gwPort}`, '--config', configPath];
  for (let k = 1; k <= LINES; k++) setup.push('--line', `${k}=02155${String(k).padStart(5, '0')}`);
  for (const e of [...AGENT_EXTS, ...SUPERVISOR_EXTS]) setup.push('--extension', `${e}:${password(e)}`);
  await octoline(setup);
  const box: Box = {
    dir, configPath, dbPath: join(loadConfig(configPath).box.data_dir, 'octoline.db'), ...ports, phonePort: await freePort(), tone: join(dir, 'gw-1k.wav'),
  };
  await cli(box, ['queues', 'add', QUEUE, '--members', AGENT_EXTS.join(','), '--strategy', 'longest-idle', '--wrap-up', String(WRAP_UP_S),
    '--ring-timeout', '10', '--retry', '1', '--max-wait', String(MAX_WAIT_S), '--announce-every', '30', '--callback-digit', '1',
    '--sticky-days', '0', '--auto-pause', '0', '--language', 'en']);
  for (let k = 1; k <= LINES; k++) await cli(box, ['lines', 'route', String(k), `queue:${QUEUE}`]);
  for (const s of SUPERVISOR_EXTS) await cli(box, ['extensions', 'supervisor', s, 'on']);
  await run('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', box.tone, 'synth', '120', 'sine', '1000', 'vol', '0.5']);
  return box;
}

/** A scenario of test/peers/sipp with `[key]`s written in (SIPp 3.6.1 does not substitute keywords in attributes). */
function scenarioCopy(dir: string, name: string, keys: Record<string, string | number>): string {
  mkdirSync(dir, { recursive: true });
  let text = readFileSync(join(SCENARIOS, name), 'utf8');
  for (const [k, v] of Object.entries(keys)) text = text.replaceAll(`[${k}]`, String(v));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A media port for SIPp: it binds the port and the port + 2, so take a free block of 4. */
async function mediaPort(): Promise<number> {
  return (await freePorts(1, 4))[0] as number;
}

// ------------------------------------------------------------------------------------------------
// The peers: phones (register, then one UAS) and the gateway (callers + callbacks' answers).

async function startPhones(box: Box, boundS: number): Promise<SippRun> {
  const regDir = join(box.dir, 'register');
  mkdirSync(regDir, { recursive: true });
  const exts = [...AGENT_EXTS, ...SUPERVISOR_EXTS];
  const inf = join(regDir, 'phones.csv');
  writeFileSync(inf, `SEQUENTIAL\n${exts.map((e) => `${e};[authentication username=${e} password=${password(e)}]`).join('\n')}\n`);
  const reg = startSipp(regDir, [`127.0.0.1:${box.sipPort}`, '-sf', join(SCENARIOS, 'bench-register.xml'), '-inf', inf,
    '-p', String(box.phonePort), '-ci', '127.0.0.1', '-cp', String(await freePort()),
    '-m', String(exts.length), '-r', '20', '-l', String(exts.length), '-default_behaviors', 'all,-bye'], 30);
  const code = await reg.exited;
  if (code !== 0) throw new Error(`registration SIPp exited ${code}; see ${regDir}`);
  return startSipp(join(box.dir, 'phones'), ['-sf', join(SCENARIOS, 'bench-acd-phones.xml'), '-p', String(box.phonePort),
    '-mp', String(await mediaPort()), '-rtp_echo', '-ci', '127.0.0.1', '-cp', String(await freePort())], boundS);
}

interface Gateway extends SippRun { control: number }

/** Rows: CALLBACKS callers who press 1, then ordinary callers; each its own number. */
async function startGateway(box: Box, maxCalls: number, boundS: number): Promise<Gateway> {
  const dir = join(box.dir, 'gateway');
  const caller = scenarioCopy(dir, 'bench-acd-caller.xml', {
    tone: box.tone, dtmf_pcap: DTMF_1, dtmf_delay_ms: 2500, hold_min_ms: HOLD_MS[0], hold_max_ms: HOLD_MS[1],
  });
  const ooc = scenarioCopy(dir, 'bench-acd-gateway-ooc.xml', { tone: box.tone, talk_ms: CALLBACK_TALK_MS });
  const rows = Array.from({ length: maxCalls }, (_, i) => (i < CALLBACKS
    ? `${TRUNK};1390000${String(i + 1).padStart(4, '0')};cb`
    : `${TRUNK};138${String(i + 1).padStart(8, '0')};talk`));
  const inf = join(dir, 'callers.csv');
  writeFileSync(inf, `SEQUENTIAL\n${rows.join('\n')}\n`);
  const control = await freePort();
  const p = startSipp(dir, [`127.0.0.1:${box.sipPort}`, '-sf', caller, '-oocsf', ooc, '-inf', inf, '-p', String(box.gwPort),
    '-mp', String(await mediaPort()), '-aa', '-ci', '127.0.0.1', '-cp', String(control),
    '-r', String(PHASE1_RATE), '-l', String(LINES), '-m', String(maxCalls), '-default_behaviors', 'all,-bye'], boundS);
  return { ...p, control };
}

/** SIPp `q` (quit once the calls in progress ended), SIGKILL if it has not after `ms`. */
async function quitSipp(p: SippRun, control: number, ms: number): Promise<void> {
  await sippControl(control, 'q').catch(() => undefined);
  const ended = await Promise.race([p.exited.then(() => true), sleep(ms).then(() => false)]);
  if (!ended) await stopProc(p, 2000, 'SIGKILL');
}

// ------------------------------------------------------------------------------------------------
// The events table (read-only beside the daemon).

interface Ev { id: number; at: number; type: string; callId: string | null; data: Record<string, unknown> }

class Events {
  private readonly db: BetterSqlite3.Database;

  constructor(dbPath: string) {
    this.db = new BetterSqlite3(dbPath, { readonly: true, fileMustExist: true });
  }

  lastId(): number {
    return (this.db.prepare('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id;
  }

  count(type: string, afterId = 0): number {
    return (this.db.prepare('SELECT count(*) AS c FROM events WHERE type = ? AND id > ?').get(type, afterId) as { c: number }).c;
  }

  list(afterId: number, uptoId = Number.MAX_SAFE_INTEGER, type?: string): Ev[] {
    const rows = this.db.prepare(`SELECT id, at, type, call_id AS callId, data FROM events WHERE id > ? AND id <= ?${type ? ' AND type = ?' : ''} ORDER BY id`)
      .all(...(type ? [afterId, uptoId, type] : [afterId, uptoId])) as Array<Omit<Ev, 'data'> & { data: string }>;
    return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  /** Busy intervals of the lines (CDRs with a line), refused calls left out: they never held the line. */
  lineIntervals(from: number): Array<{ start: number; end: number }> {
    return (this.db.prepare(`SELECT started_at AS start, coalesce(ended_at, ?) AS end FROM calls WHERE line_id IS NOT NULL AND started_at >= ?
      AND NOT (coalesce(cause, '') IN ('line_busy', 'line_down'))`).all(Date.now(), from) as Array<{ start: number; end: number }>);
  }

  /** The call has a CDR that has not ended (a supervisor's call rings or is joined). */
  callUp(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM calls WHERE id = ? AND ended_at IS NULL').get(id) !== undefined;
  }

  openCdrs(from: number): number {
    return (this.db.prepare('SELECT count(*) AS c FROM calls WHERE started_at >= ? AND ended_at IS NULL').get(from) as { c: number }).c;
  }

  close(): void {
    this.db.close();
  }
}

// ------------------------------------------------------------------------------------------------
// Churn: agents away and back, supervisors joining calls.

interface AgentView { ext: string; state: string }

interface ChurnLog { paused: number; loggedOut: number; supervisions: number; superviseRefused: number; apiErrors: string[] }

class Churn {
  readonly log: ChurnLog = { paused: 0, loggedOut: 0, supervisions: 0, superviseRefused: 0, apiErrors: [] };
  /** Agents away now, with when and how they come back. */
  private readonly away = new Map<string, { back: number; action: 'unpause' | 'login' }>();
  private nextAway = 0;
  private nextSupervise = 0;
  private mode = 0;

  /** Each supervisor's own call (POST /supervise answers its id): busy while it is up. */
  private readonly supCalls = new Map<string, string>();

  constructor(private readonly api: DaemonApi, private readonly callUp: (callId: string) => boolean) {}

  private async act(ext: string, action: string, reason?: string): Promise<boolean> {
    try {
      await this.api.post(`/agents/${ext}/${action}`, { ...(reason ? { reason } : {}), by: 'bench' });
      return true;
    } catch (err) {
      this.error(err);
      return false;
    }
  }

  private error(err: unknown): void {
    if (this.log.apiErrors.length < 20) this.log.apiErrors.push(err instanceof Error ? err.message : String(err));
  }

  async all(action: 'pause' | 'unpause', reason?: string): Promise<void> {
    for (const e of AGENT_EXTS) await this.act(e, action, reason);
  }

  /** One step of the churn (called about once a second). */
  async tick(now: number): Promise<void> {
    for (const [ext, a] of this.away) {
      if (a.back > now) continue;
      this.away.delete(ext);
      await this.act(ext, a.action);
    }
    if (now >= this.nextAway) {
      this.nextAway = now + uniform(5000, 15_000);
      await this.sendAway(now);
    }
    if (now >= this.nextSupervise) {
      this.nextSupervise = now + 15_000;
      await this.supervise();
    }
  }

  private async sendAway(now: number): Promise<void> {
    const working = AGENT_EXTS.filter((e) => !this.away.has(e));
    if (this.away.size >= Math.floor(AGENTS / 2) || working.length === 0) return;
    const ext = working[Math.floor(Math.random() * working.length)] as string;
    const logout = Math.random() < 0.25;
    if (!(await this.act(ext, logout ? 'logout' : 'pause', logout ? undefined : 'bench'))) return;
    if (logout) this.log.loggedOut++;
    else this.log.paused++;
    this.away.set(ext, { back: now + uniform(5000, 20_000), action: logout ? 'login' : 'unpause' });
  }

  /** A free supervisor (its last supervision ended) onto a random agent's call. */
  private async supervise(): Promise<void> {
    let views: AgentView[];
    try {
      views = await this.api.get<AgentView[]>('/agents');
    } catch (err) {
      this.error(err);
      return;
    }
    const state = new Map(views.map((v) => [v.ext, v.state]));
    const sup = SUPERVISOR_EXTS.find((s) => !this.callUp(this.supCalls.get(s) ?? ''));
    const onCall = AGENT_EXTS.filter((e) => state.get(e) === 'on_call');
    if (sup === undefined || onCall.length === 0) return;
    const agent = onCall[Math.floor(Math.random() * onCall.length)] as string;
    const mode = (['whisper', 'barge', 'listen'] as const)[this.mode++ % 3];
    try {
      const { callId } = await this.api.post<{ callId: string }>('/supervise', { supervisor: sup, agent, mode });
      this.supCalls.set(sup, callId);
      this.log.supervisions++;
    } catch (err) {
      // The call may have ended between the two requests (409 SUPERVISE_NO_CALL): churn.
      this.log.superviseRefused++;
      if (!String(err).includes('409')) this.error(err);
    }
  }

  /** Everyone back at once (the end of the churn). */
  async returnAll(): Promise<void> {
    for (const [ext, a] of this.away) await this.act(ext, a.action);
    this.away.clear();
  }
}

// ------------------------------------------------------------------------------------------------
// Figures from the events and the CDRs.

interface Offer { at: number; ms: number; callback: boolean; bound: 'caller' | 'agent' | 'line'; ext: string; callId: string }

/** When the lines last went from all busy to one free, from the CDR intervals; and occupancy over a window. */
class LineTimeline {
  private readonly steps: Array<{ t: number; busy: number }> = [];
  private readonly freedAt: number[] = [];

  constructor(intervals: Array<{ start: number; end: number }>) {
    // At one ms, ends before starts: a line freed and taken in the same ms was free for it.
    const pts = intervals.flatMap((r) => [{ t: r.start, d: 1 }, { t: r.end, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
    let busy = 0;
    for (const p of pts) {
      const before = busy;
      busy += p.d;
      if (before >= LINES && busy < LINES) this.freedAt.push(p.t);
      this.steps.push({ t: p.t, busy });
    }
  }

  /** The last moment at or before `t` a line became free after all were busy; undefined if they never were. */
  freeSince(t: number): number | undefined {
    let last: number | undefined;
    for (const f of this.freedAt) {
      if (f > t) break;
      last = f;
    }
    return last;
  }

  /** Mean busy lines and the share of time all LINES were busy, over [from, to]. */
  occupancy(from: number, to: number): { mean: number; allBusy: number } {
    let busy = 0;
    let t = from;
    let area = 0;
    let full = 0;
    for (const s of this.steps) {
      if (s.t > from) {
        const until = Math.min(s.t, to);
        if (until > t) {
          area += busy * (until - t);
          if (busy >= LINES) full += until - t;
          t = until;
        }
      }
      if (s.t >= to) break;
      busy = s.busy;
    }
    if (to > t) {
      area += busy * (to - t);
      if (busy >= LINES) full += to - t;
    }
    const span = Math.max(1, to - from);
    return { mean: area / span, allBusy: full / span };
  }
}

/** Decision latency per `agent.offered`: since the latest of caller ready, agent's last state change, (callback) a line free. */
function decisionLatencies(evs: Ev[], lines: LineTimeline): { offers: Offer[]; unmatched: number } {
  const callerReady = new Map<string, number>();
  const agentChanged = new Map<string, number>();
  const offers: Offer[] = [];
  let unmatched = 0;
  for (const e of evs) {
    const callId = e.callId ?? '';
    if (e.type === 'queue.joined' || e.type === 'queue.callback_requested' || e.type === 'agent.no_answer') callerReady.set(callId, e.at);
    // The offer itself makes the agent `ringing` (published just before agent.offered): not a readiness.
    if (e.type === 'agent.state' && e.data['reason'] !== 'offered') agentChanged.set(String(e.data['extension']), e.at);
    if (e.type !== 'agent.offered') continue;
    const ext = String(e.data['extension']);
    const caller = callerReady.get(callId);
    const agent = agentChanged.get(ext);
    if (caller === undefined || agent === undefined) {
      unmatched++;
      continue;
    }
    const callback = e.data['callback'] === true;
    const line = callback ? lines.freeSince(e.at) : undefined;
    const bounds: Array<[Offer['bound'], number]> = [['caller', caller], ['agent', agent]];
    if (line !== undefined) bounds.push(['line', line]);
    const [bound, ready] = bounds.reduce((a, b) => (b[1] > a[1] ? b : a));
    offers.push({ at: e.at, ms: e.at - ready, callback, bound, ext, callId });
  }
  return { offers, unmatched };
}

interface Counts {
  joined: number; answeredLive: number; answeredCallback: number; abandoned: number; overflow: Map<string, number>;
  cbRequested: number; cbStarted: number; cbAnswered: number; cbFailed: number; noAnswer: number;
  superviseStarted: number; superviseEnded: number; cbServedInChurn: number; waitS: number[];
}

function counts(evs: Ev[], churnEnd: number): Counts {
  const of = (type: string): Ev[] => evs.filter((e) => e.type === type);
  const answered = of('queue.answered');
  const overflow = new Map<string, number>();
  for (const e of of('queue.overflow')) overflow.set(String(e.data['reason']), (overflow.get(String(e.data['reason'])) ?? 0) + 1);
  const cbAnswered = answered.filter((e) => e.data['callback'] === true);
  return {
    joined: of('queue.joined').length, answeredLive: answered.length - cbAnswered.length, answeredCallback: cbAnswered.length,
    abandoned: of('queue.abandoned').length, overflow, cbRequested: of('queue.callback_requested').length,
    cbStarted: of('queue.callback_started').length, cbAnswered: of('queue.callback_answered').length, cbFailed: of('queue.callback_failed').length,
    noAnswer: of('agent.no_answer').length, superviseStarted: of('supervise.started').length, superviseEnded: of('supervise.ended').length,
    cbServedInChurn: cbAnswered.filter((e) => e.at <= churnEnd).length,
    waitS: answered.filter((e) => e.data['callback'] !== true).map((e) => Number(e.data['waitS'])),
  };
}

// ------------------------------------------------------------------------------------------------
// The phases.

interface Mixer { k: number; plain: Usage; supervised: Usage; started: number; problems: string[] }

/** K gateway calls answered by K agents: CPU without, then with a whisper supervisor on each. */
async function mixerPhase(box: Box, api: DaemonApi, events: Events, daemon: Daemon): Promise<Mixer> {
  const k = SUPERVISORS;
  const problems: string[] = [];
  const dir = join(box.dir, 'mixer');
  const mark = events.lastId();
  // Held through both windows and the supervisors' start (at most 20 s), then the gateway hangs up.
  const holdMs = 3000 + CPU_WINDOW_MS + 20_000 + 3000 + CPU_WINDOW_MS + 5000;
  const scenario = scenarioCopy(dir, 'bench-gateway-call.xml', { tone: box.tone, hold_ms: holdMs });
  const inf = join(dir, 'lines.csv');
  writeFileSync(inf, `SEQUENTIAL\n${Array.from({ length: k }, (_, i) => `line${i + 1};0137${String(i + 1).padStart(7, '0')}`).join('\n')}\n`);
  const gw = startSipp(dir, [`127.0.0.1:${box.sipPort}`, '-sf', scenario, '-inf', inf, '-p', String(box.gwPort),
    '-mp', String(await mediaPort()), '-aa', '-ci', '127.0.0.1', '-cp', String(await freePort()),
    '-m', String(k), '-r', '10', '-l', String(k)], Math.ceil(holdMs / 1000) + 60);
  try {
    const answered = await waitFor(() => events.list(mark, undefined, 'queue.answered'), (a) => a.length >= k, 30_000);
    if (answered.length < k) problems.push(`only ${answered.length}/${k} calls answered by agents`);
    await sleep(3000);
    const plainSampler = new Sampler([daemon.pid, daemon.rtpenginePid]);
    await sleep(CPU_WINDOW_MS);
    const plain = plainSampler.stop();
    const supMark = events.lastId();
    for (const [i, a] of answered.entries()) {
      const supervisor = SUPERVISOR_EXTS[i];
      if (supervisor === undefined) break;
      await api.post('/supervise', { supervisor, agent: String(a.data['extension']), mode: 'whisper' }).catch((err: unknown) => problems.push(String(err)));
    }
    const started = (await waitFor(() => events.count('supervise.started', supMark), (n) => n >= answered.length, 20_000));
    if (started < answered.length) problems.push(`only ${started}/${answered.length} supervisors joined`);
    await sleep(3000);
    const supSampler = new Sampler([daemon.pid, daemon.rtpenginePid]);
    await sleep(CPU_WINDOW_MS);
    const supervised = supSampler.stop();
    const ended = await Promise.race([gw.exited.then(() => true), sleep(holdMs).then(() => false)]);
    if (!ended) problems.push('the mixer phase\'s gateway SIPp did not end');
    return { k: started, plain, supervised, started, problems };
  } finally {
    await stopProc(gw, 5000);
  }
}

interface Leaks { rtpengine: number; active: number | undefined; openCdrs: number }

async function leaks(ng: NgClient, api: DaemonApi, events: Events, from: number): Promise<Leaks> {
  const list = async (): Promise<string[]> => ((await ng.command('list', { limit: 10_000 })).calls as string[] | undefined) ?? [];
  const ids = await waitFor(list, (l) => l.length === 0, 15_000, 500);
  const status = await api.get<{ calls: { active: number } }>('/status').catch(() => undefined);
  return { rtpengine: ids.length, active: status?.calls.active, openCdrs: events.openCdrs(from) };
}

// ------------------------------------------------------------------------------------------------
// Report.

/** Lines of `file` holding `text` (the daemon's log: refusals it writes no event for). */
function countLines(file: string, text: string): number {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.includes(text)).length;
}

const ms3 = (xs: number[]): string => (xs.length ? `${percentile(xs, 50).toFixed(0)} / ${percentile(xs, 99).toFixed(0)} / ${Math.max(...xs).toFixed(0)}` : '-');
const cpuOf = (u: Usage, pid: number): number => u.cpu.get(pid) ?? NaN;

interface Result {
  offers: Offer[]; unmatched: number; counts: Counts; churn: ChurnLog; churnUsage: Usage; occupancy: { mean: number; allBusy: number };
  mixer: Mixer | undefined; leaks: Leaks; gateway: Map<string, number>; daemon: Daemon; wallS: number; load: [number, number];
  phase1S: number; drainS: number; noLine: number; problems: string[];
}

function report(r: Result): string {
  const live = r.offers.filter((o) => !o.callback).map((o) => o.ms);
  const cb = r.offers.filter((o) => o.callback).map((o) => o.ms);
  const c = r.counts;
  const d = r.daemon;
  let out = `\nACD churn: ${LINES} lines → queue:${QUEUE} (longest-idle, wrap-up ${WRAP_UP_S} s, max wait ${MAX_WAIT_S} s), ${AGENTS} agents churning, ` +
    `${CALLBACKS} queued callbacks at the start, ${MINUTES} min, gateway ${RATE} calls/s held ${HOLD_MS[0] / 1000}-${HOLD_MS[1] / 1000} s, loopback\n\n`;
  out += tableRow(['figure', 'value']);
  out += tableRow(['---', '---']);
  out += tableRow(['queue decision latency, live callers: offers, p50 / p99 / max ms', `${live.length}, ${ms3(live)}`]);
  out += tableRow(['queue decision latency, callbacks (a line must be free too): offers, p50 / p99 / max ms', `${cb.length}, ${ms3(cb)}`]);
  out += tableRow(['callers joined / answered / abandoned / overflow', `${c.joined} / ${c.answeredLive} / ${c.abandoned} / ${[...c.overflow].map(([k, v]) => `${v} ${k}`).join(', ') || '0'}`]);
  out += tableRow(['answered callers\' wait p50 / p99 / max s', c.waitS.length ? `${percentile(c.waitS, 50).toFixed(1)} / ${percentile(c.waitS, 99).toFixed(1)} / ${Math.max(...c.waitS).toFixed(1)}` : '-']);
  out += tableRow(['callbacks requested / agent answered / customer answered / failed', `${c.cbRequested} / ${c.answeredCallback} / ${c.cbAnswered} / ${c.cbFailed}`]);
  out += tableRow(['callbacks served during the churn / in the drain', `${c.cbServedInChurn} / ${c.answeredCallback - c.cbServedInChurn}`]);
  out += tableRow(['offers not answered (agent.no_answer)', c.noAnswer]);
  out += tableRow(['agent churn: pauses / logouts (each back after 5-20 s)', `${r.churn.paused} / ${r.churn.loggedOut}`]);
  out += tableRow(['supervisions in the churn: asked / refused (call gone) / supervise.started / ended', `${r.churn.supervisions} / ${r.churn.superviseRefused} / ${c.superviseStarted} / ${c.superviseEnded}`]);
  out += tableRow(['lines in the churn: mean busy / share of time all 8 busy', `${r.occupancy.mean.toFixed(1)} / ${(r.occupancy.allBusy * 100).toFixed(0)}%`]);
  out += tableRow(['gateway calls placed / refused for want of an idle line (a callback held one)', `${r.gateway.get('OutgoingCall(C)') ?? '-'} / ${r.noLine}`]);
  out += tableRow(['daemon CPU % of a core / rtpengine CPU %, churn', `${cpuOf(r.churnUsage, d.pid).toFixed(1)} / ${cpuOf(r.churnUsage, d.rtpenginePid).toFixed(1)}`]);
  out += tableRow(['daemon / rtpengine peak RSS MiB, churn', `${(r.churnUsage.rss.get(d.pid) ?? NaN).toFixed(0)} / ${(r.churnUsage.rss.get(d.rtpenginePid) ?? NaN).toFixed(0)}`]);
  const m = r.mixer;
  if (m) {
    const dd = cpuOf(m.supervised, d.pid) - cpuOf(m.plain, d.pid);
    const dr = cpuOf(m.supervised, d.rtpenginePid) - cpuOf(m.plain, d.rtpenginePid);
    out += tableRow([`mixer phase, ${SUPERVISORS} calls: daemon CPU % without → with ${m.k} whisper supervisors`, `${cpuOf(m.plain, d.pid).toFixed(1)} → ${cpuOf(m.supervised, d.pid).toFixed(1)}`]);
    out += tableRow(['mixer CPU per conference (daemon, % of a core)', m.k > 0 ? (dd / m.k).toFixed(2) : '-']);
    out += tableRow(['rtpengine CPU per conference (its extra legs, % of a core)', m.k > 0 ? (dr / m.k).toFixed(2) : '-']);
  }
  out += tableRow(['rtpengine calls after the run (`list`)', r.leaks.rtpengine]);
  out += tableRow(['daemon active calls after the run (/api/v1/status)', r.leaks.active ?? '?']);
  out += tableRow(['CDRs never ended', r.leaks.openCdrs]);
  const slow = [...r.offers].sort((a, b) => b.ms - a.ms).slice(0, 5);
  out += `\nSlowest decisions: ${slow.map((o) => `${o.ms} ms (${o.callback ? 'callback' : 'live'}, waited for the ${o.bound}, ${o.ext})`).join('; ') || '-'}.\n`;
  const bound = (k: Offer['bound']): number => r.offers.filter((o) => o.bound === k).length;
  out += `The offer waited last for: the caller ${bound('caller')}, the agent ${bound('agent')}, a line ${bound('line')}` +
    `${r.unmatched ? `; ${r.unmatched} offers had no earlier join or agent state in the run and are left out` : ''}.\n`;
  out += `Churn CPU window ${r.churnUsage.seconds.toFixed(0)} s, machine busy ${r.churnUsage.machineBusy.toFixed(0)}% of ${cpus().length} cores; ` +
    `callback phase ${r.phase1S.toFixed(0)} s, drain ${r.drainS.toFixed(0)} s; load average ${r.load[0].toFixed(2)} before, ${r.load[1].toFixed(2)} after; ` +
    `run ${(r.wallS / 60).toFixed(1)} min.\n`;
  if (m) out += `Mixer windows ${m.plain.seconds.toFixed(0)} s each; rtpengine ${cpuOf(m.plain, d.rtpenginePid).toFixed(1)} → ${cpuOf(m.supervised, d.rtpenginePid).toFixed(1)}% of a core.\n`;
  for (const e of r.churn.apiErrors) out += `API error: ${e}\n`;
  for (const p of r.problems) out += `PROBLEM: ${p}\n`;
  return out;
}

// ------------------------------------------------------------------------------------------------
// The run.

interface Ctx { box: Box; daemon: Daemon; api: DaemonApi; events: Events; problems: string[] }

/** Phase 1: agents paused, CALLBACKS callers press 1; then the churn's rate. */
async function callbackPhase(ctx: Ctx, churn: Churn, churnMs: number, boundS: number): Promise<{ gateway: Gateway; mark: number; requested: number; seconds: number }> {
  const t = performance.now();
  await churn.all('pause', 'bench start');
  const mark = ctx.events.lastId();
  const gateway = await startGateway(ctx.box, CALLBACKS + Math.ceil(RATE * (churnMs / 1000) * 2) + 200, boundS);
  const requested = await waitFor(() => ctx.events.count('queue.callback_requested', mark), (n) => n >= CALLBACKS, 60_000 + CALLBACKS * 3000, 500);
  if (requested < CALLBACKS) ctx.problems.push(`only ${requested}/${CALLBACKS} callbacks requested`);
  await sippControl(gateway.control, `cset rate ${RATE}`);
  return { gateway, mark, requested, seconds: (performance.now() - t) / 1000 };
}

/** Phase 2: agents back, then away and back again, supervisors joining; CPU over the phase. */
async function churnPhase(ctx: Ctx, churn: Churn, gateway: Gateway, churnMs: number): Promise<{ start: number; end: number; usage: Usage }> {
  await churn.all('unpause');
  const start = Date.now();
  const end = start + churnMs;
  const sampler = new Sampler([ctx.daemon.pid, ctx.daemon.rtpenginePid]);
  while (Date.now() < end && gateway.child.exitCode === null && ctx.daemon.child.exitCode === null) {
    await churn.tick(Date.now());
    await sleep(1000);
  }
  const usage = sampler.stop();
  if (gateway.child.exitCode !== null) ctx.problems.push(`the gateway SIPp ended early (exit ${gateway.child.exitCode}); see ${gateway.dir}`);
  return { start, end, usage };
}

/** Phase 3: no new callers, everyone back; until every callback is settled and no call is up. */
async function drainPhase(ctx: Ctx, churn: Churn, gateway: Gateway, mark: number, requested: number): Promise<{ lastEvent: number; seconds: number; stats: Map<string, number> }> {
  const t = performance.now();
  await sippControl(gateway.control, 'p');
  await churn.returnAll();
  const settled = (): number => ctx.events.count('queue.callback_failed', mark) +
    ctx.events.list(mark, undefined, 'queue.answered').filter((e) => e.data['callback'] === true).length;
  const left = await waitFor(async () => {
    const active = (await ctx.api.get<{ calls: { active: number } }>('/status').catch(() => undefined))?.calls.active ?? -1;
    return { cb: requested - settled(), active };
  }, (s) => s.cb <= 0 && s.active === 0, 240_000, 1000);
  if (left.cb > 0 || left.active !== 0) ctx.problems.push(`after the drain: ${left.cb} callbacks unsettled, ${left.active} calls up`);
  const lastEvent = ctx.events.lastId();
  await quitSipp(gateway, gateway.control, 20_000);
  return { lastEvent, seconds: (performance.now() - t) / 1000, stats: sippStats(gateway.dir) };
}

async function runAll(ctx: Ctx, t0: number, load0: number): Promise<string> {
  const { box, daemon, api, events, problems } = ctx;
  const churnMs = MINUTES * 60_000;
  const boundS = Math.ceil(churnMs / 1000) + 900;
  const from = Date.now();
  let phones: SippRun | undefined;
  let gateway: Gateway | undefined;
  const ng = new NgClient({ host: '127.0.0.1', port: box.ngPort, timeoutMs: 5000 });
  try {
    phones = await startPhones(box, boundS);
    const phonesUp = AGENTS + SUPERVISORS;
    const registered = await waitFor(async () => (await api.get<{ phones: { registered: number } }>('/status')).phones.registered, (n) => n >= phonesUp, 10_000);
    if (registered < phonesUp) problems.push(`only ${registered}/${phonesUp} phones registered`);

    const churn = new Churn(api, (id) => events.callUp(id));
    const p1 = await callbackPhase(ctx, churn, churnMs, boundS);
    gateway = p1.gateway;
    process.stdout.write(`${p1.requested} callbacks queued after ${p1.seconds.toFixed(0)} s; churn for ${MINUTES} min …\n`);
    const p2 = await churnPhase(ctx, churn, gateway, churnMs);
    const p3 = await drainPhase(ctx, churn, gateway, p1.mark, p1.requested);
    process.stdout.write(`drained in ${p3.seconds.toFixed(0)} s; mixer phase …\n`);
    const mixer = await mixerPhase(box, api, events, daemon).catch((err: unknown) => {
      problems.push(`mixer phase: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
    problems.push(...(mixer?.problems ?? []));

    const lk = await leaks(ng, api, events, from);
    if (lk.rtpengine > 0 || lk.active !== 0 || lk.openCdrs > 0) problems.push(`leaks: ${lk.rtpengine} rtpengine calls, ${lk.active ?? '?'} active, ${lk.openCdrs} open CDRs`);
    if (daemon.child.exitCode !== null) problems.push(`daemon exited with ${daemon.child.exitCode}`);

    const evs = events.list(p1.mark, p3.lastEvent);
    const lines = new LineTimeline(events.lineIntervals(from));
    const { offers, unmatched } = decisionLatencies(evs, lines);
    return report({
      offers, unmatched, counts: counts(evs, p2.end), churn: churn.log, churnUsage: p2.usage, occupancy: lines.occupancy(p2.start, p2.end),
      mixer, leaks: lk, gateway: p3.stats, daemon, wallS: (performance.now() - t0) / 1000, load: [load0, loadavg()[0] as number],
      phase1S: p1.seconds, drainS: p3.seconds, noLine: countLines(join(box.dir, 'daemon.log'), 'INVITE from the gateway for no known line'), problems,
    });
  } finally {
    if (gateway) await stopProc(gateway, 5000);
    if (phones) await stopProc(phones, 5000, 'SIGUSR1');
    ng.close();
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const load0 = loadavg()[0] as number;
  const dir = await prepareDaemonBench('acd-churn');
  const box = await makeBox(dir);
  process.stdout.write(`${AGENTS} agents, ${SUPERVISORS} supervisors, ${CALLBACKS} callbacks, ${MINUTES} min of churn; box under ${dir}, daemon SIP 127.0.0.1:${box.sipPort}\n`);
  const daemon = await startDaemon(box.configPath, box.httpPort, join(dir, 'daemon.log'));
  const events = new Events(box.dbPath);
  const ctx: Ctx = { box, daemon, api: new DaemonApi(box.configPath), events, problems: [] };
  try {
    process.stdout.write(await runAll(ctx, t0, load0));
  } finally {
    events.close();
    await stopProc(daemon, 15_000);
  }
  if (KEEP || ctx.problems.length > 0) process.stdout.write(`Daemon log and SIPp traces kept in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}

runBench(main);
