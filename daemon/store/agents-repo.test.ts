import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from './database.js';
import { Store } from './store.js';
import type { AgentRow } from '../acd/acd-types.js';

function storeWithExtensions(dir: string, exts: string[]): Store {
  const store = new Store(openDatabase(join(dir, 'octoline.db')));
  for (const ext of exts) store.extensions.upsert({ ext, displayName: '', realm: 'octoline', ha1Md5: 'x', ha1Sha256: 'y' });
  return store;
}

t.test('an agent\'s state is saved, replaced and read back', async (t) => {
  const store = storeWithExtensions(t.testdir({}), ['1001', '1002']);
  t.teardown(() => store.close());
  t.equal(store.agents.get('1001'), undefined, 'no row: never logged in');
  const alice: AgentRow = { ext: '1001', loggedIn: true, paused: false, pauseReason: '', wrapUpS: null, updatedAt: 1000 };
  store.agents.save(alice);
  t.same(store.agents.get('1001'), alice);

  const lunch: AgentRow = { ...alice, paused: true, pauseReason: 'lunch', wrapUpS: 30, updatedAt: 2000 };
  store.agents.save(lunch);
  store.agents.save({ ext: '1002', loggedIn: false, paused: false, pauseReason: '', wrapUpS: 0, updatedAt: 3000 });
  t.same(store.agents.list(), [lunch, { ext: '1002', loggedIn: false, paused: false, pauseReason: '', wrapUpS: 0, updatedAt: 3000 }], 'by extension, replaced');
});

t.test('an agent is an extension, and goes with it', async (t) => {
  const store = storeWithExtensions(t.testdir({}), ['1001']);
  t.teardown(() => store.close());
  t.throws(() => store.agents.save({ ext: '1999', loggedIn: true, paused: false, pauseReason: '', wrapUpS: null, updatedAt: 1 }), 'foreign key');
  t.throws(() => store.agents.save({ ext: '1001', loggedIn: true, paused: false, pauseReason: '', wrapUpS: -5, updatedAt: 1 }), 'wrap-up out of range');
  store.agents.save({ ext: '1001', loggedIn: true, paused: false, pauseReason: '', wrapUpS: null, updatedAt: 1 });
  store.db.prepare("DELETE FROM extensions WHERE ext = '1001'").run();
  t.same(store.agents.list(), []);
});
