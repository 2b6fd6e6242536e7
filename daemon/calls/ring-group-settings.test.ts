import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from '../store/database.js';
import { Store } from '../store/store.js';
import { addRingGroup, removeRingGroup } from './ring-group-settings.js';

function box(dir: string): Store {
  const store = new Store(openDatabase(join(dir, 'octoline.db')));
  for (const ext of ['1001', '1002', '1003']) store.extensions.upsert({ ext, displayName: '', realm: 'octoline', ha1Md5: 'x', ha1Sha256: 'y' });
  store.lines.upsert({ id: 1, number: '02155550101', numberNorm: '02155550101', gatewayId: null, portUser: 'line1' });
  return store;
}

t.test('a group is added with its members in order, then replaced', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  t.same(addRingGroup(store, ' Sales ', '1002, 1001,1002'), { name: 'sales', strategy: 'ring-all', members: ['1002', '1001'] }, 'lower-case name, duplicates dropped');
  t.same(addRingGroup(store, 'sales', '1003', 'linear'), { name: 'sales', strategy: 'linear', members: ['1003'] });
  t.same(addRingGroup(store, 'sales', '1001,1003'), { name: 'sales', strategy: 'linear', members: ['1001', '1003'] }, 'strategy kept when not given');
  t.same(store.ringGroups.list(), [{ name: 'sales', strategy: 'linear', members: ['1001', '1003'] }]);
});

t.test('bad group input is refused and nothing is written', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  addRingGroup(store, 'sales', '1001');
  const cases: Array<[() => unknown, string, RegExp]> = [
    [() => addRingGroup(store, 'sales', '1001,1998,1999'), 'GROUP_MEMBER_NOT_FOUND', /^--members: no extension 1998, 1999; add it with octoline setup --extension 1998$/],
    [() => addRingGroup(store, 'sales', ' , '), 'GROUP_NO_MEMBERS', /^--members: give at least one extension/],
    [() => addRingGroup(store, 'sales', '1002', 'random'), 'GROUP_BAD_STRATEGY', /^--strategy: "random" is not a strategy: use ring-all or linear$/],
    [() => addRingGroup(store, 'has space', '1002'), 'GROUP_BAD_NAME', /^"has space" is not a group name/],
    [() => addRingGroup(store, '-x', '1002'), 'GROUP_BAD_NAME', /not a group name/],
    [() => addRingGroup(store, 'a'.repeat(33), '1002'), 'GROUP_BAD_NAME', /not a group name/],
    [() => removeRingGroup(store, 'support'), 'GROUP_NOT_FOUND', /^there is no ring group support/],
  ];
  for (const [fn, code, message] of cases) t.throws(fn, { code, message }, code);
  t.same(store.ringGroups.list(), [{ name: 'sales', strategy: 'ring-all', members: ['1001'] }]);
});

t.test('a group a line routes or falls back to is not removed', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  addRingGroup(store, 'sales', '1001');
  store.lines.setTarget(1, 'group:sales');
  t.throws(() => removeRingGroup(store, 'sales'), { code: 'GROUP_IN_USE', message: /^line 1 still routes to group:sales; route it elsewhere first/ });
  store.lines.setTarget(1, '1001');
  store.lines.setFallback(1, 'group:sales');
  t.throws(() => removeRingGroup(store, 'SALES'), { code: 'GROUP_IN_USE' }, 'fallback counts too');
  store.lines.setFallback(1, '');
  removeRingGroup(store, 'Sales');
  t.same(store.ringGroups.list(), []);
});
