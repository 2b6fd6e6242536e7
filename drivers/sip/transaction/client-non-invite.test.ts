import t from 'tap';
import {
  clientNonInviteTransition,
  startClientNonInvite,
  type ClientNonInviteInput,
  type ClientNonInviteState,
} from './client-non-invite.js';
import { fsmContext, pick, res, summarize } from './testing/summarize.js';

const udp = fsmContext('BYE', false);
const tcp = fsmContext('BYE', true);

const STATES: ClientNonInviteState[] = ['trying', 'proceeding', 'completed', 'terminated'];
const INPUTS: Record<string, ClientNonInviteInput> = {
  '100': { type: 'response', res: res(100, 'BYE') },
  '180': { type: 'response', res: res(180, 'BYE') },
  '200': { type: 'response', res: res(200, 'BYE') },
  '404': { type: 'response', res: res(404, 'BYE') },
  'timer E': { type: 'timer', name: 'E', ms: 500 },
  'timer F': { type: 'timer', name: 'F', ms: 32000 },
  'timer K': { type: 'timer', name: 'K', ms: 5000 },
  'transport error': { type: 'transport_error' },
};

type Row = [from: ClientNonInviteState, input: string, to: ClientNonInviteState, effects: string[]];
const FINAL = (status: number): string[] => ['cancel E', 'cancel F', 'start K 5000', `pass ${status}`];

/** RFC 3261 §17.1.2.2 figure 6, UDP, T1 = 500 ms, T2 = 4 s, T4 = 5 s. */
const UDP_ROWS: Row[] = [
  ['trying', '100', 'proceeding', ['pass 100']],
  ['trying', '180', 'proceeding', ['pass 180']],
  ['trying', '200', 'completed', FINAL(200)],
  ['trying', '404', 'completed', FINAL(404)],
  ['trying', 'timer E', 'trying', ['send BYE', 'start E 1000']],
  ['trying', 'timer F', 'terminated', ['timeout', 'terminate']],
  ['trying', 'timer K', 'trying', []],
  ['trying', 'transport error', 'terminated', ['transport_failure', 'terminate']],

  ['proceeding', '100', 'proceeding', ['pass 100']],
  ['proceeding', '180', 'proceeding', ['pass 180']],
  ['proceeding', '200', 'completed', FINAL(200)],
  ['proceeding', '404', 'completed', FINAL(404)],
  ['proceeding', 'timer E', 'proceeding', ['send BYE', 'start E 4000']],
  ['proceeding', 'timer F', 'terminated', ['timeout', 'terminate']],
  ['proceeding', 'timer K', 'proceeding', []],
  ['proceeding', 'transport error', 'terminated', ['transport_failure', 'terminate']],

  ['completed', '100', 'completed', []],
  ['completed', '180', 'completed', []],
  ['completed', '200', 'completed', []],
  ['completed', '404', 'completed', []],
  ['completed', 'timer E', 'completed', []],
  ['completed', 'timer F', 'completed', []],
  ['completed', 'timer K', 'terminated', ['terminate']],
  ['completed', 'transport error', 'completed', []],

  ...Object.keys(INPUTS).map((input): Row => ['terminated', input, 'terminated', []]),
];

t.test('every state and input of the non-INVITE client transaction is in the table', async (t) => {
  for (const state of STATES) {
    for (const input of Object.keys(INPUTS)) {
      t.ok(UDP_ROWS.some(([from, i]) => from === state && i === input), `${state} × ${input}`);
    }
  }
});

t.test('the non-INVITE client transaction follows figure 6 over UDP', async (t) => {
  for (const [from, input, to, effects] of UDP_ROWS) {
    const r = clientNonInviteTransition(from, pick(INPUTS, input), udp);
    t.same({ state: r.state, effects: summarize(r.effects) }, { state: to, effects }, `${from} + ${input}`);
  }
});

t.test('it sends the request and starts timers E and F on entering Trying over UDP', async (t) => {
  t.same(summarize(startClientNonInvite(udp).effects), ['send BYE', 'start E 500', 'start F 32000']);
});

t.test('timer E doubles up to T2 and stays there', async (t) => {
  const next = (ms: number) => summarize(clientNonInviteTransition('trying', { type: 'timer', name: 'E', ms }, udp).effects);
  t.same(next(1000), ['send BYE', 'start E 2000']);
  t.same(next(2000), ['send BYE', 'start E 4000']);
  t.same(next(4000), ['send BYE', 'start E 4000']);
});

t.test('over TCP the non-INVITE client transaction neither retransmits nor lingers after its answer', async (t) => {
  t.same(summarize(startClientNonInvite(tcp).effects), ['send BYE', 'start F 32000']);
  const r = clientNonInviteTransition('trying', pick(INPUTS, '200'), tcp);
  t.same({ state: r.state, effects: summarize(r.effects) }, { state: 'terminated', effects: ['cancel E', 'cancel F', 'pass 200', 'terminate'] });
});
