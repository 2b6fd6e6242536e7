import t, { type Test } from 'tap';
import { FakeClock } from '../../drivers/clock.js';
import type { BoxEvent } from '../events/bus.js';
import type { Store } from '../store/store.js';
import { agentWorld } from '../../test/helpers/agent-world.js';
import { AgentBoard } from './agent-board.js';
import { AcdError } from './errors.js';
import { addQueue } from './queue-settings.js';

interface Rig {
  store: Store;
  clock: FakeClock;
  board: AgentBoard;
  events: BoxEvent[];
  busy: Set<string>;
  unregistered: Set<string>;
  /** Extensions the board said became available, in order. */
  available: string[];
}

const T0 = Date.UTC(2026, 4, 1, 8, 0, 0);

/**
 * A board over a real store: extensions 1001-1004, queue `sales` with members 1001-1003 (1004 is no
 * member). The board's only timer (wrap-up) is real; the tests move the clock and refresh instead.
 */
function rig(t: Test, opts: { started?: boolean } = {}): Rig {
  const clock = new FakeClock(T0);
  const { store, bus, log, events, busy, unregistered, isRegistered, isBusy } = agentWorld(t, clock, ['1001', '1002', '1003', '1004']);
  const board = new AgentBoard({ store, bus, clock, log, isRegistered, isBusy });
  const available: string[] = [];
  board.on('available', (ext) => available.push(ext));
  if (opts.started !== false) {
    addQueue(store, 'sales', { members: '1001,1002,1003' }, clock.now());
    board.refresh('start');
  }
  t.teardown(() => {
    board.stop();
    store.close();
  });
  return { store, clock, board, events, busy, unregistered, available };
}

/** The agent.state events of `ext`, as [state, previous, reason]. */
const changes = (r: Rig, ext: string): Array<[unknown, unknown, unknown]> =>
  r.events.filter((e) => e.type === 'agent.state' && e.data.extension === ext).map((e) => [e.data.state, e.data.previous, e.data.reason]);

t.test('a queue member with no stored row counts as logged in (a static member)', async (t) => {
  const r = rig(t);
  t.equal(r.store.agents.get('1001'), undefined, 'no row');
  t.equal(r.board.state('1001'), 'available');
  t.ok(r.board.isLoggedIn('1001'));
  t.ok(r.board.isAvailable('1001'));
  t.notOk(r.board.isPaused('1001'));
  t.same(r.board.view('1001'), {
    ext: '1001', name: 'Agent 1001', state: 'available', pauseReason: '', queues: ['sales'], since: T0,
    callsTaken: 0, missedInARow: 0, registered: true,
  });
  t.same(r.board.list().map((v) => v.ext), ['1001', '1002', '1003'], 'the agents are the members; 1004 is none');
  t.same(r.events, [], 'starting publishes nothing');
  r.board.act('1004', 'login', undefined, 'phone');
  t.same(r.board.list().map((v) => v.ext), ['1001', '1002', '1003', '1004'], 'an extension with a row is an agent too');
  t.same(r.board.view('1004').queues, []);
});

t.test('login, logout, pause, unpause and toggle are stored and published with the reason and the previous state', async (t) => {
  const r = rig(t);
  r.clock.advance(1000);
  t.match(r.board.act('1001', 'logout'), { state: 'logged_out', since: T0 + 1000 });
  t.same(r.store.agents.get('1001'), { ext: '1001', loggedIn: false, paused: false, pauseReason: '', wrapUpS: null, updatedAt: T0 + 1000 });
  t.notOk(r.board.isLoggedIn('1001'));
  r.board.act('1001', 'login', undefined, 'phone');
  t.match(r.board.act('1001', 'pause', 'lunch', 'cli'), { state: 'paused', pauseReason: 'lunch' });
  t.match(r.store.agents.get('1001'), { loggedIn: true, paused: true, pauseReason: 'lunch' });
  t.ok(r.board.isPaused('1001'));
  t.notOk(r.board.isAvailable('1001'));
  t.ok(r.board.isLoggedIn('1001'), 'paused is logged in');
  t.match(r.board.act('1001', 'pause'), { pauseReason: 'busy' }, 'a new reason while paused is stored (busy by default)');
  t.match(r.board.act('1001', 'unpause'), { state: 'available', pauseReason: '' });
  t.match(r.board.toggle('1001', '*45'), { state: 'logged_out' });
  t.match(r.board.toggle('1001', '*45'), { state: 'available' });
  t.same(changes(r, '1001'), [
    ['logged_out', 'available', 'logout by api'],
    ['available', 'logged_out', 'login by phone'],
    ['paused', 'available', 'pause:lunch by cli'],
    ['available', 'paused', 'unpause by api'],
    ['logged_out', 'available', 'logout by *45'],
    ['available', 'logged_out', 'login by *45'],
  ], 'one event per change of state; the second pause changed none');
  const paused = r.events.filter((e) => e.type === 'agent.state').map((e) => e.data.pauseReason);
  t.same(paused, [undefined, undefined, 'lunch', undefined, undefined, undefined], 'pauseReason only on paused');
  t.same(r.available, ['1001', '1001', '1001'], 'available is told to the ACD each time');
  t.equal(r.store.events.recent({ type: 'agent.state' }).length, 6, 'in the event log');
});

t.test('pause of a logged-out agent logs it in, paused', async (t) => {
  const r = rig(t);
  r.board.act('1002', 'logout');
  t.match(r.board.act('1002', 'pause', 'meeting'), { state: 'paused', pauseReason: 'meeting' });
  t.match(r.store.agents.get('1002'), { loggedIn: true, paused: true, pauseReason: 'meeting' });
  t.same(changes(r, '1002').at(-1), ['paused', 'logged_out', 'pause:meeting by api']);
  t.match(r.board.act('1002', 'logout'), { state: 'logged_out', pauseReason: '' }, 'logging out ends the pause');
  t.match(r.store.agents.get('1002'), { loggedIn: false, paused: false, pauseReason: '' });
});

t.test('an action on something that is not an extension is AGENT_UNKNOWN and changes nothing', async (t) => {
  const r = rig(t);
  for (const run of [() => r.board.act('1999', 'login'), () => r.board.act('1999', 'pause', 'lunch'), () => r.board.toggle('1999', '*45')]) {
    t.throws(run, { name: AcdError.name, code: 'AGENT_UNKNOWN', message: /extension 1999/ });
  }
  t.same(r.store.agents.list(), []);
  t.same(r.events, []);
});

t.test('one state wins: logged_out > unregistered > on_call > ringing > wrap_up > paused > available', async (t) => {
  const r = rig(t);
  const { board } = r;
  const state = (): string => board.state('1001');
  board.act('1001', 'pause', 'lunch');
  t.equal(state(), 'paused');
  board.answered('1001');
  board.callEnded('1001', 30, 10);
  t.equal(state(), 'wrap_up', 'wrap-up over paused');
  board.offering('1001', true);
  t.equal(state(), 'ringing', 'ringing over wrap-up');
  r.busy.add('1001');
  t.notOk(board.isAvailable('1001'), 'asked fresh, before any event');
  board.refresh('call.answered');
  t.equal(state(), 'on_call', 'on a call over ringing');
  r.unregistered.add('1001');
  board.refresh('phone.unregistered');
  t.equal(state(), 'unregistered', 'an unregistered phone over a call');
  t.notOk(board.isLoggedIn('1001'), 'an unregistered phone does not count as logged in');
  board.act('1001', 'logout');
  t.equal(state(), 'logged_out', 'logged out over everything');

  board.act('1001', 'login');
  t.equal(state(), 'unregistered');
  r.unregistered.delete('1001');
  board.refresh('phone.registered');
  t.equal(state(), 'on_call');
  r.busy.delete('1001');
  board.refresh('call.ended');
  t.equal(state(), 'ringing');
  board.offering('1001', false);
  t.equal(state(), 'wrap_up', 'the wrap-up seconds still run');
  r.clock.advance(10_000);
  board.refresh('wrap_up_done');
  t.equal(state(), 'available', 'login ended the pause');
  t.same(changes(r, '1001').map(([s, p]) => `${String(p)}>${String(s)}`), [
    'available>paused', 'paused>wrap_up', 'wrap_up>ringing', 'ringing>on_call', 'on_call>unregistered', 'unregistered>logged_out',
    'logged_out>unregistered', 'unregistered>on_call', 'on_call>ringing', 'ringing>wrap_up', 'wrap_up>available',
  ]);
  t.same(r.available, ['1001'], 'available only at the end');
});

t.test('offers count per agent: ringing until the last one ends', async (t) => {
  const r = rig(t);
  r.board.offering('1003', true);
  r.board.offering('1003', true);
  r.board.offering('1003', false);
  t.equal(r.board.state('1003'), 'ringing', 'one offer still rings');
  r.board.offering('1003', false);
  r.board.offering('1003', false);
  t.equal(r.board.state('1003'), 'available');
  r.board.offering('1003', true);
  t.equal(r.board.state('1003'), 'ringing', 'an extra end did not make the count negative');
  t.same(changes(r, '1003').map(([, , reason]) => reason), ['offered', 'offer_ended', 'offered']);
});

t.test('missed offers in a row pause the agent (no-answer); an answer or unpause resets the count', async (t) => {
  const r = rig(t);
  const { board } = r;
  board.missed('1001', 3);
  board.missed('1001', 3);
  t.equal(board.view('1001').missedInARow, 2);
  board.answered('1001');
  t.match(board.view('1001'), { missedInARow: 0, callsTaken: 1 });
  for (let i = 0; i < 3; i++) board.missed('1001', 3);
  t.match(board.view('1001'), { state: 'paused', pauseReason: 'no-answer', missedInARow: 3 });
  t.match(r.store.agents.get('1001'), { paused: true, pauseReason: 'no-answer' });
  t.match(r.events.filter((e) => e.type === 'agent.state').at(-1)?.data, { state: 'paused', reason: 'pause:no-answer by auto', pauseReason: 'no-answer' });
  board.missed('1001', 3);
  t.equal(r.events.filter((e) => e.type === 'agent.state').length, 1, 'no second pause');
  t.match(board.act('1001', 'unpause', undefined, '*47'), { state: 'available', missedInARow: 0 });
  for (let i = 0; i < 5; i++) board.missed('1002', 0);
  t.match(board.view('1002'), { state: 'available', missedInARow: 5 }, 'auto-pause 0: never');
});

t.test('wrap-up: the agent\'s own seconds win over the queue\'s; talk time and calls are counted', async (t) => {
  const r = rig(t);
  const { board } = r;
  r.store.agents.save({ ext: '1002', loggedIn: true, paused: false, pauseReason: '', wrapUpS: 0, updatedAt: T0 });
  board.answered('1002');
  board.callEnded('1002', 30, 10);
  t.equal(board.state('1002'), 'available', 'own wrap-up 0: straight back');
  board.answered('1001');
  board.callEnded('1001', 42, 10);
  t.equal(board.state('1001'), 'wrap_up', 'no own setting: the queue\'s 10 s');
  t.same(changes(r, '1001'), [['wrap_up', 'available', 'call_ended']]);
  r.clock.advance(9_999);
  board.refresh('poll');
  t.equal(board.state('1001'), 'wrap_up');
  r.clock.advance(1);
  t.same(board.list().find((v) => v.ext === '1001')?.state, 'available', 'list() looks again');
  t.same(changes(r, '1001').at(-1), ['available', 'wrap_up', 'poll']);
  t.match(board.stats('1001'), { callsTaken: 1, talkSeconds: 42, idleSince: T0 + 10_000 });
  t.match(board.stats('1002'), { callsTaken: 1, talkSeconds: 30 });
});

t.test('an agent\'s first change after the board started is published', async (t) => {
  const r = rig(t, { started: false });
  addQueue(r.store, 'sales', { members: '1001' }, r.clock.now()); // a queue added while the daemon runs
  r.board.act('1001', 'pause', 'lunch');
  t.same(changes(r, '1001'), [['paused', 'available', 'pause:lunch by api']], 'the wallboard and the reports see the pause');
  r.board.act('1001', 'unpause');
  t.same(changes(r, '1001').at(-1), ['available', 'paused', 'unpause by api'], 'from then on every change is');
});
