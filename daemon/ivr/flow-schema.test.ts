import t from 'tap';
import { readFileSync } from 'node:fs';
import { checkFlowSchema, FLOW_SCHEMA_PATH } from './flow-schema.js';
import type { Flow, FlowNode, NodeType } from './flow-types.js';

// flows/flow.schema.json and flow-types.ts describe one model twice. The fixture below is typed
// with every field of every node (tsc fails when a type gains or loses a field); the tests fail
// when the schema's fields or required lists drift from it.

type NodeOf<K extends NodeType> = Extract<FlowNode, { type: K }>;
type RequiredKeys<T> = { [K in keyof T]-?: Record<string, never> extends Pick<T, K> ? never : K }[keyof T];
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Every node type with every field set. */
const FULL: { [K in NodeType]: Required<NodeOf<K>> } = {
  play: { type: 'play', label: 'Hello', on_error: 'bye', prompts: ['welcome'], barge_in: false, next: 'menu' },
  menu: {
    type: 'menu', label: 'Main', on_error: 'bye', prompts: ['menu.main'], options: { 1: 'collect', '*': 'menu', '#': 'bye' },
    timeout_s: 5, retries: 2, invalid_prompts: ['menu.invalid'], timeout_prompts: ['menu.timeout'], on_fail: 'bye',
  },
  collect: {
    type: 'collect', label: 'Order', on_error: 'bye', prompts: ['order.enter'], into: 'order_no', min_digits: 4, max_digits: 12,
    terminator: '#', timeout_s: 8, retries: 1, invalid_prompts: ['menu.invalid'], next: 'time_switch', on_fail: 'bye',
  },
  time_switch: {
    type: 'time_switch', label: 'Hours', on_error: 'bye',
    rules: [
      { kind: 'holiday', calendar: 'cn', next: 'bye' },
      { kind: 'date_range', from: '2026-12-01', to: '2026-12-24', next: 'caller_match' },
      { kind: 'weekly', hours: [{ days: 'mon-fri', from: '09:00', to: '18:00' }, { days: 'sat,sun', from: '10:00', to: '24:00' }], next: 'caller_match' },
    ],
    otherwise: 'bye',
  },
  caller_match: {
    type: 'caller_match', label: 'Who', on_error: 'bye',
    rules: [
      { kind: 'vip', next: 'pin_check' }, { kind: 'blacklist', next: 'hangup' }, { kind: 'customer_tag', tag: 'gold', next: 'pin_check' },
      { kind: 'prefix', prefixes: ['+86138', '021'], next: 'http_lookup' }, { kind: 'anonymous', next: 'hangup' },
    ],
    otherwise: 'http_lookup',
  },
  pin_check: { type: 'pin_check', label: 'PIN', on_error: 'bye', prompts: ['pin.enter'], source: { variable: 'pin' }, max_attempts: 3, next: 'http_lookup', on_fail: 'bye' },
  http_lookup: {
    type: 'http_lookup', label: 'Order', on_error: 'bye', method: 'POST', url: 'http://127.0.0.1:8090/orders/${order_no}', body: '{"no":"${order_no}"}',
    timeout_ms: 2000, assign: { order_status: 'order.status' }, next: 'say',
  },
  say: { type: 'say', label: 'Amount', on_error: 'bye', kind: 'amount', value: '${amount}', before: ['order.amount.pre'], after: ['word.thank-you'], language: 'en', next: 'set' },
  set: { type: 'set', label: 'Mark', on_error: 'bye', values: { looked_up: 'yes' }, next: 'goto' },
  goto: { type: 'goto', label: 'Back', on_error: 'bye', target: 'voicemail' },
  route: { type: 'route', label: 'Sales', on_error: 'bye', target: 'group:sales', on_no_answer: 'voicemail' },
  queue: { type: 'queue', label: 'VIP queue', on_error: 'bye', queue: 'sales', priority: 5, on_overflow: 'voicemail' },
  voicemail: { type: 'voicemail', label: 'Message', on_error: 'bye', mailbox: '1001', greeting: ['vm.greeting'], max_seconds: 60, next: 'callback_request' },
  callback_request: { type: 'callback_request', label: 'Call me', on_error: 'bye', prompts: ['callback.enter-number'], ask_number: true, next: 'survey' },
  survey: { type: 'survey', label: 'Rate', on_error: 'bye', prompts: ['survey.question'], name: 'service', next: 'route' },
  hangup: { type: 'hangup', label: 'Bye', on_error: 'bye', prompts: ['goodbye'] },
};

/** The fields a flow without them is refused for, per node type (checked against the types below). */
const REQUIRED = {
  play: ['type', 'prompts', 'next'],
  menu: ['type', 'prompts', 'options'],
  collect: ['type', 'prompts', 'into', 'max_digits', 'next'],
  time_switch: ['type', 'rules', 'otherwise'],
  caller_match: ['type', 'rules', 'otherwise'],
  pin_check: ['type', 'prompts', 'source', 'next', 'on_fail'],
  http_lookup: ['type', 'method', 'url', 'assign', 'next'],
  say: ['type', 'kind', 'value', 'next'],
  set: ['type', 'values', 'next'],
  goto: ['type', 'target'],
  route: ['type', 'target'],
  queue: ['type', 'queue'],
  voicemail: ['type', 'mailbox'],
  callback_request: ['type', 'next'],
  survey: ['type', 'prompts', 'name', 'next'],
  hangup: ['type'],
} as const;
const REQUIRED_MATCHES_TYPES: { [K in NodeType]: Exact<(typeof REQUIRED)[K][number], RequiredKeys<NodeOf<K>>> } = {
  play: true, menu: true, collect: true, time_switch: true, caller_match: true, pin_check: true, http_lookup: true, say: true,
  set: true, goto: true, route: true, queue: true, voicemail: true, callback_request: true, survey: true, hangup: true,
};
const FLOW_REQUIRED = ['name', 'language', 'start', 'on_error', 'nodes'] as const;
const FLOW_REQUIRED_MATCHES: Exact<(typeof FLOW_REQUIRED)[number], RequiredKeys<Flow>> = true;

const NODE_TYPES = Object.keys(FULL) as NodeType[];

function fullFlow(): Required<Flow> {
  const nodes: Record<string, FlowNode> = { ...FULL, bye: { type: 'hangup' } };
  return { name: 'every-node', description: 'all node types', language: 'zh-CN', start: 'play', on_error: 'bye', nodes, calendars: { cn: { dates: { '2026-10-01': 'National Day' } } } };
}

interface SchemaDef { required?: string[]; properties?: Record<string, unknown> }
const schema = JSON.parse(readFileSync(FLOW_SCHEMA_PATH, 'utf8')) as SchemaDef & { definitions: Record<string, SchemaDef> };

t.test('a flow with every node type and every field matches the schema', async (t) => {
  t.ok(REQUIRED_MATCHES_TYPES && FLOW_REQUIRED_MATCHES, 'the required lists agree with flow-types.ts (checked by tsc)');
  const r = checkFlowSchema(fullFlow());
  t.same('problems' in r ? r.problems : [], [], 'no problems');
  t.ok('flow' in r);
});

t.test('the schema has exactly the fields and required fields of flow-types.ts', async (t) => {
  for (const type of NODE_TYPES) {
    const def = schema.definitions[`${type}_node`];
    t.ok(def, `${type}_node defined`);
    t.same(Object.keys(def?.properties ?? {}).sort(), Object.keys(FULL[type]).sort(), `${type}: fields`);
    t.same([...(def?.required ?? [])].sort(), [...REQUIRED[type]].sort(), `${type}: required`);
  }
  t.same(Object.keys(schema.properties ?? {}).sort(), Object.keys(fullFlow()).sort(), 'flow: fields');
  t.same([...(schema.required ?? [])].sort(), [...FLOW_REQUIRED].sort(), 'flow: required');
});

t.test('each required field removed is reported with its JSON path', async (t) => {
  for (const type of NODE_TYPES) {
    for (const field of REQUIRED[type].filter((f) => f !== 'type')) {
      const flow = fullFlow();
      const node: Record<string, unknown> = { ...FULL[type] };
      delete node[field];
      flow.nodes = { ...flow.nodes, [type]: node as unknown as FlowNode };
      const r = checkFlowSchema(flow);
      t.same('problems' in r ? r.problems : [], [{ path: `/nodes/${type}/${field}`, message: 'missing required field' }], `${type} without ${field}`);
    }
  }
  for (const field of FLOW_REQUIRED) {
    const flow: Record<string, unknown> = { ...fullFlow() };
    delete flow[field];
    const r = checkFlowSchema(flow);
    t.same('problems' in r ? r.problems : [], [{ path: `/${field}`, message: 'missing required field' }], `flow without ${field}`);
  }
});

t.test('patterns: ids, names, digits, times, dates, days', async (t) => {
  const cases: Array<[string, (f: Required<Flow>) => void, string, RegExp]> = [
    ['flow name', (f) => { f.name = 'Main Menu'; }, '/name', /flow name/],
    ['node id', (f) => { f.nodes = { ...f.nodes, 'Bad Id': { type: 'hangup' } }; }, '/nodes/Bad Id', /is not a node id/],
    ['next', (f) => { f.nodes = { ...f.nodes, play: { ...FULL.play, next: '-x' } }; }, '/nodes/play/next', /must be a node id/],
    ['digit', (f) => { f.nodes = { ...f.nodes, menu: { ...FULL.menu, options: { 12: 'bye' } } }; }, '/nodes/menu/options/12', /is not one key: 0-9, \* or #/],
    ['time', (f) => { f.nodes = { ...f.nodes, time_switch: { ...FULL.time_switch, rules: [{ kind: 'weekly', hours: [{ days: 'mon', from: '9:00', to: '18:00' }], next: 'bye' }] } }; }, '/nodes/time_switch/rules/0/hours/0/from', /HH:MM/],
    ['days', (f) => { f.nodes = { ...f.nodes, time_switch: { ...FULL.time_switch, rules: [{ kind: 'weekly', hours: [{ days: 'monday', from: '09:00', to: '18:00' }], next: 'bye' }] } }; }, '/nodes/time_switch/rules/0/hours/0/days', /mon\.\.sun/],
    ['date', (f) => { f.calendars = { cn: { dates: { '2026-13-01': 'x' } } }; }, '/calendars/cn/dates/2026-13-01', /YYYY-MM-DD/],
    ['prompt', (f) => { f.nodes = { ...f.nodes, play: { ...FULL.play, prompts: ['../etc/passwd'] } }; }, '/nodes/play/prompts/0', /prompt id/],
    ['unknown field', (f) => { f.nodes = { ...f.nodes, menu: { ...FULL.menu, timeout: 5 } as FlowNode }; }, '/nodes/menu/timeout', /unknown field/],
    ['node type', (f) => { f.nodes = { ...f.nodes, x: { type: 'dial' } as unknown as FlowNode }; }, '/nodes/x/type', /a node type: play, menu/],
    ['queue name', (f) => { f.nodes = { ...f.nodes, queue: { ...FULL.queue, queue: 'Sales Team' } }; }, '/nodes/queue/queue', /a queue name \(octoline queues add NAME\)/],
    ['queue name length', (f) => { f.nodes = { ...f.nodes, queue: { ...FULL.queue, queue: 'q'.repeat(33) } }; }, '/nodes/queue/queue', /1-32 of a-z 0-9 _ -/],
    ['queue priority', (f) => { f.nodes = { ...f.nodes, queue: { ...FULL.queue, priority: 10 } }; }, '/nodes/queue/priority', /a priority 0-9/],
    ['queue priority fraction', (f) => { f.nodes = { ...f.nodes, queue: { ...FULL.queue, priority: 1.5 } }; }, '/nodes/queue/priority', /a priority 0-9/],
    ['queue priority negative', (f) => { f.nodes = { ...f.nodes, queue: { ...FULL.queue, priority: -1 } }; }, '/nodes/queue/priority', /a priority 0-9/],
    ['rule kind', (f) => { f.nodes = { ...f.nodes, time_switch: { ...FULL.time_switch, rules: [{ kind: 'easter', next: 'bye' }] } as unknown as FlowNode }; }, '/nodes/time_switch/rules/0/kind', /holiday, date_range or weekly/],
  ];
  for (const [what, change, path, message] of cases) {
    const flow = fullFlow();
    change(flow);
    const r = checkFlowSchema(flow);
    const problems = 'problems' in r ? r.problems : [];
    t.equal(problems.length, 1, `${what}: one problem (${JSON.stringify(problems)})`);
    t.equal(problems[0]?.path, path, `${what}: path`);
    t.match(problems[0]?.message, message, `${what}: message`);
  }
});

t.test('templated prompts and 24:00 as an end are allowed', async (t) => {
  const flow = fullFlow();
  flow.nodes = { ...flow.nodes, play: { ...FULL.play, prompts: ['order.status.${order_status}', 'upload:spring-promo'] } };
  t.ok('flow' in checkFlowSchema(flow));
});

t.test('a queue node: a name or one ${var}; priority and on_overflow optional', async (t) => {
  const withQueue = (queue: FlowNode): Required<Flow> => ({ ...fullFlow(), nodes: { ...fullFlow().nodes, queue } });
  for (const queue of ['sales', '0-vip_2', 'q'.repeat(32), '${queue}']) {
    const r = checkFlowSchema(withQueue({ type: 'queue', queue }));
    t.same('problems' in r ? r.problems : [], [], `"${queue}" is accepted`);
  }
  for (const queue of ['', '-sales', 'sales:vip', 'sales-${region}', '${Queue}', 'queue:sales']) {
    const r = checkFlowSchema(withQueue({ type: 'queue', queue }));
    t.same('problems' in r ? r.problems.map((p) => p.path) : [], ['/nodes/queue/queue'], `"${queue}" is refused`);
  }
  const r = checkFlowSchema(withQueue({ type: 'queue', queue: 'sales', priority: '9' } as unknown as FlowNode));
  t.same('problems' in r ? r.problems : [], [{ path: '/nodes/queue/priority', message: 'must be a priority 0-9, added to the caller\'s VIP level (higher is served first)' }], 'a priority is a number');
});
