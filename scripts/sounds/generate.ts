/**
 * Generate every prompt (zh-CN and en, espeak-ng → sox) and the music on hold as 8 kHz mono 16-bit
 * WAV for rtpengine, plus `manifest.json`. Same inputs → byte-identical files; unchanged entries are
 * reused from the previous manifest (cache key = hash of text, voice, pipeline and tool versions).
 *
 *   node dist/scripts/sounds/generate.js [--out DIR] [--force]
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { errorMessage } from '../../drivers/coded-error.js';
import { LANGS, PROMPT_IDS, PROMPTS, type Lang, type PromptKind } from '../../sounds/prompts.js';
import { renderTune, TUNES } from './moh.js';
import { renderTone, SAMPLE_RATE } from './synth.js';
import { runTool, SoundsError, toolVersions, type ToolVersions } from './tools.js';
import { encodeWavMono16, readWavInfo } from './wav.js';

/** Bump when the pipeline or the synthesis changes output in a way the cache keys cannot see. */
const GENERATOR_VERSION = 1;

/**
 * espeak-ng voices. zh-CN uses `cmn-latn-pinyin`, not `cmn`: in espeak-ng 1.51 (Debian 12) `cmn`
 * turns hanzi into tone-numbered pinyin and then reads that as English ("hao two"), espeak-ng #1236.
 */
export const VOICES: Readonly<Record<Lang, { readonly voice: string; readonly wpm: number }>> = {
  'zh-CN': { voice: 'cmn-latn-pinyin', wpm: 170 },
  en: { voice: 'en-us', wpm: 160 },
};

/** Silence kept around speech (seconds): whole prompts breathe, parts join tightly. */
const PADDING: Readonly<Record<Exclude<PromptKind, 'tone'>, readonly [number, number]>> = {
  sentence: [0.1, 0.3],
  part: [0.02, 0.06],
};

/** sox output format and effects. Global -D (no dither: dither is random noise) and -R (fixed seeds). */
function soxPipeline(kind: 'sentence' | 'part'): { format: string[]; effects: string[] } {
  const [lead, tail] = PADDING[kind];
  return {
    format: ['-t', 'wav', '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', '-e', 'signed-integer'],
    // Trim espeak's own leading/trailing silence, resample, level every file alike, then pad.
    effects: [
      'silence', '1', '0.01', '-60d', 'reverse', 'silence', '1', '0.01', '-60d', 'reverse',
      'rate', '-h', String(SAMPLE_RATE), 'norm', '-3', 'pad', String(lead), String(tail),
    ],
  };
}

export interface ManifestEntry {
  readonly id: string;
  /** 'any' for language-neutral sounds (music on hold). */
  readonly lang: Lang | 'any';
  readonly kind: PromptKind | 'moh';
  /** Relative to the manifest's directory, with forward slashes. */
  readonly file: string;
  readonly durationMs: number;
  readonly text: string;
  readonly sha256: string;
  /** Hash of everything the file's bytes depend on; equal key + equal file hash → reuse. */
  readonly cacheKey: string;
}

export interface Manifest {
  readonly version: 1;
  readonly sampleRate: number;
  readonly channels: 1;
  readonly bitsPerSample: 16;
  readonly tools: ToolVersions;
  readonly voices: typeof VOICES;
  readonly entries: readonly ManifestEntry[];
}

export interface GenerateOptions {
  /** Output directory; default `sounds/build` under the project root. */
  readonly outDir?: string;
  /** Rebuild every file even when the cache says it is current. */
  readonly force?: boolean;
  /** Parallel tool runs; default 2 (the box has 2 cores). */
  readonly concurrency?: number;
  /** Progress lines; default stderr. */
  readonly log?: (line: string) => void;
}

export interface GenerateResult {
  readonly outDir: string;
  readonly manifestPath: string;
  readonly manifest: Manifest;
  readonly generated: number;
  readonly reused: number;
  readonly removed: number;
  readonly elapsedMs: number;
}

interface Job {
  readonly id: string;
  readonly lang: Lang | 'any';
  readonly kind: PromptKind | 'moh';
  readonly file: string;
  readonly text: string;
  readonly cacheKey: string;
  /** Write the finished WAV to `tmpOut` (work files may go under `workDir`). */
  readonly render: (tmpOut: string, workDir: string) => Promise<void>;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The project root: the nearest ancestor of this module holding package.json (works from dist/ too). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new SoundsError('SOUNDS_BAD_ARGS', 'cannot find the project root (no package.json above the generator); pass --out DIR');
    dir = up;
  }
  return dir;
}

function buildJobs(tools: ToolVersions): Job[] {
  const jobs: Job[] = [];
  for (const lang of LANGS) {
    const { voice, wpm } = VOICES[lang];
    for (const id of PROMPT_IDS) {
      const def = PROMPTS[id];
      const text = def[lang];
      const file = `${lang}/${id}.wav`;
      const tone = def.tone;
      if (def.kind === 'tone' && tone) {
        const cacheKey = sha256(JSON.stringify({ v: GENERATOR_VERSION, text, tone }));
        const render = (tmpOut: string): Promise<void> =>
          writeFile(tmpOut, encodeWavMono16(renderTone(tone.hz, tone.ms, tone.leadMs), SAMPLE_RATE));
        jobs.push({ id, lang, kind: def.kind, file, text, cacheKey, render });
        continue;
      }
      const kind = def.kind === 'part' ? 'part' : 'sentence';
      const spoken = def.speak?.[lang] ?? text;
      const espeak = ['-v', voice, '-s', String(wpm)];
      const sox = soxPipeline(kind);
      // The shown text is in the key too, so a reused entry never carries an old text.
      const cacheKey = sha256(JSON.stringify({ v: GENERATOR_VERSION, text, spoken, espeak, sox, tools }));
      const render = async (tmpOut: string, workDir: string): Promise<void> => {
        const raw = join(workDir, `${lang}-${id}.espeak.wav`);
        await runTool('espeak-ng', [...espeak, '-w', raw, '--', spoken]);
        await runTool('sox', ['-D', '-R', '-V1', raw, ...sox.format, tmpOut, ...sox.effects]);
        await rm(raw, { force: true });
      };
      jobs.push({ id, lang, kind, file, text, cacheKey, render });
    }
  }
  for (const tune of Object.values(TUNES)) {
    const cacheKey = sha256(JSON.stringify({ v: GENERATOR_VERSION, tune }));
    const render = (tmpOut: string): Promise<void> => writeFile(tmpOut, encodeWavMono16(renderTune(tune), SAMPLE_RATE));
    jobs.push({ id: `moh.${tune.name}`, lang: 'any', kind: 'moh', file: `moh/${tune.name}.wav`, text: tune.title, cacheKey, render });
  }
  return jobs;
}

async function readPreviousManifest(path: string): Promise<Map<string, ManifestEntry>> {
  const byFile = new Map<string, ManifestEntry>();
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<Manifest>;
    for (const e of parsed.entries ?? []) byFile.set(e.file, e);
  } catch {
    // No or unreadable manifest: everything is rebuilt.
  }
  return byFile;
}

/** An entry from the previous run, if its key matches and its file is intact. */
async function reusable(outDir: string, job: Job, prev: ManifestEntry | undefined): Promise<ManifestEntry | undefined> {
  if (!prev || prev.cacheKey !== job.cacheKey || prev.id !== job.id) return undefined;
  try {
    return sha256(await readFile(join(outDir, prev.file))) === prev.sha256 ? prev : undefined;
  } catch {
    return undefined;
  }
}

/** Run `fn` over items with at most `limit` in flight; stops taking new items after the first failure. */
async function runPool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const index = next++;
      const item = items[index];
      if (item === undefined) continue;
      try {
        await fn(item, index);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.err;
}

async function finish(outDir: string, job: Job, tmpOut: string): Promise<ManifestEntry> {
  const bytes = await readFile(tmpOut);
  let info;
  try {
    info = readWavInfo(bytes);
  } catch (err) {
    throw new SoundsError('SOUNDS_BAD_OUTPUT', `${job.file}: not a WAV file (${errorMessage(err)})`, { cause: err });
  }
  if (info.formatTag !== 1 || info.sampleRate !== SAMPLE_RATE || info.channels !== 1 || info.bitsPerSample !== 16 || info.durationMs <= 0) {
    throw new SoundsError(
      'SOUNDS_BAD_OUTPUT',
      `${job.file}: expected 8000 Hz mono 16-bit PCM with sound, got format ${info.formatTag}, ${info.sampleRate} Hz, ${info.channels} ch, ${info.bitsPerSample} bit, ${info.durationMs} ms`,
    );
  }
  await rename(tmpOut, join(outDir, job.file));
  const { id, lang, kind, file, text, cacheKey } = job;
  return { id, lang, kind, file, durationMs: info.durationMs, text, sha256: sha256(bytes), cacheKey };
}

/** Delete WAVs in our own output folders that the new manifest does not list (renamed/removed ids). */
async function removeStale(outDir: string, keep: ReadonlySet<string>): Promise<number> {
  let removed = 0;
  for (const folder of [...LANGS, 'moh']) {
    let names: string[];
    try {
      names = await readdir(join(outDir, folder));
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.endsWith('.wav') && !keep.has(`${folder}/${name}`)) {
        await rm(join(outDir, folder, name), { force: true });
        removed++;
      }
    }
  }
  return removed;
}

export async function generateSounds(options: GenerateOptions = {}): Promise<GenerateResult> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const outDir = resolve(options.outDir ?? join(projectRoot(), 'sounds', 'build'));
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new SoundsError('SOUNDS_BAD_ARGS', `concurrency must be a positive integer, got ${concurrency}`);
  }
  const tools = await toolVersions();
  const jobs = buildJobs(tools);
  const manifestPath = join(outDir, 'manifest.json');
  const previous = options.force ? new Map<string, ManifestEntry>() : await readPreviousManifest(manifestPath);
  const workDir = join(outDir, `.work-${process.pid}`);
  await Promise.all([...LANGS, 'moh'].map((d) => mkdir(join(outDir, d), { recursive: true })));
  await mkdir(workDir, { recursive: true });
  log(`sounds: ${jobs.length} files into ${outDir} (${tools.espeak}; ${tools.sox})${options.force ? ', forced' : ''}`);

  const entries: ManifestEntry[] = new Array<ManifestEntry>(jobs.length);
  let generated = 0;
  let reused = 0;
  const every = 50;
  try {
    await runPool(jobs, concurrency, async (job, index) => {
      const cached = await reusable(outDir, job, previous.get(job.file));
      if (cached) {
        entries[index] = cached;
        reused++;
      } else {
        const tmpOut = join(workDir, `${job.lang}-${job.id}.wav`);
        await job.render(tmpOut, workDir);
        entries[index] = await finish(outDir, job, tmpOut);
        generated++;
      }
      const done = generated + reused;
      if (done % every === 0 || done === jobs.length) log(`sounds: ${done}/${jobs.length} (${generated} generated, ${reused} cached)`);
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  const manifest: Manifest = { version: 1, sampleRate: SAMPLE_RATE, channels: 1, bitsPerSample: 16, tools, voices: VOICES, entries };
  const tmpManifest = `${manifestPath}.tmp-${process.pid}`;
  await writeFile(tmpManifest, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(tmpManifest, manifestPath);
  const removed = await removeStale(outDir, new Set(entries.map((e) => e.file)));
  if (removed > 0) log(`sounds: removed ${removed} file(s) no longer in the catalogue`);
  const elapsedMs = Date.now() - started;
  log(`sounds: done in ${(elapsedMs / 1000).toFixed(1)} s, manifest ${manifestPath}`);
  return { outDir, manifestPath, manifest, generated, reused, removed, elapsedMs };
}

const USAGE = 'usage: node dist/scripts/sounds/generate.js [--out DIR] [--force]';

async function main(argv: readonly string[]): Promise<void> {
  let values: { out?: string; force?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { out: { type: 'string' }, force: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
    }));
  } catch (err) {
    throw new SoundsError('SOUNDS_BAD_ARGS', `${errorMessage(err)}; ${USAGE}`, { cause: err });
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  await generateSounds({ ...(values.out !== undefined ? { outDir: values.out } : {}), force: values.force === true });
}

const invokedPath = process.argv[1];
if (invokedPath && import.meta.url === pathToFileURL(realpathSync(invokedPath)).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    const code = err instanceof SoundsError ? `${err.code}: ` : '';
    process.stderr.write(`sounds: error ${code}${errorMessage(err)}\n`);
    process.exitCode = 1;
  });
}
