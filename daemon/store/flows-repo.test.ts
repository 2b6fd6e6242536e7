import t from 'tap';
import { Store } from './store.js';

const flow = (name: string, greeting = 'welcome') => ({
  name, language: 'zh-CN', start: 'hi', on_error: 'hi', nodes: { hi: { type: 'hangup', prompts: [greeting] } },
});

t.test('saving makes versions; an unchanged document makes none', async (t) => {
  const store = Store.open(t.testdir({}));
  t.teardown(() => store.close());
  t.same(store.flows.save(flow('main'), 'first', 1000), { name: 'main', version: 1, created: true });
  t.same(store.flows.save(flow('main'), 'again', 2000), { name: 'main', version: 1, created: false }, 'same document');
  const reordered = { nodes: flow('main').nodes, on_error: 'hi', start: 'hi', language: 'zh-CN', name: 'main' };
  t.same(store.flows.save(reordered, 'keys moved', 2500), { name: 'main', version: 1, created: false }, 'key order does not matter');
  t.same(store.flows.save(flow('main', 'goodbye'), 'new greeting', 3000), { name: 'main', version: 2, created: true });

  t.same(JSON.parse(store.flows.get('main')?.json ?? '{}'), flow('main', 'goodbye'), 'current version');
  t.same(JSON.parse(store.flows.get('main', 1)?.json ?? '{}'), flow('main'), 'an older version');
  t.match(store.flows.get('main'), { name: 'main', version: 2, current: true, comment: 'new greeting', createdAt: 3000 });
  t.match(store.flows.get('main', 1), { version: 1, current: false, comment: 'first' });
  t.equal(store.flows.get('main', 9), undefined);
  t.equal(store.flows.get('nope'), undefined);
  t.same(store.flows.versions('main').map((v) => [v.version, v.current, v.comment]), [[1, false, 'first'], [2, true, 'new greeting']]);
  t.same(store.flows.versions('nope'), []);
});

t.test('list shows each flow with its current version and description', async (t) => {
  const store = Store.open(t.testdir({}));
  t.teardown(() => store.close());
  const night = { ...flow('night'), description: 'after hours' };
  store.flows.save(night, '', 1000);
  store.flows.save(flow('main'), '', 1000);
  store.flows.save(flow('main', 'goodbye'), '', 2000);
  t.same(store.flows.list(), [
    { name: 'main', currentVersion: 2, versions: 2, description: '', createdAt: 1000, updatedAt: 2000 },
    { name: 'night', currentVersion: 1, versions: 1, description: 'after hours', createdAt: 1000, updatedAt: 1000 },
  ]);
});

t.test('rollback writes the old document as a new version: history only grows', async (t) => {
  const store = Store.open(t.testdir({}));
  t.teardown(() => store.close());
  store.flows.save(flow('main'), 'v1', 1000);
  store.flows.save(flow('main', 'goodbye'), 'v2', 2000);
  t.same(store.flows.rollback('main', 1, 3000), { name: 'main', version: 3, created: true });
  t.same(JSON.parse(store.flows.get('main')?.json ?? '{}'), flow('main'));
  t.match(store.flows.get('main'), { version: 3, comment: 'rollback to version 1' });
  t.same(store.flows.rollback('main', 1, 4000), { name: 'main', version: 3, created: false }, 'already current: nothing written');
  t.equal(store.flows.rollback('main', 7), undefined);
  t.equal(store.flows.rollback('nope', 1), undefined);
  t.same(store.flows.versions('main').map((v) => v.version), [1, 2, 3]);
});

t.test('remove is refused while a line routes to the flow, and takes the history with it', async (t) => {
  const store = Store.open(t.testdir({}));
  t.teardown(() => store.close());
  store.flows.save(flow('main'));
  store.flows.save(flow('main', 'goodbye'));
  for (const id of [1, 2]) store.lines.upsert({ id, number: '', numberNorm: '', gatewayId: null, portUser: `line${id}` });
  store.lines.setTarget(1, 'flow:main');
  store.lines.setFallback(2, 'flow:main');
  t.same(store.flows.routedLines('main'), [1, 2]);
  t.throws(() => store.flows.remove('main'), { code: 'STORE_CONFLICT', message: /^lines 1, 2 still route to flow:main; route them elsewhere first/ });
  t.ok(store.flows.get('main'), 'still there');

  store.lines.setTarget(1, '');
  store.lines.setFallback(2, '');
  t.equal(store.flows.remove('main'), true);
  t.equal(store.flows.remove('main'), false);
  t.same(store.db.prepare('SELECT count(*) AS n FROM flow_versions').get(), { n: 0 }, 'versions went with it');
});

t.test('mentioning finds the flows whose current version uses a prompt or another flow', async (t) => {
  const store = Store.open(t.testdir({}));
  t.teardown(() => store.close());
  store.flows.save(flow('a', 'upload:promo_1'));
  store.flows.save(flow('b', 'upload:promo'));
  store.flows.save(flow('c', 'upload:promo'));
  store.flows.save(flow('c', 'welcome'));
  t.same(store.flows.mentioning('upload:promo'), ['b'], 'whole strings only, current versions only');
  t.same(store.flows.mentioning('upload:promo_1'), ['a'], '_ is not a wildcard');
});
