import t from 'tap';
import { execFile } from 'node:child_process';
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ffmpeg from 'fluent-ffmpeg';
import { convertPrompt } from './convert-prompt.js';
import { FFMPEG_PATH, FFPROBE_PATH } from './probe-duration.js';

const run = promisify(execFile);

/** An input made by ffmpeg itself from a lavfi source: `args` pick the codec and container. */
async function make(dir: string, name: string, source: string, args: string[]): Promise<string> {
  const path = join(dir, name);
  await run(FFMPEG_PATH, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', source, ...args, path]);
  return path;
}

interface WavFacts { codec: string | undefined; rate: number | undefined; channels: number | undefined; bits: number | undefined; durationMs: number }

const facts = (path: string) => new Promise<WavFacts>((resolve, reject) => {
  ffmpeg(path).setFfprobePath(FFPROBE_PATH).ffprobe((err: Error | null | undefined, data: ffmpeg.FfprobeData) => {
    if (err) return reject(err);
    const a = data.streams[0];
    resolve({
      codec: a?.codec_name, rate: Number(a?.sample_rate), channels: a?.channels, bits: a?.bits_per_sample,
      durationMs: Math.round(Number(data.format.duration) * 1000),
    });
  });
});

const telephoneWav = { codec: 'pcm_s16le', rate: 8000, channels: 1, bits: 16 };

t.test('common formats become 8 kHz mono 16-bit PCM WAV of the same length', async (t) => {
  const dir = t.testdir({});
  const tone = (hz: number, s: number, rate = 44100) => `sine=frequency=${hz}:duration=${s}:sample_rate=${rate}`;
  const inputs = {
    'stereo 44.1 kHz WAV': await make(dir, 'stereo.wav', tone(440, 2), ['-ac', '2']),
    MP3: await make(dir, 'promo.mp3', tone(500, 2), ['-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k']),
    'Ogg Opus': await make(dir, 'promo.opus.ogg', tone(600, 2, 48000), ['-c:a', 'libopus']),
    'M4A (AAC)': await make(dir, 'promo.m4a', tone(700, 2), ['-c:a', 'aac']),
    FLAC: await make(dir, 'promo.flac', tone(800, 2), ['-c:a', 'flac']),
  };
  for (const [what, input] of Object.entries(inputs)) {
    const out = join(dir, `${what.replace(/\W+/g, '-')}.wav`);
    const r = await convertPrompt(input, out);
    t.equal(r.path, out, what);
    const f = await facts(out);
    t.match(f, telephoneWav, `${what}: 8 kHz mono s16`);
    t.ok(Math.abs(f.durationMs - 2000) <= 60, `${what}: ${f.durationMs} ms`);
    t.ok(Math.abs(r.durationMs - 2000) <= 60, `${what}: reported ${r.durationMs} ms`);
    t.equal(r.bytes, (await readFile(out)).length, `${what}: reported size`);
  }
  t.same((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'no temp files left');
});

t.test('a sox-made Ogg Vorbis upload converts, loudness-normalised when asked', async (t) => {
  const dir = t.testdir({});
  const input = join(dir, 'quiet.ogg');
  await run('sox', ['-n', '-r', '22050', '-c', '2', input, 'synth', '3', 'sine', '300', 'vol', '0.05']);
  const r = await convertPrompt(input, join(dir, 'quiet.wav'), { normalize: true });
  t.match(await facts(r.path), telephoneWav);
  const peak = async (path: string) => {
    const pcm = (await readFile(path)).subarray(44);
    let max = 0;
    for (let i = 0; i + 1 < pcm.length; i += 2) max = Math.max(max, Math.abs(pcm.readInt16LE(i)));
    return max;
  };
  const plain = await convertPrompt(input, join(dir, 'plain.wav'));
  t.ok(await peak(r.path) > 3 * await peak(plain.path), 'normalised to -16 LUFS: over 3 times the 5 % volume original');
});

t.test('a text file named .mp3 is refused clearly and the previous file stays', async (t) => {
  const dir = t.testdir({ 'notes.mp3': 'these are meeting notes, not a song\n' });
  const out = join(dir, 'welcome.wav');
  await writeFile(out, 'the previous prompt');
  await t.rejects(convertPrompt(join(dir, 'notes.mp3'), out), {
    code: 'FFMPEG_NO_AUDIO',
    message: /notes\.mp3 is not an audio file ffmpeg can read \(.+\); use WAV, MP3, OGG\/Opus, M4A\/AAC or FLAC$/,
  });
  t.equal(await readFile(out, 'utf8'), 'the previous prompt', 'untouched');
  t.same((await readdir(dir)).sort(), ['notes.mp3', 'welcome.wav'], 'no temp file left');
});

t.test('a file without an audio stream, an empty file and a missing file are refused', async (t) => {
  const dir = t.testdir({ 'empty.wav': '' });
  const image = await make(dir, 'picture.png', 'color=c=red:size=32x32', ['-frames:v', '1']);
  await t.rejects(convertPrompt(image, join(dir, 'a.wav')), { code: 'FFMPEG_NO_AUDIO', message: /picture\.png has no audio stream/ });
  await t.rejects(convertPrompt(join(dir, 'empty.wav'), join(dir, 'b.wav')), { code: 'FFMPEG_NO_AUDIO', message: /empty\.wav is empty/ });
  await t.rejects(convertPrompt(join(dir, 'nope.wav'), join(dir, 'c.wav')), { code: 'FFMPEG_NO_INPUT', message: /nope\.wav: no such file$/ });
  await t.rejects(convertPrompt(dir, join(dir, 'd.wav')), { code: 'FFMPEG_NO_INPUT', message: /is not a file$/ });
  t.same((await readdir(dir)).sort(), ['empty.wav', 'picture.png'], 'nothing written');
});

t.test('over 10 minutes or over 50 MB is refused before converting', async (t) => {
  const dir = t.testdir({});
  const long = await make(dir, 'long.wav', 'anullsrc=r=8000:cl=mono', ['-t', '605', '-c:a', 'pcm_u8']);
  await t.rejects(convertPrompt(long, join(dir, 'a.wav')), {
    code: 'FFMPEG_TOO_LONG', message: /long\.wav is 10:05 min long, over the 10:00 min limit for a prompt/,
  });
  const big = join(dir, 'big.mp3');
  await writeFile(big, '');
  await truncate(big, 51 * 1024 * 1024);
  await t.rejects(convertPrompt(big, join(dir, 'b.wav')), { code: 'FFMPEG_TOO_LARGE', message: /big\.mp3 is 51 MB, over the 50 MB limit/ });
  const short = await make(dir, 'short.wav', 'sine=duration=3', []);
  await t.rejects(convertPrompt(short, join(dir, 'c.wav'), { maxDurationMs: 2000 }), { code: 'FFMPEG_TOO_LONG' }, 'the limit is an option');
  t.same((await readdir(dir)).sort(), ['big.mp3', 'long.wav', 'short.wav'], 'nothing written');
});

t.test('a run past the time-out is killed and leaves no file', async (t) => {
  const dir = t.testdir({});
  const input = await make(dir, 'in.flac', 'sine=duration=120', ['-c:a', 'flac']);
  await t.rejects(convertPrompt(input, join(dir, 'out.wav'), { timeoutMs: 1 }), { code: 'FFMPEG_TIMEOUT' });
  t.same(await readdir(dir), ['in.flac']);
});
