import t, { type Test } from 'tap';
import { join } from 'node:path';
import { decodeG711, ULAW_TABLE } from '../../drivers/pcap/g711.js';
import { energy, goertzelPower } from '../../drivers/tones/goertzel.js';
import { SipError } from '../../drivers/sip/ua/index.js';
import { readLocalToken } from '../../daemon/auth/local-token.js';
import { recordingChannel, startCallBox, type CallBox } from '../helpers/call-box.js';
import { runCli } from '../helpers/octoline.js';
import { startSipPhone, type OutgoingCall, type SipPhone } from '../helpers/sip-phone.js';
import { waitUntil } from '../helpers/sipp.js';
import { readWav } from '../helpers/tone.js';

/**
 * Supervisor listen / whisper / barge end to end: a gateway call on a line routed to queue:sales,
 * answered by agent 1001, joined by supervisor 1003 through the box's mixer. Every party speaks
 * its own tone and we look at what each one hears, per mode.
 *
 * Set-up, and why:
 * - All three parties are in-process phones (test/helpers/sip-phone.ts) whose RTP sockets keep what
 *   the box sends them in arrival order. The caller stands for the FXO gateway (it binds the
 *   gateway's SIP port and INVITEs `line1` without registering: the box knows its gateway by address
 *   and port), so "what the caller hears" is read at the gateway's own media socket. That is the
 *   audio the line's recording puts on its right channel, but it can be cut into time windows
 *   without mapping recording timestamps to mode switches, so one call walks through every mode.
 *   The recording is checked once at the end (the supervisor on its right channel only while barging).
 * - Tones: caller 1000 Hz, agent 500 Hz, supervisor 1600 Hz, a third party (three-way) 1300 Hz (all
 *   on the 10 Hz grid of 100 ms blocks, apart from each other's harmonics), sent paced by the wall clock.
 * - Each window starts when the mode is known to be in force (the `supervise.started` /
 *   `supervise.mode` event is in the database), skips a settle time (mixer playout + rtpengine), and
 *   ends when the phone's capture holds enough audio: no sleep decides anything.
 * - Measure: share of the window's energy at each frequency (Goertzel power / total energy, averaged
 *   over non-silent 100 ms blocks). A party alone gives ~1.0, two equal tones ~0.5 each, an absent one
 *   0.000 (measured); thresholds: heard > 0.2, not heard < 0.02.
 */

const CALLER = '13800138000';
const CALLER_HZ = 1000;
const AGENT_HZ = 500;
const SUPERVISOR_HZ = 1600;
const THIRD_HZ = 1300;
const FREQS = [CALLER_HZ, AGENT_HZ, SUPERVISOR_HZ, THIRD_HZ];
/** µ-law bytes = samples at 8 kHz. */
const SETTLE = 8000 * 0.3;
const WINDOW = 8000 * 1.0;
const HEARD = 0.2;
const NOT_HEARD = 0.02;

type Shares = Record<number, number>;
const BLOCK = 800; // 100 ms: the three tones fall exactly on a Goertzel bin

/** Energy share per frequency of each non-silent 100 ms block of 8 kHz audio. */
function blockShares(pcm: Int16Array): Shares[] {
  const out: Shares[] = [];
  for (let at = 0; at + BLOCK <= pcm.length; at += BLOCK) {
    const x = pcm.subarray(at, at + BLOCK);
    const e = energy(x);
    if (Math.sqrt(e / BLOCK) < 30) continue; // silence (before media flows)
    out.push(Object.fromEntries(FREQS.map((f) => [f, goertzelPower(x, f, 8000) / e])));
  }
  return out;
}

/** Energy share per frequency of µ-law audio, averaged over its non-silent blocks. */
function shares(ulaw: Buffer): Shares {
  const blocks = blockShares(decodeG711(ulaw, ULAW_TABLE));
  return Object.fromEntries(FREQS.map((f) => [f, blocks.length === 0 ? 0 : blocks.reduce((n, b) => n + (b[f] ?? 0), 0) / blocks.length]));
}

type Who = 'caller' | 'agent' | 'supervisor' | 'third';
const VOICE: Record<Who, number> = { caller: CALLER_HZ, agent: AGENT_HZ, supervisor: SUPERVISOR_HZ, third: THIRD_HZ };

/**
 * Each listener hears exactly the voices named: each of them holds a clear share of its audio,
 * every other tone (its own included: mix-minus) is absent.
 */
function expectHeard(t: Test, label: string, heard: Partial<Record<Who, Shares>>, expected: Partial<Record<Who, Who[]>>): void {
  t.comment(`${label}: ${Object.entries(heard).map(([who, s]) => `${who} hears ${fmt(s)}`).join(' | ')}`);
  for (const [listener, voices] of Object.entries(expected) as Array<[Who, Who[]]>) {
    const s = heard[listener] ?? {};
    for (const speaker of Object.keys(VOICE) as Who[]) {
      const level = s[VOICE[speaker]] ?? 0;
      if (voices.includes(speaker)) t.ok(level > HEARD, `${label}: the ${listener} hears the ${speaker} (${level.toFixed(3)})`);
      else t.ok(level < NOT_HEARD, `${label}: the ${listener} does not hear the ${speaker} (${level.toFixed(3)})`);
    }
  }
}

function fmt(s: Shares): string {
  return FREQS.map((f) => `${f} Hz ${(s[f] ?? 0).toFixed(3)}`).join(', ');
}

/** The next `WINDOW` of what each phone hears, from now plus a settle time. */
async function listenWindow(phones: Partial<Record<Who, SipPhone>>): Promise<Partial<Record<Who, Shares>>> {
  const marks = (Object.entries(phones) as Array<[Who, SipPhone]>).map(([who, p]) => ({ who, p, from: p.heardBytes() + SETTLE }));
  await waitUntil(() => marks.every((m) => m.p.heardBytes() >= m.from + WINDOW), { timeoutMs: 10_000, what: 'a window of audio at every phone' });
  return Object.fromEntries(marks.map((m) => [m.who, shares(m.p.heardSince(m.from).subarray(0, WINDOW))]));
}

async function waitEvent(cb: CallBox, type: string, match: (d: Record<string, unknown>) => boolean, after = 0): Promise<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined;
  await waitUntil(() => {
    found = cb.events(type).slice(after).find((e) => match(e.data))?.data;
    return found !== undefined;
  }, { timeoutMs: 15_000, what: `event ${type}` });
  return found as Record<string, unknown>;
}

/** The final status a refused INVITE got. */
async function refusedWith(call: OutgoingCall): Promise<number | undefined> {
  try {
    await call.answered;
    return 200;
  } catch (err) {
    return err instanceof SipError ? err.status : undefined;
  }
}

/** `octoline ARGS` against the box's running daemon. */
function octoline(cb: CallBox, args: string[]): ReturnType<typeof runCli> {
  return runCli([...args, '--config', cb.box.configPath]);
}

/** A POST to the box's API as the box-local CLI: the status and the reply's `code`. */
async function apiPost(cb: CallBox, path: string, body: object): Promise<{ status: number; code: unknown }> {
  const res = await fetch(`${cb.box.url}${path}`, {
    method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${readLocalToken(cb.box.runtimeDir) ?? ''}` },
  });
  return { status: res.status, code: ((await res.json()) as { code?: unknown }).code };
}

t.test('supervisor whisper, barge, listen on a queue call: who hears whom, by tone analysis; rights, no call, hang-ups', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001', '1002', '1003'] });
  await cb.cli(['queues', 'add', 'sales', '--strategy', 'linear', '--members', '1001', '--announce-every', '-1', '--language', 'en']);
  await cb.cli(['lines', 'route', '1', 'queue:sales']);
  await cb.cli(['lines', 'record', '1', 'answer']);
  await cb.cli(['extensions', 'supervisor', '1003', 'on']);
  const agent = await startSipPhone(t, { ext: '1001', boxPort: cb.box.sipPort });
  const other = await startSipPhone(t, { ext: '1002', boxPort: cb.box.sipPort });
  const sup = await startSipPhone(t, { ext: '1003', boxPort: cb.box.sipPort });
  const gateway = await startSipPhone(t, { ext: CALLER, boxPort: cb.box.sipPort, port: cb.gwPort, register: false });

  // Refusals first, while nobody is on a call.
  t.equal(await refusedWith(sup.dial('5551002')), 480, 'spying on an agent who is on no call: 480');
  t.equal(await refusedWith(other.dial('5551001')), 403, 'a phone without supervisor rights: 403');
  t.match(await waitEvent(cb, 'supervise.refused', () => true), { supervisor: '1002', agent: '1001' }, 'supervise.refused event');

  // The customer calls line 1, the queue offers 1001, who answers.
  const customer = await gateway.dial('line1').answered;
  customer.sendTone(CALLER_HZ);
  const atAgent = await agent.waitCall(20_000);
  atAgent.sendTone(AGENT_HZ);
  await waitEvent(cb, 'queue.answered', (d) => d.extension === '1001');
  const pair = { caller: gateway, agent };
  const all = { caller: gateway, agent, supervisor: sup };
  expectHeard(t, 'before supervision', await listenWindow(pair), { caller: ['agent'], agent: ['caller'] });

  // Whisper (556), then the keys: 6 barge, 4 listen, 5 whisper.
  const started = cb.events('supervise.started').length;
  const spy = await sup.dial('5561001').answered;
  spy.sendTone(SUPERVISOR_HZ);
  t.match(await waitEvent(cb, 'supervise.started', () => true, started), { extension: '1003', agent: '1001', mode: 'whisper' }, 'supervise.started (whisper)');
  expectHeard(t, 'whisper', await listenWindow(all), { caller: ['agent'], agent: ['caller', 'supervisor'], supervisor: ['caller', 'agent'] });
  let bargeMs = 0;
  const modes = cb.events('supervise.mode').length;
  const key = async (digit: string, mode: string): Promise<void> => {
    t.equal(await spy.info(digit), 200, `INFO ${digit} accepted`);
    t.match(await waitEvent(cb, 'supervise.mode', (d) => d.mode === mode, modes), { agent: '1001', mode }, `key ${digit}: supervise.mode ${mode}`);
  };
  await key('6', 'barge');
  const bargeFrom = performance.now();
  expectHeard(t, 'barge (key 6)', await listenWindow(all), { caller: ['agent', 'supervisor'], agent: ['caller', 'supervisor'], supervisor: ['caller', 'agent'] });
  await key('4', 'listen');
  bargeMs += performance.now() - bargeFrom;
  expectHeard(t, 'listen (key 4)', await listenWindow(all), { caller: ['agent'], agent: ['caller'], supervisor: ['caller', 'agent'] });
  await key('5', 'whisper');
  expectHeard(t, 'whisper (key 5)', await listenWindow(all), { caller: ['agent'], agent: ['caller', 'supervisor'], supervisor: ['caller', 'agent'] });

  // The supervisor hangs up: caller and agent keep talking.
  const ended = cb.events('supervise.ended').length;
  await spy.hangup();
  t.match(await waitEvent(cb, 'supervise.ended', () => true, ended), { extension: '1003' }, 'supervise.ended');
  expectHeard(t, 'after the supervisor left', await listenWindow(pair), { caller: ['agent'], agent: ['caller'] });
  t.ok(customer.up && atAgent.up, 'the customer call is still up');

  // Barge by its code (557), then listen by its code (555) on the same call.
  const barge = await sup.dial('5571001').answered;
  barge.sendTone(SUPERVISOR_HZ);
  await waitEvent(cb, 'supervise.started', (d) => d.mode === 'barge', started);
  const barge2From = performance.now();
  expectHeard(t, 'barge (557)', await listenWindow(all), { caller: ['agent', 'supervisor'], agent: ['caller', 'supervisor'], supervisor: ['caller', 'agent'] });
  await barge.hangup();
  await waitEvent(cb, 'supervise.ended', () => true, ended + 1);
  bargeMs += performance.now() - barge2From;
  const listen = await sup.dial('5551001').answered;
  listen.sendTone(SUPERVISOR_HZ);
  await waitEvent(cb, 'supervise.started', (d) => d.mode === 'listen', started);
  expectHeard(t, 'listen (555)', await listenWindow(all), { caller: ['agent'], agent: ['caller'], supervisor: ['caller', 'agent'] });

  // The customer hangs up: the supervisor's call ends with it.
  await customer.hangup();
  await listen.waitEnded();
  t.pass('the monitored call ending sent the supervisor a BYE');
  await waitEvent(cb, 'supervise.ended', () => true, ended + 2);
  await atAgent.waitEnded();

  // The line's recording: the right channel (what the caller heard) carries the supervisor only while barging.
  const call = await cb.waitRow<{ recording_id: number }>('SELECT recording_id FROM calls WHERE ended_at IS NOT NULL AND recording_id IS NOT NULL');
  const rec = await cb.waitRow<{ state: string; path: string }>("SELECT state, path FROM recordings WHERE id = ? AND state IN ('done', 'failed')", [call.recording_id]);
  t.equal(rec.state, 'done', 'the recording was converted');
  const right = await readWav(await recordingChannel(join(cb.box.dataDir, rec.path), 2, join(cb.box.dir, 'right.wav')));
  const pcm = Int16Array.from(right.channels[0] ?? [], (v) => Math.round(v * 32767));
  const supervisorS = blockShares(pcm).filter((b) => (b[SUPERVISOR_HZ] ?? 0) > HEARD).length * BLOCK / 8000;
  t.comment(`recording: the supervisor on the caller's side for ${supervisorS.toFixed(1)} s, barge lasted ${(bargeMs / 1000).toFixed(1)} s`);
  // The mixer sends from a new port once it takes the agent's place: the right channel takes every non-caller stream.
  t.ok(supervisorS > 1 && supervisorS < bargeMs / 1000 + 1, 'the recording has the supervisor on the caller\'s side only while barging');
});

t.test('API-started whisper (octoline agents spy) and three-way (octoline agents conference): the box rings the phone, then who hears whom', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001', '1002', '1003'] });
  // Settings and phones set up side by side (each CLI run is a process start).
  const [agent, third, sup, gateway] = await Promise.all([
    startSipPhone(t, { ext: '1001', boxPort: cb.box.sipPort }),
    startSipPhone(t, { ext: '1002', boxPort: cb.box.sipPort }),
    startSipPhone(t, { ext: '1003', boxPort: cb.box.sipPort }),
    startSipPhone(t, { ext: CALLER, boxPort: cb.box.sipPort, port: cb.gwPort, register: false }),
    // The route names the queue: it must exist first.
    cb.cli(['queues', 'add', 'sales', '--strategy', 'linear', '--members', '1001', '--announce-every', '-1', '--language', 'en'])
      .then(() => cb.cli(['lines', 'route', '1', 'queue:sales'])),
    cb.cli(['extensions', 'supervisor', '1003', 'on']),
  ]);

  // Refusals, by the CLI (one line, exit 1) and by the API (status and code).
  const [noCall, forbidden] = await Promise.all([
    octoline(cb, ['agents', 'spy', '1003', '1001', '--mode', 'whisper']),
    octoline(cb, ['agents', 'spy', '1002', '1001', '--mode', 'whisper']),
  ]);
  t.equal(noCall.code, 1, 'spy on an agent on no call: exit 1');
  t.match(noCall.stderr, /^octoline: .*1001 is not on an answered call\n$/, `one line: ${noCall.stderr.trim()}`);
  t.same(await apiPost(cb, '/api/v1/supervise', { supervisor: '1003', agent: '1001', mode: 'whisper' }), { status: 409, code: 'SUPERVISE_NO_CALL' }, 'API: 409 SUPERVISE_NO_CALL');
  t.equal(forbidden.code, 1, 'spy by a non-supervisor: exit 1');
  t.match(forbidden.stderr, /^octoline: .*1002 has no supervisor rights.*\n$/, `one line: ${forbidden.stderr.trim()}`);
  t.same(await apiPost(cb, '/api/v1/supervise', { supervisor: '1002', agent: '1001', mode: 'whisper' }), { status: 403, code: 'SUPERVISE_FORBIDDEN' }, 'API: 403 SUPERVISE_FORBIDDEN');

  // The customer calls line 1, the queue offers 1001, who answers.
  const customer = await gateway.dial('line1').answered;
  customer.sendTone(CALLER_HZ);
  const atAgent = await agent.waitCall(20_000);
  atAgent.sendTone(AGENT_HZ);
  await waitEvent(cb, 'queue.answered', (d) => d.extension === '1001');
  const pair = { caller: gateway, agent };

  // 1. octoline agents spy 1003 1001 --mode whisper: 1003's phone rings (auto-answer), then whispers.
  const spy = await octoline(cb, ['agents', 'spy', '1003', '1001', '--mode', 'whisper']);
  t.equal(spy.code, 0, `agents spy: ${spy.stderr}`);
  t.match(spy.stdout, /ringing 1003: once answered, it whispers to the agent on 1001's call/, spy.stdout.trim());
  const atSup = await sup.waitCall(15_000);
  atSup.sendTone(SUPERVISOR_HZ);
  t.match(await waitEvent(cb, 'supervise.started', () => true), { extension: '1003', agent: '1001', mode: 'whisper' }, 'supervise.started (whisper)');
  expectHeard(t, 'API whisper', await listenWindow({ ...pair, supervisor: sup }), { caller: ['agent'], agent: ['caller', 'supervisor'], supervisor: ['caller', 'agent'] });
  await atSup.hangup();
  t.match(await waitEvent(cb, 'supervise.ended', () => true), { extension: '1003' }, 'supervise.ended');

  // 2. octoline agents conference 1001 1002: 1002's phone rings and answers; everyone hears everyone.
  const conf = await octoline(cb, ['agents', 'conference', '1001', '1002']);
  t.equal(conf.code, 0, `agents conference: ${conf.stderr}`);
  t.match(conf.stdout, /ringing 1002: once answered, it joins 1001's call/, conf.stdout.trim());
  const atThird = await third.waitCall(15_000);
  atThird.sendTone(THIRD_HZ);
  t.match(await waitEvent(cb, 'conference.joined', () => true), { extension: '1002', agent: '1001' }, 'conference.joined');
  expectHeard(t, 'three-way', await listenWindow({ ...pair, third }), { caller: ['agent', 'third'], agent: ['caller', 'third'], third: ['caller', 'agent'] });

  // 1002 hangs up: caller and agent keep talking.
  await atThird.hangup();
  t.match(await waitEvent(cb, 'conference.left', () => true), { extension: '1002' }, 'conference.left');
  expectHeard(t, 'after 1002 left', await listenWindow(pair), { caller: ['agent'], agent: ['caller'] });
  t.ok(customer.up && atAgent.up, 'the customer call is still up');
  await customer.hangup();
  await atAgent.waitEnded();
});
