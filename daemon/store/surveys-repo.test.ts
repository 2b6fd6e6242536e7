import t from 'tap';
import { Store } from './store.js';

t.test('survey answers are stored on the call and summarised per survey', async (t) => {
  const store = Store.open(t.testdir({}));
  t.teardown(() => store.close());
  const call = store.db.prepare(`INSERT INTO calls (id, sip_call_id, direction, started_at) VALUES (?, ?, 'inbound', 1)`);
  call.run('call-1', 's1');
  call.run('call-2', 's2');
  const s = store.surveys;
  const first = s.insert({ callId: 'call-1', name: 'satisfaction', score: 5, createdAt: 1000 });
  s.insert({ callId: 'call-1', name: 'resolved', score: 1, createdAt: 1001 });
  s.insert({ callId: 'call-2', name: 'satisfaction', score: 2, createdAt: 2000 });
  s.insert({ callId: 'call-2', name: 'satisfaction', score: 5, createdAt: 3000 });
  t.same(s.forCall('call-1'), [
    { id: first, callId: 'call-1', name: 'satisfaction', score: 5, createdAt: 1000 },
    { id: first + 1, callId: 'call-1', name: 'resolved', score: 1, createdAt: 1001 },
  ]);
  t.same(s.summary('satisfaction'), { name: 'satisfaction', count: 3, average: 4, byScore: [0, 1, 0, 0, 2] });
  t.same(s.summary('satisfaction', 2500), { name: 'satisfaction', count: 1, average: 5, byScore: [0, 0, 0, 0, 1] }, 'since');
  t.same(s.summary('nobody-asked'), { name: 'nobody-asked', count: 0, average: null, byScore: [0, 0, 0, 0, 0] });
  t.same(s.list({ name: 'satisfaction' }).map((r) => r.createdAt), [3000, 2000, 1000], 'newest first');
  t.equal(s.list({ limit: 1 }).length, 1);
  for (const score of [0, 6, 2.5]) {
    t.throws(() => s.insert({ callId: 'call-1', name: 'satisfaction', score, createdAt: 1 }), `score ${score} refused`);
  }
  store.db.prepare("DELETE FROM calls WHERE id = 'call-1'").run();
  t.equal(s.list({ name: 'resolved' })[0]?.callId, null, 'an answer outlives its call');
});
