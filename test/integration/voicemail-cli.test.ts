import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { FakeClock } from '../../drivers/clock.js';
import { probeDuration } from '../../drivers/ffmpeg/index.js';
import { FFMPEG_PATH } from '../../drivers/ffmpeg/probe-duration.js';
import { EventBus } from '../../daemon/events/bus.js';
import { CallbackList } from '../../daemon/ivr/callback-list.js';
import { VoicemailBox } from '../../daemon/ivr/voicemail-box.js';
import { Store } from '../../daemon/store/store.js';
import { makeTestBox, runCli, type TestBox } from '../helpers/octoline.js';

const run = promisify(execFile);

/** 2026-05-01 09:00:00 at the box (time_zone defaults to Asia/Shanghai, UTC+8). */
const T0 = Date.UTC(2026, 4, 1, 1, 0, 0);

async function setUpBox(t: Test): Promise<TestBox> {
  const box = await makeTestBox(t);
  const r = await runCli(['setup', '--config', box.configPath, '--yes', '--admin-password', 'correct-horse-battery', '--data-dir', box.dataDir,
    '--line', '1=02155550101', '--extension', '1001:pass-1001-ok']);
  t.equal(r.code, 0, r.stderr);
  return box;
}

/** A tone made by ffmpeg; the extension picks the container, `args` the codec. */
async function audio(dir: string, name: string, seconds: number, args: string[] = []): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await run(FFMPEG_PATH, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=330:duration=${seconds}:sample_rate=44100`, ...args, path]);
  return path;
}

/** Two messages and an IVR callback request, written the way the daemon writes them. */
async function seed(box: TestBox): Promise<{ first: number; second: number }> {
  const store = Store.open(box.dataDir);
  try {
    const clock = new FakeClock(T0);
    const log = pino({ level: 'silent' });
    const bus = new EventBus({ events: store.events, log, now: () => clock.now() });
    const callbacks = new CallbackList({ store, bus, log, clock });
    const vm = new VoicemailBox({ store, bus, log, callbacks, clock }, { dataDir: box.dataDir });
    const call = store.db.prepare(`INSERT INTO calls (id, sip_call_id, direction, caller, started_at) VALUES (?, ?, 'inbound', ?, ?)`);
    call.run('c-1', 's1', '021-5555-0199', T0);
    call.run('c-2', 's2', '13800138000', T0);
    call.run('c-3', 's3', '13900139000', T0);
    const rec = join(box.dir, 'rec');
    const first = await vm.saveMessage({ mailbox: '1001', callId: 'c-1', caller: '021-5555-0199', wavPath: await audio(rec, 'a.wav', 4, ['-ar', '8000', '-ac', '1']) });
    clock.advance(3_600_000);
    const second = await vm.saveMessage({ mailbox: 'group:sales', callId: 'c-2', caller: '13800138000', wavPath: await audio(rec, 'b.wav', 65, ['-ar', '8000', '-ac', '1']) });
    clock.advance(60_000);
    callbacks.request({ callId: 'c-3', number: '13900139000', source: 'ivr', wantedAt: Date.UTC(2026, 4, 1, 10, 0, 0), note: 'order 4711' });
    if (!first || !second) throw new Error('messages not stored');
    return { first: first.id, second: second.id };
  } finally {
    store.close();
  }
}

t.test('octoline voicemail lists messages and marks them heard; callbacks list and done', async (t) => {
  const box = await setUpBox(t);
  const { first, second } = await seed(box);
  const c = ['--config', box.configPath];

  const list = await runCli(['voicemail', 'list', ...c]);
  t.equal(list.code, 0, list.stderr);
  const lines = list.stdout.trimEnd().split('\n');
  t.match(lines[0], /^ID\s+LEFT\s+MAILBOX\s+CALLER\s+LENGTH\s+STATE\s+FILE$/);
  t.match(lines[1], new RegExp(`^${second}\\s+2026-05-01 10:00:00\\s+group:sales\\s+13800138000\\s+1:05\\s+new\\s+voicemail/group:sales/${second}\\.ogg$`));
  t.match(lines[2], new RegExp(`^${first}\\s+2026-05-01 09:00:00\\s+1001\\s+021-5555-0199\\s+0:04\\s+new\\s+voicemail/1001/${first}\\.ogg$`));
  t.equal(lines.length, 3);

  const json = JSON.parse((await runCli(['voicemail', 'list', '1001', '--json', ...c])).stdout) as Array<Record<string, unknown>>;
  t.equal(json.length, 1, 'one mailbox');
  t.match(json[0], { id: first, mailbox: '1001', callId: 'c-1', caller: '021-5555-0199', state: 'new', createdAt: '2026-05-01T01:00:00.000Z', heardAt: null });
  const file = String(json[0]?.file);
  t.equal(file, join(box.dataDir, 'voicemail', '1001', `${first}.ogg`));
  t.ok(Math.abs(await probeDuration(file) - 4000) <= 60, 'the message file plays 4 s');

  const heard = await runCli(['voicemail', 'heard', String(first), ...c]);
  t.equal(heard.code, 0, heard.stderr);
  t.equal(heard.stdout, `✓ message ${first} (1001, from 021-5555-0199) marked heard\n`);
  const unheard = JSON.parse((await runCli(['voicemail', 'list', '--new', '--json', ...c])).stdout) as Array<{ id: number }>;
  t.same(unheard.map((m) => m.id), [second], '--new leaves the heard one out');
  t.match((await runCli(['voicemail', 'list', 'nobody', ...c])).stdout, /^No messages\.$/m);

  const missing = await runCli(['voicemail', 'heard', '999', ...c]);
  t.equal(missing.code, 1);
  t.equal(missing.stderr, 'octoline: no voicemail message 999 (see: octoline voicemail list)\n');

  const pending = await runCli(['callbacks', 'list', '--pending', ...c]);
  t.equal(pending.code, 0, pending.stderr);
  const cb = pending.stdout.trimEnd().split('\n');
  t.match(cb[0], /^ID\s+ASKED\s+NUMBER\s+WANTED\s+SOURCE\s+STATE\s+NOTE$/);
  t.match(cb[1], /^1\s+2026-05-01 09:00:00\s+021-5555-0199\s+asap\s+voicemail\s+pending$/, 'the missed calls that reached voicemail are on the list');
  t.match(cb[2], /^2\s+2026-05-01 10:00:00\s+13800138000\s+asap\s+voicemail\s+pending$/);
  t.match(cb[3], /^3\s+2026-05-01 10:01:00\s+13900139000\s+2026-05-01 18:00:00\s+ivr\s+pending\s+order 4711$/, 'wanted at 18:00: after the as-soon-as-possible ones');

  const done = await runCli(['callbacks', 'done', '1', '--note', 'called back, resent invoice', ...c]);
  t.equal(done.code, 0, done.stderr);
  t.equal(done.stdout, '✓ callback 1 to 021-5555-0199 done\n');
  const all = JSON.parse((await runCli(['callbacks', 'list', '--json', ...c])).stdout) as Array<Record<string, unknown>>;
  t.same(all.map((r) => r.id), [3, 2, 1], 'newest first');
  t.match(all[2], { state: 'done', note: 'called back, resent invoice', source: 'voicemail', callId: 'c-1', wantedAt: null, doneAt: /^2\d{3}-/ });
  const again = await runCli(['callbacks', 'done', '1', ...c]);
  t.equal(again.code, 1);
  t.equal(again.stderr, 'octoline: callback 1 is already done\n');
  const bad = await runCli(['callbacks', 'done', 'x', ...c]);
  t.not(bad.code, 0);
  t.match(bad.stderr, /use the number in the ID column of the list/);

  const store = Store.open(box.dataDir);
  t.teardown(() => store.close());
  t.same(store.events.recent({ limit: 50 }).map((e) => e.type).filter((ty) => /^(voicemail|callback)\./.test(ty)).sort(),
    ['callback.done', 'callback.requested', 'callback.requested', 'callback.requested', 'voicemail.heard', 'voicemail.left', 'voicemail.left'],
    'every change is an event');
});

t.test('octoline prompts add, list and remove uploads; a bad file changes nothing', async (t) => {
  const box = await setUpBox(t);
  const c = ['--config', box.configPath];
  const src = join(box.dir, 'src');
  t.match((await runCli(['prompts', 'list', ...c])).stdout, /^No uploaded prompts yet/);

  const add = await runCli(['prompts', 'add', 'spring-promo', await audio(src, 'promo.mp3', 2, ['-ac', '2', '-c:a', 'libmp3lame']), ...c]);
  t.equal(add.code, 0, add.stderr);
  t.equal(add.stdout, '✓ prompt upload:spring-promo added (2.0 s, 8 kHz mono WAV); flows play it from the next call\n');
  const wav = join(box.dataDir, 'prompts', 'spring-promo.wav');
  const before = await readFile(wav);

  await writeFile(join(src, 'notes.mp3'), 'meeting notes, definitely not a song\n');
  const bad = await runCli(['prompts', 'add', 'spring-promo', join(src, 'notes.mp3'), ...c]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /^octoline: .*notes\.mp3 is not an audio file ffmpeg can read \(.*\); use WAV, MP3, OGG\/Opus, M4A\/AAC or FLAC\n$/);
  t.same(await readFile(wav), before, 'the previous upload is untouched');

  const ogg = await runCli(['prompts', 'add', 'after_hours', await audio(src, 'ah.ogg', 1, ['-c:a', 'libopus']), ...c]);
  t.equal(ogg.code, 0, ogg.stderr);
  const list = await runCli(['prompts', 'list', ...c]);
  t.match(list.stdout, /^NAME\s+FLOWS PLAY IT AS\s+LENGTH\s+SIZE\s+ADDED\nafter_hours\s+upload:after_hours\s+1\.0 s\s+\d+ KB\s+20\d\d-\d\d-\d\d \d\d:\d\d:\d\d\nspring-promo\s+upload:spring-promo\s+2\.0 s\s+\d+ KB/);
  const json = JSON.parse((await runCli(['prompts', 'list', '--json', ...c])).stdout) as Array<Record<string, unknown>>;
  t.match(json[1], { name: 'spring-promo', ref: 'upload:spring-promo', path: wav, durationMs: Number, sizeBytes: before.length });

  const badName = await runCli(['prompts', 'add', 'Spring Promo', join(src, 'ah.ogg'), ...c]);
  t.equal(badName.code, 1);
  t.match(badName.stderr, /^octoline: "Spring Promo" is not a prompt name: 1-48 lower-case letters/);

  const store = Store.open(box.dataDir);
  store.flows.save({ name: 'promo', nodes: { start: { type: 'play', prompts: ['upload:spring-promo'], next: 'bye' } } } as { name: string });
  store.close();
  const inUse = await runCli(['prompts', 'remove', 'spring-promo', ...c]);
  t.equal(inUse.code, 1);
  t.equal(inUse.stderr, 'octoline: prompt "spring-promo" is played by flow promo; take upload:spring-promo out of it first\n');
  t.ok(existsSync(wav), 'kept');

  const rm = await runCli(['prompts', 'remove', 'after_hours', ...c]);
  t.equal(rm.code, 0, rm.stderr);
  t.equal(rm.stdout, '✓ prompt upload:after_hours removed\n');
  t.notOk(existsSync(join(box.dataDir, 'prompts', 'after_hours.wav')));
  const gone = await runCli(['prompts', 'remove', 'after_hours', ...c]);
  t.equal(gone.stderr, 'octoline: no uploaded prompt "after_hours" (see: octoline prompts list)\n');
});
