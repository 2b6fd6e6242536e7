import t, { type Test } from 'tap';
import { join } from 'node:path';
import { pino } from 'pino';
import { openDatabase } from '../store/database.js';
import { Store } from '../store/store.js';
import type { CallOpen } from '../store/calls-repo.js';
import { EventBus, type BoxEvent } from '../events/bus.js';
import { CallRecords } from './call-records.js';

const T0 = 1_700_000_000_000;

/** A store, a bus on a hand-moved clock, and the service, as the engine wires them. */
function setUp(t: Test) {
  const store = new Store(openDatabase(join(t.testdir({}), 'octoline.db')));
  t.teardown(() => store.close());
  store.lines.upsert({ id: 1, number: '021-5555-0101', numberNorm: '02155550101', gatewayId: null, portUser: 'line1' });
  const clock = { t: T0, now: () => clock.t };
  const bus = new EventBus({ events: store.events, log: pino({ level: 'silent' }), now: clock.now });
  const seen: BoxEvent[] = [];
  bus.on('event', (e) => seen.push(e));
  return { store, bus, clock, seen, records: new CallRecords({ store, bus, clock }) };
}

const call = (id: string): CallOpen => ({
  id, sipCallId: `sip-${id}`, direction: 'inbound', lineId: 1, extension: null, caller: '021-5555-0199',
  callerNorm: '02155550199', callerName: '', callee: '02155550101', startedAt: T0,
});

t.test('ending a call publishes call.ended once and writes the CDR from the events', async (t) => {
  const { store, bus, clock, seen, records } = setUp(t);
  records.open(call('c1'));
  bus.publish('call.offered', { direction: 'inbound', line: 1, caller: '021-5555-0199', callee: '02155550101' }, 'c1');
  clock.t = T0 + 4000;
  bus.publish('call.answered', { extension: '1001' }, 'c1');
  clock.t = T0 + 34_000;
  const cdr = records.end('c1', { cause: 'caller_hangup', by: 'caller' });
  t.match(cdr, { answeredAt: T0 + 4000, endedAt: T0 + 34_000, disposition: 'answered', cause: 'caller_hangup', ringSeconds: 4, talkSeconds: 30, extension: '1001' });
  t.match(store.calls.get('c1'), { endedAt: T0 + 34_000, disposition: 'answered', talkSeconds: 30, extension: '1001' });
  t.same(seen.at(-1), { id: seen.at(-1)?.id, at: T0 + 34_000, type: 'call.ended', callId: 'c1', data: { cause: 'caller_hangup', by: 'caller' } }, 'live listeners get it');

  clock.t = T0 + 50_000;
  t.equal(records.end('c1', { cause: 'agent_hangup' }), undefined, 'a second end is a no-op');
  t.equal(store.events.forCall('c1').filter((e) => e.type === 'call.ended').length, 1);
  t.equal(store.calls.get('c1')?.endedAt, T0 + 34_000, 'the CDR is unchanged');
  t.equal(records.end('unknown', { cause: 'x' }), undefined, 'an unknown call is a no-op');
});

t.test('a listener that ends the call again on call.ended does not write a second end', async (t) => {
  const { store, bus, records } = setUp(t);
  records.open(call('c1'));
  const inner: unknown[] = [];
  bus.on('event', (e) => { if (e.type === 'call.ended') inner.push(records.end('c1', { cause: 'again' })); });
  t.match(records.end('c1', { cause: 'busy_here', disposition: 'busy' }), { disposition: 'busy', cause: 'busy_here' });
  t.same(inner, [undefined]);
  t.equal(store.events.forCall('c1').filter((e) => e.type === 'call.ended').length, 1);
});

t.test('at start, calls left unfinished get call.ended (daemon_restart) and a final CDR', async (t) => {
  const { store, bus, clock, records } = setUp(t);
  records.open(call('talking'));
  records.open(call('ringing'));
  records.open(call('done'));
  records.open(call('half-ended'));
  bus.publish('call.answered', { extension: '1001' }, 'talking');
  bus.publish('call.ringing', { extension: '1002' }, 'ringing');
  records.end('done', { cause: 'caller_hangup' });
  clock.t = T0 + 2000;
  // The daemon died between writing call.ended and the CDR: the recorded end is kept.
  bus.publish('call.ended', { cause: 'caller_hangup', disposition: 'abandoned' }, 'half-ended');

  clock.t = T0 + 60_000;
  const fresh = new CallRecords({ store, bus });
  t.equal(fresh.recoverUnfinished(), 3);
  t.match(store.calls.get('talking'), { disposition: 'answered', cause: 'daemon_restart', endedAt: T0 + 60_000, extension: '1001' });
  t.match(store.calls.get('ringing'), { disposition: 'failed', cause: 'daemon_restart', answeredAt: null, talkSeconds: 0 });
  t.match(store.calls.get('half-ended'), { disposition: 'abandoned', cause: 'caller_hangup', endedAt: T0 + 2000 });
  t.equal(store.events.forCall('half-ended').filter((e) => e.type === 'call.ended').length, 1, 'no second call.ended');
  t.match(store.calls.get('done'), { cause: 'caller_hangup', endedAt: T0 });
  t.same(store.calls.unfinished(), []);
  t.equal(fresh.recoverUnfinished(), 0, 'nothing left the second time');
});
