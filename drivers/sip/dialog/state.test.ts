import t from 'tap';
import { transition, type DialogInput, type DialogState, type DialogStep } from './state.js';

/** The whole table: every state with every input (RFC 3261 §12, §13.3.1.4, §15). */
const table: Array<[DialogState, DialogInput, DialogStep]> = [
  ['early', { kind: 'provisional' }, { state: 'early', effects: [] }],
  ['early', { kind: 'answered' }, { state: 'confirmed', effects: ['confirmed'] }],
  ['early', { kind: 'failed' }, { state: 'terminated', effects: ['destroyed'] }],
  ['early', { kind: 'cancelled' }, { state: 'terminated', effects: ['destroyed'] }],
  ['early', { kind: 'bye' }, { state: 'terminated', effects: ['destroyed'] }],
  ['early', { kind: 'ack-timeout' }, { state: 'terminated', effects: ['send-bye', 'destroyed'] }],
  ['early', { kind: 'gone', status: 481 }, { state: 'terminated', effects: ['destroyed'] }],
  ['confirmed', { kind: 'provisional' }, { state: 'confirmed', effects: [] }],
  ['confirmed', { kind: 'answered' }, { state: 'confirmed', effects: [] }],
  ['confirmed', { kind: 'failed' }, { state: 'confirmed', effects: [] }],
  ['confirmed', { kind: 'cancelled' }, { state: 'confirmed', effects: [] }],
  ['confirmed', { kind: 'bye' }, { state: 'terminated', effects: ['destroyed'] }],
  ['confirmed', { kind: 'ack-timeout' }, { state: 'terminated', effects: ['send-bye', 'destroyed'] }],
  ['confirmed', { kind: 'gone', status: 481 }, { state: 'terminated', effects: ['destroyed'] }],
  ['confirmed', { kind: 'gone', status: 408 }, { state: 'terminated', effects: ['send-bye', 'destroyed'] }],
  ['terminated', { kind: 'answered' }, { state: 'terminated', effects: [] }],
  ['terminated', { kind: 'bye' }, { state: 'terminated', effects: [] }],
  ['terminated', { kind: 'ack-timeout' }, { state: 'terminated', effects: [] }],
];

for (const [state, input, expected] of table) {
  t.test(`${state} + ${input.kind}${'status' in input ? ` ${input.status}` : ''} → ${expected.state} [${expected.effects.join(', ')}]`, async (t) => {
    t.same(transition(state, input), expected);
  });
}
