import t from 'tap';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../store/store.js';
import { routeLine } from '../lines/routing.js';
import { boxContext, importFlow, importShippedFlows, loadFlow, rollbackFlow, SHIPPED_FLOWS_DIR } from './flow-library.js';
import { validateFlowText } from './flow-validate.js';
import type { Flow } from './flow-types.js';

const SHIPPED = readdirSync(SHIPPED_FLOWS_DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).sort();

t.test('the shipped flows validate without errors, in both languages', async (t) => {
  t.same(SHIPPED, ['after-hours.json', 'holiday.json', 'main.json']);
  const dir = t.testdir({});
  const store = Store.open(dir);
  t.teardown(() => store.close());
  const ctx = boxContext(store, dir, ['main', 'after-hours', 'holiday']);
  for (const file of SHIPPED) {
    const text = readFileSync(join(SHIPPED_FLOWS_DIR, file), 'utf8');
    for (const language of ['zh-CN', 'en'] as const) {
      const v = validateFlowText(text.replace(/"language": "[^"]+"/, `"language": "${language}"`), ctx);
      t.same(v.findings.filter((f) => f.level === 'error'), [], `${file} in ${language}: no errors`);
      t.same([...new Set(v.findings.map((f) => f.code))].filter((c) => c !== 'FLOW_UNKNOWN_TARGET'), [], `${file}: only the groups a fresh box lacks are warned about`);
    }
    t.equal(JSON.parse(text).name, file.replace(/\.json$/, ''), `${file}: named as its file`);
  }
});

t.test('the main flow covers sales, service, order lookup, operator, hours and holidays', async (t) => {
  const main = JSON.parse(readFileSync(join(SHIPPED_FLOWS_DIR, 'main.json'), 'utf8')) as Flow;
  const menu = main.nodes.menu;
  t.equal(menu?.type, 'menu');
  if (menu?.type !== 'menu') return;
  const target = (id: string | undefined) => { const n = main.nodes[id ?? '']; return n?.type === 'route' ? n.target : n?.type; };
  t.same([target(menu.options['1']), target(menu.options['2']), target(menu.options['0'])], ['group:sales', 'group:service', 'group:operator']);
  t.equal(target(menu.options['3']), 'collect', '3: order number');
  t.match(main.nodes['order-lookup'], { type: 'http_lookup', method: 'GET', url: 'http://127.0.0.1:8090/orders/${order_no}' });
  t.match(main.nodes.hours, { type: 'time_switch', rules: [{ kind: 'holiday', next: 'to-holiday' }, { kind: 'weekly', hours: [{ days: 'mon-fri', from: '09:00', to: '18:00' }] }] });
  t.same([target('to-holiday'), target('to-after-hours')], ['flow:holiday', 'flow:after-hours']);
});

t.test('importing the shipped flows twice makes no second version', async (t) => {
  const dir = t.testdir({});
  const store = Store.open(dir);
  t.teardown(() => store.close());
  const first = importShippedFlows(store, dir);
  t.same(first.map((f) => [f.name, f.saved?.version, f.saved?.created]), [['after-hours', 1, true], ['holiday', 1, true], ['main', 1, true]]);
  const again = importShippedFlows(store, dir);
  t.same(again.map((f) => [f.name, f.saved?.version, f.saved?.created]), [['after-hours', 1, false], ['holiday', 1, false], ['main', 1, false]]);
});

t.test('a flow with errors is not stored; loadFlow and rollbackFlow name what is missing', async (t) => {
  const dir = t.testdir({});
  const store = Store.open(dir);
  t.teardown(() => store.close());
  const ctx = boxContext(store, dir);
  const good = JSON.stringify({ name: 'x', language: 'en', start: 'a', on_error: 'a', nodes: { a: { type: 'hangup', prompts: ['goodbye'] } } });
  const r = importFlow(store, good.replace('goodbye', 'gone'), ctx);
  t.equal(r.saved, undefined);
  t.match(r.findings, [{ code: 'FLOW_MISSING_PROMPT', path: '/nodes/a/prompts/0' }]);
  t.same(store.flows.list(), [], 'nothing stored');

  t.match(importFlow(store, good, ctx, { name: 'renamed', comment: 'by test' }).saved, { name: 'renamed', version: 1 });
  t.equal(loadFlow(store, 'renamed').name, 'renamed', 'the name given wins');
  t.throws(() => loadFlow(store, 'x'), { code: 'FLOW_NOT_FOUND', message: 'there is no flow x (flows: renamed)' });
  t.throws(() => loadFlow(store, 'renamed', 4), { code: 'FLOW_VERSION_NOT_FOUND', message: 'flow renamed has no version 4 (versions: 1)' });
  t.throws(() => rollbackFlow(store, 'renamed', 4), { code: 'FLOW_VERSION_NOT_FOUND' });
});

t.test('an uploaded prompt exists once its file is in <data_dir>/prompts', async (t) => {
  const dir = t.testdir({});
  const store = Store.open(dir);
  t.teardown(() => store.close());
  const ctx = boxContext(store, dir);
  t.equal(ctx.promptExists('upload:promo', 'zh-CN'), false);
  mkdirSync(join(dir, 'prompts'));
  writeFileSync(join(dir, 'prompts', 'promo.wav'), 'RIFF');
  t.equal(ctx.promptExists('upload:promo', 'zh-CN'), true);
  t.equal(ctx.promptExists('menu.main', 'en'), true, 'generated prompts from sounds/build');
  t.equal(ctx.promptExists('../../etc/passwd', 'en'), false);
});

t.test('a line routes to flow:NAME only when the flow exists', async (t) => {
  const dir = t.testdir({});
  const store = Store.open(dir);
  t.teardown(() => store.close());
  store.lines.upsert({ id: 1, number: '', numberNorm: '', gatewayId: null, portUser: 'line1' });
  t.throws(() => routeLine(store, 1, 'flow:main'), { code: 'LINE_TARGET_NOT_FOUND', message: 'flow main does not exist (flows: none); import it with octoline flows import FILE' });
  importShippedFlows(store, dir);
  t.equal(routeLine(store, 1, 'flow:Main'), 'flow:main', 'stored lower-case');
  t.equal(store.lines.get(1)?.target, 'flow:main');
});
