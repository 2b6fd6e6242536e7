import t from 'tap';
import { Store } from './store.js';

function openStore(dir: string): Store {
  const store = Store.open(dir);
  store.db.prepare(`INSERT INTO calls (id, sip_call_id, direction, started_at) VALUES ('call-1', 's1', 'inbound', 1000)`).run();
  return store;
}

t.test('a callback is pending until done or cancelled, with its note', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  const id = store.callbacks.insert({ callId: 'call-1', number: '13800138000', wantedAt: null, source: 'voicemail', createdAt: 1000 });
  t.same(store.callbacks.get(id), {
    id, callId: 'call-1', number: '13800138000', wantedAt: null, source: 'voicemail', state: 'pending', createdAt: 1000, doneAt: null, note: '',
  });
  t.equal(store.callbacks.pendingFor('13800138000')?.id, id);
  t.equal(store.callbacks.close(id, 'done', 5000, 'called, order fixed'), true);
  t.match(store.callbacks.get(id), { state: 'done', doneAt: 5000, note: 'called, order fixed' });
  t.equal(store.callbacks.close(id, 'cancelled', 6000), false, 'only a pending callback closes');
  t.equal(store.callbacks.pendingFor('13800138000'), undefined);

  const ivr = store.callbacks.insert({ callId: null, number: '02155550199', wantedAt: 9000, source: 'ivr', createdAt: 2000, note: 'after 18:00' });
  store.callbacks.close(ivr, 'cancelled', 3000, 'customer called again');
  t.equal(store.callbacks.get(ivr)?.note, 'after 18:00 | customer called again', 'a note is appended');
  t.equal(store.callbacks.close(404, 'done', 1), false, 'no such callback');
  t.throws(() => store.callbacks.insert({ callId: null, number: '1', wantedAt: null, source: 'web' as 'ivr', createdAt: 1 }), 'unknown source refused');
  t.throws(() => store.callbacks.insert({ callId: null, number: '', wantedAt: null, source: 'ivr', createdAt: 1 }), 'a number is needed');
});

t.test('pending is in calling order; list is newest first', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  const cb = store.callbacks;
  const asap = cb.insert({ callId: null, number: '111', wantedAt: null, source: 'voicemail', createdAt: 5000 });
  const later = cb.insert({ callId: null, number: '222', wantedAt: 9000, source: 'ivr', createdAt: 1000 });
  const early = cb.insert({ callId: null, number: '333', wantedAt: 2000, source: 'queue', createdAt: 1500 });
  const done = cb.insert({ callId: null, number: '444', wantedAt: null, source: 'ivr', createdAt: 100 });
  cb.close(done, 'done', 200);
  t.same(cb.pending().map((c) => c.id), [early, asap, later], 'by wanted time, else by when asked');
  t.same(cb.pending(1).map((c) => c.id), [early]);
  t.same(cb.list().map((c) => c.id), [asap, early, later, done]);
  store.db.prepare("DELETE FROM calls WHERE id = 'call-1'").run();
});
