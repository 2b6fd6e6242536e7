import t from 'tap';
import { transition, type LineEffect, type LineInput, type LineState } from './line-state.js';

const busy: LineEffect[] = [{ type: 'refuse', status: 486 }];
const unusable: LineEffect[] = [{ type: 'refuse', status: 503 }];
const ignored = (input: LineInput['type'], state: LineState): LineEffect[] => [{ type: 'ignored', input, state }];

const table: Array<[LineState, LineInput['type'], LineState, LineEffect[]]> = [
  ['idle', 'inbound-invite', 'ringing', []],
  ['idle', 'outbound-seize', 'in_use', []],
  ['idle', 'answered', 'idle', ignored('answered', 'idle')],
  ['idle', 'released', 'idle', ignored('released', 'idle')],
  ['idle', 'gateway-down', 'down', []],
  ['idle', 'gateway-up', 'idle', []],
  ['ringing', 'inbound-invite', 'ringing', busy],
  ['ringing', 'outbound-seize', 'ringing', busy],
  ['ringing', 'answered', 'in_use', []],
  ['ringing', 'released', 'idle', []],
  ['ringing', 'gateway-down', 'down', []],
  ['ringing', 'gateway-up', 'ringing', []],
  ['in_use', 'inbound-invite', 'in_use', busy],
  ['in_use', 'outbound-seize', 'in_use', busy],
  ['in_use', 'answered', 'in_use', ignored('answered', 'in_use')],
  ['in_use', 'released', 'idle', []],
  ['in_use', 'gateway-down', 'down', []],
  ['in_use', 'gateway-up', 'in_use', []],
  ['down', 'inbound-invite', 'down', unusable],
  ['down', 'outbound-seize', 'down', unusable],
  ['down', 'answered', 'down', ignored('answered', 'down')],
  ['down', 'released', 'down', ignored('released', 'down')],
  ['down', 'gateway-down', 'down', []],
  ['down', 'gateway-up', 'idle', []],
];

t.test('every line state answers every input as the table says', async (t) => {
  t.equal(table.length, 4 * 6, 'the table covers all states × inputs');
  for (const [from, input, to, effects] of table) {
    t.same(transition(from, { type: input } as LineInput), { state: to, effects }, `${from} + ${input} → ${to}`);
  }
});
