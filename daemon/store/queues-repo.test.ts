import t from 'tap';
import { join } from 'node:path';
import { QUEUE_DEFAULTS, type QueueSettings } from '../acd/acd-types.js';
import { openDatabase } from './database.js';
import { Store } from './store.js';

function storeWithExtensions(dir: string, exts: string[]): Store {
  const store = new Store(openDatabase(join(dir, 'octoline.db')));
  for (const ext of exts) store.extensions.upsert({ ext, displayName: '', realm: 'octoline', ha1Md5: 'x', ha1Sha256: 'y' });
  return store;
}

const queue = (name: string, over: Partial<QueueSettings> = {}): QueueSettings => ({ ...QUEUE_DEFAULTS, name, members: [], ...over });

t.test('queues are created with every setting, replaced, listed and removed', async (t) => {
  const store = storeWithExtensions(t.testdir({}), ['1001', '1002', '1003']);
  t.teardown(() => store.close());
  const sales = queue('sales', { members: [{ ext: '1002', penalty: 0, position: 0 }, { ext: '1001', penalty: 1, position: 1 }] });
  store.queues.upsert(sales, 1000);
  t.same(store.queues.get('sales'), sales, 'every field and member read back as written');
  t.equal(store.queues.get('nope'), undefined);

  const changed = queue('sales', {
    strategy: 'least-talk', ringTimeoutS: 20, retryS: 0, maxWaitS: 0, overflow: 'voicemail:sales', maxLength: 5, joinEmpty: false,
    leaveEmpty: true, wrapUpS: 0, announceEveryS: -1, announcePosition: false, announceWait: false, callbackDigit: '', stickyDays: 0,
    stickyWaitS: 0, autoPauseAfter: 0, language: 'en', members: [{ ext: '1003', penalty: 2, position: 0 }],
  });
  store.queues.upsert(changed, 2000);
  store.queues.upsert(queue('night', { members: [{ ext: '1001', penalty: 0, position: 0 }] }), 3000);
  t.same(store.queues.list(), [queue('night', { members: [{ ext: '1001', penalty: 0, position: 0 }] }), changed], 'by name; members replaced, not merged');
  t.same(store.db.prepare("SELECT created_at, updated_at FROM queues WHERE name = 'sales'").get(), { created_at: 1000, updated_at: 2000 });

  t.equal(store.queues.remove('sales'), true);
  t.equal(store.queues.remove('sales'), false);
  t.same(store.db.prepare("SELECT ext FROM queue_members WHERE queue = 'sales'").all(), [], 'members go with the queue');
});

t.test('the schema refuses what the engine could not use, and nothing is half-written', async (t) => {
  const store = storeWithExtensions(t.testdir({}), ['1001']);
  t.teardown(() => store.close());
  const one = [{ ext: '1001', penalty: 0, position: 0 }];
  store.queues.upsert(queue('sales', { members: one }), 1000);
  const bad: Array<[string, Partial<QueueSettings>]> = [
    ['a member that is no extension', { members: [...one, { ext: '1999', penalty: 0, position: 1 }] }],
    ['a strategy', { strategy: 'fastest' as 'ring-all' }],
    ['a ring time-out', { ringTimeoutS: 1 }],
    ['a max wait', { maxWaitS: 86_401 }],
    ['a penalty', { members: [{ ext: '1001', penalty: 10, position: 0 }] }],
    ['a callback digit', { callbackDigit: '12' }],
    ['a language', { language: 'fr' as 'en' }],
  ];
  for (const [what, over] of bad) t.throws(() => store.queues.upsert(queue('sales', over), 2000), what);
  t.throws(() => store.queues.upsert(queue('Sales', { members: one }), 2000), 'an upper-case name');
  t.throws(() => store.queues.upsert(queue('a b', { members: one }), 2000), 'a space in the name');
  t.same(store.queues.list(), [queue('sales', { members: one })], 'unchanged');
});

t.test('a deleted extension leaves its queues', async (t) => {
  const store = storeWithExtensions(t.testdir({}), ['1001', '1002']);
  t.teardown(() => store.close());
  store.queues.upsert(queue('sales', { members: [{ ext: '1001', penalty: 0, position: 0 }, { ext: '1002', penalty: 0, position: 1 }] }), 1000);
  store.db.prepare("DELETE FROM extensions WHERE ext = '1001'").run();
  t.same(store.queues.get('sales')?.members, [{ ext: '1002', penalty: 0, position: 1 }]);
});
