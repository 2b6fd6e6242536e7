import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { FakeClock } from '../../drivers/clock.js';
import { probeDuration } from '../../drivers/ffmpeg/index.js';
import { FFMPEG_PATH } from '../../drivers/ffmpeg/probe-duration.js';
import { EventBus, type BoxEvent } from '../events/bus.js';
import { Store } from '../store/store.js';
import { CallbackList } from './callback-list.js';
import { VoicemailBox } from './voicemail-box.js';

const run = promisify(execFile);

interface Rig { dir: string; dataDir: string; store: Store; events: BoxEvent[]; box: VoicemailBox; callbacks: CallbackList; clock: FakeClock }

function rig(t: Test): Rig {
  const dir = t.testdir({ data: {}, rec: {} });
  const dataDir = join(dir, 'data');
  const store = Store.open(dataDir);
  t.teardown(() => store.close());
  const call = store.db.prepare(`INSERT INTO calls (id, sip_call_id, direction, caller, started_at) VALUES (?, ?, 'inbound', ?, 1)`);
  call.run('call-1', 's1', '021-5555-0199');
  call.run('call-2', 's2', '13800138000');
  const clock = new FakeClock(Date.UTC(2026, 4, 1, 2, 0, 0));
  const log = pino({ level: 'silent' });
  const bus = new EventBus({ events: store.events, log, now: () => clock.now() });
  const events: BoxEvent[] = [];
  bus.on('event', (e) => events.push(e));
  const callbacks = new CallbackList({ store, bus, log, clock });
  const box = new VoicemailBox({ store, bus, log, callbacks, clock }, { dataDir });
  return { dir, dataDir, store, events, box, callbacks, clock };
}

/** What the call engine's recorder leaves: an 8 kHz mono 16-bit WAV of the caller's message. */
async function message(dir: string, name: string, seconds: number): Promise<string> {
  const path = join(dir, name);
  await run(FFMPEG_PATH, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=330:duration=${seconds}:sample_rate=8000`,
    '-ac', '1', '-c:a', 'pcm_s16le', path]);
  return path;
}

t.test('a message is stored as a playable Ogg file with its row, on the callback list, with voicemail.left', async (t) => {
  const { dir, dataDir, store, events, box } = rig(t);
  const wav = await message(join(dir, 'rec'), 'msg.wav', 3);
  const row = await box.saveMessage({ mailbox: '1001', callId: 'call-1', caller: '021-5555-0199', wavPath: wav });
  if (!row) return t.fail('stored');
  t.match(row, {
    mailbox: '1001', callId: 'call-1', caller: '021-5555-0199', path: `voicemail/1001/${row.id}.ogg`, state: 'new',
    createdAt: Date.UTC(2026, 4, 1, 2, 0, 0), heardAt: null,
  });
  const file = join(dataDir, row.path);
  t.ok(Math.abs(await probeDuration(file) - 3000) <= 60, 'the file plays 3 s');
  t.ok(Math.abs(row.durationMs - 3000) <= 60, `row: ${row.durationMs} ms`);
  const bytes = await readFile(file);
  t.equal(row.sizeBytes, bytes.length);
  t.equal(row.sha256, createHash('sha256').update(bytes).digest('hex'));
  t.equal(bytes.subarray(0, 4).toString('latin1'), 'OggS');
  t.notOk(existsSync(wav), 'the WAV is removed once stored');
  t.same(await readdir(join(dataDir, 'voicemail', '1001')), [`${row.id}.ogg`], 'no temp file left');

  t.match(store.callbacks.pending(), [{ callId: 'call-1', number: '021-5555-0199', source: 'voicemail', state: 'pending' }]);
  t.match(events.map((e) => [e.type, e.callId, e.data]), [
    ['voicemail.left', 'call-1', { mailbox: '1001', id: row.id, durationMs: row.durationMs }],
    ['callback.requested', 'call-1', { number: '021-5555-0199', source: 'voicemail' }],
  ]);
  t.equal(store.events.recent({ type: 'voicemail.left' }).length, 1, 'in the event log');
});

t.test('a message under 1 s (or with no audio) is discarded with voicemail.empty; the caller is still called back once', async (t) => {
  const { dir, dataDir, store, events, box } = rig(t);
  const short = await message(join(dir, 'rec'), 'short.wav', 0.5);
  t.equal(await box.saveMessage({ mailbox: '1001', callId: 'call-2', caller: '13800138000', wavPath: short }), undefined);
  t.notOk(existsSync(short), 'discarded');
  const none = join(dir, 'rec', 'none.wav');
  await run(FFMPEG_PATH, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono', '-t', '0', '-c:a', 'pcm_s16le', none]);
  t.equal(await box.saveMessage({ mailbox: '1001', callId: 'call-2', caller: '13800138000', wavPath: none }), undefined, 'a header-only WAV is 0 ms');
  t.same(store.voicemail.list(), [], 'no message rows');
  t.notOk(existsSync(join(dataDir, 'voicemail')), 'no files');
  t.match(events.filter((e) => e.type === 'voicemail.empty').map((e) => [e.callId, e.data]), [
    ['call-2', { mailbox: '1001', durationMs: 500 }],
    ['call-2', { mailbox: '1001', durationMs: 0 }],
  ]);
  t.equal(store.callbacks.pending().length, 1, 'one callback for the number, not two');
});

t.test('anonymous callers are stored but not put on the callback list', async (t) => {
  const { dir, store, box } = rig(t);
  const row = await box.saveMessage({ mailbox: 'group:sales', callId: null, caller: 'anonymous', wavPath: await message(join(dir, 'rec'), 'a.wav', 1.5) });
  t.match(row, { mailbox: 'group:sales', callId: null, path: `voicemail/group:sales/${row?.id}.ogg` });
  t.same(store.callbacks.pending(), []);
});

t.test('heard and delete; a bad mailbox or a bad WAV is refused and the WAV kept', async (t) => {
  const { dir, dataDir, store, events, box, clock } = rig(t);
  const row = await box.saveMessage({ mailbox: '1001', callId: 'call-1', caller: '021-5555-0199', wavPath: await message(join(dir, 'rec'), 'm.wav', 2) });
  if (!row) return t.fail('stored');
  clock.advance(60_000);
  t.match(box.markHeard(row.id), { state: 'heard', heardAt: Date.UTC(2026, 4, 1, 2, 1, 0) });
  t.match(events.at(-1), { type: 'voicemail.heard', callId: 'call-1', data: { mailbox: '1001', id: row.id } });
  t.throws(() => box.markHeard(999), { code: 'VOICEMAIL_NOT_FOUND', message: 'no voicemail message 999 (see: octoline voicemail list)' });
  t.match(await box.delete(row.id), { state: 'deleted', path: row.path });
  t.notOk(existsSync(join(dataDir, row.path)), 'the file is gone');
  t.throws(() => box.markHeard(row.id), { code: 'VOICEMAIL_NOT_FOUND' }, 'a deleted message');
  await t.rejects(box.delete(row.id), { code: 'VOICEMAIL_NOT_FOUND' });

  const wav = await message(join(dir, 'rec'), 'k.wav', 2);
  for (const mailbox of ['', '../etc', 'a/b', '.hidden']) {
    await t.rejects(box.saveMessage({ mailbox, callId: null, caller: '1', wavPath: wav }), { code: 'VOICEMAIL_BAD_MAILBOX' }, `"${mailbox}"`);
  }
  await mkdir(join(dir, 'rec'), { recursive: true });
  const junk = join(dir, 'rec', 'junk.wav');
  await writeFile(junk, 'RIFF but really just some text that is long enough to not look like an empty header'.repeat(40));
  await t.rejects(box.saveMessage({ mailbox: '1001', callId: 'call-1', caller: '1', wavPath: junk }), { code: 'FFPROBE_FAILED' });
  t.ok(existsSync(junk) && existsSync(wav), 'the WAVs are kept for a look');
  t.equal(store.voicemail.list({ includeDeleted: true }).length, 1, 'no rows added');
});

t.test('the callback list: done and cancelled with a note, events, clear refusals', async (t) => {
  const { store, events, callbacks } = rig(t);
  const { callback, added } = callbacks.request({ callId: 'call-2', number: ' 13800138000 ', source: 'ivr', wantedAt: Date.UTC(2026, 4, 1, 10, 0, 0) });
  t.equal(added, true);
  t.match(callback, { number: '13800138000', source: 'ivr', wantedAt: Date.UTC(2026, 4, 1, 10, 0, 0), state: 'pending' });
  t.equal(callbacks.request({ callId: null, number: '13800138000', source: 'voicemail' }).added, false, 'already waiting');
  t.match(callbacks.done(callback.id, 'called back, happy'), { state: 'done', note: 'called back, happy', doneAt: Number });
  t.match(events.at(-1), { type: 'callback.done', callId: 'call-2', data: { callbackId: callback.id } });
  t.throws(() => callbacks.done(callback.id), { code: 'CALLBACK_CLOSED', message: `callback ${callback.id} is already done` });
  t.throws(() => callbacks.cancel(42), { code: 'CALLBACK_NOT_FOUND', message: 'no callback 42 (see: octoline callbacks list)' });
  t.throws(() => callbacks.request({ callId: null, number: 'anonymous', source: 'ivr' }), { code: 'CALLBACK_BAD_NUMBER' });
  const again = callbacks.request({ callId: null, number: '13800138000', source: 'queue' });
  t.equal(again.added, true, 'a new request once the last one is done');
  t.match(callbacks.cancel(again.callback.id), { state: 'cancelled' });
  t.equal(store.callbacks.pending().length, 0);
});
