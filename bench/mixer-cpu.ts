/**
 * The box's audio conference mixer (drivers/mixer): CPU per conference at 50 packets/s per party.
 *
 *   npx tsx bench/mixer-cpu.ts [--conferences 8[,25,50]] [--seconds 20] [--jitter 3]
 *
 * This process runs K mixers of 3 participants each (A PCMU 400 Hz, B PCMU 1000 Hz, C PCMA 1600 Hz,
 * everyone hears the other two: 3 mixes per conference every 20 ms) on one event loop, as the
 * daemon would. A child process (this file with --peer) plays the 3K parties over loopback: each
 * sends its tone as 20 ms RTP on an absolute 20 ms schedule and receives its mix, so the sender's
 * CPU is not in the figures. Mixer addresses are latched from the parties' packets (no setRemote).
 *
 * Figures over the steady window (after a 2 s warm-up): this process's CPU (process.cpuUsage delta)
 * as % of one core, total and per conference; the time spent inside ticks (busyMs delta) the same
 * way; late ticks; concealed frames; packets into the mixers against 50/s per party; packets back
 * to the parties and how many of the checked frames held exactly the two tones expected (mix-minus).
 * Bounded: K ≤ 200 per row, the window ≤ 120 s, the peer is killed 15 s after its run should end.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ALAW_TABLE, ULAW_TABLE, decodeG711 } from '../drivers/pcap/g711.js';
import { Mixer, type G711, type MixerStats } from '../drivers/mixer/mixer.js';
import { encodeTable } from '../drivers/mixer/g711-encoder.js';
import { goertzelPower } from '../drivers/tones/goertzel.js';
import { arg, flag } from './harness/bench-args.js';
import { tableRow } from './harness/figures.js';
import { runBench } from './harness/run-bench.js';

const PARTIES = [
  { name: 'A', codec: 'PCMU', payloadType: 0, hz: 400 },
  { name: 'B', codec: 'PCMU', payloadType: 0, hz: 1000 },
  { name: 'C', codec: 'PCMA', payloadType: 8, hz: 1600 },
] as const;
const WARMUP_S = 2;
const AMPLITUDE = 8000;
/** Every this many received packets, the peer checks the mix (Goertzel on 3 tones). */
const CHECK_EVERY = 5;

interface StreamSpec { port: number; hz: number; codec: G711; payloadType: number; others: number[] }
interface PeerRun { streams: StreamSpec[]; seconds: number }
interface PeerReport { backRate: number; checked: number; mixOk: number }

// ------------------------------------------------------------------------------------------------
// The parties (child process).

/** One second of a tone as 50 payloads (the tone has whole periods in 20 ms, so they loop cleanly). */
function tonePayloads(hz: number, codec: G711): Buffer[] {
  const enc = encodeTable(codec);
  return Array.from({ length: 50 }, (_, k) => {
    const b = Buffer.alloc(160);
    for (let i = 0; i < 160; i++) b[i] = enc[Math.round(AMPLITUDE * Math.sin((2 * Math.PI * hz * (k * 160 + i)) / 8000)) & 0xffff] as number;
    return b;
  });
}

class Party {
  readonly sock: Socket = createSocket('udp4');
  received = 0;
  firstAt = 0;
  lastAt = 0;
  checked = 0;
  mixOk = 0;
  /** Mixes are judged only from here to the end of sending (not the lead-in, not the tail). */
  checkFrom = Infinity;
  checkUntil = 0;
  private seq = Math.floor(Math.random() * 0x10000);
  private ts = Math.floor(Math.random() * 2 ** 32);
  private n = 0;
  private readonly payloads: Buffer[];
  private readonly table: Int16Array;

  constructor(private readonly spec: StreamSpec) {
    this.payloads = tonePayloads(spec.hz, spec.codec);
    this.table = spec.codec === 'PCMA' ? ALAW_TABLE : ULAW_TABLE;
    this.sock.on('message', (msg) => this.onMix(msg));
  }

  bind(): Promise<void> {
    return new Promise((r) => this.sock.bind(0, '127.0.0.1', () => r()));
  }

  send(): void {
    const pkt = Buffer.alloc(172);
    pkt[0] = 0x80;
    pkt[1] = (this.n === 0 ? 0x80 : 0) | this.spec.payloadType;
    pkt.writeUInt16BE(this.seq, 2);
    pkt.writeUInt32BE(this.ts, 4);
    pkt.writeUInt32BE(0x1000 + this.spec.port, 8);
    (this.payloads[this.n % 50] as Buffer).copy(pkt, 12);
    this.sock.send(pkt, this.spec.port, '127.0.0.1');
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + 160) >>> 0;
    this.n++;
  }

  /** Counts the mix; every CHECK_EVERY-th frame of the steady part must hold both others' tones and not its own. */
  private onMix(msg: Buffer): void {
    const now = performance.now();
    if (this.received++ === 0) this.firstAt = now;
    this.lastAt = now;
    if (this.received % CHECK_EVERY !== 0 || now < this.checkFrom || now > this.checkUntil || msg.length !== 172) return;
    this.checked++;
    const s = decodeG711(msg.subarray(12), this.table);
    const full = (160 * AMPLITUDE * AMPLITUDE) / 2;
    const heard = this.spec.others.every((hz) => goertzelPower(s, hz, 8000) > full / 4.5);
    const notSelf = goertzelPower(s, this.spec.hz, 8000) < full / 100;
    if (heard && notSelf) this.mixOk++;
  }
}

async function peerMain(): Promise<void> {
  const run = await new Promise<PeerRun>((r) => process.once('message', (m) => r(m as PeerRun)));
  const parties = run.streams.map((s) => new Party(s));
  await Promise.all(parties.map((p) => p.bind()));
  const ticks = Math.round((run.seconds * 1000) / 20);
  const started = performance.now();
  for (const p of parties) {
    p.checkFrom = started + 1000;
    p.checkUntil = started + ticks * 20;
  }
  for (let k = 0; k < ticks; k++) {
    for (const p of parties) p.send();
    const wait = started + (k + 1) * 20 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await sleep(300); // the last mixes
  const rates = parties.map((p) => ((p.received - 1) * 1000) / (p.lastAt - p.firstAt));
  const report: PeerReport = { backRate: rates.reduce((a, b) => a + b, 0) / rates.length, checked: 0, mixOk: 0 };
  for (const p of parties) {
    report.checked += p.checked;
    report.mixOk += p.mixOk;
    p.sock.close();
  }
  process.send?.(report, () => process.exit(0));
}

// ------------------------------------------------------------------------------------------------
// The mixers (this process).

interface Snapshot { cpuUs: number; at: number; stats: MixerStats[] }

function snapshot(mixers: Mixer[]): Snapshot {
  const u = process.cpuUsage();
  return { cpuUs: u.user + u.system, at: performance.now(), stats: mixers.map((m) => m.stats()) };
}

const sum = (xs: MixerStats[], f: (s: MixerStats) => number) => xs.reduce((a, s) => a + f(s), 0);

interface Row { k: number; cpuPct: number; busyPct: number; late: number; concealed: number; inRate: number; peer: PeerReport | undefined; problems: string[] }

async function measure(k: number, seconds: number, jitterFrames: number): Promise<Row> {
  const mixers = Array.from({ length: k }, () => Mixer.open({ jitterFrames }));
  const streams: StreamSpec[] = [];
  for (const m of mixers) {
    for (const p of PARTIES) {
      const at = await m.add(p.name, { codec: p.codec, payloadType: p.payloadType, telephoneEventPt: 101, hears: PARTIES.map((q) => q.name) });
      streams.push({ port: at.port, hz: p.hz, codec: p.codec, payloadType: p.payloadType, others: PARTIES.filter((q) => q !== p).map((q) => q.hz) });
    }
  }
  const problems: string[] = [];
  const peer: ChildProcess = fork(fileURLToPath(import.meta.url), ['--peer'], { stdio: 'inherit' });
  const report = new Promise<PeerReport | undefined>((resolve) => {
    peer.once('message', (m) => resolve(m as PeerReport));
    peer.once('exit', () => resolve(undefined));
  });
  const killer = setTimeout(() => peer.kill('SIGKILL'), (WARMUP_S + seconds + 15) * 1000);
  try {
    peer.send({ streams, seconds: WARMUP_S + seconds + 0.5 } satisfies PeerRun);
    await sleep(WARMUP_S * 1000);
    const a = snapshot(mixers);
    await sleep(seconds * 1000);
    const b = snapshot(mixers);
    const peerReport = await report;
    if (!peerReport) problems.push('the peer process ended without a report');
    const windowMs = b.at - a.at;
    const delta = (f: (s: MixerStats) => number) => sum(b.stats, f) - sum(a.stats, f);
    return {
      k,
      cpuPct: ((b.cpuUs - a.cpuUs) / 1000 / windowMs) * 100,
      busyPct: (delta((s) => s.busyMs) / windowMs) * 100,
      late: delta((s) => s.lateTicks),
      concealed: delta((s) => s.framesConcealed),
      inRate: delta((s) => s.framesIn) / (windowMs / 1000) / (3 * k),
      peer: peerReport,
      problems,
    };
  } finally {
    clearTimeout(killer);
    peer.kill();
    await Promise.all(mixers.map((m) => m.close()));
  }
}

function report(rows: Row[], seconds: number, jitterFrames: number, load: [number, number]): string {
  let out = `\nMixer CPU: K conferences × 3 parties (PCMU, PCMU, PCMA), each hearing the other two, 50 packets/s per party, ` +
    `jitterFrames ${jitterFrames}, ${seconds} s window after ${WARMUP_S} s warm-up, one event loop, loopback\n\n`;
  out += tableRow(['K', 'streams in / mixes out', 'CPU % of one core (process)', 'per conference', 'in ticks (busyMs) %', 'per conference',
    'late ticks', 'concealed frames', 'packets in /s per party', 'packets back /s per party', 'mix checks ok']);
  out += tableRow(Array(11).fill('---'));
  for (const r of rows) {
    out += tableRow([r.k, `${3 * r.k} / ${3 * r.k}`, r.cpuPct.toFixed(2), (r.cpuPct / r.k).toFixed(3), r.busyPct.toFixed(2), (r.busyPct / r.k).toFixed(3),
      r.late, r.concealed, r.inRate.toFixed(1), r.peer ? r.peer.backRate.toFixed(2) : '-', r.peer ? `${r.peer.mixOk} / ${r.peer.checked}` : '-']);
  }
  out += '\nCPU is everything this process did in the window (sockets in and out, jitter buffers, mixing, encoding, timers); ' +
    '"in ticks" is the part inside the 20 ms ticks (playout, mixing, encoding, handing packets to the socket). Packets back /s: ' +
    'each party\'s mix from its first to its last packet. Mix checks: every ' + CHECK_EVERY + 'th frame a party got from 1 s after it ' +
    'started sending to when it stopped, judged by Goertzel: both other tones at least at half amplitude, its own below a tenth.\n';
  out += `Load average (1 min) ${load[0].toFixed(2)} before, ${load[1].toFixed(2)} after, on ${cpus().length} cores shared with other work.\n`;
  for (const r of rows) for (const p of r.problems) out += `PROBLEM (K=${r.k}): ${p}\n`;
  return out;
}

async function main(): Promise<void> {
  const ks = arg('conferences', '8').split(',').map((x) => Math.max(1, Math.min(200, Math.floor(Number(x)) || 8)));
  const seconds = Math.max(1, Math.min(120, Number(arg('seconds', '20')) || 20));
  const jitterFrames = Math.max(0, Math.min(15, Math.floor(Number(arg('jitter', '3'))) || 0));
  const load0 = loadavg()[0] as number;
  const rows: Row[] = [];
  for (const k of ks) {
    process.stdout.write(`K=${k}: ${3 * k} parties, ${seconds} s…\n`);
    rows.push(await measure(k, seconds, jitterFrames));
  }
  process.stdout.write(report(rows, seconds, jitterFrames, [load0, loadavg()[0] as number]));
}

if (flag('peer')) void peerMain();
else runBench(main);
