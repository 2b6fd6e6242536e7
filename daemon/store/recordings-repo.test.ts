import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from './database.js';
import { Store } from './store.js';

function openStore(dir: string): Store {
  const store = new Store(openDatabase(join(dir, 'octoline.db')));
  const call = store.db.prepare(`INSERT INTO calls (id, sip_call_id, direction, started_at) VALUES (?, ?, 'inbound', ?)`);
  call.run('call-1', 'sip-1@gw', 1000);
  call.run('call-2', 'sip-2@gw', 2000);
  return store;
}

t.test('a recording row goes from recording to done with its file facts', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  const id = store.recordings.insert({ callId: 'call-1', mediaId: 'sip-1@gw', startedAt: 1000 });
  t.same(store.recordings.get(id), {
    id, callId: 'call-1', state: 'recording', mediaId: 'sip-1@gw', path: null, format: null, sizeBytes: null,
    durationMs: null, sha256: null, startedAt: 1000, finishedAt: null, error: null,
  });
  t.equal(store.recordings.setState(id, 'converting'), true);
  t.equal(store.recordings.get(id)?.state, 'converting', 'the state alone changes');
  t.equal(store.recordings.setState(id, 'done', {
    path: 'recordings/2026/01/01/call-1.ogg', format: 'opus', sizeBytes: 6123, durationMs: 3020, sha256: 'ab'.repeat(32), finishedAt: 5000,
  }), true);
  t.match(store.recordings.get(id), {
    state: 'done', path: 'recordings/2026/01/01/call-1.ogg', format: 'opus', sizeBytes: 6123, durationMs: 3020,
    sha256: 'ab'.repeat(32), startedAt: 1000, finishedAt: 5000, error: null,
  });
  t.equal(store.recordings.setState(id, 'deleted'), true);
  t.equal(store.recordings.get(id)?.path, 'recordings/2026/01/01/call-1.ogg', 'a deleted recording keeps its path');
  t.equal(store.recordings.setState(999, 'done'), false, 'no such row');
  t.equal(store.recordings.get(999), undefined);
  t.throws(() => store.recordings.setState(id, 'lost' as 'done'), 'the schema refuses an unknown state');
  t.throws(() => store.recordings.insert({ callId: 'no-such-call', mediaId: 'x', startedAt: 1 }), 'the calls row must exist');
});

t.test('pending, expired and list select the right rows', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  const r = store.recordings;
  const recording = r.insert({ callId: 'call-1', mediaId: 'm1', startedAt: 1000 });
  const converting = r.insert({ callId: 'call-1', mediaId: 'm2', startedAt: 2000 });
  r.setState(converting, 'converting');
  const oldDone = r.insert({ callId: 'call-2', mediaId: 'm3', startedAt: 3000 });
  r.setState(oldDone, 'done', { path: 'a.ogg', finishedAt: 3500 });
  const newDone = r.insert({ callId: 'call-2', mediaId: 'm4', startedAt: 9000 });
  r.setState(newDone, 'done', { path: 'b.ogg', finishedAt: 9500 });
  const oldFailed = r.insert({ callId: 'call-2', mediaId: 'm5', startedAt: 100 });
  r.setState(oldFailed, 'failed', { error: 'no pcap' });

  t.same(r.pending().map((x) => x.id), [recording, converting], 'recording and converting rows, oldest first');
  t.same(r.expired(5000).map((x) => x.id), [oldDone], 'only done rows started before the cut-off');
  t.same(r.expired(10_000).map((x) => x.id), [oldDone, newDone]);
  t.same(r.list().map((x) => x.id), [newDone, oldDone, converting, recording, oldFailed], 'newest first');
  t.same(r.list({ limit: 2 }).map((x) => x.id), [newDone, oldDone]);

  store.db.prepare("DELETE FROM calls WHERE id = 'call-2'").run();
  t.equal(r.get(newDone)?.callId, null, 'the row outlives its call (call_id set to NULL)');
});
