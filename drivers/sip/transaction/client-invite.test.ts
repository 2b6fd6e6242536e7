import t from 'tap';
import {
  clientInviteTransition,
  startClientInvite,
  type ClientInviteInput,
  type ClientInviteState,
} from './client-invite.js';
import { fsmContext, pick, res, summarize } from './testing/summarize.js';

const udp = fsmContext('INVITE', false);
const tcp = fsmContext('INVITE', true);

const STATES: ClientInviteState[] = ['calling', 'proceeding', 'accepted', 'completed', 'terminated'];
const INPUTS: Record<string, ClientInviteInput> = {
  '100': { type: 'response', res: res(100) },
  '180': { type: 'response', res: res(180) },
  '200': { type: 'response', res: res(200) },
  '486': { type: 'response', res: res(486) },
  'timer A': { type: 'timer', name: 'A', ms: 500 },
  'timer B': { type: 'timer', name: 'B', ms: 32000 },
  'timer D': { type: 'timer', name: 'D', ms: 32000 },
  'timer M': { type: 'timer', name: 'M', ms: 32000 },
  'timer cancel_wait': { type: 'timer', name: 'cancel_wait', ms: 32000 },
  'transport error': { type: 'transport_error' },
  'cancel sent': { type: 'cancel_sent' },
};

type Row = [from: ClientInviteState, input: string, to: ClientInviteState, effects: string[]];
const STOP_CALLING = ['cancel A', 'cancel B'];

/** RFC 3261 §17.1.1.2 figure 5 with RFC 6026 §7.2, UDP, T1 = 500 ms. */
const UDP_ROWS: Row[] = [
  ['calling', '100', 'proceeding', [...STOP_CALLING, 'pass 100']],
  ['calling', '180', 'proceeding', [...STOP_CALLING, 'pass 180']],
  ['calling', '200', 'accepted', [...STOP_CALLING, 'start M 32000', 'pass 200']],
  ['calling', '486', 'completed', [...STOP_CALLING, 'send ACK', 'start D 32000', 'pass 486']],
  ['calling', 'timer A', 'calling', ['send INVITE', 'start A 1000']],
  ['calling', 'timer B', 'terminated', ['timeout', 'terminate']],
  ['calling', 'timer D', 'calling', []],
  ['calling', 'timer M', 'calling', []],
  ['calling', 'timer cancel_wait', 'calling', []],
  ['calling', 'transport error', 'terminated', ['transport_failure', 'terminate']],
  ['calling', 'cancel sent', 'calling', []],

  ['proceeding', '100', 'proceeding', ['pass 100']],
  ['proceeding', '180', 'proceeding', ['pass 180']],
  ['proceeding', '200', 'accepted', ['cancel cancel_wait', 'start M 32000', 'pass 200']],
  ['proceeding', '486', 'completed', ['cancel cancel_wait', 'send ACK', 'start D 32000', 'pass 486']],
  ['proceeding', 'timer A', 'proceeding', []],
  ['proceeding', 'timer B', 'proceeding', []],
  ['proceeding', 'timer D', 'proceeding', []],
  ['proceeding', 'timer M', 'proceeding', []],
  ['proceeding', 'timer cancel_wait', 'terminated', ['give_up', 'terminate']],
  ['proceeding', 'transport error', 'proceeding', []],
  ['proceeding', 'cancel sent', 'proceeding', ['start cancel_wait 32000']],

  ['accepted', '100', 'accepted', []],
  ['accepted', '180', 'accepted', []],
  ['accepted', '200', 'accepted', ['pass 200']],
  ['accepted', '486', 'accepted', []],
  ['accepted', 'timer A', 'accepted', []],
  ['accepted', 'timer B', 'accepted', []],
  ['accepted', 'timer D', 'accepted', []],
  ['accepted', 'timer M', 'terminated', ['terminate']],
  ['accepted', 'timer cancel_wait', 'accepted', []],
  ['accepted', 'transport error', 'accepted', []],
  ['accepted', 'cancel sent', 'accepted', []],

  ['completed', '100', 'completed', []],
  ['completed', '180', 'completed', []],
  ['completed', '200', 'completed', []],
  ['completed', '486', 'completed', ['send ACK']],
  ['completed', 'timer A', 'completed', []],
  ['completed', 'timer B', 'completed', []],
  ['completed', 'timer D', 'terminated', ['terminate']],
  ['completed', 'timer M', 'completed', []],
  ['completed', 'timer cancel_wait', 'completed', []],
  ['completed', 'transport error', 'terminated', ['transport_failure', 'terminate']],
  ['completed', 'cancel sent', 'completed', []],

  ...Object.keys(INPUTS).map((input): Row => ['terminated', input, 'terminated', []]),
];

t.test('every state and input of the INVITE client transaction is in the table', async (t) => {
  for (const state of STATES) {
    for (const input of Object.keys(INPUTS)) {
      t.ok(UDP_ROWS.some(([from, i]) => from === state && i === input), `${state} × ${input}`);
    }
  }
});

t.test('the INVITE client transaction follows figure 5 and RFC 6026 over UDP', async (t) => {
  for (const [from, input, to, effects] of UDP_ROWS) {
    const r = clientInviteTransition(from, pick(INPUTS, input), udp);
    t.same({ state: r.state, effects: summarize(r.effects) }, { state: to, effects }, `${from} + ${input}`);
  }
});

t.test('it sends the INVITE and starts timers A and B on entering Calling over UDP', async (t) => {
  const r = startClientInvite(udp);
  t.same({ state: r.state, effects: summarize(r.effects) }, { state: 'calling', effects: ['send INVITE', 'start A 500', 'start B 32000'] });
});

t.test('timer A keeps doubling past T2, since INVITE retransmissions have no cap', async (t) => {
  const r = clientInviteTransition('calling', { type: 'timer', name: 'A', ms: 4000 }, udp);
  t.same(summarize(r.effects), ['send INVITE', 'start A 8000']);
});

t.test('over TCP the INVITE client transaction neither retransmits nor waits after a failure', async (t) => {
  t.same(summarize(startClientInvite(tcp).effects), ['send INVITE', 'start B 32000']);
  for (const from of ['calling', 'proceeding'] as const) {
    const r = clientInviteTransition(from, { type: 'response', res: res(486) }, tcp);
    t.equal(r.state, 'terminated', `${from} + 486`);
    t.same(summarize(r.effects).slice(-3), ['send ACK', 'pass 486', 'terminate']);
  }
  const ok = clientInviteTransition('proceeding', { type: 'response', res: res(200) }, tcp);
  t.equal(ok.state, 'accepted', 'a 2xx still waits in Accepted (timer M) over TCP');
});

t.test('timer D covers the server timer H when T1 is raised', async (t) => {
  const slow = { ...udp, timers: { t1: 1000, t2: 4000, t4: 5000 } };
  const r = clientInviteTransition('calling', { type: 'response', res: res(486) }, slow);
  t.ok(summarize(r.effects).includes('start D 64000'));
});

t.test('the ACK of a non-2xx goes out with the INVITE branch and the response To tag', async (t) => {
  const r = clientInviteTransition('proceeding', { type: 'response', res: res(486) }, udp);
  const send = r.effects.find((e) => e.type === 'send');
  if (send?.type !== 'send' || send.msg.kind !== 'request') return t.fail('no ACK');
  t.equal(send.msg.method, 'ACK');
  t.equal(send.msg.headers.get('CSeq'), '1 ACK');
  t.match(send.msg.headers.get('To'), /;tag=peer-tag$/);
  t.match(send.msg.headers.get('Via'), /branch=z9hG4bK-inv-1/);
});
