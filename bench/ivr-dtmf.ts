/**
 * DTMF digit → first RTP packet of the next prompt, through the built daemon (`node dist/daemon/cli/
 * main.js daemon`) and its rtpengine, with C callers in a menu at once (default 8 callers, 1000 digits).
 *
 *   SIPp (signalling only, bench-ivr-caller.xml) places C calls on lines 1..C, routed to the flow
 *   `bench-dtmf`: menu (prompt upload:tick) → any of 1-9 → play upload:tick → back to the menu; # hangs up.
 *   The SDP of each call points the caller's media at a UDP socket of this script, which plays the
 *   caller: it sends PCMU silence every 20 ms and, once the menu prompt has ended (no packet for
 *   SILENCE_MS), a digit as RFC 4733 events (6 updates + 3 end packets, 140 ms), and timestamps the
 *   first packet rtpengine sends after the key.
 *
 *   npx tsx bench/ivr-dtmf.ts [--callers 8] [--digits 1000] [--keep]
 *
 * Why the script and not SIPp sends the media: SIPp's dtmf_2833 pcaps replay fixed RTP timestamps
 * (the same key twice is one event to rtpengine) and SIPp cannot time what it receives; a socket of
 * our own both sends the keys and sees the prompt's first packet, on the one clock.
 *
 * Figures (p50/p95/max per digit): key released (first end packet sent) → first prompt packet at the
 * caller, end to end; and, from the events table (daemon's Date.now(), ms): `call.dtmf` (the daemon
 * handling rtpengine's DTMF-log datagram) → first packet, split at `ivr.prompt` (written just before
 * the play media command). Loopback only; every wait is bounded; never fails on time.
 */
import { execFile } from 'node:child_process';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { freePort, freePorts } from '../test/helpers/ports.js';
import { arg, flag } from './harness/bench-args.js';
import { boxPorts, octoline, writeBoxConfig, type BoxPorts } from './harness/box.js';
import { startDaemon } from './harness/daemon.js';
import { percentile, tableRow } from './harness/figures.js';
import { SCENARIOS } from './harness/paths.js';
import { prepareDaemonBench } from './harness/prerequisites.js';
import { stopProc } from './harness/processes.js';
import { runBench } from './harness/run-bench.js';
import { startSipp, type SippRun } from './harness/sipp.js';

const CALLERS = Math.max(1, Math.min(32, Number(arg('callers', '8')) || 8));
const DIGITS = Math.max(CALLERS, Number(arg('digits', '1000')) || 1000);
const KEEP = flag('keep');
/** The prompt has ended when no packet came for this long (rtpengine sends one every 20 ms while playing). */
const SILENCE_MS = 250;
/** A key whose prompt has not started after this counts as unanswered. */
const PROMPT_WAIT_MS = 3000;
/** Every caller's whole run; the bench stops there whatever is left. */
const RUN_BOUND_MS = Math.ceil(DIGITS / CALLERS) * 4000 + 60_000;
const KEYS = '123456789';

const run = promisify(execFile);

// ------------------------------------------------------------------------------------------------
// The box: config, `octoline setup`, the tick prompt, the flow, lines 1..C routed to it.

interface Box extends BoxPorts { dir: string; configPath: string; dataDir: string }

async function cli(box: Box, args: string[]): Promise<string> {
  return octoline([...args, '--config', box.configPath]);
}

const benchFlow = {
  name: 'bench-dtmf', language: 'en', start: 'menu', on_error: 'bye',
  nodes: {
    menu: {
      type: 'menu', prompts: ['upload:tick'], timeout_s: 60, retries: 9, on_fail: 'bye',
      options: { ...Object.fromEntries([...KEYS].map((k) => [k, 'ack'])), '#': 'bye' },
    },
    ack: { type: 'play', prompts: ['upload:tick'], next: 'back' },
    back: { type: 'goto', target: 'menu' },
    bye: { type: 'hangup' },
  },
};

async function makeBox(dir: string): Promise<Box> {
  mkdirSync(dir, { recursive: true });
  const ports = await boxPorts();
  const rtpMin = (await freePorts(1, 8 * CALLERS + 40))[0] as number;
  const box: Box = { dir, configPath: join(dir, 'octoline.conf'), dataDir: join(dir, 'data'), ...ports };
  writeBoxConfig(box.configPath, ports, rtpMin, rtpMin + 8 * CALLERS + 39);
  const setup = ['setup', '--yes', '--gateway', `127.0.0.1:${ports.gwPort}`];
  for (let k = 1; k <= CALLERS; k++) setup.push('--line', `${k}=02155${String(k).padStart(5, '0')}`);
  await cli(box, setup);
  // A 120 ms tone as both prompts: the menu cycle stays short, so 1000 keys take minutes, not hours.
  const tick = join(dir, 'tick.wav');
  await run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', tick, 'synth', '0.12', 'sine', '800', 'vol', '0.5']);
  await cli(box, ['prompts', 'add', 'tick', tick]);
  const flowFile = join(dir, 'bench-dtmf.json');
  writeFileSync(flowFile, JSON.stringify(benchFlow, null, 2));
  await cli(box, ['flows', 'import', flowFile]);
  for (let k = 1; k <= CALLERS; k++) await cli(box, ['lines', 'route', String(k), 'flow:bench-dtmf']);
  return box;
}

// ------------------------------------------------------------------------------------------------
// The callers' SIPp, bounded.

async function startCallers(box: Box, mediaPorts: number[]): Promise<SippRun> {
  const dir = join(box.dir, 'sipp');
  mkdirSync(dir, { recursive: true });
  const scenario = join(dir, 'bench-ivr-caller.xml');
  writeFileSync(scenario, readFileSync(join(SCENARIOS, 'bench-ivr-caller.xml'), 'utf8').replaceAll('[hold_ms]', String(RUN_BOUND_MS)));
  const inf = join(dir, 'callers.csv');
  writeFileSync(inf, `SEQUENTIAL\n${mediaPorts.map((p, i) => `line${i + 1};0139${String(i + 1).padStart(7, '0')};${p}`).join('\n')}\n`);
  return startSipp(dir, [`127.0.0.1:${box.sipPort}`, '-sf', scenario, '-inf', inf, '-p', String(box.gwPort),
    '-mp', String(await freePort()), '-ci', '127.0.0.1', '-cp', String(await freePort()),
    '-aa', '-m', String(CALLERS), '-l', String(CALLERS), '-r', String(CALLERS)], Math.ceil(RUN_BOUND_MS / 1000) + 30);
}

// ------------------------------------------------------------------------------------------------
// A caller's media: PCMU silence every 20 ms, RFC 4733 keys, and the time of each prompt's first packet.

const PT_PCMU = 0;
const PT_EVENT = 101; // as the offer in bench-ivr-caller.xml says
const SILENCE = Buffer.alloc(160, 0xff);
/** RFC 4733 updates before the end packets (20 ms each) and the end packets' count. */
const EVENT_UPDATES = 6;
const END_PACKETS = 3;
const EVENTS: Record<string, number> = { '*': 10, '#': 11 };

/** Epoch ms with sub-ms resolution (comparable with the daemon's Date.now() to about 1 ms). */
const wallMs = (): number => performance.timeOrigin + performance.now();

interface KeyTiming {
  key: string;
  pressedAt: number;
  releasedAt: number;
  /** First packet rtpengine sent after the press; undefined if none within PROMPT_WAIT_MS. */
  firstPacketAt: number | undefined;
}

class CallerMedia {
  readonly sock: Socket = createSocket('udp4');
  private remote: RemoteInfo | undefined;
  private seq = Math.floor(Math.random() * 0xffff);
  private ts = Math.floor(Math.random() * 0x7fffffff);
  private readonly ssrc = Math.floor(Math.random() * 0xffffffff);
  private event: { code: number; startTs: number; sent: number; onEnd: (at: number) => void } | undefined;
  private lastPacketAt = 0;
  private packetWaiter: ((at: number) => void) | undefined;

  async bind(): Promise<number> {
    await new Promise<void>((r) => this.sock.bind(0, '127.0.0.1', r));
    this.sock.on('message', (msg, rinfo) => this.received(msg, rinfo));
    return this.sock.address().port;
  }

  private received(msg: Buffer, rinfo: RemoteInfo): void {
    const at = wallMs();
    if (msg.length < 12 || (msg[0] as number) >> 6 !== 2 || ((msg[1] as number) & 0x7f) !== PT_PCMU) return;
    // rtpengine sends from the port it expects us on: that is where the keys and the silence go.
    this.remote ??= rinfo;
    this.lastPacketAt = at;
    const w = this.packetWaiter;
    this.packetWaiter = undefined;
    w?.(at);
  }

  /** One 20 ms tick: the key being sent, else silence (nothing before rtpengine's first packet). */
  tick(): void {
    if (!this.remote) return;
    this.ts = (this.ts + 160) >>> 0;
    this.seq = (this.seq + 1) & 0xffff;
    const e = this.event;
    if (!e) {
      this.send(this.header(PT_PCMU, false, this.ts), SILENCE);
      return;
    }
    e.sent++;
    const end = e.sent > EVENT_UPDATES;
    const payload = Buffer.from([e.code, (end ? 0x80 : 0) | 10, 0, 0]);
    payload.writeUInt16BE(Math.min(e.sent, EVENT_UPDATES + 1) * 160, 2);
    const header = this.header(PT_EVENT, e.sent === 1, e.startTs);
    if (!end) {
      this.send(header, payload);
      return;
    }
    // The end packet three times, one sequence number (RFC 4733 2.5.1.4), as SIPp's pcaps do.
    for (let i = 0; i < END_PACKETS; i++) this.send(header, payload);
    this.event = undefined;
    e.onEnd(wallMs());
  }

  private header(pt: number, marker: boolean, ts: number): Buffer {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = (marker ? 0x80 : 0) | pt;
    h.writeUInt16BE(this.seq, 2);
    h.writeUInt32BE(ts >>> 0, 4);
    h.writeUInt32BE(this.ssrc >>> 0, 8);
    return h;
  }

  private send(header: Buffer, payload: Buffer): void {
    const r = this.remote;
    if (r) this.sock.send(Buffer.concat([header, payload]), r.port, r.address);
  }

  /** Resolves at the first packet from rtpengine (the menu prompt), or false after `ms`. */
  async firstPrompt(ms: number): Promise<boolean> {
    if (this.lastPacketAt > 0) return true;
    return (await this.nextPacket(ms)) !== undefined;
  }

  /** Until no packet came for SILENCE_MS (the prompt has ended); false if it never goes quiet within `ms`. */
  async quiet(ms: number): Promise<boolean> {
    const deadline = wallMs() + ms;
    while (wallMs() < deadline) {
      const idle = wallMs() - this.lastPacketAt;
      if (idle >= SILENCE_MS) return true;
      await sleep(SILENCE_MS - idle + 1);
    }
    return false;
  }

  /** Presses `key` (140 ms of RFC 4733) and times the first packet rtpengine sends after the press. */
  async press(key: string): Promise<KeyTiming> {
    const pressedAt = wallMs();
    const first = this.nextPacket(PROMPT_WAIT_MS);
    const releasedAt = await new Promise<number>((onEnd) => {
      this.event = { code: EVENTS[key] ?? Number(key), startTs: this.ts, sent: 0, onEnd };
    });
    return { key, pressedAt, releasedAt, firstPacketAt: await first };
  }

  private nextPacket(ms: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.packetWaiter = undefined;
        resolve(undefined);
      }, ms);
      this.packetWaiter = (at) => {
        clearTimeout(timer);
        resolve(at);
      };
    });
  }

  close(): void {
    this.sock.close();
  }
}

/** One caller's run: wait for the menu, then `count` keys, each after the previous prompts went quiet, then #. */
async function callerRun(m: CallerMedia, count: number, deadline: number, offset: number): Promise<{ keys: KeyTiming[]; problem?: string }> {
  const keys: KeyTiming[] = [];
  if (!(await m.firstPrompt(20_000))) return { keys, problem: 'no menu prompt within 20 s (call not up?)' };
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    if (!(await m.quiet(10_000))) return { keys, problem: 'the prompts never went quiet' };
    keys.push(await m.press(KEYS[(i + offset) % KEYS.length] as string));
  }
  await m.quiet(10_000);
  await m.press('#');
  return { keys };
}

// ------------------------------------------------------------------------------------------------
// The daemon's side: call.dtmf and ivr.prompt events of each caller's call.

interface DaemonTimes { dtmfAt: number; promptAt: number | undefined }

/** Per key of caller k (line k): the call.dtmf event of that key after the press, and the ivr.prompt after it. */
function daemonTimes(db: BetterSqlite3.Database, line: number, keys: KeyTiming[]): Array<DaemonTimes | undefined> {
  const call = db.prepare('SELECT id FROM calls WHERE line_id = ? ORDER BY started_at DESC LIMIT 1').get(line) as { id: string } | undefined;
  if (!call) return keys.map(() => undefined);
  const events = (db.prepare('SELECT type, at, data FROM events WHERE call_id = ? AND type IN (\'call.dtmf\', \'ivr.prompt\') ORDER BY id').all(call.id) as
    Array<{ type: string; at: number; data: string }>).map((e) => ({ type: e.type, at: e.at, digit: (JSON.parse(e.data) as { digit?: string }).digit }));
  let from = 0;
  return keys.map((k) => {
    // ms timestamps: an event may carry the millisecond before our sub-ms press time.
    const i = events.findIndex((e, j) => j >= from && e.type === 'call.dtmf' && e.digit === k.key && e.at >= Math.floor(k.pressedAt) - 1);
    if (i < 0) return undefined;
    from = i + 1;
    const dtmfAt = (events[i] as { at: number }).at;
    const prompt = events.slice(i + 1).find((e) => e.type === 'ivr.prompt');
    return { dtmfAt, promptAt: prompt?.at };
  });
}

// ------------------------------------------------------------------------------------------------
// Report.

function figure(name: string, xs: number[]): string {
  if (xs.length === 0) return tableRow([name, 0, '-', '-', '-']);
  return tableRow([name, xs.length, percentile(xs, 50).toFixed(1), percentile(xs, 95).toFixed(1), Math.max(...xs).toFixed(1)]);
}

interface Sample { key: KeyTiming; daemon: DaemonTimes | undefined }

function report(samples: Sample[], problems: string[], wallS: number, load: [number, number]): string {
  const answered = samples.filter((s) => s.key.firstPacketAt !== undefined);
  const withDaemon = answered.filter((s) => s.daemon !== undefined);
  const d = (f: (s: Sample & { daemon: DaemonTimes }) => number | undefined): number[] =>
    withDaemon.map((s) => f(s as Sample & { daemon: DaemonTimes })).filter((x): x is number => x !== undefined && Number.isFinite(x));
  const first = (s: Sample): number => s.key.firstPacketAt as number;
  let out = `\nDTMF → next prompt, ${CALLERS} callers at once in a menu (PCMU 20 ms, RFC 4733 keys of 140 ms, prompt upload:tick 120 ms), loopback\n\n`;
  out += tableRow(['interval', 'n', 'p50 ms', 'p95 ms', 'max ms']);
  out += tableRow(['---', '---', '---', '---', '---']);
  out += figure('key released (1st end packet sent) → 1st prompt packet at the caller [end to end]', answered.map((s) => first(s) - s.key.releasedAt));
  out += figure('`call.dtmf` event (daemon got rtpengine\'s datagram) → 1st prompt packet at the caller [the goal\'s figure]', d((s) => first(s) - s.daemon.dtmfAt));
  out += figure('  of which `call.dtmf` → `ivr.prompt` event (events written, flow runner)', d((s) => (s.daemon.promptAt ?? NaN) - s.daemon.dtmfAt));
  out += figure('  of which `ivr.prompt` → 1st prompt packet (play media to rtpengine, its first packet)', d((s) => first(s) - (s.daemon.promptAt ?? NaN)));
  out += figure('key released → `call.dtmf` event (rtpengine detection, DTMF log datagram)', d((s) => s.daemon.dtmfAt - s.key.releasedAt));
  const goal = d((s) => first(s) - s.daemon.dtmfAt);
  out += `\nKeys sent ${samples.length}; a prompt followed ${answered.length}; seen by the daemon (call.dtmf) ${withDaemon.length}` +
    `${samples.length - answered.length ? `; ${samples.length - answered.length} got no prompt within ${PROMPT_WAIT_MS} ms` : ''}.\n`;
  if (goal.length) out += `Goal (p95 < 150 ms, call.dtmf → first packet of the next prompt): p95 ${percentile(goal, 95).toFixed(1)} ms, ${percentile(goal, 95) < 150 ? 'met' : 'NOT met'}.\n`;
  out += 'Times: packets are stamped in this script when its socket delivers them (its event loop adds its own delay); events carry the ' +
    'daemon\'s Date.now() in whole ms, taken as the event is published, so intervals across the two are ±1 ms. "Key released" is ' +
    'when the first RFC 4733 end packet left; the key was held 140 ms before.\n';
  out += `Load average (1 min) ${load[0].toFixed(2)} before, ${load[1].toFixed(2)} after, on ${cpus().length} cores shared with other work. Run ${(wallS / 60).toFixed(1)} min.\n`;
  for (const p of problems) out += `PROBLEM: ${p}\n`;
  return out;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const dir = await prepareDaemonBench('ivr-dtmf');
  const box = await makeBox(dir);
  const perCaller = Array.from({ length: CALLERS }, (_, k) => Math.floor(DIGITS / CALLERS) + (k < DIGITS % CALLERS ? 1 : 0));
  process.stdout.write(`${CALLERS} callers × ${perCaller[0]} keys (${DIGITS}), box under ${dir}, daemon SIP 127.0.0.1:${box.sipPort}\n`);
  const load0 = loadavg()[0] as number;
  const daemon = await startDaemon(box.configPath, box.httpPort, join(box.dir, 'daemon.log'));
  const media = Array.from({ length: CALLERS }, () => new CallerMedia());
  const problems: string[] = [];
  let samples: Sample[] = [];
  try {
    const ports = await Promise.all(media.map((m) => m.bind()));
    const ticker = setInterval(() => media.forEach((m) => m.tick()), 20);
    const sipp = await startCallers(box, ports);
    const deadline = Date.now() + RUN_BOUND_MS;
    const runs = await Promise.all(media.map((m, k) => callerRun(m, perCaller[k] as number, deadline, k)));
    runs.forEach((r, k) => { if (r.problem) problems.push(`caller ${k + 1}: ${r.problem}`); });
    // The box hangs up on #; SIPp then ends by itself. Bounded: SIGUSR1 (finish), then SIGKILL.
    const ended = await Promise.race([sipp.exited.then(() => true), sleep(15_000).then(() => false)]);
    if (!ended) problems.push('SIPp had not ended 15 s after the last #');
    await stopProc(sipp, 5000, 'SIGUSR1');
    clearInterval(ticker);
    const sippCode = sipp.child.exitCode;
    if (sippCode !== 0) problems.push(`SIPp exited with ${sippCode} (see ${join(dir, 'sipp')})`);
    const db = new BetterSqlite3(join(box.dataDir, 'octoline.db'), { readonly: true, fileMustExist: true });
    try {
      samples = runs.flatMap((r, k) => {
        const times = daemonTimes(db, k + 1, r.keys);
        return r.keys.map((key, i) => ({ key, daemon: times[i] }));
      });
    } finally {
      db.close();
    }
  } finally {
    media.forEach((m) => m.close());
    await stopProc(daemon, 15_000);
  }
  process.stdout.write(report(samples, problems, (performance.now() - t0) / 1000, [load0, loadavg()[0] as number]));
  if (KEEP || problems.length > 0) process.stdout.write(`Daemon log and SIPp traces kept in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}

runBench(main);
