import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from './database.js';
import { Store } from './store.js';

function storeWithExtensions(dir: string, exts: string[]): Store {
  const store = new Store(openDatabase(join(dir, 'octoline.db')));
  for (const ext of exts) store.extensions.upsert({ ext, displayName: '', realm: 'octoline', ha1Md5: 'x', ha1Sha256: 'y' });
  return store;
}

t.test('ring groups are created, replaced, listed and removed', async (t) => {
  const store = storeWithExtensions(t.testdir({}), ['1001', '1002', '1003']);
  t.teardown(() => store.close());
  store.ringGroups.upsert({ name: 'sales', strategy: 'ring-all', members: ['1002', '1001'] }, 1000);
  store.ringGroups.upsert({ name: 'night', strategy: 'linear', members: ['1003'] });
  t.same(store.ringGroups.get('sales'), { name: 'sales', strategy: 'ring-all', members: ['1002', '1001'] }, 'members in the order given');
  t.equal(store.ringGroups.get('nope'), undefined);

  store.ringGroups.upsert({ name: 'sales', strategy: 'linear', members: ['1003', '1001'] }, 2000);
  t.same(store.ringGroups.list(), [
    { name: 'night', strategy: 'linear', members: ['1003'] },
    { name: 'sales', strategy: 'linear', members: ['1003', '1001'] },
  ], 'replaced, not merged');

  t.equal(store.ringGroups.remove('sales'), true);
  t.equal(store.ringGroups.remove('sales'), false);
  t.same(store.db.prepare("SELECT ext FROM ring_group_members WHERE group_name = 'sales'").all(), [], 'members go with the group');
});

t.test('a member must be an extension, and a deleted extension leaves its groups', async (t) => {
  const store = storeWithExtensions(t.testdir({}), ['1001', '1002']);
  t.teardown(() => store.close());
  t.throws(() => store.ringGroups.upsert({ name: 'sales', strategy: 'ring-all', members: ['1001', '1999'] }), 'foreign key');
  t.equal(store.ringGroups.get('sales'), undefined, 'nothing half-written');
  store.ringGroups.upsert({ name: 'sales', strategy: 'ring-all', members: ['1001', '1002'] });
  store.db.prepare("DELETE FROM extensions WHERE ext = '1001'").run();
  t.same(store.ringGroups.get('sales')?.members, ['1002']);
});

t.test('extension permissions and recording policy are read and written', async (t) => {
  const store = storeWithExtensions(t.testdir({}), ['1001']);
  t.teardown(() => store.close());
  t.same(store.extensions.permissions('1001'), { outbound: true, allowedLines: [], allowPrefixes: [], denyPrefixes: [] }, 'defaults: everything the box allows');
  t.equal(store.extensions.get('1001')?.record, 'off');
  t.equal(store.extensions.permissions('1999'), undefined);

  t.equal(store.extensions.setPermissions('1001', { allowedLines: [1, 2], allowPrefixes: ['00852'] }), true);
  t.equal(store.extensions.setPermissions('1001', { outbound: false, denyPrefixes: ['9'] }), true);
  t.same(store.extensions.permissions('1001'), { outbound: false, allowedLines: [1, 2], allowPrefixes: ['00852'], denyPrefixes: ['9'] }, 'only the given fields change');
  t.equal(store.extensions.setPermissions('1999', { outbound: false }), false);

  t.equal(store.extensions.setRecord('1001', 'answer'), true);
  t.equal(store.extensions.get('1001')?.record, 'answer');
  t.equal(store.extensions.setRecord('1999', 'ring'), false);
  t.throws(() => store.extensions.setRecord('1001', 'always' as 'off'), 'the schema refuses a bad policy');

  store.extensions.upsert({ ext: '1001', displayName: 'Alice', realm: 'octoline', ha1Md5: 'a', ha1Sha256: 'b' });
  t.match(store.extensions.get('1001'), { displayName: 'Alice', record: 'answer' }, 'setup keeps the settings');
  t.equal(store.extensions.permissions('1001')?.outbound, false);
});

t.test('a line\'s recording policy and fallback are written', async (t) => {
  const store = storeWithExtensions(t.testdir({}), []);
  t.teardown(() => store.close());
  store.lines.upsert({ id: 1, number: '0215555', numberNorm: '0215555', gatewayId: null, portUser: 'line1' });
  t.match(store.lines.get(1), { record: 'off', fallback: '' });
  t.equal(store.lines.setRecord(1, 'ring'), true);
  t.equal(store.lines.setFallback(1, 'group:sales'), true);
  t.match(store.lines.list(), [{ id: 1, record: 'ring', fallback: 'group:sales' }]);
  t.equal(store.lines.setRecord(2, 'ring'), false);
  t.equal(store.lines.setFallback(2, ''), false);
});
