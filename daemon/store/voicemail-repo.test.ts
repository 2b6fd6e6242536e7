import t from 'tap';
import { Store } from './store.js';

function openStore(dir: string): Store {
  const store = Store.open(dir);
  const call = store.db.prepare(`INSERT INTO calls (id, sip_call_id, direction, started_at) VALUES (?, ?, 'inbound', ?)`);
  call.run('call-1', 'sip-1@gw', 1000);
  call.run('call-2', 'sip-2@gw', 2000);
  return store;
}

const message = (over: Partial<Parameters<Store['voicemail']['insert']>[0]> = {}) => ({
  mailbox: '1001', callId: 'call-1', caller: '021-5555-0199', path: '', durationMs: 4200, sizeBytes: 9000,
  sha256: 'ab'.repeat(32), createdAt: 1000, ...over,
});

t.test('a message is stored new, gets its path, and is heard once', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  const id = store.voicemail.insert(message());
  store.voicemail.setPath(id, `voicemail/1001/${id}.ogg`);
  t.same(store.voicemail.get(id), {
    id, mailbox: '1001', callId: 'call-1', caller: '021-5555-0199', path: `voicemail/1001/${id}.ogg`, durationMs: 4200,
    sizeBytes: 9000, sha256: 'ab'.repeat(32), state: 'new', createdAt: 1000, heardAt: null,
  });
  t.equal(store.voicemail.markHeard(id, 5000), true);
  t.match(store.voicemail.get(id), { state: 'heard', heardAt: 5000 });
  t.equal(store.voicemail.markHeard(id, 9000), true, 'heard again');
  t.equal(store.voicemail.get(id)?.heardAt, 5000, 'the first listen counts');
  t.equal(store.voicemail.markHeard(999, 1), false, 'no such message');
  t.equal(store.voicemail.markDeleted(id), true);
  t.equal(store.voicemail.markHeard(id, 1), false, 'a deleted message is not heard');
  t.equal(store.voicemail.get(id)?.state, 'deleted');
  t.throws(() => store.voicemail.insert(message({ callId: 'no-such-call' })), 'the calls row must exist');
  t.throws(() => store.voicemail.insert(message({ mailbox: '' })), 'a mailbox is named');
  t.ok(store.voicemail.insert(message({ callId: null })) > 0, 'a message without a call is allowed');
});

t.test('list filters by mailbox, new and deleted, newest first; rows outlive their call', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  const vm = store.voicemail;
  const a = vm.insert(message({ mailbox: '1001', createdAt: 1000 }));
  const b = vm.insert(message({ mailbox: 'group:sales', callId: 'call-2', createdAt: 2000 }));
  const c = vm.insert(message({ mailbox: '1001', createdAt: 3000 }));
  const d = vm.insert(message({ mailbox: '1001', createdAt: 4000 }));
  vm.markHeard(c, 3500);
  vm.markDeleted(d);
  t.same(vm.list().map((m) => m.id), [c, b, a], 'deleted left out');
  t.same(vm.list({ includeDeleted: true }).map((m) => m.id), [d, c, b, a]);
  t.same(vm.list({ mailbox: '1001' }).map((m) => m.id), [c, a]);
  t.same(vm.list({ mailbox: '1001', onlyNew: true }).map((m) => m.id), [a]);
  t.same(vm.list({ onlyNew: true, limit: 1 }).map((m) => m.id), [b]);
  store.db.prepare("DELETE FROM calls WHERE id = 'call-2'").run();
  t.equal(vm.get(b)?.callId, null, 'call_id set to NULL');
});
