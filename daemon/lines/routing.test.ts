import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from '../store/database.js';
import { Store } from '../store/store.js';
import { QUEUE_DEFAULTS } from '../acd/acd-types.js';
import { routeLine, setLineFallback, setLineRecord } from './routing.js';

function box(dir: string): Store {
  const store = new Store(openDatabase(join(dir, 'octoline.db')));
  store.extensions.upsert({ ext: '1001', displayName: '', realm: 'octoline', ha1Md5: 'x', ha1Sha256: 'y' });
  for (const id of [1, 2]) store.lines.upsert({ id, number: `0215555010${id}`, numberNorm: `0215555010${id}`, gatewayId: null, portUser: `line${id}` });
  store.ringGroups.upsert({ name: 'sales', strategy: 'ring-all', members: ['1001'] });
  return store;
}

t.test('a group target must exist and is stored lower-case', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  t.equal(routeLine(store, 1, 'group:Sales'), 'group:sales');
  t.throws(() => routeLine(store, 2, 'group:support'), {
    code: 'LINE_TARGET_NOT_FOUND', message: 'ring group support does not exist; add it with octoline groups add support --members EXT,EXT',
  });
  t.equal(store.lines.get(2)?.target, '', 'nothing written');
});

t.test('a queue target must exist and is stored lower-case', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  t.throws(() => routeLine(store, 2, 'queue:main'), {
    code: 'LINE_TARGET_NOT_FOUND', message: 'queue main does not exist (queues: none); add it with octoline queues add main --members EXT,EXT',
  });
  t.equal(store.lines.get(2)?.target, '', 'nothing written');
  store.queues.upsert({ ...QUEUE_DEFAULTS, name: 'main', members: [{ ext: '1001', penalty: 0, position: 0 }] }, 1000);
  t.equal(routeLine(store, 2, 'queue:Main'), 'queue:main');
  t.equal(store.lines.get(2)?.target, 'queue:main');
  t.equal(setLineFallback(store, 1, 'queue:main'), 'queue:main', 'a fallback may be a queue too');
  t.throws(() => routeLine(store, 1, 'queue:'), { code: 'LINE_BAD_TARGET', message: '"queue:" is not a target: use an extension (1001), group:NAME, queue:NAME or flow:NAME' });
});

t.test('a line\'s fallback is a target or hangup', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  t.equal(setLineFallback(store, 1, 'group:sales'), 'group:sales');
  t.equal(setLineFallback(store, 2, ' 1001 '), '1001');
  t.match(store.lines.list(), [{ id: 1, fallback: 'group:sales' }, { id: 2, fallback: '1001' }]);
  t.equal(setLineFallback(store, 1, 'HangUp'), '');
  t.equal(store.lines.get(1)?.fallback, '');
  t.throws(() => setLineFallback(store, 2, '1999'), { code: 'LINE_TARGET_NOT_FOUND' });
  t.throws(() => setLineFallback(store, 2, 'group:nope'), { code: 'LINE_TARGET_NOT_FOUND' });
  t.throws(() => setLineFallback(store, 2, 'voicemail'), { code: 'LINE_BAD_TARGET' });
  t.throws(() => setLineFallback(store, 9, 'hangup'), { code: 'LINE_NOT_FOUND', message: 'there is no line 9 (lines: 1, 2)' });
  t.equal(store.lines.get(2)?.fallback, '1001', 'unchanged after refusals');
});

t.test('a line\'s recording policy is off, ring or answer', async (t) => {
  const store = box(t.testdir({}));
  t.teardown(() => store.close());
  t.equal(setLineRecord(store, 2, 'answer'), 'answer');
  t.equal(store.lines.get(2)?.record, 'answer');
  t.throws(() => setLineRecord(store, 2, 'always'), { code: 'LINE_BAD_RECORD', message: '"always" is not a recording policy: use off, ring or answer' });
  t.throws(() => setLineRecord(store, 3, 'ring'), { code: 'LINE_NOT_FOUND' });
  t.equal(store.lines.get(2)?.record, 'answer');
});
