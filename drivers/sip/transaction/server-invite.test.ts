import t from 'tap';
import {
  serverInviteTransition,
  startServerInvite,
  type ServerInviteInput,
  type ServerInviteState,
} from './server-invite.js';
import { ackFor, PHONE } from './testing/messages.js';
import { fsmContext, pick, res, summarize } from './testing/summarize.js';

const base = fsmContext('INVITE', false);
const udp = { ...base, lastResponse: res(486) };
const tcp = { ...fsmContext('INVITE', true), lastResponse: res(486) };

const STATES: ServerInviteState[] = ['proceeding', 'completed', 'confirmed', 'accepted', 'terminated'];
const INPUTS: Record<string, ServerInviteInput> = {
  'retransmission': { type: 'request_retransmission' },
  'ACK': { type: 'ack', ack: ackFor(base.request, res(486)), source: PHONE },
  'TU 180': { type: 'tu_response', res: res(180) },
  'TU 200': { type: 'tu_response', res: res(200) },
  'TU 486': { type: 'tu_response', res: res(486) },
  'timer G': { type: 'timer', name: 'G', ms: 500 },
  'timer H': { type: 'timer', name: 'H', ms: 32000 },
  'timer I': { type: 'timer', name: 'I', ms: 5000 },
  'timer L': { type: 'timer', name: 'L', ms: 32000 },
  'transport error': { type: 'transport_error' },
};

type Row = [from: ServerInviteState, input: string, to: ServerInviteState, effects: string[]];

/** RFC 3261 §17.2.1 figure 7 with RFC 6026 §7.1, UDP, T1 = 500 ms; the last response sent was a 486. */
const UDP_ROWS: Row[] = [
  ['proceeding', 'retransmission', 'proceeding', ['send 486']],
  ['proceeding', 'ACK', 'proceeding', []],
  ['proceeding', 'TU 180', 'proceeding', ['send 180']],
  ['proceeding', 'TU 200', 'accepted', ['send 200', 'start L 32000']],
  ['proceeding', 'TU 486', 'completed', ['send 486', 'start G 500', 'start H 32000']],
  ['proceeding', 'timer G', 'proceeding', []],
  ['proceeding', 'timer H', 'proceeding', []],
  ['proceeding', 'timer I', 'proceeding', []],
  ['proceeding', 'timer L', 'proceeding', []],
  ['proceeding', 'transport error', 'terminated', ['transport_failure', 'terminate']],

  ['completed', 'retransmission', 'completed', ['send 486']],
  ['completed', 'ACK', 'confirmed', ['cancel G', 'cancel H', 'start I 5000']],
  ['completed', 'TU 180', 'completed', []],
  ['completed', 'TU 200', 'completed', []],
  ['completed', 'TU 486', 'completed', []],
  ['completed', 'timer G', 'completed', ['send 486', 'start G 1000']],
  ['completed', 'timer H', 'terminated', ['timeout', 'terminate']],
  ['completed', 'timer I', 'completed', []],
  ['completed', 'timer L', 'completed', []],
  ['completed', 'transport error', 'terminated', ['transport_failure', 'terminate']],

  ['confirmed', 'retransmission', 'confirmed', []],
  ['confirmed', 'ACK', 'confirmed', []],
  ['confirmed', 'TU 180', 'confirmed', []],
  ['confirmed', 'TU 200', 'confirmed', []],
  ['confirmed', 'TU 486', 'confirmed', []],
  ['confirmed', 'timer G', 'confirmed', []],
  ['confirmed', 'timer H', 'confirmed', []],
  ['confirmed', 'timer I', 'terminated', ['terminate']],
  ['confirmed', 'timer L', 'confirmed', []],
  ['confirmed', 'transport error', 'confirmed', []],

  ['accepted', 'retransmission', 'accepted', []],
  ['accepted', 'ACK', 'accepted', ['pass_ack']],
  ['accepted', 'TU 180', 'accepted', []],
  ['accepted', 'TU 200', 'accepted', ['send 200']],
  ['accepted', 'TU 486', 'accepted', []],
  ['accepted', 'timer G', 'accepted', []],
  ['accepted', 'timer H', 'accepted', []],
  ['accepted', 'timer I', 'accepted', []],
  ['accepted', 'timer L', 'terminated', ['terminate']],
  ['accepted', 'transport error', 'accepted', ['transport_failure']],

  ...Object.keys(INPUTS).map((input): Row => ['terminated', input, 'terminated', []]),
];

t.test('every state and input of the INVITE server transaction is in the table', async (t) => {
  for (const state of STATES) {
    for (const input of Object.keys(INPUTS)) {
      t.ok(UDP_ROWS.some(([from, i]) => from === state && i === input), `${state} × ${input}`);
    }
  }
});

t.test('the INVITE server transaction follows figure 7 and RFC 6026 over UDP', async (t) => {
  for (const [from, input, to, effects] of UDP_ROWS) {
    const r = serverInviteTransition(from, pick(INPUTS, input), udp);
    t.same({ state: r.state, effects: summarize(r.effects) }, { state: to, effects }, `${from} + ${input}`);
  }
});

t.test('a new INVITE is answered 100 Trying before the TU sees it', async (t) => {
  const r = startServerInvite({ ...base, lastResponse: undefined });
  t.same({ state: r.state, effects: summarize(r.effects) }, { state: 'proceeding', effects: ['send 100', 'pass_request'] });
  const trying = r.effects[0];
  t.ok(trying?.type === 'send' && trying.msg.kind === 'response' && !trying.msg.headers.get('To')?.includes('tag='), '100 Trying carries no To tag');
});

t.test('timer G doubles up to T2 and stays there', async (t) => {
  const next = (ms: number) => summarize(serverInviteTransition('completed', { type: 'timer', name: 'G', ms }, udp).effects);
  t.same(next(2000), ['send 486', 'start G 4000']);
  t.same(next(4000), ['send 486', 'start G 4000']);
});

t.test('over TCP a failure is not retransmitted and its ACK ends the transaction at once', async (t) => {
  const sent = serverInviteTransition('proceeding', pick(INPUTS, 'TU 486'), tcp);
  t.same({ state: sent.state, effects: summarize(sent.effects) }, { state: 'completed', effects: ['send 486', 'start H 32000'] });
  const acked = serverInviteTransition('completed', pick(INPUTS, 'ACK'), tcp);
  t.same({ state: acked.state, effects: summarize(acked.effects) }, { state: 'terminated', effects: ['terminate'] });
});
