import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLocalToken } from '../../daemon/auth/local-token.js';
import { startCallBox, type CallBox } from '../helpers/call-box.js';
import { runCli } from '../helpers/octoline.js';
import { startSipp, waitUntil, type SippHandle } from '../helpers/sipp.js';
import { dominantFrequency } from '../helpers/tone.js';

/**
 * The ACD with real peers: a queued caller's callback that keeps their place (the box rings the
 * agent first, then dials the caller through the gateway), callbacks that fail (the number is
 * busy; the agent hangs up while it rings) and go on the callback list, the agents' desk-phone codes (*45 / *46 / *47) and a pause from the CLI. SIPp plays the gateway,
 * baresip the agents' phones, the daemon runs as `octoline daemon`.
 *
 * Each CLI run starts a Node process (seconds on a loaded machine), so set-up steps that are not
 * under test go through the daemon's API, which is what the CLI calls while the daemon runs.
 */

// The three tests are independent boxes whose time goes mostly into waiting (prompts, rings, CLI
// start-ups): they run side by side.
t.jobs = 3;

const CALLER_A = '13900000001';
const CALLER_B = '13900000002';
const CALLER_C = '13900000003';
const DTMF_1 = '/usr/share/sip-tester/dtmf_2833_1.pcap';

/** Short timers: 5 s offers, no announcements, no wrap-up, no sticky agent, no auto-pause. */
const QUICK = ['--strategy', 'linear', '--ring-timeout', '5', '--retry', '1', '--wrap-up', '0', '--announce-every', 'never',
  '--sticky-days', '0', '--max-wait', '0', '--auto-pause', '0', '--language', 'en'];

interface AgentJson { ext: string; state: string; pauseReason: string }
type BoxEvent = { callId: string | null; data: Record<string, unknown> };

async function waitEvents(cb: CallBox, type: string, n: number, timeoutMs = 20_000): Promise<BoxEvent[]> {
  await waitUntil(() => cb.events(type).length >= n, { timeoutMs, what: `${n} ${type} event(s)` });
  return cb.events(type);
}

async function api<T>(cb: CallBox, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${cb.box.url}${path}`, {
    method, signal: AbortSignal.timeout(10_000),
    headers: { authorization: `Bearer ${readLocalToken(cb.box.runtimeDir) ?? ''}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** `octoline agents list --json`: with the daemon running, the live states from its API. */
async function cliAgents(cb: CallBox): Promise<AgentJson[]> {
  const r = await runCli(['agents', 'list', '--json', '--config', cb.box.configPath]);
  if (r.code !== 0) throw new Error(`agents list: ${r.stderr}`);
  return JSON.parse(r.stdout) as AgentJson[];
}

/** The daemon's agents list shows `ext` in `state` (a call's end settles a moment after the phone's CALL_CLOSED). */
async function waitAgentState(cb: CallBox, ext: string, state: string): Promise<AgentJson> {
  let seen: AgentJson | undefined;
  await waitUntil(async () => {
    seen = (await api<AgentJson[]>(cb, 'GET', '/api/v1/agents')).find((a) => a.ext === ext);
    return seen?.state === state;
  }, { timeoutMs: 10_000, what: `agents: ${ext} ${state}`, intervalMs: 100 });
  return seen as AgentJson;
}

/** A queue `sales` of `members` on line 1. */
async function salesQueue(cb: CallBox, members: string, extra: string[] = []): Promise<void> {
  await cb.cli(['queues', 'add', 'sales', '--members', members, ...QUICK, ...extra]);
  await cb.cli(['lines', 'route', '1', 'queue:sales']);
}

/**
 * `caller` (the gateway, on line 1) joins the queue while nobody can take calls and presses 1. By
 * default the caller listens to the confirmation and the box hangs up (SIPp exit 0 = the box sent
 * the BYE); `hangUpEarly` is a caller who hangs up 2 s after the key, during the confirmation.
 * `-aa` answers the box's OPTIONS pings meanwhile. Resolves with the caller's call id.
 */
async function callerAsksCallback(t: Test, cb: CallBox, caller: string, o: { hangUpEarly?: boolean } = {}): Promise<string> {
  const hold = o.hangUpEarly ? { hold_ms: 2000, after_hold: 'hangup' } : { hold_ms: 20_000, after_hold: 'no_bye' };
  const a = await startSipp(t, {
    scenario: { file: cb.scenario('acd-cb-caller.xml', { dtmf_pcap: DTMF_1, dtmf_delay_ms: 2500, ...hold }) },
    remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1', keys: { caller, caller_name: 'Caller' },
    timeoutS: 30, extraArgs: ['-aa'],
  });
  const res = await a.done;
  t.equal(res.code, 0, `${caller}: ${o.hangUpEarly ? 'hung up during the confirmation' : 'the box hung up after its confirmation'} ${res.errorLog}`);
  const asked = cb.events('queue.callback_requested').find((e) => e.data['number'] === caller);
  t.match(asked?.data, { queue: 'sales', number: caller, position: 1 }, 'queue.callback_requested, at position 1');
  const row = await cb.waitRow<{ id: string; disposition: string; secs: number }>(
    `SELECT c.id, c.disposition, (c.ended_at - e.at) / 1000.0 AS secs FROM calls c JOIN events e ON e.call_id = c.id
      WHERE e.type = 'queue.callback_requested' AND c.caller = ? AND c.ended_at IS NOT NULL`, [caller]);
  if (o.hangUpEarly) return row.id;
  // English callback.confirmed (6.1 s) and goodbye (2.5 s) after the key.
  t.ok(row.secs >= 8, `the call lasted through the confirmation and goodbye (${row.secs} s after the key)`);
  t.equal(row.disposition, 'answered', 'the call is a CDR, answered by the box');
  t.notMatch(cb.daemon.stdout(), /prompt (missing|not played)/, 'every prompt was played');
  return row.id;
}

/** A SIPp gateway UAS (server mode) on the gateway's address; `calls` covers the box's OPTIONS pings. */
function gatewayUas(t: Test, cb: CallBox, scenario: string): Promise<SippHandle> {
  return startSipp(t, { scenario: { file: scenario }, localPort: cb.gwPort, calls: 50, timeoutS: 40 });
}

const agent1001 = (cb: CallBox, action: 'pause' | 'unpause'): Promise<unknown> => api(cb, 'POST', `/api/v1/agents/1001/${action}`, { by: 'test' });

t.test('a callback keeps the caller\'s place: the box rings the agent, then dials the caller; the caller behind waits', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  const [agent] = await Promise.all([cb.phone('1001'), salesQueue(cb, '1001', ['--callback-digit', '1'])]);
  await agent1001(cb, 'pause');
  const aId = await callerAsksCallback(t, cb, CALLER_A);

  // The box knows the gateway by its address and sends its INVITEs there, so caller B and the
  // gateway answering the callback must be one SIPp: B's call is its main scenario; the box's
  // INVITE for A (and any OPTIONS ping) is an out-of-call message it answers with
  // acd-cb-gw-ooc.xml. B takes line 1 again (A's call is over), leaving line 2 for the callback.
  const b = await startSipp(t, {
    scenario: { file: cb.scenario('gw-inbound.xml', { hold_ms: 60_000 }) },
    remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1', keys: { caller: CALLER_B, caller_name: 'B' }, timeoutS: 60,
    extraArgs: ['-oocsf', cb.scenario('acd-cb-gw-ooc.xml')],
  });
  const joined = await waitEvents(cb, 'queue.joined', 2);
  t.match(joined[1], { data: { queue: 'sales', position: 2 } }, 'B joins behind A\'s kept place');

  await cb.cli(['agents', 'unpause', '1001']);
  await agent.waitCall('CALL_ESTABLISHED', 15_000);
  t.match(cb.events('agent.offered').map((e) => e.data), [{ queue: 'sales', extension: '1001', callback: true }], '1001 is offered A\'s callback first');
  await waitEvents(cb, 'queue.callback_answered', 1);
  t.match(cb.events('queue.callback_started'), [{ data: { queue: 'sales', number: CALLER_A, origin: aId } }], 'queue.callback_started, origin = A\'s call');
  t.match(cb.events('queue.callback_answered'), [{ data: { queue: 'sales', number: CALLER_A, origin: aId } }], 'queue.callback_answered: A picked up');
  await agent.waitHeard(4, 20_000);
  t.equal(await dominantFrequency((await agent.recordings()).heard.at(-1) as string, { candidatesHz: [500, 1000] }), 1000, '1001 hears the gateway side (A)');
  t.equal(cb.events('queue.answered').length, 1, 'B still waits while 1001 talks to A');

  await agent.hangup();
  await agent.waitCall('CALL_ESTABLISHED', 15_000);
  const answered = (await waitEvents(cb, 'queue.answered', 2)).map((e) => e.data);
  t.match(answered, [
    { queue: 'sales', extension: '1001', callback: true, positionAtJoin: 1 },
    { queue: 'sales', extension: '1001', positionAtJoin: 2 },
  ], 'queue.answered: A\'s callback first, then B');
  t.notOk(answered[1]?.['callback'], 'B is the live caller');
  await agent.hangup();
  const res = await b.done;
  t.equal(res.code, 0, `B's call went through: ${res.errorLog}`);
  const log = readFileSync(join(res.dir, 'messages.log'), 'utf8');
  t.match(log, new RegExp(`INVITE sip:${CALLER_A}@127\\.0\\.0\\.1`), 'the box dialled A\'s number through the gateway');
  t.match(log, /From: <sip:line2@/, 'on line 2 (B holds line 1)');
});

t.test('a callback that does not reach the caller goes on the callback list: busy, or the agent hangs up while it rings', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001'] });
  const [agent] = await Promise.all([cb.phone('1001'), salesQueue(cb, '1001', ['--callback-digit', '1'])]);
  await agent1001(cb, 'pause');
  const aId = await callerAsksCallback(t, cb, CALLER_A);

  // A's SIPp is done: the gateway's address is free for a UAS that answers 486.
  const busy = await gatewayUas(t, cb, 'acd-cb-gw-busy.xml');
  await agent1001(cb, 'unpause');
  await agent.waitCall('CALL_ESTABLISHED', 15_000);
  const failed = await waitEvents(cb, 'queue.callback_failed', 1);
  t.match(failed[0]?.data, { queue: 'sales', number: CALLER_A, reason: 'busy', origin: aId }, 'queue.callback_failed, busy');
  await agent.waitCall('CALL_CLOSED', 10_000);
  const busyRes = await busy.stop();
  t.equal(busyRes.code, 0, `the gateway's calls all passed: ${busyRes.errorLog}`);
  t.match(readFileSync(join(busyRes.dir, 'messages.log'), 'utf8'), new RegExp(`INVITE sip:${CALLER_A}@`), 'the box dialled A');

  // C hangs up during the confirmation (the place is kept all the same); when C's turn comes the
  // agent gives up while C's phone rings: the box CANCELs and the number is listed.
  await agent1001(cb, 'pause');
  await callerAsksCallback(t, cb, CALLER_C, { hangUpEarly: true });
  const ring = await gatewayUas(t, cb, 'acd-cb-gw-ring.xml');
  await agent1001(cb, 'unpause');
  await agent.waitCall('CALL_ESTABLISHED', 15_000);
  await waitUntil(() => readFileSync(join(ring.dir, 'messages.log'), 'utf8').includes(`INVITE sip:${CALLER_C}@`), { timeoutMs: 10_000, what: 'the INVITE for C at the gateway' });
  await agent.hangup();
  const both = await waitEvents(cb, 'queue.callback_failed', 2);
  t.match(both[1]?.data, { queue: 'sales', number: CALLER_C, reason: 'agent_hangup' }, 'queue.callback_failed, agent_hangup');
  const ringRes = await ring.stop();
  t.equal(ringRes.code, 0, `the gateway's call was CANCELled: ${ringRes.errorLog}`);

  const r = await runCli(['callbacks', 'list', '--json', '--config', cb.box.configPath]);
  t.equal(r.code, 0, r.stderr);
  const listed = (JSON.parse(r.stdout) as Array<{ number: string; source: string; state: string; note: string }>).sort((x, y) => x.number.localeCompare(y.number));
  t.match(listed, [
    { number: CALLER_A, source: 'queue', state: 'pending', note: /busy/ },
    { number: CALLER_C, source: 'queue', state: 'pending', note: /agent_hangup/ },
  ], 'callbacks list: both numbers, from the queue');
  t.equal(cb.events('queue.callback_answered').length, 0, 'no queue.callback_answered');
});

t.test('agent states from the desk phone and the CLI', async (t) => {
  const cb = await startCallBox(t, { extensions: ['1001', '1002'] });
  const [first, second] = await Promise.all([cb.phone('1001'), cb.phone('1002'), salesQueue(cb, '1001,1002')]);
  await waitAgentState(cb, '1001', 'available');

  await t.test('*45 / *46 / *47: the state changes, a prompt confirms, the box hangs up, agents list agrees', async (t) => {
    const steps: Array<{ code: string; state: string; prompt: string; pauseReason?: string; cli?: boolean }> = [
      { code: '*45', state: 'logged_out', prompt: 'agent.logged-out', cli: true },
      { code: '*45', state: 'available', prompt: 'agent.logged-in' },
      { code: '*46', state: 'paused', prompt: 'agent.paused', pauseReason: 'phone', cli: true },
      { code: '*47', state: 'available', prompt: 'agent.available', cli: true },
    ];
    for (const s of steps) {
      const before = cb.events('agent.state').length;
      const prompts = cb.events('ivr.prompt').length;
      await first.dial(`sip:${s.code}@127.0.0.1:${cb.box.sipPort}`);
      await first.waitCall('CALL_ESTABLISHED', 10_000);
      await first.waitCall('CALL_CLOSED', 15_000);
      const change = cb.events('agent.state').slice(before).map((e) => e.data)[0];
      t.match(change, { extension: '1001', state: s.state, reason: /phone/ }, `${s.code}: agent.state ${s.state}, by phone`);
      t.same(cb.events('ivr.prompt').slice(prompts).map((e) => e.data['prompt']), [s.prompt], `${s.code}: ${s.prompt} played, then the box hung up`);
      await waitAgentState(cb, '1001', s.state);
      if (!s.cli) continue;
      const view = (await cliAgents(cb)).find((a) => a.ext === '1001');
      t.match(view, { state: s.state, pauseReason: s.pauseReason ?? '' }, `octoline agents list --json: ${s.state}`);
    }
  });

  await t.test('agents pause --reason lunch: agent.state says lunch and a queue caller goes to the next member', async (t) => {
    const before = cb.events('agent.state').length;
    await cb.cli(['agents', 'pause', '1001', '--reason', 'lunch']);
    const change = cb.events('agent.state').slice(before).find((e) => e.data['extension'] === '1001');
    t.match(change?.data, { state: 'paused', pauseReason: 'lunch', reason: /lunch/ }, 'agent.state paused, lunch');
    t.match(await waitAgentState(cb, '1001', 'paused'), { pauseReason: 'lunch' }, 'agents list shows lunch');

    const gw = await startSipp(t, {
      scenario: { file: cb.scenario('gw-inbound.xml', { hold_ms: 2000 }) },
      remote: `127.0.0.1:${cb.box.sipPort}`, localPort: cb.gwPort, service: 'line1', keys: { caller: CALLER_B, caller_name: 'B' },
      timeoutS: 30, extraArgs: ['-aa'],
    });
    await second.waitCall('CALL_ESTABLISHED', 15_000);
    t.equal((await gw.done).code, 0, 'the caller\'s call went through');
    t.match(cb.events('queue.answered'), [{ data: { queue: 'sales', extension: '1002' } }], '1002 answers');
    t.same(cb.events('agent.offered').map((e) => e.data['extension']), ['1002'], '1001 (paused, first in line) is never offered the call');
    t.notOk(first.events.some((e) => e.type === 'CALL_INCOMING'), '1001\'s phone never rang');
  });
});
