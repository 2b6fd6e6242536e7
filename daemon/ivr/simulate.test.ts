import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../test/helpers/octoline.js';
import type { Flow } from './flow-types.js';
import { simulateFlow, type SimulateOptions } from './simulate.js';

const MAIN: Flow = {
  name: 'main', language: 'zh-CN', start: 'hello', on_error: 'sorry',
  calendars: { cn: { dates: { '2026-12-25': 'Christmas', '2026-10-01': 'National Day' } } },
  nodes: {
    hello: { type: 'play', prompts: ['welcome'], next: 'when' },
    when: {
      type: 'time_switch',
      rules: [
        { kind: 'holiday', calendar: 'cn', next: 'holiday' },
        { kind: 'weekly', hours: [{ days: 'mon-fri', from: '09:00', to: '18:00' }], next: 'main' },
      ],
      otherwise: 'closed',
    },
    main: { type: 'menu', prompts: ['menu.main'], options: { 1: 'sales', 3: 'order', 0: 'operator' }, on_fail: 'operator' },
    sales: { type: 'route', target: 'group:sales' },
    operator: { type: 'route', target: '1000' },
    order: { type: 'collect', prompts: ['order.enter'], into: 'order_no', max_digits: 8, next: 'look' },
    look: { type: 'http_lookup', method: 'GET', url: 'http://127.0.0.1:8090/orders/${order_no}', assign: { amount: 'amount' }, next: 'say' },
    say: { type: 'say', kind: 'amount', value: '${amount}', before: ['order.amount.pre'], next: 'bye' },
    bye: { type: 'hangup', prompts: ['goodbye'] },
    holiday: { type: 'hangup', prompts: ['hours.holiday'] },
    closed: { type: 'voicemail', mailbox: '1000', greeting: ['hours.closed'] },
    sorry: { type: 'play', prompts: ['error.operator'], barge_in: false, next: 'operator' },
  },
};

const opts = (over: Partial<SimulateOptions> = {}): SimulateOptions => ({
  digits: [], at: new Date('2026-12-08T02:00:00Z'), caller: '13800138000', timeZone: 'Asia/Shanghai', ...over,
});

t.test('a caller presses 1 in business hours and reaches sales', async (t) => {
  const sim = await simulateFlow(MAIN, opts({ digits: ['1'] }));
  t.equal(sim.outcome, 'route group:sales');
  t.same(sim.steps, [
    { node: 'hello', type: 'play', detail: 'play welcome' },
    { node: 'when', type: 'time_switch', detail: '→ main (rule 2: weekly)' },
    { node: 'main', type: 'menu', detail: 'play menu.main; wait 5s; digit 1' },
    { node: 'sales', type: 'route', detail: 'route group:sales' },
  ]);
});

t.test('the clock decides: holiday and after hours', async (t) => {
  const holiday = await simulateFlow(MAIN, opts({ digits: ['1'], at: new Date('2026-12-25T02:00:00Z') }));
  t.equal(holiday.outcome, 'hangup');
  t.same(holiday.steps.map((s) => s.node), ['hello', 'when', 'holiday']);
  t.equal(holiday.steps[2]?.detail, 'play hours.holiday (no barge-in); hangup');
  const night = await simulateFlow(MAIN, opts({ at: new Date('2026-12-08T14:00:00Z') }));
  t.equal(night.outcome, 'voicemail 1000');
  t.equal(night.steps.at(-1)?.detail, 'play hours.closed, beep (no barge-in); voicemail 1000 (max 120s)');
  const ny = await simulateFlow(MAIN, opts({ timeZone: 'America/New_York' }));
  t.equal(ny.outcome, 'voicemail 1000', '02:00 UTC is 21:00 the evening before in New York');
});

t.test('an order lookup with a scripted answer: digits, lookup, the amount said', async (t) => {
  const urls: string[] = [];
  const sim = await simulateFlow(MAIN, opts({
    digits: ['3', '1234#'],
    lookup: async (url) => {
      urls.push(url);
      return { ok: true, json: { amount: '12.50' } };
    },
  }));
  t.same(urls, ['http://127.0.0.1:8090/orders/1234']);
  t.equal(sim.outcome, 'hangup');
  t.same(sim.steps.slice(3).map((s) => [s.node, s.detail]), [
    ['order', 'play order.enter; wait 5s; digit 1; wait 5s; digit 2; wait 5s; digit 3; wait 5s; digit 4; wait 5s; digit #'],
    ['look', 'GET http://127.0.0.1:8090/orders/1234; answer ok'],
    ['say', 'play order.amount.pre, num.12, cur.yuan, num.5, cur.jiao'],
    ['bye', 'play goodbye (no barge-in); hangup'],
  ]);
});

t.test('without a lookup function the lookup fails and the flow takes its error path', async (t) => {
  const sim = await simulateFlow(MAIN, opts({ digits: ['3', '99#'] }));
  t.equal(sim.outcome, 'route 1000');
  t.same(sim.steps.slice(-3).map((s) => [s.node, s.detail]), [
    ['look', 'GET http://127.0.0.1:8090/orders/99; failed: no lookup in simulation; error: lookup failed: no lookup in simulation'],
    ['sorry', 'play error.operator (no barge-in)'],
    ['operator', 'route 1000'],
  ]);
  const thrown = await simulateFlow(MAIN, opts({ digits: ['3', '99#'], lookup: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:8090'); } }));
  t.match(thrown.steps.find((s) => s.node === 'look')?.detail, /failed: connect ECONNREFUSED/);
});

t.test('when the digits run out, waits time out: retries, then on_fail', async (t) => {
  const sim = await simulateFlow(MAIN, opts());
  t.equal(sim.outcome, 'route 1000');
  t.equal(sim.steps[2]?.detail, 'play menu.main; wait 5s; timeout; play menu.timeout, menu.main; wait 5s; timeout; play menu.timeout, menu.main; wait 5s; timeout');
});

t.test('an invalid digit and a missing prompt show in the path', async (t) => {
  const sim = await simulateFlow(MAIN, opts({ digits: ['7', '1'], promptExists: (ref) => ref !== 'welcome' }));
  t.same(sim.steps[0], { node: 'hello', type: 'play', detail: 'error: missing prompt welcome' });
  t.equal(sim.steps[1]?.node, 'sorry');
  const invalid = await simulateFlow(MAIN, opts({ digits: ['7', '1'] }));
  t.equal(invalid.outcome, 'route group:sales');
  t.match(invalid.steps[2]?.detail, /digit 7; invalid; play menu.invalid, menu.main; wait 5s; digit 1$/);
});

t.test('a flow that never ends is cut at the step limit', async (t) => {
  const loop: Flow = {
    name: 'loop', language: 'en', start: 'a', on_error: 'a',
    nodes: { a: { type: 'play', prompts: ['welcome'], next: 'b' }, b: { type: 'goto', target: 'a' } },
  };
  const sim = await simulateFlow(loop, opts());
  t.equal(sim.outcome, 'stopped after 200 steps');
  t.equal(sim.steps.length, 200);
  const short = await simulateFlow(loop, opts({ maxSteps: 5 }));
  t.same(short.steps.map((s) => s.node), ['a', 'b', 'a', 'b', 'a']);
});

t.test('VIP callers and PINs can be scripted; PIN digits are masked', async (t) => {
  const vip: Flow = {
    name: 'vip', language: 'en', start: 'who', on_error: 'op',
    nodes: {
      who: { type: 'caller_match', rules: [{ kind: 'vip', next: 'pin' }], otherwise: 'op' },
      pin: { type: 'pin_check', prompts: ['pin.enter'], source: 'vip', next: 'desk', on_fail: 'op' },
      desk: { type: 'route', target: 'group:vip' },
      op: { type: 'route', target: '1000' },
    },
  };
  const sim = await simulateFlow(vip, opts({ digits: ['4321'], isVip: () => true, vipPin: () => '4321' }));
  t.equal(sim.outcome, 'route group:vip');
  t.equal(sim.steps[1]?.detail, 'play pin.enter; wait 5s; digit •; wait 5s; digit •; wait 5s; digit •; wait 5s; digit •; PIN ok');
  t.equal((await simulateFlow(vip, opts({ digits: ['4321'] }))).outcome, 'route 1000', 'not a VIP by default');
});

t.test('a queue node stops the walk like a route and shows the queue and its priority', async (t) => {
  const acd: Flow = {
    name: 'acd', language: 'en', start: 'main', on_error: 'op',
    nodes: {
      main: { type: 'menu', prompts: ['menu.main'], options: { 1: 'sales', 9: 'vip' }, on_fail: 'op' },
      sales: { type: 'queue', queue: 'sales', on_overflow: 'op' },
      vip: { type: 'set', values: { team: 'vip-desk' }, next: 'vip-q' },
      'vip-q': { type: 'queue', queue: '${team}', priority: 5 },
      op: { type: 'route', target: '1000' },
    },
  };
  const sales = await simulateFlow(acd, opts({ digits: ['1'] }));
  t.equal(sales.outcome, 'queue sales (priority 0)');
  t.same(sales.steps.at(-1), { node: 'sales', type: 'queue', detail: 'queue sales (priority 0)' });
  const vip = await simulateFlow(acd, opts({ digits: ['9'] }));
  t.equal(vip.outcome, 'queue vip-desk (priority 5)', 'the name from a variable');
  t.same(vip.steps.map((s) => s.node), ['main', 'vip', 'vip-q']);
});

t.test('a bad scripted digit is a SIMULATE_BAD_DIGIT error', async (t) => {
  await t.rejects(simulateFlow(MAIN, opts({ digits: ['1', 'x'] })), { code: 'SIMULATE_BAD_DIGIT', message: /bad digit "x"/ });
});

t.test('the shipped main flow: holiday, sales, an order lookup read back', async (t) => {
  const main = JSON.parse(readFileSync(join(ROOT, 'flows', 'main.json'), 'utf8')) as Flow;
  t.equal((await simulateFlow(main, opts({ at: new Date('2026-10-01T02:00:00Z') }))).outcome, 'route flow:holiday', 'National Day');
  t.equal((await simulateFlow(main, opts({ at: new Date('2026-12-08T12:00:00Z') }))).outcome, 'route flow:after-hours', 'Tuesday 20:00');
  t.equal((await simulateFlow(main, opts({ digits: ['1'] }))).outcome, 'route group:sales', 'Tuesday 10:00, key 1');
  const order = await simulateFlow(main, opts({
    digits: ['3', '12345#', '0'],
    lookup: async () => ({ ok: true, json: { status: 'shipped', amount: 12.5 } }),
  }));
  t.equal(order.outcome, 'route group:operator');
  const said = order.steps.filter((s) => s.type === 'say' || s.node === 'order-status').map((s) => s.detail);
  t.same(said, [
    'play order.status.pre, num.yao, num.2, num.3, num.4, num.5',
    'play order.status.shipped',
    'play order.amount.pre, num.12, cur.yuan, num.5, cur.jiao',
  ]);
});
