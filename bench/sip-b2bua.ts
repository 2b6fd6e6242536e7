/**
 * Call setups per second through our B2BUA (SIPp uac → SipStack B2BUA → SIPp uas, no media) at a
 * rising rate until the first failed call, with the CPU and RSS of this Node process (which runs
 * the B2BUA and nothing else busy); the same ladder through Kamailio (a minimal stateful proxy:
 * tm, sl, rr, maxfwd, textops, siputils, pv; 2 children) as the reference ceiling; and 100 Trying
 * latency at 100 calls/s through both, timed by a small UAC in its own Node process (send INVITE,
 * time to the 100 with hrtime, then ACK and BYE the 200).
 *
 *   npx tsx bench/sip-b2bua.ts [--rates 50,100,200,300,400,500,600,800] [--seconds 5]
 *
 * Loopback only; every SIPp run is bounded (-m, -timeout); never fails on time (figures only).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { systemClock } from '../drivers/clock.js';
import { SipStack } from '../drivers/sip/stack.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
};
const RATES = arg('rates', '50,100,200,300,400,500,600,800').split(',').map(Number);
const SECONDS = Number(arg('seconds', '5'));

let nextPort = 41000 + (process.pid % 5000);
async function freePort(): Promise<number> {
  for (;;) {
    const port = nextPort++;
    const ok = await new Promise<boolean>((res) => {
      const srv = createServer().once('error', () => res(false)).listen(port, '127.0.0.1', () => srv.close(() => res(true)));
    }) && await new Promise<boolean>((res) => {
      const s = createSocket('udp4').once('error', () => { s.close(); res(false); });
      s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (ok) return port;
  }
}

interface SippRun { successful: number; failed: number; rttMs: number[]; why?: string }

/** Run SIPp's built-in uac to completion (bounded by -timeout); read its final counters. */
async function sippClient(o: { target: number; calls: number; rate: number; timeoutS: number }): Promise<SippRun> {
  const dir = await mkdtemp(join(tmpdir(), 'octoline-bench-'));
  const args = [
    `127.0.0.1:${o.target}`, '-sn', 'uac',
    '-i', '127.0.0.1', '-bind_local', '-p', String(await freePort()), '-cp', String(await freePort()),
    '-mp', String(await freePort()), '-nostdin', '-m', String(o.calls), '-r', String(o.rate), '-l', String(Math.max(100, o.rate * 4)),
    '-buff_size', '4194304', '-timeout', `${o.timeoutS}s`, '-timeout_error', '-trace_stat', '-stf', join(dir, 'stats.csv'),
  ];
  await new Promise<void>((res) => {
    const p = spawn('sipp', args, { cwd: dir, stdio: 'ignore' });
    const kill = setTimeout(() => p.kill('SIGKILL'), (o.timeoutS + 10) * 1000);
    p.on('close', () => { clearTimeout(kill); res(); });
  });
  const csv = await readFile(join(dir, 'stats.csv'), 'utf8').catch(() => '');
  const lines = csv.trim().split('\n');
  const head = (lines[0] ?? '').split(';');
  const last = (lines.at(-1) ?? '').split(';');
  const get = (n: string): number => Number(last[head.indexOf(n)] ?? NaN);
  await rm(dir, { recursive: true, force: true });
  // SIPp's own failure reasons (FailedUnexpectedMessage, FailedCallRejected, FailedMaxUDPRetrans …)
  const why = head.filter((n) => /^Failed\w+\(C\)$/.test(n) && n !== 'FailedCall(C)' && get(n) > 0)
    .map((n) => `${n.slice(6, -3)} ${get(n)}`).join(', ');
  return { successful: get('SuccessfulCall(C)') || 0, failed: get('FailedCall(C)') || 0, rttMs: [], why };
}

/**
 * 100 Trying latency, timed outside the measured process: a minimal UAC in a child Node process
 * sends `count` INVITEs at `rate`/s, records INVITE → 100 with hrtime, then ACKs and BYEs each 200.
 */
const PROBE = `
const dgram = require('node:dgram');
const [target, count, rate] = process.argv.slice(1).map(Number);
const sock = dgram.createSocket('udp4');
const sent = new Map(); const lat = []; let done = 0, failed = 0;
const line = (s) => s.split('\\r\\n');
sock.on('message', (buf) => {
  const text = buf.toString('latin1'); const head = line(text);
  const status = Number(head[0].split(' ')[1]);
  const get = (n) => (head.find((h) => h.toLowerCase().startsWith(n.toLowerCase() + ':')) || '').slice(n.length + 1).trim();
  const id = get('Call-ID'); const cseq = get('CSeq'); const c = sent.get(id); if (!c) return;
  if (status === 100 && c.t !== undefined) { lat.push(Number(process.hrtime.bigint() - c.t) / 1e6); c.t = undefined; return; }
  if (status === 200 && cseq.endsWith('INVITE') && !c.acked) {
    c.acked = true;
    const contact = (get('Contact').match(/<([^>]+)>/) || [])[1] || 'sip:x@127.0.0.1:' + target;
    const to = get('To'); const port = sock.address().port;
    const req = (m, n) => m + ' ' + contact + ' SIP/2.0\\r\\nVia: SIP/2.0/UDP 127.0.0.1:' + port + ';branch=z9hG4bK' + id + m + ';rport\\r\\nFrom: <sip:probe@127.0.0.1:' + port + '>;tag=p' + id + '\\r\\nTo: ' + to + '\\r\\nCall-ID: ' + id + '\\r\\nCSeq: ' + n + ' ' + m + '\\r\\nMax-Forwards: 70\\r\\nContent-Length: 0\\r\\n\\r\\n';
    sock.send(req('ACK', 1), target, '127.0.0.1'); sock.send(req('BYE', 2), target, '127.0.0.1'); return;
  }
  if (status >= 200 && cseq.endsWith('BYE')) { sent.delete(id); done++; }
  else if (status >= 300 && cseq.endsWith('INVITE')) { sent.delete(id); failed++; done++; }
  if (done === count) finish();
});
function finish() { process.stdout.write(JSON.stringify({ lat, failed: failed + (count - done) })); process.exit(0); }
sock.bind(0, '127.0.0.1', () => {
  const port = sock.address().port; let i = 0;
  const tick = setInterval(() => {
    if (i >= count) { clearInterval(tick); setTimeout(finish, 5000); return; }
    const id = 'probe' + process.pid + '-' + i++;
    const sdp = 'v=0\\r\\no=- 1 1 IN IP4 127.0.0.1\\r\\ns=-\\r\\nc=IN IP4 127.0.0.1\\r\\nt=0 0\\r\\nm=audio 9 RTP/AVP 0\\r\\n';
    const inv = 'INVITE sip:service@127.0.0.1:' + target + ' SIP/2.0\\r\\nVia: SIP/2.0/UDP 127.0.0.1:' + port + ';branch=z9hG4bK' + id + ';rport\\r\\nFrom: <sip:probe@127.0.0.1:' + port + '>;tag=p' + id + '\\r\\nTo: <sip:service@127.0.0.1:' + target + '>\\r\\nCall-ID: ' + id + '\\r\\nCSeq: 1 INVITE\\r\\nContact: <sip:probe@127.0.0.1:' + port + '>\\r\\nMax-Forwards: 70\\r\\nContent-Type: application/sdp\\r\\nContent-Length: ' + sdp.length + '\\r\\n\\r\\n' + sdp;
    sent.set(id, { t: process.hrtime.bigint() }); sock.send(inv, target, '127.0.0.1');
  }, 1000 / rate);
});`;

async function tryingLatency(target: number, count: number, rate: number): Promise<SippRun> {
  const out = await new Promise<string>((res) => {
    const p = spawn(process.execPath, ['-e', PROBE, String(target), String(count), String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout.on('data', (d: Buffer) => { text += d.toString(); });
    const kill = setTimeout(() => p.kill('SIGKILL'), (count / rate + 20) * 1000);
    p.on('close', () => { clearTimeout(kill); res(text); });
  });
  try {
    const r = JSON.parse(out) as { lat: number[]; failed: number };
    return { successful: count - r.failed, failed: r.failed, rttMs: r.lat };
  } catch {
    return { successful: 0, failed: count, rttMs: [] };
  }
}

function startSippUas(port: number): ChildProcess {
  return spawn('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-bind_local', '-p', String(port), '-cp', String(port + 1000 > 65000 ? port - 1000 : port + 1000),
    '-buff_size', '4194304', '-nostdin', '-timeout', '600s', '-m', '10000000'], { stdio: 'ignore' });
}

async function waitUdp(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const busy = await new Promise<boolean>((res) => {
      const s = createSocket('udp4').once('error', () => { s.close(); res(true); });
      s.bind(port, '127.0.0.1', () => s.close(() => res(false)));
    });
    if (busy) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Step { rate: number; calls: number; ok: number; failed: number; why: string; cpu?: number; rssMb?: number }

/** Each step gets a fresh SIPp uas on `uasPort`, so no call left over from a step can fail the next. */
async function ladder(target: number, uasPort: number, measure: boolean): Promise<Step[]> {
  const steps: Step[] = [];
  for (const rate of RATES) {
    const uas = startSippUas(uasPort);
    await waitUdp(uasPort);
    const calls = rate * SECONDS;
    // CPU and RSS over the sending window (SECONDS), not the tail of the run
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const sample: { cpu?: number; rssMb?: number } = {};
    const timer = setTimeout(() => {
      const used = process.cpuUsage(cpu0);
      sample.cpu = ((used.user + used.system) / 1000 / (performance.now() - t0)) * 100;
      sample.rssMb = process.memoryUsage().rss / 2 ** 20;
    }, SECONDS * 1000);
    const r = await sippClient({ target, calls, rate, timeoutS: SECONDS * 3 + 20 });
    clearTimeout(timer);
    const step: Step = { rate, calls, ok: r.successful, failed: r.failed + Math.max(0, calls - r.successful - r.failed), why: r.why ?? '' };
    if (measure && sample.cpu !== undefined && sample.rssMb !== undefined) {
      step.cpu = sample.cpu;
      step.rssMb = sample.rssMb;
    }
    steps.push(step);
    uas.kill('SIGKILL');
    await new Promise((r) => uas.once('close', r));
    // SIPp itself drops the odd call under CPU contention ("UnexpectedMessage" on a late
    // retransmission): go on while failures stay within 0.1%, and report both ceilings.
    if (step.failed > step.calls / 1000) break;
  }
  return steps;
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

/** The highest rate reached before the first step with more than `maxFailed` of its calls failed. */
function best(steps: Step[], maxFailed: number): number {
  let top = 0;
  for (const s of steps) {
    if (s.failed > s.calls * maxFailed) break;
    top = s.rate;
  }
  return top;
}

function kamailioConfig(port: number, uas: number): string {
  return `#!KAMAILIO
debug=0
log_stderror=yes
children=2
listen=udp:127.0.0.1:${port}
disable_tcp=yes
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "pv.so"
request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
  if (has_totag()) {
    # SIPp's built-in uac sends ACK/BYE without Route: relay them to the uas all the same
    if (!loose_route()) $du = "sip:127.0.0.1:${uas}";
    t_relay();
    exit;
  }
  record_route();
  $du = "sip:127.0.0.1:${uas}";
  t_relay();
}
`;
}

async function main(): Promise<void> {
  const log = pino({ level: 'error' });
  // --- our B2BUA
  const uasPort = await freePort();
  const port = await freePort();
  const stack = new SipStack({ clock: systemClock, log }, { address: '127.0.0.1', port, rateLimit: false });
  await stack.start();
  stack.on('invite', (inv) => { stack.createB2BUA(inv, `sip:service@127.0.0.1:${uasPort}`).catch(() => undefined); });
  process.stdout.write(`Octoline B2BUA on 127.0.0.1:${port} → SIPp uas :${uasPort}; ${SECONDS} s per step\n`);
  const ours = await ladder(port, uasPort, true);
  const uas = startSippUas(uasPort);
  await waitUdp(uasPort);
  const oursRtt = await tryingLatency(port, 100 * SECONDS, 100);
  await stack.stop();

  // --- Kamailio
  let kam: Step[] = [];
  let kamRtt: SippRun | undefined;
  if (spawnSync('kamailio', ['-v']).status === 0) {
    const dir = await mkdtemp(join(tmpdir(), 'octoline-kamailio-'));
    const kport = await freePort();
    await writeFile(join(dir, 'kamailio.cfg'), kamailioConfig(kport, uasPort));
    const k = spawn('kamailio', ['-f', join(dir, 'kamailio.cfg'), '-DD', '-E', '-Y', dir, '-m', '128', '-M', '16'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let kerr = '';
    k.stderr?.on('data', (d: Buffer) => { kerr = (kerr + d.toString()).slice(-4000); });
    await waitUdp(kport);
    process.stdout.write(`Kamailio on 127.0.0.1:${kport} (2 children) → same uas\n`);
    uas.kill('SIGKILL');
    await new Promise((r) => uas.once('close', r));
    kam = await ladder(kport, uasPort, false);
    const uas2 = startSippUas(uasPort);
    await waitUdp(uasPort);
    kamRtt = await tryingLatency(kport, 100 * SECONDS, 100);
    uas2.kill('SIGKILL');
    k.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    if (k.exitCode === null) k.kill('SIGKILL');
    if (kam.length === 0 || kam.every((s) => s.ok === 0)) process.stdout.write(`kamailio output:\n${kerr}\n`);
    await rm(dir, { recursive: true, force: true });
  } else {
    process.stdout.write('kamailio not installed (apt-get install -y kamailio): no reference ceiling\n');
  }
  uas.kill('SIGKILL');

  // --- report
  const row = (c: string[]): string => `| ${c.join(' | ')} |\n`;
  let out = '\nCall setups through the B2BUA (SIPp uac → X → SIPp uas, UDP, loopback)\n\n';
  out += row(['rate (cps)', 'calls', 'Octoline ok/failed', 'node CPU %', 'RSS MiB', 'Kamailio ok/failed']);
  out += row(['---', '---', '---', '---', '---', '---']);
  for (const rate of RATES) {
    const o = ours.find((s) => s.rate === rate);
    const k = kam.find((s) => s.rate === rate);
    if (!o && !k) continue;
    const cell = (x: Step | undefined): string => (x ? `${x.ok}/${x.failed}${x.why ? ` (${x.why})` : ''}` : '-');
    out += row([String(rate), String(rate * SECONDS), cell(o), o?.cpu?.toFixed(0) ?? '-', o?.rssMb?.toFixed(0) ?? '-', cell(k)]);
  }
  for (const [label, maxFailed] of [['no failed call', 0], ['at most 0.1% failed', 0.001]] as const) {
    const ob = best(ours, maxFailed);
    const kb = best(kam, maxFailed);
    out += `\nHighest rate with ${label}: Octoline ${ob} cps, Kamailio ${kam.length ? `${kb} cps` : 'n/a'}`;
    out += kb > 0 ? `, ratio ${(ob / kb).toFixed(2)}` : '';
  }
  out += `\n(ladder ${RATES.join(', ')} cps, ${SECONDS} s each; the top of the ladder is a floor, not a ceiling)\n`;
  const lat = (r: SippRun | undefined): string => (r === undefined || r.rttMs.length === 0 ? 'n/a'
    : `p50 ${percentile(r.rttMs, 50).toFixed(3)} ms, p99 ${percentile(r.rttMs, 99).toFixed(3)} ms (${r.rttMs.length} timed, ${r.failed} failed)`);
  out += `100 Trying latency at 100 cps (INVITE sent → 100 received, timed in a separate Node UAC): Octoline ${lat(oursRtt)}; Kamailio ${lat(kamRtt)}\n`;
  process.stdout.write(out);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
