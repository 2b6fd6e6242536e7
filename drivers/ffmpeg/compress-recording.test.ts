import t from 'tap';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { stereoWav } from '../pcap/wav-writer.js';
import { compressRecording } from './compress-recording.js';
import { FFPROBE_PATH } from './probe-duration.js';

async function wav(dir: string, seconds: number): Promise<string> {
  const n = 8000 * seconds;
  const l = Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
  const r = Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 500 * i) / 8000)));
  const path = join(dir, 'in.wav');
  await writeFile(path, stereoWav(l, r, 8000));
  return path;
}

const tags = (path: string) => new Promise<Record<string, unknown>>((resolve, reject) => {
  ffmpeg(path).setFfprobePath(FFPROBE_PATH).ffprobe((err: Error | null | undefined, data: ffmpeg.FfprobeData) => {
    if (err) reject(err);
    else resolve({ ...(data.format.tags ?? {}), ...(data.streams[0]?.tags ?? {}) });
  });
});

t.test('Opus is the default: Ogg, stereo, 2 s, no metadata tags', async (t) => {
  const dir = t.testdir({});
  const out = await compressRecording(await wav(dir, 2), join(dir, 'out.ogg'));
  t.equal(out.format, 'opus');
  t.ok(Math.abs(out.durationMs - 2000) <= 60, `${out.durationMs} ms`);
  t.ok(out.bytes < 10000, `${out.bytes} bytes for 2 s at 24 kbit/s`);
  t.same(Object.keys(await tags(out.path)).filter((k) => !/^(encoder|vendor_id)$/i.test(k)), [], 'no title/comment/date tags');
});

t.test('a run longer than the time-out is killed and leaves no file', async (t) => {
  const dir = t.testdir({});
  const input = await wav(dir, 120);
  await t.rejects(compressRecording(input, join(dir, 'slow.mp3'), { format: 'mp3', timeoutMs: 1 }), { code: 'FFMPEG_TIMEOUT' });
  t.notOk(existsSync(join(dir, 'slow.mp3')), 'partial output removed');
});

t.test('an aborted run rejects with FFMPEG_ABORTED', async (t) => {
  const dir = t.testdir({});
  const input = await wav(dir, 120);
  const ac = new AbortController();
  const run = compressRecording(input, join(dir, 'a.ogg'), { signal: ac.signal });
  ac.abort();
  await t.rejects(run, { code: 'FFMPEG_ABORTED' });
  await t.rejects(compressRecording(input, join(dir, 'b.ogg'), { signal: ac.signal }), { code: 'FFMPEG_ABORTED' }, 'already aborted');
});
