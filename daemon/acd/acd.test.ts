import t, { type Test } from 'tap';
import { systemClock, type Clock, type TimerHandle } from '../../drivers/clock.js';
import type { BoxEvent, EventBus } from '../events/bus.js';
import { normalizeNumber } from '../lines/phone-number.js';
import type { Store } from '../store/store.js';
import { agentWorld } from '../../test/helpers/agent-world.js';
import { Acd, type OfferResult, type OverflowReason, type QueueEntry } from './acd.js';
import { addQueue, addVip, type QueueFlags } from './queue-settings.js';

/**
 * The ACD arms real timers (max wait, retry, sticky wait, wrap-up) but compares their deadlines with
 * `clock.now()`, so a FakeClock would never see them pass: this clock follows the real one and can be
 * moved ahead (to age a wait) or back (a wall-clock step).
 */
class AheadClock implements Clock {
  private ahead = 0;
  now(): number {
    return Date.now() + this.ahead;
  }
  monotonic(): number {
    return performance.now() + this.ahead;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return systemClock.setTimeout(fn, ms);
  }
  advance(ms: number): void {
    this.ahead += ms;
  }
}

interface Offer { exts: string[]; timeoutMs: number; resolve(r: OfferResult): void }

/** A caller as the call engine would queue it; its offers ring until the test says how they end. */
class TestEntry implements QueueEntry {
  readonly offers: Offer[] = [];
  readonly announced: Array<[position: number, expectedS: number]> = [];
  readonly left: Array<{ reason: OverflowReason; target: string }> = [];
  /** The call-end listeners of answered offers (the engine runs them when the call ends). */
  readonly ends: Array<(talkS: number) => void> = [];
  readyNow = true;

  constructor(readonly id: string, readonly caller: string, readonly kind: 'live' | 'callback' = 'live') {}

  offer(exts: string[], timeoutMs: number): Promise<OfferResult> {
    return new Promise((resolve) => this.offers.push({ exts, timeoutMs, resolve }));
  }

  announce(position: number, expectedS: number): void {
    this.announced.push([position, expectedS]);
  }

  leave(reason: OverflowReason, target: string): void {
    this.left.push({ reason, target });
  }

  ready(): boolean {
    return this.kind === 'live' || this.readyNow;
  }

  /** Who the latest offer rings. */
  ringing(): string[] | undefined {
    return this.offers.at(-1)?.exts;
  }

  private latest(): Offer {
    const o = this.offers.at(-1);
    if (!o) throw new Error(`${this.id} was never offered`);
    return o;
  }

  noAnswer(): void {
    const o = this.latest();
    o.resolve({ result: 'no_answer', missed: o.exts });
  }

  gone(): void {
    this.latest().resolve({ result: 'gone' });
  }

  /** `ext` picked up: as in the engine, the agent is on the call from then on. */
  answer(ext: string, r: Rig): void {
    r.busy.add(ext);
    this.latest().resolve({ result: 'answered', ext, onEnd: (fn) => this.ends.push(fn) });
  }
}

interface Rig {
  store: Store;
  bus: EventBus;
  clock: AheadClock;
  acd: Acd;
  events: BoxEvent[];
  busy: Set<string>;
  unregistered: Set<string>;
}

const EXTS = ['1001', '1002', '1003'];

/** Quiet defaults so each test turns on only what it checks. */
const QUIET: QueueFlags = { strategy: 'linear', retry: '0', maxWait: '0', announceEvery: 'never', wrapUp: '0', stickyDays: '0', autoPause: '0' };

/** A running ACD over a real store with extensions 1001-1003 and `queues` (QUIET unless a flag says). */
function rig(t: Test, queues: Record<string, QueueFlags>): Rig {
  const clock = new AheadClock();
  const { store, bus, log, events, busy, unregistered, isRegistered, isBusy } = agentWorld(t, clock, EXTS);
  for (const [name, flags] of Object.entries(queues)) addQueue(store, name, { ...QUIET, ...flags }, clock.now());
  const acd = new Acd({ store, bus, clock, log, isRegistered, isBusy });
  acd.start();
  t.teardown(() => {
    acd.stop();
    store.close();
  });
  return { store, bus, clock, acd, events, busy, unregistered };
}

/** A caller with its calls row (events name their call). */
function caller(r: Rig, id: string, number = '', kind: 'live' | 'callback' = 'live'): TestEntry {
  if (!r.store.calls.get(id)) {
    r.store.calls.open({
      id, sipCallId: id, direction: 'inbound', lineId: null, extension: null, caller: number, callerNorm: normalizeNumber(number),
      callerName: '', callee: '02155550101', startedAt: r.clock.now(),
    });
  }
  return new TestEntry(id, number, kind);
}

/** The phone's state changed (on a call, registered): the engine's events make the board look again. */
function phone(r: Rig, ext: string, change: { busy?: boolean; registered?: boolean }): void {
  if (change.busy === true) r.busy.add(ext);
  if (change.busy === false) r.busy.delete(ext);
  if (change.registered === true) r.unregistered.delete(ext);
  if (change.registered === false) r.unregistered.add(ext);
  const type = change.registered === undefined ? (change.busy ? 'call.answered' : 'call.ended') : change.registered ? 'phone.registered' : 'phone.unregistered';
  r.bus.publish(type, { extension: ext });
}

const data = (r: Rig, type: string): Array<Record<string, unknown>> => r.events.filter((e) => e.type === type).map((e) => e.data);
const ofCall = (r: Rig, type: string, id: string): Array<Record<string, unknown>> =>
  r.events.filter((e) => e.type === type && e.callId === id).map((e) => e.data);

/** Lets the ACD's offer continuations run (promise jobs, then one turn of the loop). */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Polls `cond` until it holds (true) or `timeoutMs` passed (false). */
async function within(timeoutMs: number, cond: () => boolean): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

async function until(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  if (!(await within(timeoutMs, cond))) throw new Error(`timed out waiting until ${what}`);
}

/** The CDR of an earlier call from `number` that `ext` answered (what the sticky agent is found from). */
function spoke(r: Rig, id: string, number: string, ext: string, startedAt: number): void {
  r.store.calls.open({ id, sipCallId: id, direction: 'inbound', lineId: null, extension: null, caller: number, callerNorm: number, callerName: '', callee: '02155550101', startedAt });
  r.store.calls.finalize(id, {
    answeredAt: startedAt + 5000, endedAt: startedAt + 60_000, disposition: 'answered', cause: 'caller_hangup',
    ringSeconds: 5, talkSeconds: 55, holdSeconds: 0, extension: ext, recordingId: null,
  });
}

// Each test has its own store and ACD; the ones waiting on a 1 s timer overlap.
t.jobs = 8;

t.test('service order: VIP level first, a flow priority adds to it, then who came first', async (t) => {
  const r = rig(t, { sales: { members: '1001', announceEvery: '0' } });
  addVip(r.store, '138-0000-0002', { level: '5' });
  addVip(r.store, '+86 139 0000 0005', { level: '3' });
  phone(r, '1001', { busy: true });
  const a = caller(r, 'a', '13800000001');
  const b = caller(r, 'b', '13800000002');
  const c = caller(r, 'c', '13800000003');
  const d = caller(r, 'd', '13800000004');
  const e = caller(r, 'e', '+8613900000005');
  const joined = [r.acd.join(a, 'sales'), r.acd.join(b, 'sales')];
  r.clock.advance(1000);
  joined.push(r.acd.join(c, 'sales'), r.acd.join(d, 'sales', 2), r.acd.join(e, 'sales', 3));
  t.same(joined.map((j) => j.joined && j.position), [1, 1, 3, 2, 1], 'positions at join');
  t.same(r.acd.waiting('sales').map((w) => [w.id, w.priority]), [['e', 6], ['b', 5], ['d', 2], ['a', 0], ['c', 0]]);
  t.match(ofCall(r, 'queue.joined', 'b'), [{ queue: 'sales', position: 1, priority: 5, vip: 5 }]);
  t.match(ofCall(r, 'queue.joined', 'e'), [{ position: 1, priority: 6, vip: 3 }]);
  t.notOk('vip' in (ofCall(r, 'queue.joined', 'd')[0] ?? {}), 'a flow priority alone is no VIP');
  t.same(c.announced.map(([p]) => p), [3], 'a caller hears the position at join');

  phone(r, '1001', { busy: false });
  t.same(e.ringing(), ['1001'], 'the first in order is offered');
  for (const w of [a, b, c, d]) t.equal(w.offers.length, 0, `${w.id} waits`);
  e.answer('1001', r);
  await until('e answered', () => data(r, 'queue.answered').length === 1);
  e.ends[0]?.(30);
  phone(r, '1001', { busy: false });
  t.same(b.ringing(), ['1001'], 'then the next');
  t.equal(a.offers.length + c.offers.length + d.offers.length, 0);
});

t.test('two callers and two free agents ring at once, each a different agent', async (t) => {
  const r = rig(t, { sales: { members: '1001,1002', strategy: 'longest-idle' } });
  const a = caller(r, 'a', '13800000001');
  const b = caller(r, 'b', '13800000002');
  r.acd.join(a, 'sales');
  r.acd.join(b, 'sales');
  const rung = [a.ringing()?.[0], b.ringing()?.[0]];
  t.same([...rung].sort(), ['1001', '1002'], `one each: ${rung.join(', ')}`);
  t.same(r.acd.list().map((v) => v.state), ['ringing', 'ringing']);
  t.match(data(r, 'agent.offered'), [{ queue: 'sales', extension: rung[0] }, { queue: 'sales', extension: rung[1] }]);
  b.answer(rung[1] ?? '', r);
  a.answer(rung[0] ?? '', r);
  await until('both answered', () => data(r, 'queue.answered').length === 2);
  t.match(ofCall(r, 'queue.answered', 'a'), [{ queue: 'sales', extension: rung[0], positionAtJoin: 1 }]);
  t.match(ofCall(r, 'queue.answered', 'b'), [{ queue: 'sales', extension: rung[1], positionAtJoin: 2 }]);
  t.same(r.acd.waiting('sales'), []);
});

t.test('ring-all rings the whole lowest tier; a higher tier only when the lower has nobody free', async (t) => {
  const r = rig(t, { sales: { members: '1003:1,1001:0,1002', strategy: 'ring-all' } });
  const a = caller(r, 'a');
  const b = caller(r, 'b');
  r.acd.join(a, 'sales');
  t.same(a.ringing(), ['1001', '1002'], 'tier 0 together');
  r.acd.join(b, 'sales');
  t.same(b.ringing(), ['1003'], 'tier 0 is ringing for a: tier 1 takes b');
  t.equal(a.offers[0]?.timeoutMs, 15_000, 'for the queue\'s ring timeout');
});

t.test('an unregistered agent is never offered; registering makes it available', async (t) => {
  const r = rig(t, { sales: { members: '1001,1002', strategy: 'ring-all' } });
  phone(r, '1001', { registered: false });
  const a = caller(r, 'a');
  const b = caller(r, 'b');
  r.acd.join(a, 'sales');
  t.same(a.ringing(), ['1002'], 'ring-all leaves the unregistered phone out');
  r.acd.join(b, 'sales');
  t.equal(b.offers.length, 0, 'nobody left for b');
  t.equal(r.acd.board.state('1001'), 'unregistered');
  phone(r, '1001', { registered: true });
  t.same(b.ringing(), ['1001'], 'offered once registered');
  t.match(data(r, 'agent.state').filter((d) => d.extension === '1001'), [
    { state: 'unregistered', previous: 'available', reason: 'phone.unregistered' },
    { state: 'available', previous: 'unregistered', reason: 'phone.registered' },
    { state: 'ringing', previous: 'available', reason: 'offered' },
  ]);
});

t.test('a missed offer publishes agent.no_answer and moves on to the next agent', async (t) => {
  const r = rig(t, { sales: { members: '1001,1002' } });
  const a = caller(r, 'a');
  r.acd.join(a, 'sales');
  t.same(a.ringing(), ['1001']);
  a.noAnswer();
  await until('a second offer', () => a.offers.length >= 2);
  t.match(data(r, 'agent.no_answer'), [{ queue: 'sales', extension: '1001' }]);
  t.same(a.offers.map((o) => o.exts), [['1001'], ['1002']], 'the next agent, not the one who just missed it');
  t.equal(r.acd.board.view('1001').missedInARow, 1);
});

t.test('when every free member was tried, the next round starts after retryS', async (t) => {
  const r = rig(t, { sales: { members: '1001,1002', retry: '1' } });
  const a = caller(r, 'a');
  r.acd.join(a, 'sales');
  a.noAnswer();
  await until('a second offer', () => a.offers.length >= 2);
  a.noAnswer();
  const missedAt = performance.now();
  await settled();
  t.equal(a.offers.length, 2, 'no third offer at once');
  await until('the retry', () => a.offers.length >= 3);
  t.ok(performance.now() - missedAt >= 950, 'after the retry delay');
  t.same(a.offers.map((o) => o.exts), [['1001'], ['1002'], ['1001']], 'starting over');
});

t.test('N missed offers in a row pause the agent (no-answer); a paused agent is never offered', async (t) => {
  const r = rig(t, { sales: { members: '1001', autoPause: '2' } });
  const a = caller(r, 'a');
  r.acd.join(a, 'sales');
  a.noAnswer();
  await until('the retry offer', () => a.offers.length >= 2);
  a.noAnswer();
  await until('1001 paused', () => r.acd.board.state('1001') === 'paused');
  t.match(data(r, 'agent.state').filter((d) => d.extension === '1001').at(-1), { state: 'paused', pauseReason: 'no-answer' });
  t.match(r.store.agents.get('1001'), { loggedIn: true, paused: true, pauseReason: 'no-answer' }, 'kept across a restart');
  t.equal(data(r, 'agent.no_answer').length, 2);
  const b = caller(r, 'b');
  r.acd.join(b, 'sales');
  await settled();
  t.equal(a.offers.length + b.offers.length, 2, 'no offer while paused');
  t.same(r.acd.waiting('sales').map((w) => w.id), ['a', 'b']);
  t.match(r.acd.act('1001', 'unpause'), { state: 'ringing', missedInARow: 0 }, 'unpaused: offered at once');
  t.same(a.ringing(), ['1001']);
});

t.test('a caller who reaches the max wait leaves to the overflow with queue.overflow; one ringing finishes first', async (t) => {
  const r = rig(t, { sales: { members: '1001,1002', maxWait: '1', overflow: 'voicemail:1003' } });
  const ringsNoAnswer = caller(r, 'a');
  const ringsAnswered = caller(r, 'b');
  const waits = caller(r, 'c');
  r.acd.join(ringsNoAnswer, 'sales');
  r.acd.join(ringsAnswered, 'sales');
  r.acd.join(waits, 'sales');
  t.same([ringsNoAnswer.ringing(), ringsAnswered.ringing(), waits.ringing()], [['1001'], ['1002'], undefined]);

  await until('c overflows', () => waits.left.length > 0);
  t.same(waits.left, [{ reason: 'max_wait', target: 'voicemail:1003' }]);
  const [overflow] = ofCall(r, 'queue.overflow', 'c');
  t.match(overflow, { queue: 'sales', reason: 'max_wait', target: 'voicemail:1003', position: 3 });
  t.ok(Number(overflow?.waitS) >= 1 && Number(overflow?.waitS) < 5, `waitS ${String(overflow?.waitS)}`);
  // a and b joined before c with the same max wait: their limit passed too, while their phones rang.
  t.same(ringsNoAnswer.left, [], 'a ringing offer is not cut off');
  t.same(r.acd.waiting('sales').map((w) => w.id), ['a', 'b']);

  ringsAnswered.answer('1002', r);
  ringsNoAnswer.noAnswer();
  await until('a leaves', () => ringsNoAnswer.left.length > 0);
  t.same(ringsNoAnswer.left, [{ reason: 'max_wait', target: 'voicemail:1003' }], 'unanswered: then it overflows');
  t.match(ofCall(r, 'queue.overflow', 'a'), [{ reason: 'max_wait', target: 'voicemail:1003' }]);
  t.same(ringsAnswered.left, [], 'answered: served');
  t.match(ofCall(r, 'queue.answered', 'b'), [{ extension: '1002' }]);
  t.same(r.acd.waiting('sales'), []);
});

t.test('joins refused: no such queue, a full queue, nobody logged in with join-empty no', async (t) => {
  const r = rig(t, {
    small: { members: '1001', maxLength: '2', overflow: '1003' },
    strict: { members: '1001,1002', joinEmpty: 'no', overflow: 'voicemail:1003' },
  });
  phone(r, '1001', { busy: true });
  t.same(r.acd.join(caller(r, 'x'), 'nope'), { joined: false, reason: 'no_queue', target: '' });

  t.match(r.acd.join(caller(r, 'a'), 'small'), { joined: true, position: 1 });
  t.match(r.acd.join(caller(r, 'b'), 'small'), { joined: true, position: 2 });
  t.same(r.acd.join(caller(r, 'c'), 'small'), { joined: false, reason: 'full', target: '1003' });
  t.match(ofCall(r, 'queue.overflow', 'c'), [{ queue: 'small', reason: 'full', target: '1003', waitS: 0 }]);
  t.same(r.acd.waiting('small').map((w) => w.id), ['a', 'b']);

  r.acd.act('1001', 'logout');
  phone(r, '1002', { registered: false });
  t.same(r.acd.join(caller(r, 'd'), 'strict'), { joined: false, reason: 'empty', target: 'voicemail:1003' });
  t.match(ofCall(r, 'queue.overflow', 'd'), [{ queue: 'strict', reason: 'empty', target: 'voicemail:1003' }]);
  r.acd.act('1001', 'pause', 'lunch');
  t.match(r.acd.join(caller(r, 'e'), 'strict'), { joined: true }, 'a paused member is logged in: callers may wait for them');
});

t.test('leave-empty: waiting callers leave to the overflow when the last member logs out', async (t) => {
  const r = rig(t, { sales: { members: '1001,1002', leaveEmpty: 'yes', overflow: 'voicemail:1003' }, other: { members: '1001,1002' } });
  r.acd.act('1001', 'pause', 'lunch');
  phone(r, '1002', { busy: true });
  const a = caller(r, 'a');
  const b = caller(r, 'b');
  const stays = caller(r, 'c');
  r.acd.join(a, 'sales');
  r.acd.join(b, 'sales');
  r.acd.join(stays, 'other');
  r.acd.act('1001', 'logout');
  t.same(a.left, [], '1002 is still logged in (busy)');
  r.acd.act('1002', 'logout');
  t.same(a.left, [{ reason: 'empty', target: 'voicemail:1003' }]);
  t.same(b.left, [{ reason: 'empty', target: 'voicemail:1003' }]);
  t.same(data(r, 'queue.overflow').map((d) => [d.queue, d.reason, d.position]), [['sales', 'empty', 1], ['sales', 'empty', 1]]);
  t.same(stays.left, [], 'a queue without leave-empty keeps its callers');
  t.same(r.acd.waiting('other').map((w) => w.id), ['c']);
});

t.test('abandoned: queue.abandoned with the wait, the position and the position at join', async (t) => {
  const r = rig(t, { sales: { members: '1001' } });
  phone(r, '1001', { busy: true });
  for (const id of ['a', 'b', 'c']) r.acd.join(caller(r, id), 'sales');
  r.clock.advance(30_000);
  r.acd.abandoned('b');
  r.acd.abandoned('b');
  t.same(ofCall(r, 'queue.abandoned', 'b'), [{ queue: 'sales', waitS: 30, position: 2, positionAtJoin: 2 }], 'once');
  t.same(r.acd.waiting('sales').map((w) => [w.id, w.position]), [['a', 1], ['c', 2]]);
});

t.test('abandoned after others left: the position is where the caller is now', async (t) => {
  const r = rig(t, { sales: { members: '1001' } });
  phone(r, '1001', { busy: true });
  for (const id of ['a', 'b', 'c']) r.acd.join(caller(r, id), 'sales');
  r.acd.abandoned('a');
  t.same(r.acd.waiting('sales').map((w) => [w.id, w.position]), [['b', 1], ['c', 2]]);
  r.acd.abandoned('c');
  t.match(ofCall(r, 'queue.abandoned', 'c'), [{ position: 2, positionAtJoin: 3 }], 'second in line when it hung up');
});

t.test('a callback keeps the caller\'s place and is served before a later live caller', async (t) => {
  const r = rig(t, { sales: { members: '1001' } });
  phone(r, '1001', { busy: true });
  const first = caller(r, 'a', '13800000001');
  const second = caller(r, 'b', '13800000002');
  r.acd.join(first, 'sales');
  r.acd.join(second, 'sales');
  r.clock.advance(5000);
  const cb = caller(r, 'a', '13800000001', 'callback');
  t.notOk(r.acd.keepPlaceForCallback('nobody', cb, '13800000001'), 'no such caller waiting');
  t.ok(r.acd.keepPlaceForCallback('a', cb, '13800000001'));
  t.match(ofCall(r, 'queue.callback_requested', 'a'), [{ queue: 'sales', number: '13800000001', position: 1 }]);
  r.acd.join(caller(r, 'c'), 'sales');
  t.same(r.acd.waiting('sales').map((w) => [w.id, w.callback]), [['a', true], ['b', false], ['c', false]]);

  phone(r, '1001', { busy: false });
  t.same(cb.ringing(), ['1001'], 'the callback is served first');
  t.equal(first.offers.length + second.offers.length, 0, 'the live entry it replaced is never offered');
  t.match(ofCall(r, 'agent.offered', 'a'), [{ extension: '1001', callback: true }]);
  cb.answer('1001', r);
  await until('answered', () => data(r, 'queue.answered').length === 1);
  t.match(ofCall(r, 'queue.answered', 'a'), [{ extension: '1001', callback: true, positionAtJoin: 1 }]);
});

t.test('a callback that cannot be served yet (no free line) is skipped, not lost', async (t) => {
  const r = rig(t, { sales: { members: '1001' } });
  phone(r, '1001', { busy: true });
  r.acd.join(caller(r, 'a', '13800000001'), 'sales');
  const cb = caller(r, 'a', '13800000001', 'callback');
  cb.readyNow = false;
  r.acd.keepPlaceForCallback('a', cb, '13800000001');
  const live = caller(r, 'b');
  r.acd.join(live, 'sales');
  phone(r, '1001', { busy: false });
  t.same(live.ringing(), ['1001'], 'the live caller behind it goes first');
  t.equal(cb.offers.length, 0);
  live.answer('1001', r);
  await until('b answered', () => data(r, 'queue.answered').length === 1);
  cb.readyNow = true;
  phone(r, '1001', { busy: false });
  t.same(cb.ringing(), ['1001'], 'served once a line is free');
});

t.test('a waiting callback is served when a line frees while the agents are idle', async (t) => {
  const r = rig(t, { sales: { members: '1001' } });
  phone(r, '1001', { busy: true });
  r.acd.join(caller(r, 'a', '13800000001'), 'sales');
  const cb = caller(r, 'a', '13800000001', 'callback');
  cb.readyNow = false;
  r.acd.keepPlaceForCallback('a', cb, '13800000001');
  phone(r, '1001', { busy: false });
  t.equal(cb.offers.length, 0, 'no line yet');
  cb.readyNow = true;
  r.bus.publish('call.ended', { cause: 'caller_hangup' }); // the call holding the line ended
  t.same(cb.ringing(), ['1001'], 'offered');
});

t.test('sticky agent: a repeat caller gets the agent who last answered them', async (t) => {
  const r = rig(t, { sales: { members: '1001,1002', stickyDays: '7', stickyWait: '1' } });
  const day = 86_400_000;
  spoke(r, 'old-1', '13800138000', '1002', r.clock.now() - 2 * day);
  spoke(r, 'old-2', '13900139000', '1002', r.clock.now() - 10 * day);

  const repeat = caller(r, 'a', '13800138000');
  r.acd.join(repeat, 'sales');
  t.match(ofCall(r, 'queue.joined', 'a'), [{ sticky: '1002' }]);
  t.same(repeat.offers.map((o) => [o.exts, o.timeoutMs]), [[['1002'], 1000]], '1002 alone (linear would pick 1001), for the sticky wait');
  t.match(ofCall(r, 'agent.offered', 'a'), [{ extension: '1002', sticky: true }]);
  repeat.answer('1002', r);
  await until('answered', () => data(r, 'queue.answered').length === 1);
  t.match(ofCall(r, 'queue.answered', 'a'), [{ extension: '1002', sticky: true }]);

  const forgotten = caller(r, 'b', '13900139000');
  r.acd.join(forgotten, 'sales');
  t.notOk('sticky' in (ofCall(r, 'queue.joined', 'b')[0] ?? {}), 'older than sticky-days');
  t.same(forgotten.ringing(), ['1001']);
});

t.test('sticky agent busy: the caller waits for them alone for stickyWaitS, then anyone', async (t) => {
  const r = rig(t, { sales: { members: '1001,1002', stickyDays: '7', stickyWait: '1' } });
  spoke(r, 'old-1', '13800138000', '1002', r.clock.now() - 3_600_000);
  spoke(r, 'old-2', '13900139000', '1002', r.clock.now() - 3_600_000);
  phone(r, '1002', { busy: true });
  const waitsOut = caller(r, 'a', '13800138000');
  const joinedAt = performance.now();
  r.acd.join(waitsOut, 'sales');
  // A Node timer may fire a millisecond before Date.now() reaches its deadline (the last
  // test): the wall clock a little ahead keeps this test about the sticky rule.
  r.clock.advance(20);
  t.equal(waitsOut.offers.length, 0, '1001 is free but the caller waits for 1002');
  await until('offered to someone else', () => waitsOut.offers.length > 0);
  t.ok(performance.now() - joinedAt >= 950, 'after the sticky wait');
  t.same(waitsOut.ringing(), ['1001']);
  t.notOk('sticky' in (ofCall(r, 'agent.offered', 'a')[0] ?? {}));

  const getsThem = caller(r, 'b', '13900139000');
  r.acd.join(getsThem, 'sales');
  t.equal(getsThem.offers.length, 0, 'waits for 1002');
  phone(r, '1002', { busy: false });
  t.same(getsThem.ringing(), ['1002'], 'their agent, as soon as free');
  t.match(ofCall(r, 'agent.offered', 'b'), [{ extension: '1002', sticky: true }]);
});

t.test('wrap-up: after a queue call the agent rests wrapUpS, then is available and offered again', async (t) => {
  const r = rig(t, { sales: { members: '1001', wrapUp: '1' } });
  const a = caller(r, 'a');
  const b = caller(r, 'b');
  r.acd.join(a, 'sales');
  r.acd.join(b, 'sales');
  a.answer('1001', r);
  await until('answered', () => data(r, 'queue.answered').length === 1);
  t.equal(r.acd.board.state('1001'), 'on_call');
  t.equal(b.offers.length, 0);
  // As the engine ends a call: its cleanups (onEnd) run, then call.ended is published.
  for (const end of a.ends) end(42);
  phone(r, '1001', { busy: false });
  const endedAt = performance.now();
  t.equal(r.acd.board.state('1001'), 'wrap_up');
  t.equal(b.offers.length, 0, 'not offered during wrap-up');
  await until('available again', () => r.acd.board.state('1001') !== 'wrap_up');
  t.ok(performance.now() - endedAt >= 950, 'after the wrap-up');
  t.match(data(r, 'agent.state').filter((d) => d.extension === '1001').slice(-3), [
    { state: 'wrap_up', previous: 'on_call' },
    { state: 'available', previous: 'wrap_up', reason: 'wrap_up_done' },
    { state: 'ringing', previous: 'available' },
  ]);
  t.same(b.ringing(), ['1001']);
  t.match(r.acd.board.view('1001'), { callsTaken: 1 });
});

t.test('an answered ring-all call rings no other agent for that caller', async (t) => {
  const r = rig(t, { sales: { members: '1001,1002', strategy: 'ring-all' } });
  const a = caller(r, 'a');
  r.acd.join(a, 'sales');
  a.answer('1001', r);
  await until('answered', () => data(r, 'queue.answered').length === 1);
  t.same(a.offers.map((o) => o.exts), [['1001', '1002']], 'one offer');
  t.same(data(r, 'agent.offered').map((d) => d.extension), ['1001', '1002'], 'each rung once');
  t.equal(r.acd.board.state('1002'), 'available', '1002 is free for the next caller');
});

t.test('a caller who hung up while phones rang is abandoned and offered to nobody', async (t) => {
  const r = rig(t, { sales: { members: '1001' } });
  const a = caller(r, 'a');
  r.acd.join(a, 'sales');
  a.gone();
  await until('abandoned', () => data(r, 'queue.abandoned').length === 1);
  t.match(ofCall(r, 'queue.abandoned', 'a'), [{ queue: 'sales', position: 1, positionAtJoin: 1 }]);
  t.equal(a.offers.length, 1, 'not offered again');
  t.equal(r.acd.board.state('1001'), 'available', '1001 is free again');
});

t.test('an agent paused for missing a call is offered no caller in between', async (t) => {
  const r = rig(t, { sales: { members: '1001', autoPause: '1' } });
  const a = caller(r, 'a');
  const b = caller(r, 'b');
  r.acd.join(a, 'sales');
  r.acd.join(b, 'sales');
  a.noAnswer();
  await until('paused', () => r.store.agents.get('1001')?.paused === true);
  await settled();
  t.equal(a.offers.length + b.offers.length, 1, 'nobody rang 1001 after its miss');
  t.equal(r.acd.board.state('1001'), 'paused', 'paused, not ringing');
  t.notOk(data(r, 'agent.state').some((d) => d.extension === '1001' && d.state === 'available'), 'never available in between');
});

t.test('the sticky wait and the wrap-up end on their timers, even when the wall clock steps back', async (t) => {
  const sticky = rig(t, { sales: { members: '1001,1002', stickyDays: '7', stickyWait: '1' } });
  spoke(sticky, 'old-1', '13800138000', '1002', sticky.clock.now() - 3_600_000);
  phone(sticky, '1002', { busy: true });
  const a = caller(sticky, 'a', '13800138000');
  sticky.acd.join(a, 'sales');
  t.equal(a.offers.length, 0, 'a waits for 1002');

  const wrap = rig(t, { sales: { members: '1001', wrapUp: '1' } });
  const b = caller(wrap, 'b');
  wrap.acd.join(b, 'sales');
  b.answer('1001', wrap);
  await until('b answered', () => data(wrap, 'queue.answered').length === 1);
  for (const end of b.ends) end(1);
  phone(wrap, '1001', { busy: false });
  t.equal(wrap.acd.board.state('1001'), 'wrap_up');

  // The wall clock steps back (NTP, or a timer firing a millisecond early); the timers keep their own time.
  sticky.clock.advance(-100);
  wrap.clock.advance(-100);
  const [offered, rested] = await Promise.all([
    within(1500, () => a.offers.length > 0),
    within(1500, () => wrap.acd.board.state('1001') !== 'wrap_up'),
  ]);
  t.ok(offered, 'the sticky wait is over: a is offered to 1001');
  t.ok(rested, 'the wrap-up is over: 1001 is available');
});
