import t from 'tap';
import type { EventRow } from '../store/events-repo.js';
import { deriveCdr } from './cdr.js';

const T0 = 1_700_000_000_000;
const call = { startedAt: T0, extension: null, recordingId: null };

/** Events at T0 + seconds, in the order given. */
function events(...evs: Array<[number, string, Record<string, unknown>?]>): EventRow[] {
  return evs.map(([s, type, data], i) => ({ id: i + 1, at: T0 + Math.round(s * 1000), type, callId: 'c1', data: data ?? {} }));
}

t.test('an answered call: ring until the answer, talk until the end, the answering extension', async (t) => {
  const cdr = deriveCdr(call, events(
    [0, 'call.offered', { direction: 'inbound', line: 1, caller: '02155550199', callee: '02155550101' }],
    [0.2, 'call.ringing', { extension: '1001' }],
    [6, 'call.answered', { extension: '1001' }],
    [66, 'call.ended', { cause: 'caller_hangup', by: 'caller' }],
  ));
  t.same(cdr, {
    answeredAt: T0 + 6000, endedAt: T0 + 66_000, disposition: 'answered', cause: 'caller_hangup',
    ringSeconds: 6, talkSeconds: 60, holdSeconds: 0, extension: '1001', recordingId: null,
  });
});

t.test('a call nobody answered rang until the end and talked 0 s', async (t) => {
  const cdr = deriveCdr({ ...call, extension: '1002' }, events(
    [0, 'call.offered', { direction: 'inbound', caller: '1', callee: '2' }],
    [0, 'call.ringing', { extension: '1002' }],
    [30, 'call.ended', { cause: 'ring_timeout' }],
  ));
  t.match(cdr, { answeredAt: null, endedAt: T0 + 30_000, disposition: 'no_answer', cause: 'ring_timeout', ringSeconds: 30, talkSeconds: 0, holdSeconds: 0 });
  t.equal(cdr.extension, '1002', 'the extension the engine put on the row is kept');
});

t.test('a blacklisted caller is blocked; a disposition given with the end wins', async (t) => {
  const blocked = deriveCdr(call, events(
    [0, 'call.offered', { direction: 'inbound', caller: '02155550199', callee: '02155550101' }],
    [0.04, 'call.blocked', { caller: '02155550199', reason: 'blacklist' }],
    [0.05, 'call.ended', { cause: 'blacklisted' }],
  ));
  t.match(blocked, { disposition: 'blocked', cause: 'blacklisted', ringSeconds: 0.1, talkSeconds: 0 });
  const busy = deriveCdr(call, events([0, 'call.offered'], [2, 'call.ended', { cause: 'busy_here', disposition: 'busy' }]));
  t.equal(busy.disposition, 'busy');
  const odd = deriveCdr(call, events([0, 'call.offered'], [2, 'call.ended', { cause: 'x', disposition: 'exploded' }]));
  t.equal(odd.disposition, 'no_answer', 'an unknown disposition falls back to the derived one');
});

t.test('two holds add up and are not talk time', async (t) => {
  const cdr = deriveCdr(call, events(
    [0, 'call.offered'],
    [5, 'call.answered', { extension: '1001' }],
    [10, 'call.held', { by: '1001' }],
    [25, 'call.resumed', { by: '1001' }],
    [30, 'call.held', { by: '1001' }],
    [30.5, 'call.held', { by: 'caller' }],
    [40, 'call.resumed', { by: '1001' }],
    [100, 'call.ended', { cause: 'agent_hangup', by: '1001' }],
  ));
  t.match(cdr, { ringSeconds: 5, holdSeconds: 25, talkSeconds: 70, disposition: 'answered' });
});

t.test('a hold still open at the end lasts until the end', async (t) => {
  const cdr = deriveCdr(call, events(
    [0, 'call.offered'],
    [3, 'call.answered', { extension: '1001' }],
    [13, 'call.held', { by: '1001' }],
    [43, 'call.ended', { cause: 'caller_hangup', by: 'caller' }],
  ));
  t.match(cdr, { ringSeconds: 3, holdSeconds: 30, talkSeconds: 10 });
});

t.test('a transfer rings again: ring time stops at the first answer, the last answering extension is kept', async (t) => {
  const cdr = deriveCdr(call, events(
    [0, 'call.offered'],
    [0, 'call.ringing', { extension: '1001' }],
    [4, 'call.answered', { extension: '1001' }],
    [20, 'call.transferred', { kind: 'blind', to: '1002', by: '1001' }],
    [20, 'call.ringing', { extension: '1002' }],
    [27, 'call.answered', { extension: '1002' }],
    [60, 'call.recording', { recordingId: 7 }],
    [90, 'call.ended', { cause: 'caller_hangup' }],
  ));
  t.match(cdr, { answeredAt: T0 + 4000, ringSeconds: 4, talkSeconds: 86, extension: '1002', recordingId: 7 });
});

t.test('a pickup answers at the picking extension', async (t) => {
  const cdr = deriveCdr(call, events(
    [0, 'call.offered'], [0, 'call.ringing', { extension: '1001' }],
    [8, 'call.picked_up', { extension: '1003', from: '1001' }], [18, 'call.ended', { cause: 'caller_hangup' }],
  ));
  t.match(cdr, { answeredAt: T0 + 8000, extension: '1003', ringSeconds: 8, talkSeconds: 10, disposition: 'answered' });
});

t.test('seconds are rounded to 0.1 and never negative; unknown events are ignored', async (t) => {
  const cdr = deriveCdr(call, events(
    [0, 'call.offered'],
    [1.234, 'call.answered', { extension: '1001' }],
    [2, 'ivr.digit', { digit: '1' }],
    [2.0, 'call.held'],
    [3.26, 'call.resumed'],
    [12.4, 'call.ended', { cause: 'caller_hangup' }],
  ));
  t.match(cdr, { ringSeconds: 1.2, holdSeconds: 1.3, talkSeconds: 9.9 });
  const stepped = deriveCdr(call, events([-2, 'call.answered', { extension: '1001' }], [-1, 'call.ended', { cause: 'x' }]));
  t.match(stepped, { ringSeconds: 0, talkSeconds: 1 }, 'a clock step back gives 0, not a negative ring time');
});

t.test('without call.ended the last event is the end (a CDR asked for before the end is written)', async (t) => {
  const cdr = deriveCdr({ ...call, recordingId: 3 }, events([0, 'call.offered'], [9, 'call.ringing', { extension: '1001' }]));
  t.match(cdr, { endedAt: T0 + 9000, cause: '', disposition: 'no_answer', ringSeconds: 9, recordingId: 3 });
});
