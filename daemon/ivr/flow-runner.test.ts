import t from 'tap';
import type { Flow, FlowNode, QueueNode } from './flow-types.js';
import { FlowRunner, type RunnerAction, type RunnerContext } from './flow-runner.js';

const KNOWN = new Set([
  'welcome', 'menu.main', 'menu.invalid', 'menu.timeout', 'error.operator', 'goodbye', 'transfer.failed', 'beep',
  'vm.greeting', 'vm.instructions', 'vm.saved', 'pin.enter', 'pin.wrong', 'pin.locked', 'order.enter', 'order.amount.pre',
  'callback.enter-number', 'callback.confirmed', 'survey.question', 'survey.thanks', 'hours.closed', 'upload:promo',
  'num.0', 'num.1', 'num.2', 'num.3', 'num.4', 'num.5', 'num.6', 'num.7', 'num.8', 'num.9', 'num.10', 'num.20', 'num.30',
  'num.12', 'num.40', 'num.50', 'num.thousand', 'num.hundred', 'num.wan', 'cur.yuan', 'cur.jiao', 'cur.dollars', 'cur.cents', 'word.and',
]);

function context(over: Partial<RunnerContext> = {}): RunnerContext {
  return {
    caller: '13800138000', line: 3, now: () => new Date('2026-12-08T02:00:00Z'), timeZone: 'Asia/Shanghai', language: 'zh-CN',
    isVip: () => false, isBlacklisted: () => false, customerTags: () => [], vipPin: () => undefined,
    promptExists: (ref) => KNOWN.has(ref),
    ...over,
  };
}

/** A flow around `nodes`; `start` is the first node, the error branch says sorry and routes to 1000. */
function flow(nodes: Record<string, FlowNode>, extra: Partial<Flow> = {}): Flow {
  return {
    name: 'test', language: 'zh-CN', start: Object.keys(nodes)[0] ?? 'x', on_error: 'oops',
    nodes: { oops: { type: 'route', target: 'group:oops' }, ...nodes }, ...extra,
  };
}

const run = (f: Flow, over: Partial<RunnerContext> = {}) => new FlowRunner(f, context(over));
/** Actions without the events: what the engine must do. */
const todo = (actions: RunnerAction[]) => actions.filter((a) => a.kind !== 'event');
const events = (actions: RunnerAction[], type?: string) => actions.flatMap((a) => (a.kind === 'event' && (!type || a.type === type) ? [a] : []));
const entered = (actions: RunnerAction[]) => events(actions, 'ivr.entered').map((e) => e.data.node);
const play = (prompts: string[], bargeIn = true): RunnerAction => ({ kind: 'play', prompts, bargeIn });
const wait = (timeoutMs = 5000): RunnerAction => ({ kind: 'wait', timeoutMs });

t.test('play: prompts in order, then the next node; a digit barges in and is kept for the menu', async (t) => {
  const f = flow({
    hello: { type: 'play', prompts: ['welcome', 'upload:promo'], next: 'main' },
    main: { type: 'menu', prompts: ['menu.main'], options: { 1: 'sales' } },
    sales: { type: 'route', target: 'group:sales' },
  });
  const r = run(f);
  const first = r.start();
  t.same(todo(first), [play(['welcome', 'upload:promo'])]);
  t.same(events(first, 'ivr.entered')[0]?.data, { node: 'hello', type: 'play' });
  const after = r.digit('1');
  t.same(todo(after), [{ kind: 'stop_play' }, { kind: 'route', target: 'group:sales' }], 'the menu prompt is skipped, the digit chooses');
  t.same(entered(after), ['main', 'sales']);
  t.same(events(after, 'ivr.digit')[0]?.data, { node: 'hello', digit: '1' });
  t.same(events(after, 'ivr.exit')[0]?.data, { node: 'sales', to: 'group:sales' });
  t.same(r.promptDone(), [], 'no promptDone is expected after stop_play; a stray one changes nothing');
});

t.test('prompt refs take ${var}; a value that makes no prompt name is a flow error', async (t) => {
  const f = (status: string) => flow({
    s: { type: 'set', values: { status }, next: 'p' },
    p: { type: 'play', prompts: ['order.status.${status}'], next: 'bye', on_error: 'sorry' },
    bye: { type: 'hangup' }, sorry: { type: 'hangup', prompts: ['error.operator'] },
  });
  t.same(todo(run(f('shipped'), { promptExists: (ref) => ref === 'order.status.shipped' }).start()), [play(['order.status.shipped'])]);
  const lost = run(f('lost')).start();
  t.match(events(lost, 'ivr.error')[0]?.data, { node: 'p', reason: 'missing prompt order.status.lost' });
  const odd = run(f('../../etc/passwd')).start();
  t.match(events(odd, 'ivr.error')[0]?.data, { node: 'p', reason: 'bad prompt "order.status.../../etc/passwd"' });
  t.same(entered(odd), ['s', 'p', 'sorry']);
});

t.test('play without barge-in ignores digits and finishes', async (t) => {
  const r = run(flow({
    hello: { type: 'play', prompts: ['welcome'], barge_in: false, next: 'bye' },
    bye: { type: 'hangup' },
  }));
  t.same(todo(r.start()), [play(['welcome'], false)]);
  const d = r.digit('5');
  t.same(todo(d), [], 'no stop_play');
  t.same(events(d, 'ivr.digit')[0]?.data, { node: 'hello', digit: '5', ignored: true });
  t.same(todo(r.promptDone()), [{ kind: 'hangup' }]);
  t.equal(r.done, true);
});

const MENU = (over: Partial<Extract<FlowNode, { type: 'menu' }>> = {}): FlowNode => ({
  type: 'menu', prompts: ['menu.main'], options: { 1: 'sales', 0: 'operator' }, timeout_s: 3, ...over,
});
const TARGETS: Record<string, FlowNode> = {
  sales: { type: 'route', target: 'group:sales' },
  operator: { type: 'route', target: '1000' },
  failed: { type: 'hangup', prompts: ['goodbye'] },
};

t.test('menu: prompt, wait, a good digit goes on', async (t) => {
  const r = run(flow({ main: MENU(), ...TARGETS }));
  t.same(todo(r.start()), [play(['menu.main'])]);
  t.same(todo(r.promptDone()), [wait(3000)]);
  t.same(todo(r.digit('0')), [{ kind: 'route', target: '1000' }]);
});

t.test('menu: invalid digits and timeouts replay with their prompts, then on_fail', async (t) => {
  const r = run(flow({ main: MENU({ retries: 2, on_fail: 'failed', invalid_prompts: ['menu.invalid'] }), ...TARGETS }));
  r.start();
  r.promptDone();
  const bad = r.digit('7');
  t.same(events(bad, 'ivr.invalid')[0]?.data, { node: 'main', digit: '7' });
  t.same(todo(bad), [play(['menu.invalid', 'menu.main'])]);
  t.same(todo(r.promptDone()), [wait(3000)]);
  const late = r.timeout();
  t.same(events(late, 'ivr.timeout')[0]?.data, { node: 'main' });
  t.same(todo(late), [play(['menu.timeout', 'menu.main'])]);
  r.promptDone();
  const third = r.timeout();
  t.same(entered(third), ['failed'], 'third failure with retries 2 → on_fail');
  t.same(todo(third), [play(['goodbye'], false)]);
  t.same(r.timeout(), [], 'a stale timer does nothing');
});

t.test('menu without on_fail ends in the flow\'s on_error; a digit during the prompt barges in', async (t) => {
  const r = run(flow({ main: MENU({ retries: 0 }), ...TARGETS }));
  r.start();
  const a = r.digit('9');
  t.same(todo(a)[0], { kind: 'stop_play' });
  t.same(entered(a), ['oops']);
  t.match(events(a, 'ivr.error')[0]?.data, { node: 'main', reason: /no valid choice/ });
  t.same(todo(a).at(-1), { kind: 'route', target: 'group:oops' });
});

t.test('collect: digits until max, terminator or timeout, into a variable; too few → retry → on_fail', async (t) => {
  const nodes = (over: Partial<Extract<FlowNode, { type: 'collect' }>> = {}): Record<string, FlowNode> => ({
    ask: { type: 'collect', prompts: ['order.enter'], into: 'order_no', min_digits: 3, max_digits: 5, timeout_s: 4, retries: 1, next: 'show', on_fail: 'failed', ...over },
    show: { type: 'route', target: 'order-${order_no}' },
    ...TARGETS,
  });
  const max = run(flow(nodes()));
  max.start();
  t.same(todo(max.digit('1')), [{ kind: 'stop_play' }, wait(4000)], 'first digit barges in, then the inter-digit timer');
  for (const d of '234') t.same(todo(max.digit(d)), [wait(4000)]);
  t.same(todo(max.digit('5')), [{ kind: 'route', target: 'order-12345' }], 'max digits ends input');
  t.equal(max.vars.order_no, '12345');

  const hash = run(flow(nodes()));
  hash.start();
  hash.promptDone();
  for (const d of '123') hash.digit(d);
  t.same(todo(hash.digit('#')), [{ kind: 'route', target: 'order-123' }], 'terminator ends input, not stored');

  const pause = run(flow(nodes()));
  pause.start();
  pause.promptDone();
  for (const d of '4321') pause.digit(d);
  t.same(todo(pause.timeout()), [{ kind: 'route', target: 'order-4321' }], 'inter-digit timeout with enough digits');

  const short = run(flow(nodes()));
  short.start();
  short.promptDone();
  short.digit('1');
  const retry = short.digit('#');
  t.same(events(retry, 'ivr.invalid')[0]?.data, { node: 'ask', digits: 1 });
  t.same(todo(retry), [play(['menu.invalid', 'order.enter'])]);
  short.promptDone();
  t.same(todo(short.timeout()), [play(['goodbye'], false)], 'second failure with retries 1 → on_fail');
  t.equal(short.vars.order_no, undefined);
});

t.test('time_switch: holiday, weekly hours and otherwise, in the box time zone', async (t) => {
  const f = flow({
    when: {
      type: 'time_switch',
      rules: [
        { kind: 'holiday', calendar: 'cn', next: 'holiday' },
        { kind: 'weekly', hours: [{ days: 'mon-fri', from: '09:00', to: '18:00' }], next: 'open' },
      ],
      otherwise: 'closed',
    },
    holiday: { type: 'hangup' }, open: { type: 'route', target: 'group:sales' }, closed: { type: 'voicemail', mailbox: '1000' },
  }, { calendars: { cn: { dates: { '2026-12-25': 'Christmas' } } } });
  const at = (iso: string, timeZone = 'Asia/Shanghai') => todo(run(f, { now: () => new Date(iso), timeZone }).start());
  t.same(at('2026-12-08T02:00:00Z'), [{ kind: 'route', target: 'group:sales' }], 'Tue 10:00 in Shanghai');
  t.same(at('2026-12-08T02:00:00Z', 'UTC'), [play(['vm.greeting', 'vm.instructions', 'beep'], false)], 'Tue 02:00 UTC: closed');
  t.same(at('2026-12-25T02:00:00Z'), [{ kind: 'hangup' }], 'the holiday wins');
  const r = run(f);
  t.same(events(r.start(), 'ivr.branch')[0]?.data, { node: 'when', to: 'open', why: 'rule 2: weekly' });
});

t.test('time_switch with a broken rule takes its on_error', async (t) => {
  const r = run(flow({
    when: { type: 'time_switch', rules: [{ kind: 'holiday', calendar: 'nope', next: 'x' }], otherwise: 'x', on_error: 'sorry' },
    sorry: { type: 'hangup', prompts: ['error.operator'] },
  }));
  const a = r.start();
  t.match(events(a, 'ivr.error')[0]?.data, { node: 'when', reason: /no holiday calendar "nope"/ });
  t.same(entered(a), ['when', 'sorry']);
});

t.test('caller_match: vip, blacklist, customer tag, prefix, anonymous, otherwise', async (t) => {
  const f = flow({
    who: {
      type: 'caller_match',
      rules: [
        { kind: 'blacklist', next: 'block' }, { kind: 'vip', next: 'vip' }, { kind: 'customer_tag', tag: 'gold', next: 'gold' },
        { kind: 'prefix', prefixes: ['010', '021'], next: 'local' }, { kind: 'anonymous', next: 'anon' },
      ],
      otherwise: 'other',
    },
    block: { type: 'hangup' }, vip: { type: 'route', target: 'vip' }, gold: { type: 'route', target: 'gold' },
    local: { type: 'route', target: 'local' }, anon: { type: 'route', target: 'anon' }, other: { type: 'route', target: 'other' },
  });
  const target = (over: Partial<RunnerContext>) => entered(run(f, over).start())[1];
  t.equal(target({ isBlacklisted: (n) => n === '13800138000', isVip: () => true }), 'block', 'blacklist checked first here');
  t.equal(target({ isVip: (n) => n === '13800138000' }), 'vip');
  t.equal(target({ customerTags: () => ['new', 'gold'] }), 'gold');
  t.equal(target({ caller: '02155550123' }), 'local');
  t.equal(target({ caller: 'anonymous' }), 'anon');
  t.equal(target({ caller: '' }), 'anon');
  t.equal(target({}), 'other');
});

t.test('set and goto are instant; ${var} takes call variables', async (t) => {
  const r = run(flow({
    s: { type: 'set', values: { dept: 'sales', who: '${caller}@${line}' }, next: 'g' },
    g: { type: 'goto', target: 'r' },
    r: { type: 'route', target: 'group:${dept}' },
  }));
  t.same(todo(r.start()), [{ kind: 'route', target: 'group:sales' }]);
  t.same(r.vars, { caller: '13800138000', line: '3', dept: 'sales', who: '13800138000@3' });
});

t.test('a loop without input takes the error path instead of hanging; a looping error path ends in the safe default', async (t) => {
  const loop = run(flow({ a: { type: 'goto', target: 'b' }, b: { type: 'set', values: { x: '1' }, next: 'a' } }));
  const a = loop.start();
  t.match(events(a, 'ivr.error')[0]?.data, { reason: 'loop without input' });
  t.same(todo(a), [{ kind: 'route', target: 'group:oops' }]);

  const worse = run(flow({ a: { type: 'goto', target: 'a' } }, { on_error: 'a' }));
  const w = worse.start();
  t.same(todo(w), [play(['error.operator'], false)], 'safe default: the apology');
  t.equal(events(w, 'ivr.error').length, 2, 'loop, then the error branch looped too');
  t.same(todo(worse.promptDone()), [{ kind: 'route', target: 'group:operator' }], '… then a human');
  t.same(todo(worse.routeFailed('no_answer')), [{ kind: 'hangup' }], 'and if no human answers, hang up');
});

t.test('pin_check: right PIN, wrong then right, locked out; digits are masked in events', async (t) => {
  const f = flow({
    pin: { type: 'pin_check', prompts: ['pin.enter'], source: 'vip', max_attempts: 2, next: 'in', on_fail: 'out' },
    in: { type: 'route', target: 'vip-desk' }, out: { type: 'hangup' },
  });
  const vip = { vipPin: (n: string) => (n === '13800138000' ? '4321' : undefined) };
  const ok = run(f, vip);
  ok.start();
  const first = ok.digit('4');
  t.same(events(first, 'ivr.digit')[0]?.data, { node: 'pin', masked: true }, 'no PIN digit in the event log');
  for (const d of '32') ok.digit(d);
  const done = ok.digit('1');
  t.same(todo(done), [{ kind: 'route', target: 'vip-desk' }], 'four digits of a 4-digit PIN end the input');
  t.same(events(done, 'ivr.pin')[0]?.data, { node: 'pin', ok: true });

  const retry = run(f, vip);
  retry.start();
  retry.promptDone();
  for (const d of '1111') retry.digit(d);
  t.same(todo(retry.digit('4')), [{ kind: 'stop_play' }, wait()], 'pin.wrong prompt barged');
  for (const d of '32') retry.digit(d);
  t.same(todo(retry.digit('1')), [{ kind: 'route', target: 'vip-desk' }]);

  const locked = run(f, vip);
  locked.start();
  locked.promptDone();
  locked.digit('0');
  t.same(todo(locked.digit('#')), [play(['pin.wrong', 'pin.enter'])]);
  locked.promptDone();
  const last = locked.timeout();
  t.same(todo(last), [play(['pin.locked'], false)]);
  t.same(events(last, 'ivr.pin').map((e) => e.data.attempt), [2]);
  t.same(todo(locked.promptDone()), [{ kind: 'hangup' }], 'on_fail');

  const stranger = run(f);
  t.same(todo(stranger.start()), [{ kind: 'hangup' }], 'no PIN on file → on_fail');

  const fromVar = run(flow({
    s: { type: 'set', values: { code: '77' }, next: 'pin' },
    pin: { type: 'pin_check', prompts: ['pin.enter'], source: { variable: 'code' }, next: 'in', on_fail: 'out' },
    in: { type: 'route', target: 'in' }, out: { type: 'hangup' },
  }));
  fromVar.start();
  fromVar.digit('7');
  t.same(todo(fromVar.digit('7')), [{ kind: 'route', target: 'in' }], 'PIN from a variable');
});

t.test('http_lookup: templated URL (encoded) and body, JSON fields into variables, failures to on_error', async (t) => {
  const nodes: Record<string, FlowNode> = {
    s: { type: 'set', values: { order_no: 'A 1/2' }, next: 'look' },
    look: {
      type: 'http_lookup', method: 'POST', url: 'http://127.0.0.1:8090/orders/${order_no}?from=${caller}',
      body: '{"order":"${order_no}","note":"${note}"}', timeout_ms: 2000,
      assign: { status: 'order.status', amount: 'order.items.0.price' }, next: 'done', on_error: 'sorry',
    },
    done: { type: 'route', target: '${status}' },
    sorry: { type: 'hangup', prompts: ['error.operator'] },
  };
  const r = run(flow(nodes));
  r.vars.note = 'say "hi"';
  t.same(todo(r.start()), [{
    kind: 'lookup', method: 'POST', url: 'http://127.0.0.1:8090/orders/A%201%2F2?from=13800138000',
    body: '{"order":"A 1/2","note":"say \\"hi\\""}', timeoutMs: 2000,
  }]);
  t.same(todo(r.digit('5')), [], 'a digit during the lookup changes nothing');
  t.same(todo(r.lookupDone({ ok: true, json: { order: { status: 'shipped', items: [{ price: 12.5 }] } } })), [{ kind: 'route', target: 'shipped' }]);
  t.equal(r.vars.amount, '12.5');

  const missing = run(flow(nodes));
  missing.start();
  const m = missing.lookupDone({ ok: true, json: { order: { status: 'shipped' } } });
  t.match(events(m, 'ivr.error')[0]?.data, { node: 'look', reason: 'lookup answer has no order.items.0.price' });
  t.same(entered(m), ['sorry']);
  t.equal(missing.vars.status, undefined, 'nothing assigned from a partial answer');

  const down = run(flow(nodes));
  down.start();
  const d = down.lookupDone({ ok: false, reason: 'HTTP 500' });
  t.match(events(d, 'ivr.error')[0]?.data, { reason: 'lookup failed: HTTP 500' });
  t.same(entered(d), ['sorry']);
});

t.test('say: before + the value + after, in the node\'s or the call\'s language; a bad value is an error', async (t) => {
  const f = flow({
    s: { type: 'set', values: { amount: '12.50' }, next: 'say' },
    say: { type: 'say', kind: 'amount', value: '${amount}', before: ['order.amount.pre'], next: 'bye', on_error: 'sorry' },
    bye: { type: 'hangup' },
    sorry: { type: 'hangup', prompts: ['error.operator'] },
  });
  t.same(todo(run(f).start()), [play(['order.amount.pre', 'num.12', 'cur.yuan', 'num.5', 'cur.jiao'])], 'zh: 十二元五角');
  t.same(todo(run(f, { language: 'en' }).start()), [play(['order.amount.pre', 'num.12', 'cur.dollars', 'word.and', 'num.50', 'cur.cents'])], 'the call\'s language');
  const enSay = run(flow({ say: { type: 'say', kind: 'number', value: '40', language: 'en', next: 'bye' }, bye: { type: 'hangup' } }));
  t.same(todo(enSay.start()), [play(['num.40'])]);
  const bad = run(flow({ ...f.nodes, s: { type: 'set', values: { amount: 'lots' }, next: 'say' } }, { start: 's' }));
  const b = bad.start();
  t.match(events(b, 'ivr.error')[0]?.data, { node: 'say', reason: /cannot say "lots" as amount/ });
  t.same(entered(b), ['s', 'say', 'sorry']);
});

t.test('route: no answer → on_no_answer, or an apology and hang up; a failed route → error path', async (t) => {
  const f = flow({
    r: { type: 'route', target: 'group:sales', on_no_answer: 'vm' },
    vm: { type: 'voicemail', mailbox: 'group:sales' },
  });
  const r = run(f);
  t.same(todo(r.start()), [{ kind: 'route', target: 'group:sales', onNoAnswer: 'vm' }]);
  t.equal(r.done, false, 'the engine may still call routeFailed');
  const no = r.routeFailed('busy');
  t.same(events(no, 'ivr.route_failed')[0]?.data, { node: 'r', reason: 'busy' });
  t.same(entered(no), ['vm']);

  const plain = run(flow({ r: { type: 'route', target: '1001' } }));
  plain.start();
  t.same(todo(plain.routeFailed('no_answer')), [play(['transfer.failed', 'goodbye'], false)]);
  t.same(todo(plain.promptDone()), [{ kind: 'hangup' }]);

  const broken = run(flow({ r: { type: 'route', target: 'external:00441234567', on_error: 'sorry' }, sorry: { type: 'hangup', prompts: ['error.operator'] } }));
  broken.start();
  const b = broken.routeFailed('failed');
  t.match(events(b, 'ivr.error')[0]?.data, { node: 'r', reason: 'route failed' });
  t.same(entered(b), ['sorry']);
});

t.test('queue: the caller goes into the queue like a route; the runner waits for the ACD', async (t) => {
  const r = run(flow({ q: { type: 'queue', queue: 'sales' } }));
  const a = r.start();
  t.same(todo(a), [{ kind: 'queue', queue: 'sales', priority: 0 }], 'priority 0 by default');
  t.same(events(a, 'ivr.exit')[0]?.data, { node: 'q', to: 'queue:sales', priority: 0 });
  t.equal(r.done, false, 'the ACD may still give the caller back');
  t.same([r.digit('1'), r.timeout(), r.promptDone(), r.lookupDone({ ok: true, json: {} }), r.voicemailDone()], [[], [], [], [], []],
    'while queued the digits and timers are the ACD\'s');

  const vip = run(flow({
    who: { type: 'set', values: { team: 'vip-desk' }, next: 'q' },
    q: { type: 'queue', label: 'VIP', queue: '${team}', priority: 7 },
  }));
  const v = vip.start();
  t.same(todo(v), [{ kind: 'queue', queue: 'vip-desk', priority: 7 }], 'the name from a variable, the node\'s priority');
  t.same(events(v, 'ivr.exit')[0]?.data, { node: 'q', to: 'queue:vip-desk', priority: 7 });
});

t.test('queue: when the queue gives the caller back → on_overflow, else the error branch', async (t) => {
  const f = (extra: Partial<QueueNode> = {}) => flow({
    q: { type: 'queue', queue: 'sales', ...extra },
    vm: { type: 'voicemail', mailbox: 'group:sales' },
    sorry: { type: 'hangup', prompts: ['error.operator'] },
  });
  for (const reason of ['no_answer', 'busy', 'failed'] as const) {
    const r = run(f({ on_overflow: 'vm' }));
    r.start();
    const back = r.routeFailed(reason);
    t.same(events(back, 'ivr.route_failed')[0]?.data, { node: 'q', reason }, `${reason}: an event`);
    t.same(entered(back), ['vm'], `${reason} → on_overflow`);
    t.same(events(back, 'ivr.error'), [], 'an overflow with somewhere to go is no error');
    t.same(r.routeFailed(reason), [], 'only once');
  }

  const own = run(f({ on_error: 'sorry' }));
  own.start();
  const o = own.routeFailed('failed');
  t.match(events(o, 'ivr.error')[0]?.data, { node: 'q', reason: 'queue sales gave the caller back (failed)' });
  t.same(entered(o), ['sorry'], 'no on_overflow: the node\'s on_error');

  const flows = run(f());
  flows.start();
  t.same(todo(flows.routeFailed('busy')), [{ kind: 'route', target: 'group:oops' }], 'then the flow\'s on_error');
});

t.test('queue: a variable that names no queue takes the overflow path without a queue action', async (t) => {
  const r = run(flow({ q: { type: 'queue', queue: '${nobody}', on_overflow: 'bye' }, bye: { type: 'hangup' } }));
  const a = r.start();
  t.same(todo(a), [{ kind: 'hangup' }]);
  t.match(events(a, 'ivr.error')[0]?.data, { node: 'q', reason: 'bad queue name ""' });
  t.same(entered(a), ['q', 'bye']);

  const plain = run(flow({ s: { type: 'set', values: { q: 'Sales Team' }, next: 'q' }, q: { type: 'queue', queue: '${q}' } }));
  t.same(todo(plain.start()), [{ kind: 'route', target: 'group:oops' }], 'without on_overflow: the error branch');
});

t.test('voicemail: greeting and beep, the engine records, then next or thanks and hang up', async (t) => {
  const r = run(flow({ vm: { type: 'voicemail', mailbox: '${line}00', max_seconds: 60 } }));
  t.same(todo(r.start()), [play(['vm.greeting', 'vm.instructions', 'beep'], false)]);
  t.same(todo(r.promptDone()), [{ kind: 'voicemail', mailbox: '300', maxSeconds: 60 }]);
  t.same(todo(r.digit('#')), [], '# during recording is the engine\'s');
  t.same(todo(r.voicemailDone()), [play(['vm.saved'], false)]);
  t.same(todo(r.promptDone()), [{ kind: 'hangup' }]);

  const on = run(flow({ vm: { type: 'voicemail', mailbox: '1000', greeting: ['upload:promo'], next: 'bye' }, bye: { type: 'hangup', prompts: ['goodbye'] } }));
  t.same(todo(on.start()), [play(['upload:promo', 'beep'], false)]);
  on.promptDone();
  t.same(entered(on.voicemailDone()), ['bye']);
});

t.test('callback_request: the caller ID, or a number the caller types', async (t) => {
  const f = (ask: boolean) => flow({
    cb: { type: 'callback_request', ask_number: ask, prompts: ask ? undefined : ['callback.confirmed'], next: 'bye' },
    bye: { type: 'hangup' },
  });
  const id = run(f(false));
  const a = id.start();
  t.same(todo(a), [{ kind: 'callback', number: '13800138000' }, play(['callback.confirmed'])]);

  const typed = run(f(true));
  t.same(todo(typed.start()), [play(['callback.enter-number'])]);
  typed.promptDone();
  for (const d of '0215555') typed.digit(d);
  t.same(todo(typed.digit('#')), [{ kind: 'callback', number: '0215555' }, { kind: 'hangup' }]);
  t.equal(typed.vars.callback_number, '0215555');

  const anon = run(f(false), { caller: 'anonymous' });
  t.same(todo(anon.start()), [play(['callback.enter-number'])], 'an anonymous caller is asked for a number');
  anon.promptDone();
  for (const d of '13900') anon.digit(d);
  t.same(todo(anon.timeout()), [{ kind: 'callback', number: '13900' }, play(['callback.confirmed'])], 'then hears the node\'s prompts');
});

t.test('survey: one digit 1..5 is stored; invalid and silence retry, then the flow goes on', async (t) => {
  const f = flow({ q: { type: 'survey', name: 'service', prompts: ['survey.question'], next: 'bye' }, bye: { type: 'hangup', prompts: ['survey.thanks'] } });
  const r = run(f);
  r.start();
  r.promptDone();
  t.same(todo(r.digit('4')), [{ kind: 'survey', name: 'service', score: 4 }, play(['survey.thanks'], false)]);

  const picky = run(f);
  picky.start();
  picky.promptDone();
  t.same(todo(picky.digit('9')), [play(['menu.invalid', 'survey.question'])]);
  picky.promptDone();
  t.same(todo(picky.timeout()), [play(['menu.timeout', 'survey.question'])]);
  picky.promptDone();
  const gone = picky.timeout();
  t.same(todo(gone), [play(['survey.thanks'], false)], 'no score after the retries');
});

t.test('hangup: optional prompts, then hang up; the runner is done', async (t) => {
  const r = run(flow({ bye: { type: 'hangup', prompts: ['goodbye'] } }));
  t.same(todo(r.start()), [play(['goodbye'], false)]);
  t.equal(r.done, false);
  const end = r.promptDone();
  t.same(todo(end), [{ kind: 'hangup' }]);
  t.same(events(end, 'ivr.exit')[0]?.data, { node: 'bye', to: 'hangup' });
  t.equal(r.done, true);
  t.same([r.digit('1'), r.timeout(), r.promptDone(), r.start()], [[], [], [], []], 'nothing after the end');
});

t.test('a missing prompt takes the node\'s on_error, else the flow\'s, else the safe default', async (t) => {
  const node = run(flow({ p: { type: 'play', prompts: ['nope'], next: 'x', on_error: 'sorry' }, sorry: { type: 'hangup', prompts: ['error.operator'] } }));
  const n = node.start();
  t.match(events(n, 'ivr.error')[0]?.data, { node: 'p', reason: 'missing prompt nope' });
  t.same(entered(n), ['p', 'sorry']);

  const fl = run(flow({ p: { type: 'play', prompts: ['nope'], next: 'x' } }));
  t.same(todo(fl.start()), [{ kind: 'route', target: 'group:oops' }]);

  const none = run(flow({ p: { type: 'play', prompts: ['nope'], next: 'x' } }, { on_error: 'missing' }), { fallbackTarget: '1000' });
  const s = none.start();
  t.same(entered(s), ['p', '(safe default)']);
  t.same(todo(s), [play(['error.operator'], false)]);
  t.same(todo(none.digit('1')), [], 'the apology is not cut short');
  t.same(todo(none.promptDone()), [{ kind: 'route', target: '1000' }], 'the context\'s fallback target');

  const silent = run(flow({ p: { type: 'goto', target: 'gone' } }, { on_error: 'gone' }), { promptExists: () => false });
  t.same(todo(silent.start()), [{ kind: 'route', target: 'group:operator' }], 'without the apology prompt: straight to a human');
});

t.test('an error branch is taken again after the caller answers something', async (t) => {
  const r = run(flow({
    main: { type: 'menu', prompts: ['menu.main'], options: { 1: 'look' } },
    look: { type: 'http_lookup', method: 'GET', url: 'http://127.0.0.1:1/x', assign: {}, next: 'main', on_error: 'main' },
  }));
  r.start();
  r.digit('1');
  t.same(entered(r.lookupDone({ ok: false, reason: 'timeout' })), ['main'], 'first failure → on_error (the menu)');
  r.digit('1');
  t.same(entered(r.lookupDone({ ok: false, reason: 'timeout' })), ['main'], 'again, since the caller chose anew');
});

t.test('never dead air: after any input the runner plays, waits, looks up, routes, queues, records or hangs up', async (t) => {
  const f = flow({
    hello: { type: 'play', prompts: ['welcome'], next: 'when' },
    when: { type: 'time_switch', rules: [{ kind: 'weekly', hours: [{ days: 'mon-fri', from: '09:00', to: '18:00' }], next: 'main' }], otherwise: 'vm' },
    main: { type: 'menu', prompts: ['menu.main'], options: { 1: 'ask', 2: 'pin', 3: 'q', 4: 'cb', 5: 'acd', 0: 'op' }, on_fail: 'bye' },
    ask: { type: 'collect', prompts: ['order.enter'], into: 'no', max_digits: 4, next: 'look' },
    look: { type: 'http_lookup', method: 'GET', url: 'http://127.0.0.1:9/${no}', assign: { amount: 'amount' }, next: 'say' },
    say: { type: 'say', kind: 'amount', value: '${amount}', next: 'main' },
    pin: { type: 'pin_check', prompts: ['pin.enter'], source: { variable: 'no' }, next: 'op', on_fail: 'main' },
    q: { type: 'survey', name: 's', prompts: ['survey.question'], next: 'main' },
    cb: { type: 'callback_request', ask_number: true, next: 'main' },
    op: { type: 'route', target: '1000', on_no_answer: 'vm' },
    acd: { type: 'queue', queue: 'sales', priority: 2, on_overflow: 'main' },
    vm: { type: 'voicemail', mailbox: '1000', next: 'main' },
    bye: { type: 'hangup', prompts: ['goodbye'] },
  });
  const waiting = new Set(['play', 'wait', 'lookup', 'route', 'queue', 'voicemail', 'hangup']);
  let seed = 7;
  // 32-bit LCG (Math.imul keeps it exact); its high bits, as the low bits of an LCG repeat quickly.
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) % n;
  };
  let checked = 0;
  const bad: string[] = [];
  const visited = new Set<unknown>();
  const step = (actions: RunnerAction[]): RunnerAction[] => {
    for (const e of events(actions, 'ivr.entered')) visited.add(e.data.node);
    return todo(actions);
  };
  for (let call = 0; call < 100; call++) {
    const r = run(f);
    let last = step(r.start());
    for (let i = 0; i < 60 && !r.done; i++) {
      const kind = last.at(-1)?.kind;
      if (kind === undefined || !waiting.has(kind)) bad.push(`call ${call} step ${i}: ends in ${kind}`);
      checked++;
      const inputs = [
        () => r.digit('0123456789*#'[rand(12)] ?? '1'), () => r.promptDone(), () => r.timeout(),
        () => r.lookupDone(rand(2) ? { ok: true, json: { amount: rand(3) ? '12.5' : 'x' } } : { ok: false, reason: 'down' }),
        () => r.routeFailed((['no_answer', 'busy', 'failed'] as const)[rand(3)] ?? 'failed'), () => r.voicemailDone(),
      ];
      // Deliver only what the engine would: the input the last action waits for (digits any time).
      const expect: Record<string, number[]> = { play: [0, 1], wait: [0, 2], lookup: [3], route: [4], queue: [4], voicemail: [5] };
      const choice = expect[kind ?? ''] ?? [];
      const pick = choice[rand(choice.length)] ?? 0;
      const next = step(inputs[pick]?.() ?? []);
      if (next.length) last = next;
    }
  }
  t.same(bad, [], 'every state waits for something');
  t.same(Object.keys(f.nodes).filter((id) => !visited.has(id)), [], 'the random calls entered every node');
  t.ok(checked > 1000, `${checked} states checked`);
});
