import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from '../store/database.js';
import { Store } from '../store/store.js';
import { Blacklist } from './blacklist.js';

t.test('a blacklisted number matches however it is written', async (t) => {
  const store = new Store(openDatabase(join(t.testdir({}), 'octoline.db')));
  t.teardown(() => store.close());
  const bl = new Blacklist(store.blacklist);
  bl.add(' 021-5555-0199 ', 'spam');
  for (const n of ['02155550199', '021 5555 0199', '(021) 5555.0199']) t.ok(bl.isBlocked(n), n);
  t.notOk(bl.isBlocked('+862155550199'), 'another normal form is another number');
  t.notOk(bl.isBlocked(undefined));
  t.notOk(bl.isBlocked('anonymous'));
  t.throws(() => bl.add('021 5555 0199'), { code: 'BLACKLIST_DUPLICATE' });
  t.throws(() => bl.add('call me'), { code: 'BLACKLIST_BAD_NUMBER' });
  t.throws(() => bl.remove('999'), { code: 'BLACKLIST_NOT_FOUND' });
  bl.remove('021.5555.0199');
  t.same(bl.list(), []);
});
