import t from 'tap';
import {
  serverNonInviteTransition,
  startServerNonInvite,
  type ServerNonInviteInput,
  type ServerNonInviteState,
} from './server-non-invite.js';
import { fsmContext, pick, res, summarize } from './testing/summarize.js';

const udp = { ...fsmContext('BYE', false), lastResponse: res(183, 'BYE') };
const tcp = { ...fsmContext('BYE', true), lastResponse: undefined };

const STATES: ServerNonInviteState[] = ['trying', 'proceeding', 'completed', 'terminated'];
const INPUTS: Record<string, ServerNonInviteInput> = {
  'retransmission': { type: 'request_retransmission' },
  'TU 180': { type: 'tu_response', res: res(180, 'BYE') },
  'TU 200': { type: 'tu_response', res: res(200, 'BYE') },
  'TU 481': { type: 'tu_response', res: res(481, 'BYE') },
  'timer J': { type: 'timer', name: 'J', ms: 32000 },
  'transport error': { type: 'transport_error' },
};

type Row = [from: ServerNonInviteState, input: string, to: ServerNonInviteState, effects: string[]];

/** RFC 3261 §17.2.2 figure 8, UDP, T1 = 500 ms; the last response sent was a 183. */
const UDP_ROWS: Row[] = [
  ['trying', 'retransmission', 'trying', []],
  ['trying', 'TU 180', 'proceeding', ['send 180']],
  ['trying', 'TU 200', 'completed', ['send 200', 'start J 32000']],
  ['trying', 'TU 481', 'completed', ['send 481', 'start J 32000']],
  ['trying', 'timer J', 'trying', []],
  ['trying', 'transport error', 'trying', []],

  ['proceeding', 'retransmission', 'proceeding', ['send 183']],
  ['proceeding', 'TU 180', 'proceeding', ['send 180']],
  ['proceeding', 'TU 200', 'completed', ['send 200', 'start J 32000']],
  ['proceeding', 'TU 481', 'completed', ['send 481', 'start J 32000']],
  ['proceeding', 'timer J', 'proceeding', []],
  ['proceeding', 'transport error', 'terminated', ['transport_failure', 'terminate']],

  ['completed', 'retransmission', 'completed', ['send 183']],
  ['completed', 'TU 180', 'completed', []],
  ['completed', 'TU 200', 'completed', []],
  ['completed', 'TU 481', 'completed', []],
  ['completed', 'timer J', 'terminated', ['terminate']],
  ['completed', 'transport error', 'terminated', ['transport_failure', 'terminate']],

  ...Object.keys(INPUTS).map((input): Row => ['terminated', input, 'terminated', []]),
];

t.test('every state and input of the non-INVITE server transaction is in the table', async (t) => {
  for (const state of STATES) {
    for (const input of Object.keys(INPUTS)) {
      t.ok(UDP_ROWS.some(([from, i]) => from === state && i === input), `${state} × ${input}`);
    }
  }
});

t.test('the non-INVITE server transaction follows figure 8 over UDP', async (t) => {
  for (const [from, input, to, effects] of UDP_ROWS) {
    const r = serverNonInviteTransition(from, pick(INPUTS, input), udp);
    t.same({ state: r.state, effects: summarize(r.effects) }, { state: to, effects }, `${from} + ${input}`);
  }
});

t.test('a new request goes to the TU and nothing is sent until it answers', async (t) => {
  const r = startServerNonInvite();
  t.same({ state: r.state, effects: summarize(r.effects) }, { state: 'trying', effects: ['pass_request'] });
});

t.test('over TCP the final response ends the transaction at once (timer J is zero)', async (t) => {
  const r = serverNonInviteTransition('proceeding', pick(INPUTS, 'TU 200'), tcp);
  t.same({ state: r.state, effects: summarize(r.effects) }, { state: 'terminated', effects: ['send 200', 'terminate'] });
});

t.test('a retransmission with nothing sent yet sends nothing', async (t) => {
  t.same(serverNonInviteTransition('proceeding', pick(INPUTS, 'retransmission'), tcp).effects, []);
});
