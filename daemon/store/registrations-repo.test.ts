import t from 'tap';
import { join } from 'node:path';
import { pino } from 'pino';
import { FakeClock } from '../../drivers/clock.js';
import { BanList, passwordHa1 } from '../../drivers/sip/auth/index.js';
import { Registrar, type Binding } from '../../drivers/sip/registrar/index.js';
import { TestPhone } from '../../drivers/sip/registrar/testing/test-phone.js';
import { openDatabase } from './database.js';
import { Store } from './store.js';

function binding(over: Partial<Binding> = {}): Binding {
  return {
    extension: '1001', contact: 'sip:1001@192.168.1.50:5060', source: { transport: 'udp', address: '203.0.113.5', port: 40000 },
    expiresAt: 1_800_000_000_000, callId: 'reg-1@x', cseq: 7, userAgent: 'Yealink SIP-T46U', updatedAt: 1_799_999_000_000, ...over,
  };
}

function openStore(dir: string): Store {
  const store = new Store(openDatabase(join(dir, 'octoline.db')));
  for (const ext of ['1001', '1002']) {
    // The HA1s daemon/auth/sip-credentials.ts writes (the store may not import daemon/auth).
    const password = `pw-${ext}`;
    store.extensions.upsert({ ext, displayName: '', realm: 'octoline', ha1Md5: passwordHa1('MD5', ext, 'octoline', password), ha1Sha256: passwordHa1('SHA-256', ext, 'octoline', password) });
  }
  return store;
}

t.test('bindings survive closing and reopening the database (a daemon restart keeps phones reachable)', async (t) => {
  const dir = t.testdir({});
  const first = openStore(dir);
  first.registrations.upsert(binding());
  first.registrations.upsert(binding({ contact: 'sip:1001@10.0.0.9:5080;transport=tcp', source: { transport: 'tcp', address: '10.0.0.9', port: 49152 } }));
  first.close();
  const again = openStore(dir);
  t.teardown(() => again.close());
  const all = again.registrations.loadAll();
  t.equal(all.length, 2);
  t.same(all.find((b) => b.source.transport === 'udp'), binding());
  t.same(again.registrations.forExtension('1001').map((b) => b.source.port).sort(), [40000, 49152]);
});

t.test('upsert replaces the row of the same extension and contact', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  store.registrations.upsert(binding());
  store.registrations.upsert(binding({ cseq: 9, source: { transport: 'udp', address: '203.0.113.5', port: 41000 } }));
  t.same(store.registrations.loadAll(), [binding({ cseq: 9, source: { transport: 'udp', address: '203.0.113.5', port: 41000 } })]);
});

t.test('remove, removeAll and purgeExpired delete what they say', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  const r = store.registrations;
  r.upsert(binding());
  r.upsert(binding({ contact: 'sip:1001@b', expiresAt: 100 }));
  r.upsert(binding({ extension: '1002', contact: 'sip:1002@c' }));
  t.equal(r.purgeExpired(100), 1);
  r.remove('1001', 'sip:1001@192.168.1.50:5060');
  t.same(r.loadAll().map((b) => b.contact), ['sip:1002@c']);
  r.removeAll('1002');
  t.same(r.loadAll(), []);
});

t.test('a transaction that throws writes nothing', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  t.throws(() => store.registrations.transaction(() => {
    store.registrations.upsert(binding());
    throw new Error('boom');
  }), { message: 'boom' });
  t.same(store.registrations.loadAll(), []);
});

t.test('deleting an extension deletes its registrations; an unknown extension cannot have one', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  store.registrations.upsert(binding());
  store.db.prepare("DELETE FROM extensions WHERE ext = '1001'").run();
  t.same(store.registrations.loadAll(), []);
  t.throws(() => store.registrations.upsert(binding({ extension: '9999' })), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
});

t.test('a phone registered through the registrar is still routable after the database is reopened', async (t) => {
  const dir = t.testdir({});
  const clock = new FakeClock();
  const log = pino({ level: 'silent' });
  const make = (store: Store) => new Registrar(
    { clock, log, credentials: (u) => store.extensions.get(u), bindings: store.registrations, bans: new BanList({ clock }) },
    { realm: 'octoline' },
  );
  const first = openStore(dir);
  const source = { transport: 'udp' as const, address: '203.0.113.5', port: 40000 };
  const phone = new TestPhone(make(first), { ext: '1001', password: 'pw-1001', source });
  t.equal(phone.register({ expires: 600 })?.status, 200);
  first.close();
  const second = openStore(dir);
  t.teardown(() => second.close());
  t.same(make(second).lookup('1001').map((b) => [b.contact, b.source]), [['sip:1001@192.168.1.50:5060', source]]);
});
