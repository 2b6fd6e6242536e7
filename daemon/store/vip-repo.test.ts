import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from './database.js';
import { Store } from './store.js';
import type { VipRow } from '../acd/acd-types.js';

t.test('VIP callers are added, replaced, listed and removed', async (t) => {
  const store = new Store(openDatabase(join(t.testdir({}), 'octoline.db')));
  t.teardown(() => store.close());
  const boss: VipRow = { number: '+8613800138000', name: 'Mr Wang', level: 9, pin: '2468', createdAt: 1000 };
  store.vip.add(boss);
  store.vip.add({ number: '02155550199', name: '', level: 1, pin: null, createdAt: 2000 });
  t.same(store.vip.get('+8613800138000'), boss);
  t.equal(store.vip.get('8613800138000'), undefined, 'matched on the normalised form exactly');

  store.vip.add({ ...boss, name: 'Wang Wei', level: 5, pin: null, createdAt: 5000 });
  t.same(store.vip.list(), [
    { number: '+8613800138000', name: 'Wang Wei', level: 5, pin: null, createdAt: 1000 },
    { number: '02155550199', name: '', level: 1, pin: null, createdAt: 2000 },
  ], 'replaced; the first createdAt stays');

  t.equal(store.vip.remove('02155550199'), true);
  t.equal(store.vip.remove('02155550199'), false);
  t.same(store.vip.list().map((v) => v.number), ['+8613800138000']);
});

t.test('the schema refuses a bad level or PIN', async (t) => {
  const store = new Store(openDatabase(join(t.testdir({}), 'octoline.db')));
  t.teardown(() => store.close());
  const row: VipRow = { number: '02155550199', name: '', level: 1, pin: null, createdAt: 1 };
  t.throws(() => store.vip.add({ ...row, level: 0 }), 'level 0 is a normal caller');
  t.throws(() => store.vip.add({ ...row, level: 10 }));
  t.throws(() => store.vip.add({ ...row, pin: '123' }), 'PIN too short');
  t.throws(() => store.vip.add({ ...row, pin: '12a4' }), 'PIN not digits');
  t.same(store.vip.list(), []);
});
