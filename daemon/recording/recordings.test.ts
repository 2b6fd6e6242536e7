import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { EventBus, type BoxEvent } from '../events/bus.js';
import { openDatabase } from '../store/database.js';
import { Store } from '../store/store.js';
import { Recordings, type RecordingsOptions } from './recordings.js';
import { spoolName } from './spool.js';

const DAY = 24 * 60 * 60 * 1000;

interface Rig {
  dir: string;
  store: Store;
  events: BoxEvent[];
  rec: Recordings;
}

/** A store with one calls row per id, a bus that remembers what it published, and the service. */
function rig(t: Test, opts: Partial<RecordingsOptions> = {}, callIds = ['call-1']): Rig {
  const dir = t.testdir({ data: {}, spool: { pcaps: {}, metadata: {} } });
  const store = new Store(openDatabase(join(dir, 'data', 'octoline.db')));
  t.teardown(() => store.close());
  for (const id of callIds) {
    store.db.prepare(`INSERT INTO calls (id, sip_call_id, direction, started_at) VALUES (?, ?, 'inbound', ?)`).run(id, `${id}@gw`, Date.now());
  }
  const log = pino({ level: 'silent' });
  const bus = new EventBus({ events: store.events, log });
  const events: BoxEvent[] = [];
  bus.on('event', (e) => events.push(e));
  const rec = new Recordings({ log, store, bus }, {
    dataDir: join(dir, 'data'), spoolDir: join(dir, 'spool'), format: 'opus', retentionDays: 30, minFreeMb: 0, ...opts,
  });
  t.teardown(() => rec.stop());
  return { dir, store, events, rec };
}

t.test('rtpengine spells a call-id in file names URI-escaped', async (t) => {
  t.equal(spoolName('plain-1.x_y~z'), 'plain-1.x_y~z');
  t.equal(spoolName('a@b.c'), 'a%40b.c');
  t.equal(spoolName('x/y z%'), 'x%2Fy%20z%25', 'the forms rtpengine 10.5 wrote in our check');
  t.equal(spoolName("(it's)!*"), '%28it%27s%29%21%2A', 'glib escapes what encodeURIComponent leaves');
});

t.test('a corrupt pcap fails the recording, keeps the pcap in spool/failed and does not throw', async (t) => {
  const { dir, store, events, rec } = rig(t);
  const id = rec.begin('call-1', 'media-1@gw');
  t.match(events[0], { type: 'call.recording', callId: 'call-1', data: { recordingId: id } });
  t.match(store.recordings.get(id), { state: 'recording', mediaId: 'media-1@gw', callId: 'call-1' });
  const pcap = join(dir, 'spool', 'pcaps', 'media-1%40gw-0123456789abcdef.pcap');
  await writeFile(pcap, 'this is not a pcap file, it is a sentence');
  await writeFile(join(dir, 'spool', 'pcaps', 'media-1%40gw-2-0123456789abcdef.pcap'), 'another call of a similar name');

  await rec.finish(id, { left: { address: '127.0.0.1', port: 4000 } });
  const row = store.recordings.get(id);
  t.match(row, { state: 'failed', error: /^PCAP_BAD_MAGIC: /, path: null });
  t.ok((row?.finishedAt ?? 0) > 0, 'finished_at is set');
  t.notOk(existsSync(pcap), 'the pcap left the spool');
  t.equal(await readFile(join(dir, 'spool', 'failed', 'media-1%40gw-0123456789abcdef.pcap'), 'utf8'), 'this is not a pcap file, it is a sentence', 'kept as it was');
  t.ok(existsSync(join(dir, 'spool', 'pcaps', 'media-1%40gw-2-0123456789abcdef.pcap')), 'another call\'s pcap is left alone');
  t.same(await readdir(join(dir, 'spool', 'work')).catch(() => []), [], 'no work files left');
  t.match(events.at(-1), { type: 'recording.failed', callId: 'call-1', data: { recordingId: id, error: /PCAP_BAD_MAGIC/ } });
  t.same(store.events.recent({ type: 'recording.failed' }).map((e) => e.callId), ['call-1'], 'the event is in the log too');

  await rec.finish(id);
  t.equal(events.filter((e) => e.type === 'recording.failed').length, 1, 'finishing a failed recording again does nothing');
});

t.test('no pcap within 3 s is a failed recording, not an exception', async (t) => {
  const { store, events, rec } = rig(t);
  const id = rec.begin('call-1', 'never-recorded');
  await rec.finish(id);
  t.match(store.recordings.get(id), { state: 'failed', error: /^RECORDING_NO_PCAP: no pcap for media id never-recorded/ });
  t.match(events.at(-1), { type: 'recording.failed', data: { recordingId: id } });
  await t.resolves(rec.finish(424242), 'an unknown id is logged and ignored');
});

t.test('retention deletes the files of old recordings and keeps their rows', async (t) => {
  const { dir, store, events, rec } = rig(t, { retentionDays: 30 }, ['old', 'new', 'gone']);
  const now = Date.now();
  const make = async (callId: string, ageDays: number) => {
    const id = rec.begin(callId, `${callId}@gw`);
    const day = new Date(now - ageDays * DAY).toISOString().slice(0, 10).split('-');
    const path = join('recordings', ...day, `${callId}.ogg`);
    await mkdir(join(dir, 'data', 'recordings', ...day), { recursive: true });
    await writeFile(join(dir, 'data', path), 'opus bytes');
    store.recordings.setState(id, 'done', { path, format: 'opus', sizeBytes: 10, durationMs: 1000, sha256: '0'.repeat(64), startedAt: now - ageDays * DAY, finishedAt: now - ageDays * DAY + 60_000 });
    return { id, path };
  };
  const old = await make('old', 40);
  const fresh = await make('new', 2);
  const gone = await make('gone', 31);
  await unlink(join(dir, 'data', gone.path)); // someone removed it by hand
  events.length = 0;

  t.equal(rec.sweep(), 2, 'the 40- and 31-day-old recordings');
  t.notOk(existsSync(join(dir, 'data', old.path)), 'the old file is deleted');
  t.notOk(existsSync(join(dir, 'data', old.path, '..')), 'and its emptied day folder');
  t.ok(existsSync(join(dir, 'data', fresh.path)), 'the recent file stays');
  t.match(store.recordings.get(old.id), { state: 'deleted', path: old.path });
  t.match(store.recordings.get(gone.id), { state: 'deleted' }, 'a file already gone still closes the row');
  t.equal(store.recordings.get(fresh.id)?.state, 'done');
  t.same(events.map((e) => [e.type, e.callId, e.data]), [
    ['recording.deleted', 'old', { recordingId: old.id, reason: 'retention' }],
    ['recording.deleted', 'gone', { recordingId: gone.id, reason: 'retention' }],
  ]);
  t.equal(rec.sweep(), 0, 'a second sweep finds nothing');
});

t.test('retention 0 keeps recordings forever', async (t) => {
  const { store, rec } = rig(t, { retentionDays: 0 });
  const id = rec.begin('call-1', 'm');
  store.recordings.setState(id, 'done', { path: 'recordings/x.ogg', startedAt: 1, finishedAt: 2 });
  rec.start();
  t.equal(rec.sweep(), 0);
  t.equal(store.recordings.get(id)?.state, 'done');
});

t.test('below the disk floor recording pauses with one alert, and resumes', async (t) => {
  const { events, rec } = rig(t, { minFreeMb: 100_000_000 });
  t.equal(rec.canRecord(), false, '100 TB free is not there');
  t.equal(rec.canRecord(), false);
  rec.setMinFreeMb(100_000_001);
  t.equal(rec.canRecord(), false, 'checked again, still below');
  const paused = events.filter((e) => e.type === 'recording.paused');
  t.equal(paused.length, 1, 'one alert');
  t.match(paused[0], { data: { minFreeMb: 100_000_000, freeMb: Number } });
  t.equal(paused[0]?.callId, undefined, 'not tied to a call');
  rec.setMinFreeMb(1);
  t.equal(rec.canRecord(), true);
  t.match(events.at(-1), { type: 'recording.resumed', data: { minFreeMb: 1 } });
  t.equal(rec.canRecord(), true);
  t.equal(events.filter((e) => e.type === 'recording.resumed').length, 1, 'one resume');
});

t.test('after stop() a queued recording is left for the next start', async (t) => {
  const { store, rec } = rig(t);
  const id = rec.begin('call-1', 'media-late');
  await rec.stop();
  await rec.finish(id);
  t.equal(store.recordings.get(id)?.state, 'recording', 'untouched');
  t.same(store.recordings.pending().map((r) => r.id), [id], 'recoverPending will take it');
});
