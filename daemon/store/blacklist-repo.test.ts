import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from './database.js';
import { Store } from './store.js';

t.test('blacklist rows are added, listed, found by their normalised form and removed', async (t) => {
  const store = new Store(openDatabase(join(t.testdir({}), 'octoline.db')));
  t.teardown(() => store.close());
  store.blacklist.add({ number: '021-5555-0199', numberNorm: '02155550199', reason: 'spam' }, 1000);
  store.blacklist.add({ number: '+86 138 0013 8000', numberNorm: '+8613800138000' }, 2000);
  t.same(store.blacklist.list(), [
    { number: '+86 138 0013 8000', numberNorm: '+8613800138000', reason: '', createdAt: 2000 },
    { number: '021-5555-0199', numberNorm: '02155550199', reason: 'spam', createdAt: 1000 },
  ]);
  t.ok(store.blacklist.has('02155550199'));
  t.notOk(store.blacklist.has('0215555019'));
  t.throws(() => store.blacklist.add({ number: '02155550199', numberNorm: '02155550199' }), { code: 'STORE_CONFLICT' }, 'one row per normalised number');
  t.equal(store.blacklist.remove('02155550199'), true);
  t.equal(store.blacklist.remove('02155550199'), false);
  t.equal(store.blacklist.list().length, 1);
});

t.test('line routing setters write target and direction', async (t) => {
  const store = new Store(openDatabase(join(t.testdir({}), 'octoline.db')));
  t.teardown(() => store.close());
  store.lines.upsert({ id: 1, number: '0215555', numberNorm: '0215555', gatewayId: null, portUser: 'line1' });
  t.equal(store.lines.setTarget(1, 'group:sales'), true);
  t.equal(store.lines.setDirection(1, 'in'), true);
  t.match(store.lines.get(1), { target: 'group:sales', direction: 'in' });
  t.equal(store.lines.setTarget(2, '1001'), false, 'no such line');
  t.throws(() => store.lines.setDirection(1, 'sideways' as 'in'), 'the schema refuses a bad direction');
});
