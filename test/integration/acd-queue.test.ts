import t from 'tap';
import type { Test } from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentView } from '../../daemon/acd/acd-types.js';
import { readLocalToken } from '../../daemon/auth/local-token.js';
import { startBaresip, type BaresipHandle } from '../helpers/baresip.js';
import { PASSWORD, startCallBox, type CallBox } from '../helpers/call-box.js';
import { runCli } from '../helpers/octoline.js';
import { startSipp, waitUntil, type SippHandle } from '../helpers/sipp.js';

/**
 * Queues end to end: SIPp plays the gateway's callers, baresip the agents' desk phones, the real
 * daemon decides. Who answered is read where a supervisor reads it (queue/agent events, the CDR,
 * `octoline agents list`), and from the phones themselves.
 *
 * One box serves every test (a box and each CLI run cost seconds): each test has its own queue,
 * its own agents (extensions N001…, N = the test) and its own callers, whose number prefix sends
 * them to that queue through the `main` flow's caller_match and queue nodes (setup routes every
 * line to flow:main). Events are read per queue, extension or call.
 */

type BoxEvent = { callId: string | null; data: Record<string, unknown> };

/** Caller-number prefix → queue, for the dispatching flow. */
const PREFIX = {
  rr: '13901', idle: '13902', tiers: '13903', unreg: '13904', noans: '13905',
  ovf: '13906', vip: '13907', sticky: '13908', support: '13909', closed: '13910',
} as const;
type QueueName = keyof typeof PREFIX;
const caller = (q: QueueName, n: number): string => `${PREFIX[q]}${String(n).padStart(6, '0')}`;

const EXTENSIONS = ['1001', '1002', '1003', '2001', '2002', '3001', '3002', '4001', '4002', '5001', '6001', '6002', '7001', '7002'];

/** Short timers: an offer rings 5 s, no rest between calls, no announcements, no sticky agent unless asked. */
const QUICK = ['--ring-timeout', '5', '--retry', '1', '--wrap-up', '0', '--announce-every', 'never', '--sticky-days', '0', '--language', 'en'];

/** `main`: the caller's prefix picks the queue node; a queue that gives the caller back goes on at `bye`. */
function dispatchFlow(): unknown {
  const names = Object.keys(PREFIX) as QueueName[];
  const nodes: Record<string, unknown> = {
    pick: { type: 'caller_match', rules: names.map((q) => ({ kind: 'prefix', prefixes: [PREFIX[q]], next: `to_${q}` })), otherwise: 'bye' },
    bye: { type: 'hangup', prompts: ['goodbye'] },
  };
  for (const q of names) nodes[`to_${q}`] = { type: 'queue', queue: q, on_overflow: 'bye' };
  return { name: 'main', language: 'en', start: 'pick', on_error: 'bye', nodes };
}

let cb: CallBox;

t.before(async () => {
  cb = await startCallBox(t, { extensions: EXTENSIONS });
  await answerPings();
  t.teardown(() => {
    boxGone = true;
    return freeGatewayPort();
  });
  const file = join(cb.box.dir, 'main.json');
  writeFileSync(file, JSON.stringify(dispatchFlow(), null, 2));
  const r = await runCli(['flows', 'import', file, '--config', cb.box.configPath]);
  if (r.code !== 0) throw new Error(`flows import: ${r.stderr}`);
});

/**
 * The box pings the gateway with OPTIONS every 30 s and takes its lines down after 3 misses, which
 * this file outlasts: between callers (SIPp, which holds the gateway's port and answers with -aa)
 * this socket on the gateway's port answers the pings.
 */
let pingAnswerer: Socket | undefined;
let boxGone = false;

async function answerPings(): Promise<void> {
  if (boxGone) return;
  const sock = createSocket('udp4');
  sock.on('message', (msg, from) => {
    const text = msg.toString('latin1');
    if (!text.startsWith('OPTIONS ')) return;
    const copied = text.split('\r\n').filter((l) => /^(Via|v|From|f|To|t|Call-ID|i|CSeq):/i.test(l));
    sock.send(`SIP/2.0 200 OK\r\n${copied.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(cb.gwPort, '127.0.0.1', () => resolve());
  });
  sock.on('error', () => sock.close());
  sock.unref(); // never what keeps the test process alive
  pingAnswerer = sock;
}

async function freeGatewayPort(): Promise<void> {
  const sock = pingAnswerer;
  pingAnswerer = undefined;
  if (sock) await new Promise<void>((resolve) => sock.close(() => resolve()));
}

/** Start a SIPp gateway caller on the gateway's port; the ping answerer takes the port back once it exits. */
async function gatewaySipp(t: Test, opts: Parameters<typeof startSipp>[1]): Promise<SippHandle> {
  await freeGatewayPort();
  const h = await startSipp(t, { ...opts, localPort: cb.gwPort, extraArgs: ['-aa'] });
  void h.done.catch(() => undefined).then(() => answerPings()).catch(() => undefined);
  return h;
}

async function cli(t: Test, args: string[]): Promise<string> {
  const r = await runCli([...args, '--config', cb.box.configPath]);
  t.equal(r.code, 0, `octoline ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** An agent's desk phone (auto-answer unless told), registered; it quits at the end of the test. */
async function phone(t: Test, ext: string, answerMode: 'auto' | 'manual' = 'auto'): Promise<BaresipHandle> {
  const p = await startBaresip(t, { user: ext, password: PASSWORD(ext), server: { port: cb.box.sipPort }, regintS: 600, answerMode, audioFile: cb.phoneTone });
  await p.waitRegistered(10_000);
  return p;
}

/** One caller, hanging up after `holdMs` unless the box hangs up first. */
function callIn(t: Test, from: string, holdMs: number): Promise<SippHandle> {
  return gatewaySipp(t, {
    scenario: { file: cb.scenario('gw-inbound.xml', { hold_ms: holdMs }) },
    remote: `127.0.0.1:${cb.box.sipPort}`, service: 'line1',
    keys: { caller: from, caller_name: 'Caller' }, timeoutS: 40,
  });
}

/**
 * Two callers at once from the one gateway (one SIPp: the box knows the gateway by its port), on
 * lines 1 and 2, `gapMs` apart, each hanging up after `holdMs` unless the box or the agent does first.
 */
function twoCallersIn(t: Test, from: [string, string], o: { holdMs: number; gapMs: number }): Promise<SippHandle> {
  const csv = join(cb.box.dir, `callers-${from.join('-')}.csv`);
  writeFileSync(csv, `SEQUENTIAL\nline1;${from[0]}\nline2;${from[1]}\n`);
  return gatewaySipp(t, {
    scenario: { file: cb.scenario('bench-gateway-call.xml', { hold_ms: o.holdMs }) },
    remote: `127.0.0.1:${cb.box.sipPort}`, injectionFile: csv, calls: 2, rate: 1, ratePeriodMs: o.gapMs, limit: 2, timeoutS: 50,
  });
}

/** Events of `type` about queue `q` (or extension `ext`), oldest first. */
const ofQueue = (type: string, q: QueueName): BoxEvent[] => cb.events(type).filter((e) => e.data['queue'] === q);
const ofExt = (type: string, ext: string): BoxEvent[] => cb.events(type).filter((e) => e.data['extension'] === ext);
const answeredBy = (q: QueueName): unknown[] => ofQueue('queue.answered', q).map((e) => e.data['extension']);

/** The first `n` events of `type` for queue `q`, once there are that many (bounded wait). */
async function waitQueueEvents(q: QueueName, type: string, n: number, timeoutMs = 20_000): Promise<BoxEvent[]> {
  await waitUntil(() => ofQueue(type, q).length >= n, { timeoutMs, what: `${n} ${type} event(s) of queue ${q}` });
  return ofQueue(type, q).slice(0, n);
}

/** The daemon's API with the local CLI token: what `octoline agents …` calls while the daemon runs. */
async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const token = readLocalToken(cb.box.runtimeDir) ?? '';
  const res = await fetch(`${cb.box.url}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

const agents = (): Promise<AgentView[]> => api<AgentView[]>('GET', '/api/v1/agents');

/** Wait until every one of `exts` is available (a call over, its state refreshed). */
async function waitAvailable(exts: string[], timeoutMs = 10_000): Promise<void> {
  await waitUntil(async () => {
    const list = await agents();
    return exts.every((e) => list.find((a) => a.ext === e)?.state === 'available');
  }, { timeoutMs, what: `agents ${exts.join(', ')} available`, intervalMs: 100 });
}

/**
 * The agent hangs up once the box has bridged the call (its `call.answered`). Not at once on the
 * phone's CALL_ESTABLISHED: a BYE that reaches the box while it still hands the IVR's media over is
 * lost and the caller stays on the line (reported; see the file's report).
 */
async function hangUpOnceBridged(agent: BaresipHandle, ext: string): Promise<void> {
  const bridged = (): boolean => ofExt('call.answered', ext).some((a) => !cb.events('call.ended').some((e) => e.callId === a.callId));
  await agent.waitCall('CALL_ESTABLISHED', 20_000);
  await waitUntil(bridged, { timeoutMs: 5000, what: `the box bridged ${ext}'s call` });
  await agent.hangup();
}

/** One caller who waits in queue `q`, is answered, and hangs up; resolves with the extension that answered. */
async function oneQueueCall(t: Test, q: QueueName, from: string): Promise<string> {
  const before = ofQueue('queue.answered', q).length;
  const gw = await callIn(t, from, 1500);
  const answered = (await waitQueueEvents(q, 'queue.answered', before + 1))[before];
  t.equal((await gw.done).code, 0, `caller ${from}: a whole call`);
  return String(answered?.data['extension']);
}

t.test('strategies pick the expected agent: round-robin goes on after the last, longest-idle skips who just answered, a penalty tier waits', async (t) => {
  await cli(t, ['queues', 'add', 'rr', '--strategy', 'round-robin', '--members', '1001,1002', ...QUICK]);
  await cli(t, ['queues', 'add', 'idle', '--strategy', 'longest-idle', '--members', '1001,1002', ...QUICK]);
  // 1003 is first in the list, so only its penalty keeps it from a linear pick.
  await cli(t, ['queues', 'add', 'tiers', '--strategy', 'linear', '--members', '1003:1,1001', ...QUICK]);
  await Promise.all(['1001', '1002', '1003'].map((e) => phone(t, e)));
  await waitAvailable(['1001', '1002', '1003']);

  for (const n of [1, 2, 3]) {
    await oneQueueCall(t, 'rr', caller('rr', n));
    await waitAvailable(['1001', '1002']);
  }
  t.same(answeredBy('rr'), ['1001', '1002', '1001'], 'round-robin: 1001, 1002, then 1001 again, both free every time');

  // 1002 has been idle since the second call, 1001 only since the third.
  const first = await oneQueueCall(t, 'idle', caller('idle', 1));
  await waitAvailable(['1001', '1002']);
  const second = await oneQueueCall(t, 'idle', caller('idle', 2));
  t.same([first, second], ['1002', '1001'], 'longest-idle: the agent idle longest, never the one who just answered');

  // Two callers at once: the first takes tier 0 (1001); only while 1001 is busy does 1003 get the second.
  await waitAvailable(['1001', '1003']);
  const gw = await twoCallersIn(t, [caller('tiers', 1), caller('tiers', 2)], { holdMs: 4000, gapMs: 1500 });
  const [joinA, joinB] = await waitQueueEvents('tiers', 'queue.joined', 2);
  await waitQueueEvents('tiers', 'queue.answered', 2);
  const by = (id: string | null | undefined): unknown => ofQueue('queue.answered', 'tiers').find((e) => e.callId === id)?.data['extension'];
  t.equal(by(joinA?.callId), '1001', 'the first caller: 1001 (penalty 0), although 1003 is listed first and free');
  t.equal(by(joinB?.callId), '1003', 'the second caller, with 1001 busy: 1003 (penalty 1)');
  t.same(ofExt('agent.offered', '1003').filter((e) => e.callId === joinA?.callId), [], '1003 was not offered the first call');
  t.equal((await gw.done).code, 0, 'both tier calls ran to their end');
});

t.test('an agent whose phone is not registered is skipped', async (t) => {
  await cli(t, ['queues', 'add', 'unreg', '--strategy', 'linear', '--members', '2001,2002', ...QUICK]);
  const a2 = await phone(t, '2002');
  t.equal(await oneQueueCall(t, 'unreg', caller('unreg', 1)), '2002', '2002 answered');
  await a2.waitCall('CALL_ESTABLISHED', 1000);
  t.same(ofExt('agent.offered', '2001'), [], 'no offer to 2001 (no phone registered)');
  t.equal((await agents()).find((a) => a.ext === '2001')?.state, 'unregistered', 'the wallboard shows 2001 unregistered');
});

t.test('an unanswered offer moves on to the next agent, and the agent who let it ring is paused', async (t) => {
  await cli(t, ['queues', 'add', 'noans', '--strategy', 'linear', '--members', '3001,3002', ...QUICK, '--auto-pause', '1']);
  const a1 = await phone(t, '3001', 'manual');
  const a2 = await phone(t, '3002');
  const gw = await callIn(t, caller('noans', 1), 20_000);
  await a1.waitCall('CALL_INCOMING', 10_000);
  await hangUpOnceBridged(a2, '3002');
  t.equal((await gw.done).code, 0, 'the caller got through, and the agent hung up');
  t.same(ofQueue('agent.offered', 'noans').map((e) => e.data['extension']), ['3001', '3002'], 'offered to 3001 first, then 3002');
  t.same(ofQueue('agent.no_answer', 'noans').map((e) => e.data['extension']), ['3001'], '3001 did not answer in the ring time');
  t.same(answeredBy('noans'), ['3002'], '3002 answered');
  t.match(ofExt('agent.state', '3001').filter((e) => e.data['state'] === 'paused'), [{ data: { pauseReason: 'no-answer' } }], '3001 was auto-paused (reason no-answer)');
  const views = JSON.parse(await cli(t, ['agents', 'list', '--json'])) as AgentView[];
  t.match(views.find((a) => a.ext === '3001'), { state: 'paused', pauseReason: 'no-answer' }, 'octoline agents list shows 3001 paused');
});

t.test('with the only agent paused, the caller overflows after the max wait to the overflow extension', async (t) => {
  await cli(t, ['queues', 'add', 'ovf', '--strategy', 'linear', '--members', '4001', ...QUICK, '--max-wait', '3', '--overflow', '4002']);
  const a1 = await phone(t, '4001');
  const a2 = await phone(t, '4002');
  await cli(t, ['agents', 'pause', '4001', '--reason', 'lunch']);
  const gw = await callIn(t, caller('ovf', 1), 20_000);
  await hangUpOnceBridged(a2, '4002');
  t.equal((await gw.done).code, 0, 'the caller got through, and 4002 hung up');
  const [overflow] = await waitQueueEvents('ovf', 'queue.overflow', 1);
  t.match(overflow?.data, { reason: 'max_wait', target: '4002' }, 'overflow for max wait, to 4002');
  t.ok(Number(overflow?.data['waitS']) >= 3, `after the 3 s max wait (${String(overflow?.data['waitS'])} s)`);
  t.same(ofQueue('agent.offered', 'ovf'), [], 'the paused agent was never offered the call');
  t.same(a1.events.filter((e) => e.type === 'CALL_INCOMING'), [], '4001\'s phone never rang');
  const row = await cb.waitRow<{ extension: string }>('SELECT extension FROM calls WHERE id = ? AND ended_at IS NOT NULL', [overflow?.callId]);
  t.equal(row.extension, '4002', 'the CDR: answered by 4002');
});

t.test('a VIP caller who joins later is served first', async (t) => {
  const A = caller('vip', 1);
  const B = caller('vip', 2);
  await cli(t, ['queues', 'add', 'vip', '--strategy', 'linear', '--members', '5001', ...QUICK]);
  await cli(t, ['vip', 'add', B, '--level', '5']);
  const agent = await phone(t, '5001');
  await cli(t, ['agents', 'pause', '5001']);
  const gw = await twoCallersIn(t, [A, B], { holdMs: 30_000, gapMs: 1500 });
  const [joinA, joinB] = await waitQueueEvents('vip', 'queue.joined', 2);
  t.match(joinA?.data, { position: 1 }, 'A joined first');
  t.notOk('vip' in (joinA?.data ?? {}), 'A is not a VIP');
  t.match(joinB?.data, { vip: 5, position: 1 }, 'B joined as a VIP, straight to the front');
  await cli(t, ['agents', 'unpause', '5001']);
  const [first] = await waitQueueEvents('vip', 'queue.answered', 1);
  t.equal(first?.callId, joinB?.callId, 'the agent got B first');
  await agent.waitCall('CALL_ESTABLISHED', 5000);
  await agent.hangup();
  const [, second] = await waitQueueEvents('vip', 'queue.answered', 2);
  t.equal(second?.callId, joinA?.callId, 'then A');
  await agent.waitCall('CALL_ESTABLISHED', 5000);
  await agent.hangup();
  t.equal((await gw.done).code, 0, 'both callers were answered, and the agent hung up');
});

t.test('a repeat caller is offered to the agent who last spoke with them', async (t) => {
  const N = caller('sticky', 1);
  await cli(t, ['queues', 'add', 'sticky', '--strategy', 'linear', '--members', '6001,6002', ...QUICK, '--sticky-days', '7', '--sticky-wait', '10']);
  await Promise.all([phone(t, '6001'), phone(t, '6002')]);
  await api('POST', '/api/v1/agents/6001/pause', { by: 'test' });
  t.equal(await oneQueueCall(t, 'sticky', N), '6002', 'the first call: 6002 (6001 paused)');
  await cb.waitRow('SELECT 1 FROM calls WHERE caller = ? AND extension = ? AND ended_at IS NOT NULL', [N, '6002']);
  await api('POST', '/api/v1/agents/6001/unpause', { by: 'test' });
  await waitAvailable(['6001', '6002']);
  t.equal(await oneQueueCall(t, 'sticky', N), '6002', 'the second call, both free, linear lists 6001 first: 6002 again');
  const [, joined] = await waitQueueEvents('sticky', 'queue.joined', 2);
  t.match(joined?.data, { sticky: '6002' }, 'the caller joined with 6002 as the sticky agent');
  t.match(ofQueue('queue.answered', 'sticky')[1]?.data, { extension: '6002', sticky: true }, 'answered by the sticky agent');
  t.match(ofQueue('agent.offered', 'sticky').filter((e) => e.callId === joined?.callId), [{ data: { extension: '6002', sticky: true } }], 'offered to 6002 alone, as sticky');
  t.same(ofExt('agent.offered', '6001'), [], '6001 was offered neither call');
});

t.test('a flow\'s queue node: an agent answers; a queue that refuses the caller goes on at on_overflow', async (t) => {
  await cli(t, ['queues', 'add', 'support', '--strategy', 'linear', '--members', '7001', ...QUICK]);
  await cli(t, ['queues', 'add', 'closed', '--strategy', 'linear', '--members', '7002', ...QUICK, '--join-empty', 'no']);
  const a1 = await phone(t, '7001');
  const a2 = await phone(t, '7002');
  await cli(t, ['agents', 'logout', '7002']);
  const gw = await twoCallersIn(t, [caller('support', 1), caller('closed', 1)], { holdMs: 20_000, gapMs: 500 });

  const [answered] = await waitQueueEvents('support', 'queue.answered', 1);
  t.match(answered?.data, { extension: '7001' }, 'the flow put the caller in support; 7001 answered');
  t.match(cb.events('ivr.answered').filter((e) => e.callId === answered?.callId), [{ data: { flow: 'main' } }], 'the line answered with the imported flow');
  t.match(cb.events('ivr.exit').filter((e) => e.callId === answered?.callId), [{ data: { node: 'to_support', to: 'queue:support' } }], 'through the flow\'s queue node');
  await a1.waitCall('CALL_ESTABLISHED', 5000);
  await a1.hangup();

  const [overflow] = await waitQueueEvents('closed', 'queue.overflow', 1);
  t.match(overflow?.data, { reason: 'empty' }, 'the closed queue refused the caller (no agent logged in)');
  t.match(cb.events('ivr.queue_left').filter((e) => e.callId === overflow?.callId), [{ data: { reason: 'empty' } }], 'the flow got the caller back');
  const ended = await cb.waitRow<{ cause: string }>('SELECT cause FROM calls WHERE id = ? AND ended_at IS NOT NULL', [overflow?.callId]);
  t.equal(ended.cause, 'ivr_hangup', 'the flow went on at on_overflow and hung up');
  t.ok(cb.events('ivr.prompt').some((e) => e.callId === overflow?.callId && e.data['prompt'] === 'goodbye'), 'after saying goodbye');
  t.same(a2.events.filter((e) => e.type === 'CALL_INCOMING'), [], '7002 (logged out) never rang');
  t.equal((await gw.done).code, 0, 'both calls ran to their end');
});
