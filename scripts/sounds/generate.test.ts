import t from 'tap';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LANGS, PROMPT_IDS, PROMPTS } from '../../sounds/prompts.js';
import { generateSounds, VOICES, type GenerateResult, type ManifestEntry } from './generate.js';
import { SoundsError } from './tools.js';

const run = promisify(execFile);
const quiet = (): void => undefined;

/** Our own header parse (independent of the generator's wav.ts): format, rate, channels, bits, samples. */
function parseWav(buf: Buffer): { format: number; rate: number; channels: number; bits: number; samples: Int16Array } {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not RIFF/WAVE');
  let pos = 12;
  let fmt: { format: number; rate: number; channels: number; bits: number } | undefined;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    if (id === 'fmt ') {
      fmt = { format: buf.readUInt16LE(pos + 8), channels: buf.readUInt16LE(pos + 10), rate: buf.readUInt32LE(pos + 12), bits: buf.readUInt16LE(pos + 22) };
    } else if (id === 'data') {
      if (!fmt) throw new Error('data before fmt');
      if (pos + 8 + size !== buf.length) throw new Error('data size does not match the file');
      const samples = new Int16Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = buf.readInt16LE(pos + 8 + i * 2);
      return { ...fmt, samples };
    }
    pos += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** Zero crossings per sample in consecutive windows: a pitch-and-timbre fingerprint without an FFT. */
function zcrWindows(samples: Int16Array, window: number): number[] {
  const out: number[] = [];
  for (let start = 0; start + window <= samples.length; start += window) {
    let crossings = 0;
    for (let i = start + 1; i < start + window; i++) {
      if (((samples[i - 1] ?? 0) < 0) !== ((samples[i] ?? 0) < 0)) crossings++;
    }
    out.push(crossings / window);
  }
  return out;
}

const rms = (s: Int16Array, from: number, to: number): number => {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (s[i] ?? 0) ** 2;
  return Math.sqrt(sum / (to - from));
};

t.test('sound generation', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'octoline-sounds-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const outA = join(root, 'a');
  const outB = join(root, 'b');
  const lines: string[] = [];
  const first: GenerateResult = await generateSounds({ outDir: outA, log: (l) => lines.push(l) });
  const entries = first.manifest.entries;
  const byKey = new Map<string, ManifestEntry>(entries.map((e) => [`${e.lang}/${e.id}`, e]));

  t.test('manifest covers the catalogue in both languages, plus moh and beep', async (t) => {
    t.equal(first.generated, entries.length);
    t.ok(lines.some((l) => /\d+\/\d+/.test(l)), 'progress lines were logged');
    for (const lang of LANGS) {
      for (const id of PROMPT_IDS) {
        const e = byKey.get(`${lang}/${id}`);
        if (!e) {
          t.fail(`missing ${lang}/${id}`);
          continue;
        }
        t.equal(e.text, PROMPTS[id][lang], `${lang}/${id} text`);
        t.equal(e.file, `${lang}/${id}.wav`);
      }
    }
    t.ok(byKey.get('any/moh.default'), 'music on hold');
    t.ok(byKey.get('en/beep') && byKey.get('zh-CN/beep'), 'beep');
    const required = [
      'welcome', 'menu.main', 'menu.invalid', 'menu.timeout', 'queue.please-hold', 'queue.position.pre',
      'queue.wait.pre', 'hours.closed', 'hours.holiday', 'vm.instructions', 'goodbye', 'busy', 'survey.question',
      'survey.thanks', 'num.0', 'num.9', 'num.19', 'num.90', 'num.hundred', 'num.thousand', 'num.wan', 'num.yi',
      'num.liang', 'num.point', 'num.minus', 'word.minutes', 'error.operator', 'callback.offer', 'pin.wrong',
    ];
    for (const id of required) t.ok((PROMPT_IDS as string[]).includes(id), `catalogue has ${id}`);
    t.equal(entries.length, LANGS.length * PROMPT_IDS.length + 1);
  });

  t.test('every file is 8 kHz mono 16-bit PCM and matches its manifest entry', async (t) => {
    let bad = 0;
    for (const e of entries) {
      const buf = await readFile(join(outA, e.file));
      const wav = parseWav(buf);
      const ok =
        wav.format === 1 && wav.rate === 8000 && wav.channels === 1 && wav.bits === 16 &&
        e.durationMs > 0 && Math.abs(Math.round((wav.samples.length * 1000) / 8000) - e.durationMs) <= 1 &&
        createHash('sha256').update(buf).digest('hex') === e.sha256 && rms(wav.samples, 0, wav.samples.length) > 100;
      if (!ok) {
        bad++;
        t.fail(`${e.file}: format ${wav.format} ${wav.rate} Hz ${wav.channels} ch ${wav.bits} bit, ${wav.samples.length} samples vs ${e.durationMs} ms`);
      }
    }
    t.equal(bad, 0, `${entries.length} files checked`);
    // soxi (one field per call) agrees with our parse on a prompt and on the synthesised music.
    for (const file of ['zh-CN/welcome.wav', 'moh/default.wav']) {
      const fields: string[] = [];
      for (const flag of ['-r', '-c', '-b', '-e']) fields.push((await run('soxi', [flag, join(outA, file)])).stdout.trim());
      t.same(fields, ['8000', '1', '16', 'Signed Integer PCM'], `soxi ${file}`);
    }
  });

  t.test('music on hold is a tune, not a tone, and loops cleanly', async (t) => {
    const e = byKey.get('any/moh.default');
    if (!e) {
      t.fail('no moh');
      return;
    }
    const { samples } = parseWav(await readFile(join(outA, e.file)));
    const seconds = samples.length / 8000;
    t.ok(seconds >= 30 && seconds <= 60, `length ${seconds} s`);
    const zcr = zcrWindows(samples, 4000);
    const distinct = new Set(zcr.map((z) => z.toFixed(3))).size;
    t.ok(Math.max(...zcr) / Math.min(...zcr) > 1.3, `zero-crossing rate varies (${Math.min(...zcr).toFixed(3)}..${Math.max(...zcr).toFixed(3)})`);
    t.ok(distinct > zcr.length / 2, `${distinct} distinct rates over ${zcr.length} windows`);
    for (let w = 0; w + 4000 <= samples.length; w += 4000) {
      if (rms(samples, w, w + 4000) < 300) t.fail(`near-silent window at ${w / 8000} s`);
    }
    // The tail wraps into the start, so end → start is one more small step, not a jump.
    const seam = Math.abs((samples[0] ?? 0) - (samples[samples.length - 1] ?? 0));
    t.ok(seam < 4000, `loop seam step ${seam}`);

    const beep = parseWav(await readFile(join(outA, 'en/beep.wav'))).samples;
    const tone = beep.subarray(800 + 160, beep.length - 160); // after the lead and the ramp
    const hz = ((zcrWindows(tone, tone.length)[0] ?? 0) * 8000) / 2;
    t.ok(Math.abs(hz - 1000) < 25, `beep is about 1 kHz (${hz.toFixed(0)} Hz)`);
  });

  t.test('zh texts are read as Mandarin, not as English letters', async (t) => {
    const zh = PROMPT_IDS.map((id) => PROMPTS[id]['zh-CN']);
    t.same(zh.filter((s) => /[A-Za-z0-9]/.test(s)), [], 'no Latin letters or digits in zh texts');
    const spoken = PROMPT_IDS.map((id) => PROMPTS[id].speak?.['zh-CN'] ?? PROMPTS[id]['zh-CN']);
    const { stdout } = await run('espeak-ng', ['-q', '-x', '-v', VOICES['zh-CN'].voice, '--', spoken.join('\n')]);
    t.notMatch(stdout, /\(en\)/, 'no switch to the English voice');
  });

  t.test('reproducible: a forced rebuild elsewhere gives the same bytes', async (t) => {
    const second = await generateSounds({ outDir: outB, force: true, log: quiet });
    t.same(second.manifest.entries.map((e) => e.sha256), entries.map((e) => e.sha256));
    t.equal(await readFile(join(outB, 'manifest.json'), 'utf8'), await readFile(join(outA, 'manifest.json'), 'utf8'));
  });

  t.test('a second run reuses the cache and drops stale files', async (t) => {
    await writeFile(join(outA, 'en', 'old.id.wav'), 'stale');
    const again = await generateSounds({ outDir: outA, log: quiet });
    t.equal(again.generated, 0);
    t.equal(again.reused, entries.length);
    t.equal(again.removed, 1);
    await t.rejects(access(join(outA, 'en', 'old.id.wav')));
    // A damaged file is rebuilt even though its cache key matches.
    await writeFile(join(outA, 'en', 'goodbye.wav'), 'damaged');
    const repaired = await generateSounds({ outDir: outA, log: quiet });
    t.equal(repaired.generated, 1);
    t.same(repaired.manifest.entries, entries);
  });

  t.test('a missing tool is a typed error naming the fix', async (t) => {
    const path = process.env.PATH;
    process.env.PATH = join(root, 'no-such-bin');
    try {
      await generateSounds({ outDir: join(root, 'c'), log: quiet });
      t.fail('should have thrown');
    } catch (err) {
      t.ok(err instanceof SoundsError, 'SoundsError');
      t.equal((err as SoundsError).code, 'SOUNDS_TOOL_MISSING');
      t.match((err as SoundsError).message, /apt-get install espeak-ng sox/);
    } finally {
      process.env.PATH = path;
    }
  });
});
