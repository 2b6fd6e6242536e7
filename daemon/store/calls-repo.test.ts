import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from './database.js';
import { Store } from './store.js';
import { LAST_AGENT_SQL, type CallOpen } from './calls-repo.js';

function openStore(dir: string): Store {
  const store = new Store(openDatabase(join(dir, 'octoline.db')));
  store.lines.upsert({ id: 1, number: '021-5555-0101', numberNorm: '02155550101', gatewayId: null, portUser: 'line1' });
  return store;
}

const base: CallOpen = {
  id: 'c1', sipCallId: 'sip-1', direction: 'inbound', lineId: 1, extension: null, caller: '021-5555-0199',
  callerNorm: '02155550199', callerName: 'Li Wei', callee: '02155550101', startedAt: 1000,
};

t.test('a call is opened, updated while it runs and finalized with its CDR', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  store.calls.open(base);
  t.same(store.calls.get('c1'), {
    ...base, answeredAt: null, endedAt: null, disposition: null, cause: null,
    ringSeconds: null, talkSeconds: null, holdSeconds: null, recordingId: null,
  });
  t.same(store.calls.unfinished().map((c) => c.id), ['c1']);

  store.calls.update('c1', { extension: '1001', recordingId: 4 });
  store.calls.update('c1', {});
  t.match(store.calls.get('c1'), { extension: '1001', recordingId: 4, lineId: 1, callee: '02155550101' });

  store.calls.finalize('c1', {
    answeredAt: 6000, endedAt: 66_000, disposition: 'answered', cause: 'caller_hangup',
    ringSeconds: 5, talkSeconds: 52.5, holdSeconds: 7.5, extension: '1002', recordingId: 4,
  });
  t.match(store.calls.get('c1'), {
    answeredAt: 6000, endedAt: 66_000, disposition: 'answered', cause: 'caller_hangup',
    ringSeconds: 5, talkSeconds: 52.5, holdSeconds: 7.5, extension: '1002', recordingId: 4,
  });
  t.same(store.calls.unfinished(), []);
  t.equal(store.calls.get('nope'), undefined);
  t.throws(() => store.calls.open(base), 'one row per call id');
});

t.test('calls are listed newest first, filtered by time, direction and number digits', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  store.calls.open(base);
  store.calls.open({ ...base, id: 'c2', sipCallId: 'sip-2', direction: 'outbound', lineId: 1, extension: '1001', caller: '1001', callerNorm: '1001', callerName: '', callee: '+86 138-0013-8000', startedAt: 2000 });
  store.calls.open({ ...base, id: 'c3', sipCallId: 'sip-3', direction: 'internal', lineId: null, extension: '1002', caller: '1001', callerNorm: '1001', callerName: '', callee: '1002', startedAt: 3000 });
  const ids = (opts: Parameters<typeof store.calls.list>[0]) => store.calls.list(opts).map((c) => c.id);

  t.same(ids({}), ['c3', 'c2', 'c1']);
  t.same(ids({ limit: 2 }), ['c3', 'c2']);
  t.same(ids({ since: 2000 }), ['c3', 'c2']);
  t.same(ids({ direction: 'outbound' }), ['c2']);
  t.same(ids({ number: '02155550199' }), ['c1'], 'the caller, normalised');
  t.same(ids({ number: '5550199' }), ['c1'], 'part of the number');
  t.same(ids({ number: '13800138000' }), ['c2'], 'the callee, formatting ignored');
  t.same(ids({ number: '1001' }), ['c3', 'c2'], 'an extension as caller');
  t.same(ids({ number: '1002', direction: 'internal', since: 3000 }), ['c3'], 'filters combine');
  t.same(ids({ number: '999999' }), []);
});

t.test('a call event can be read back per call, in order', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  store.calls.open(base);
  store.calls.open({ ...base, id: 'c2', sipCallId: 'sip-2' });
  store.events.append('call.offered', { caller: '1' }, { callId: 'c1', at: 10 });
  store.events.append('call.offered', { caller: '2' }, { callId: 'c2', at: 11 });
  store.events.append('system.rtpengine.restarted', {}, { at: 12 });
  store.events.append('call.ended', { cause: 'x' }, { callId: 'c1', at: 9 });
  t.same(store.events.forCall('c1').map((e) => [e.type, e.at, e.data]), [['call.offered', 10, { caller: '1' }], ['call.ended', 9, { cause: 'x' }]]);
  t.same(store.events.forCall('c9'), []);
});

t.test('the sticky agent is who last answered or called this customer, since a time', async (t) => {
  const store = openStore(t.testdir({}));
  t.teardown(() => store.close());
  for (const ext of ['1001', '1002', '1003']) store.extensions.upsert({ ext, displayName: '', realm: 'octoline', ha1Md5: 'x', ha1Sha256: 'y' });
  const cdr = { endedAt: 0, disposition: 'answered' as const, cause: 'caller_hangup', ringSeconds: 1, talkSeconds: 1, holdSeconds: 0, recordingId: null };
  const call = (id: string, o: Partial<CallOpen>, answeredBy: string | null) => {
    store.calls.open({ ...base, id, sipCallId: id, ...o });
    const startedAt = o.startedAt ?? base.startedAt;
    store.calls.finalize(id, { ...cdr, endedAt: startedAt + 60_000, answeredAt: answeredBy ? startedAt + 5000 : null, extension: answeredBy, disposition: answeredBy ? 'answered' : 'no_answer' });
  };
  call('in1', { startedAt: 1000 }, '1001');
  call('out1', { direction: 'outbound', extension: '1002', caller: '1002', callerNorm: '1002', callee: '021-5555 0199', startedAt: 2000 }, '1002');
  call('missed', { startedAt: 3000 }, null);
  call('other', { caller: '021-5555-0177', callerNorm: '02155550177', startedAt: 4000 }, '1003');
  call('internal', { direction: 'internal', caller: '1003', callerNorm: '1003', callee: '02155550199', startedAt: 5000 }, '1003');

  t.equal(store.calls.lastAgentFor('02155550199', 0), '1002', 'an outbound call the agent placed, its number formatting ignored');
  call('in2', { startedAt: 6000 }, '1001');
  t.equal(store.calls.lastAgentFor('02155550199', 0), '1001', 'the most recent answered one');
  t.equal(store.calls.lastAgentFor('02155550199', 6001), undefined, 'none since then');
  t.equal(store.calls.lastAgentFor('02155550177', 0), '1003');
  t.equal(store.calls.lastAgentFor('5550199', 0), undefined, 'the whole number, not a part');
  t.equal(store.calls.lastAgentFor('', 0), undefined, 'a withheld number has no agent');

  const used = (store.db.prepare(`EXPLAIN QUERY PLAN ${LAST_AGENT_SQL}`).all({ number: '02155550199', since: 0 }) as Array<{ detail: string }>)
    .map((r) => r.detail).join('; ');
  t.match(used, /USING INDEX calls_caller/, used);
  t.match(used, /USING INDEX calls_callee/, 'the outbound half uses its index too');
});
