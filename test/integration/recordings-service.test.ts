import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { probeDuration } from '../../drivers/ffmpeg/index.js';
import { EventBus, type BoxEvent } from '../../daemon/events/bus.js';
import { Recordings } from '../../daemon/recording/recordings.js';
import { Store } from '../../daemon/store/store.js';
import { startRtpengine, type TestRtpengine } from '../helpers/rtpengine.js';
import { testLogger } from '../helpers/log.js';
import { makeTestBox, runCli } from '../helpers/octoline.js';
import { formatBoxTime } from '../../daemon/cli/box-time.js';
import { dominantFrequency } from '../helpers/tone.js';
import { udpSocket, toneSender } from '../helpers/rtp.js';

const run = promisify(execFile);

const sdp = (port: number) => [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', '',
].join('\r\n');

const mediaPort = (s: string) => Number(/m=audio (\d+)/.exec(s)?.[1]);



interface RecordedCall { mediaId: string; callerPort: number; agentPort: number }

/**
 * Calls recorded by rtpengine at the same time, `seconds` long: on each, the caller sends
 * `callerHz` and the agent `agentHz`, one starting a packet after the other (the caller first unless
 * `agentFirst`); then each call is deleted, which closes its pcap in the spool.
 */
async function recordCalls(t: Test, rt: TestRtpengine, calls: Array<{ mediaId: string; callerHz: number; agentHz: number; agentFirst?: boolean }>, seconds: number): Promise<RecordedCall[]> {
  const ng = rt.supervisor.client;
  const legs = [];
  for (const c of calls) {
    const [a, b] = [await udpSocket(t), await udpSocket(t)];
    const offer = await ng.offer({ 'call-id': c.mediaId, 'from-tag': 'A', sdp: sdp(a.address().port), 'record call': 'yes' });
    const answer = await ng.answer({ 'call-id': c.mediaId, 'from-tag': 'A', 'to-tag': 'B', sdp: sdp(b.address().port), 'record call': 'yes' });
    const caller = toneSender(a, mediaPort(answer.sdp), c.callerHz, 0x1111aaaa);
    const agent = toneSender(b, mediaPort(offer.sdp), c.agentHz, 0x2222bbbb);
    legs.push({
      call: { mediaId: c.mediaId, callerPort: a.address().port, agentPort: b.address().port },
      first: c.agentFirst ? agent : caller,
      second: c.agentFirst ? caller : agent,
    });
  }
  const packets = seconds * 50;
  const started = performance.now();
  for (let i = 0; i <= packets; i++) {
    for (const l of legs) {
      if (i < packets) l.first();
      if (i > 0) l.second();
    }
    const wait = started + (i + 1) * 20 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await sleep(100);
  for (const c of calls) await ng.delete({ 'call-id': c.mediaId, 'from-tag': 'A' });
  return legs.map((l) => l.call);
}

function service(store: Store, rt: TestRtpengine, dataDir: string, format: 'opus' | 'mp3') {
  const log = testLogger();
  const bus = new EventBus({ events: store.events, log });
  const events: BoxEvent[] = [];
  bus.on('event', (e) => events.push(e));
  const rec = new Recordings({ log, store, bus }, { dataDir, spoolDir: rt.spoolDir, format, retentionDays: 180, minFreeMb: 0 });
  return { rec, bus, events };
}

/** The compressed file decoded back to 8 kHz stereo WAV, for the tone checks. */
async function decoded(file: string, out: string): Promise<string> {
  await run('ffmpeg', ['-v', 'error', '-y', '-i', file, '-ar', '8000', '-c:a', 'pcm_s16le', out]);
  return out;
}

t.test('recorded calls become stereo MP3 and Opus files with a done row, one conversion at a time; a leftover is converted at the next start', async (t) => {
  const rt = await startRtpengine(t);
  const dataDir = join(rt.spoolDir, '..', 'data'); // t.testdir() again would empty rtpengine's spool
  await mkdir(dataDir, { recursive: true });
  const store = Store.open(dataDir);
  t.teardown(() => store.close());
  const pid = process.pid;
  const specs = [
    { callId: 'call-a', mediaId: `a-${pid}@127.0.0.1`, callerHz: 1000, agentHz: 500 },
    // The agent speaks first on call b: only the left selector (the caller's SDP) puts the caller left.
    { callId: 'call-b', mediaId: `b-${pid}@127.0.0.1`, callerHz: 440, agentHz: 2000, agentFirst: true },
    { callId: 'call-c', mediaId: `c-${pid}@127.0.0.1`, callerHz: 697, agentHz: 1209 },
  ];
  for (const s of specs) store.db.prepare(`INSERT INTO calls (id, sip_call_id, direction, started_at) VALUES (?, ?, 'inbound', ?)`).run(s.callId, s.mediaId, Date.now());

  // MP3 first: it keeps the two channels apart at its bit rate, so the channel placement shows.
  const first = service(store, rt, dataDir, 'mp3');
  const ids = specs.map((s) => first.rec.begin(s.callId, s.mediaId));
  const calls = await recordCalls(t, rt, specs, 2);
  const [a, b] = [calls[0] as RecordedCall, calls[1] as RecordedCall];

  // Both calls end together: b waits until a is converted (its row is untouched when a is ready).
  let bStateWhenAReady = '';
  first.bus.on('event', (e) => {
    if (e.type === 'recording.ready' && e.data['recordingId'] === ids[0]) bStateWhenAReady = store.recordings.get(ids[1] as number)?.state ?? '';
  });
  await Promise.all([
    first.rec.finish(ids[0] as number, { left: { address: '127.0.0.1', port: a.callerPort }, dtmfPayloadTypes: [101] }),
    first.rec.finish(ids[1] as number, { left: { address: '127.0.0.1', port: b.callerPort } }),
  ]);
  t.equal(bStateWhenAReady, 'recording', 'one conversion at a time');

  for (const [i, s] of specs.slice(0, 2).entries()) {
    const id = ids[i] as number;
    const row = store.recordings.get(id);
    const day = new Date(row?.startedAt ?? 0).toISOString().slice(0, 10).replaceAll('-', '/');
    t.match(row, { state: 'done', callId: s.callId, format: 'mp3', path: `recordings/${day}/${s.callId}.mp3`, error: null }, `${s.callId}: row done`);
    const file = join(dataDir, row?.path ?? '');
    const bytes = await readFile(file);
    t.equal(row?.sizeBytes, bytes.length, `${s.callId}: size_bytes is the file's size`);
    t.equal(row?.sha256, createHash('sha256').update(bytes).digest('hex'), `${s.callId}: sha256 matches the file`);
    // MP3 at 8 kHz: 72 ms frames plus encoder delay (docs/recording.md).
    t.ok(Math.abs((row?.durationMs ?? 0) - 2000) <= 250, `${s.callId}: about 2 s long (${row?.durationMs} ms)`);
    t.equal(await probeDuration(file), row?.durationMs, `${s.callId}: ffprobe agrees with the row`);
    t.ok((row?.finishedAt ?? 0) >= (row?.startedAt ?? Infinity), `${s.callId}: finished after it started`);
    const wav = await decoded(file, join(dataDir, `${s.callId}.check.wav`));
    t.equal(await dominantFrequency(wav, { channel: 0 }), s.callerHz, `${s.callId}: the caller is left`);
    t.equal(await dominantFrequency(wav, { channel: 1 }), s.agentHz, `${s.callId}: the agent is right`);
    t.match(first.events.find((e) => e.type === 'recording.ready' && e.data['recordingId'] === id), {
      callId: s.callId, data: { recordingId: id, path: row?.path, durationMs: row?.durationMs, bytes: row?.sizeBytes },
    }, `${s.callId}: recording.ready published`);
  }
  const spool = async (d: string) => (await readdir(join(rt.spoolDir, d)).catch(() => [] as string[])).filter((n) => !n.includes(`c-${pid}`));
  t.same(await spool('pcaps'), [], 'the converted calls\' pcaps are deleted');
  t.same(await spool('metadata'), [], 'and their metadata files');
  t.same(await spool('work'), [], 'and the WAVs');
  t.same(store.events.recent({ type: 'call.recording' }).map((e) => e.callId).sort(), ['call-a', 'call-b', 'call-c'], 'call.recording logged for each call');

  // Call c was never finished: the daemon "crashed". The next start converts it.
  await first.rec.stop();
  const second = service(store, rt, dataDir, 'opus');
  t.equal(await second.rec.recoverPending(), 1, 'one recording left over');
  const c = store.recordings.get(ids[2] as number);
  t.match(c, { state: 'done', format: 'opus', path: /^recordings\/\d{4}\/\d{2}\/\d{2}\/call-c\.ogg$/ }, 'converted at the next start');
  t.ok(Math.abs((c?.durationMs ?? 0) - 2000) <= 60, `about 2 s long (${c?.durationMs} ms)`);
  const file = join(dataDir, c?.path ?? '');
  t.equal(c?.sha256, createHash('sha256').update(await readFile(file)).digest('hex'), 'sha256 matches the file');
  t.match(second.events.find((e) => e.type === 'recording.ready'), { callId: 'call-c', data: { recordingId: ids[2], path: c?.path } }, 'recording.ready published');
  const wav = await decoded(file, join(dataDir, 'call-c.check.wav'));
  t.equal(await dominantFrequency(wav, { channel: 0 }), 697, 'default order: the first stream seen (the caller) is left');
  t.equal(await dominantFrequency(wav, { channel: 1 }), 1209, 'the agent is right (Opus at 24 kbit/s keeps the channels apart)');
  t.same(await readdir(join(rt.spoolDir, 'pcaps')), [], 'no pcap left in the spool');
  t.same(await readdir(join(rt.spoolDir, 'metadata')), [], 'no metadata file left');
  t.equal(await second.rec.recoverPending(), 0, 'nothing left the second time');
  t.notOk(existsSync(join(rt.spoolDir, 'failed')), 'nothing failed');
  await second.rec.stop();
});

t.test('octoline recordings list shows the index and sweep applies the retention now', async (t) => {
  const box = await makeTestBox(t, '[recording]\nretention_days = 30\n');
  const store = Store.open(box.dataDir);
  const day = 24 * 60 * 60 * 1000;
  const started = Math.floor((Date.now() - 2 * day) / 60_000) * 60_000; // two days ago, on a whole minute
  const ids: number[] = [];
  for (const [i, callId] of ['old', 'new', 'bad'].entries()) {
    store.db.prepare(`INSERT INTO calls (id, sip_call_id, direction, started_at) VALUES (?, ?, 'inbound', ?)`).run(callId, `${callId}@gw`, started);
    ids.push(store.recordings.insert({ callId, mediaId: `${callId}@gw`, startedAt: started + i * 60_000 }));
  }
  const oldPath = 'recordings/2025/01/01/old.ogg';
  await mkdir(join(box.dataDir, 'recordings', '2025', '01', '01'), { recursive: true });
  await writeFile(join(box.dataDir, oldPath), 'opus');
  store.recordings.setState(ids[0] as number, 'done', { path: oldPath, format: 'opus', sizeBytes: 6144, durationMs: 65_400, sha256: 'a'.repeat(64), startedAt: Date.now() - 40 * day, finishedAt: Date.now() - 40 * day });
  store.recordings.setState(ids[1] as number, 'done', { path: 'recordings/2025/01/02/new.ogg', format: 'opus', sizeBytes: 3000, durationMs: 3000, sha256: 'b'.repeat(64), finishedAt: started + 70_000 });
  store.recordings.setState(ids[2] as number, 'failed', { error: 'PCAP_BAD_MAGIC: not a pcap', finishedAt: started + 130_000 });
  store.close();
  const c = ['--config', box.configPath];

  const list = await runCli(['recordings', 'list', ...c]);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, /^ID\s+STARTED\s+CALL\s+STATE\s+LENGTH\s+SIZE\s+FILE$/m);
  const at = formatBoxTime(started + 60_000, 'Asia/Shanghai');
  t.match(list.stdout, new RegExp(`^2\\s+${at}\\s+new\\s+done\\s+0:03\\s+3 KB\\s+recordings/2025/01/02/new\\.ogg$`, 'm'), 'times at the box (Asia/Shanghai by default)');
  t.match(list.stdout, /^3\s+\S+ \S+\s+bad\s+failed\s+-\s+-\s+\(PCAP_BAD_MAGIC\)$/m);
  t.match(list.stdout, /^1\s+\S+ \S+\s+old\s+done\s+1:05\s+6 KB\s+recordings\/2025\/01\/01\/old\.ogg$/m);
  const json = await runCli(['recordings', 'list', '--json', '--limit', '1', ...c]);
  t.equal(json.code, 0, json.stderr);
  t.same(JSON.parse(json.stdout), [{
    id: 3, callId: 'bad', state: 'failed', mediaId: 'bad@gw', path: null, format: null, sizeBytes: null, durationMs: null, sha256: null,
    startedAt: new Date(started + 120_000).toISOString(), finishedAt: new Date(started + 130_000).toISOString(), error: 'PCAP_BAD_MAGIC: not a pcap',
  }], 'newest first, one row');
  const bad = await runCli(['recordings', 'list', '--limit', 'many', ...c]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /--limit.*many.*whole number from 1 to 10000/);

  const sweep = await runCli(['recordings', 'sweep', ...c]);
  t.equal(sweep.code, 0, sweep.stderr);
  t.match(sweep.stdout, /^✓ 1 recording older than 30 days deleted/);
  t.notOk(existsSync(join(box.dataDir, oldPath)), 'the 40-day-old file is gone');
  const after = Store.open(box.dataDir);
  t.teardown(() => after.close());
  t.match(after.recordings.get(ids[0] as number), { state: 'deleted', path: oldPath }, 'its row stays, marked deleted');
  t.equal(after.recordings.get(ids[1] as number)?.state, 'done');
  t.match(after.events.recent({ type: 'recording.deleted' }), [{ callId: 'old', data: { recordingId: ids[0], reason: 'retention' } }], 'logged as an event');
  const again = await runCli(['recordings', 'sweep', ...c]);
  t.match(again.stdout, /^✓ 0 recordings older than 30 days deleted/);
});
