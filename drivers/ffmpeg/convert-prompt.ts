import { randomBytes } from 'node:crypto';
import { rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { systemClock, type Clock } from '../clock.js';
import { FfmpegError } from './errors.js';
import { FFMPEG_PATH, FFPROBE_PATH, probeDuration } from './probe-duration.js';
import { runFfmpeg } from './run-ffmpeg.js';

export const PROMPT_MAX_BYTES = 50 * 1024 * 1024;
export const PROMPT_MAX_DURATION_MS = 10 * 60 * 1000;

export interface ConvertPromptOptions {
  /** Kill ffmpeg after this long (default 60 s). */
  timeoutMs?: number;
  /** EBU R128 loudness normalisation (-16 LUFS, -3 dBTP), so uploads sit near the generated prompts' level. */
  normalize?: boolean;
  /** Refuse bigger inputs (default 50 MB). */
  maxBytes?: number;
  /** Refuse longer inputs (default 10 min). */
  maxDurationMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
  ffmpegPath?: string;
  ffprobePath?: string;
}

export interface ConvertedPrompt {
  path: string;
  durationMs: number;
  bytes: number;
}

const FORMATS_HINT = 'use WAV, MP3, OGG/Opus, M4A/AAC or FLAC';

/**
 * Any audio file ffmpeg reads → 8 kHz mono 16-bit PCM WAV at `outWav`, the format rtpengine plays
 * prompts in. The input is checked first (size, an audio stream, length); the output is written to
 * a temp file beside `outWav` and renamed over it only when complete, so a bad upload never
 * replaces a good prompt. Rejects with FfmpegError.
 */
export async function convertPrompt(input: string, outWav: string, o: ConvertPromptOptions = {}): Promise<ConvertedPrompt> {
  const maxDurationMs = o.maxDurationMs ?? PROMPT_MAX_DURATION_MS;
  await checkSize(input, o.maxBytes ?? PROMPT_MAX_BYTES);
  const probed = await probeAudio(input, o.ffprobePath ?? FFPROBE_PATH);
  if (probed.durationMs !== undefined && probed.durationMs > maxDurationMs) throw tooLong(input, probed.durationMs, maxDurationMs);

  const tmp = join(dirname(outWav), `.${basename(outWav)}.${randomBytes(6).toString('hex')}.tmp`);
  const cmd = ffmpeg(input)
    .setFfmpegPath(o.ffmpegPath ?? FFMPEG_PATH)
    .noVideo()
    .audioFilters(o.normalize ? ['loudnorm=I=-16:TP=-3:LRA=11'] : [])
    .audioCodec('pcm_s16le')
    .audioChannels(1)
    .audioFrequency(8000)
    // First audio stream only, no tags; `-t` bounds the work when the input's length was unknown.
    .outputOptions(['-map', '0:a:0', '-sn', '-dn', '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact',
      '-t', String(Math.ceil(maxDurationMs / 1000) + 1)])
    .format('wav')
    .output(tmp);
  await runFfmpeg(cmd, { input, output: tmp, timeoutMs: o.timeoutMs ?? 60_000, clock: o.clock ?? systemClock, ...(o.signal ? { signal: o.signal } : {}) });
  try {
    const result = await checkOutput(input, tmp, maxDurationMs, o.ffprobePath ?? FFPROBE_PATH);
    await rename(tmp, outWav);
    return { ...result, path: outWav };
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

async function checkSize(input: string, maxBytes: number): Promise<void> {
  const s = await stat(input).catch((err: NodeJS.ErrnoException) => {
    throw new FfmpegError('FFMPEG_NO_INPUT', `${input}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { cause: err });
  });
  if (!s.isFile()) throw new FfmpegError('FFMPEG_NO_INPUT', `${input} is not a file`);
  if (s.size === 0) throw new FfmpegError('FFMPEG_NO_AUDIO', `${input} is empty; ${FORMATS_HINT}`);
  if (s.size > maxBytes) {
    throw new FfmpegError('FFMPEG_TOO_LARGE', `${input} is ${mb(s.size)} MB, over the ${mb(maxBytes)} MB limit for a prompt; shorten it or lower its bit rate`);
  }
}

/** Refuses an input without an audio stream; its length is undefined when the container does not say. */
function probeAudio(input: string, ffprobePath: string): Promise<{ durationMs: number | undefined }> {
  return new Promise((resolve, reject) => {
    ffmpeg(input).setFfprobePath(ffprobePath).ffprobe((err: Error | null | undefined, data: ffmpeg.FfprobeData) => {
      if (err) {
        const why = err.message.trim().split('\n').at(-1) ?? '';
        reject(new FfmpegError('FFMPEG_NO_AUDIO', `${input} is not an audio file ffmpeg can read (${why}); ${FORMATS_HINT}`, { cause: err }));
        return;
      }
      const audio = data.streams.filter((s) => s.codec_type === 'audio');
      if (audio.length === 0) {
        reject(new FfmpegError('FFMPEG_NO_AUDIO', `${input} has no audio stream (${data.format.format_name ?? 'unknown format'}); ${FORMATS_HINT}`));
        return;
      }
      const seconds = Number(data.format.duration ?? audio[0]?.duration);
      resolve({ durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : undefined });
    });
  });
}

/** The converted file has sound and is within the length limit. */
async function checkOutput(input: string, wav: string, maxDurationMs: number, ffprobePath: string): Promise<Omit<ConvertedPrompt, 'path'>> {
  const bytes = (await stat(wav)).size;
  // 44 bytes is a bare WAV header: not one sample decoded.
  const durationMs = bytes > 44 ? await probeDuration(wav, { ffprobePath }) : 0;
  if (durationMs > maxDurationMs) throw tooLong(input, durationMs, maxDurationMs);
  if (durationMs === 0) throw new FfmpegError('FFMPEG_NO_AUDIO', `${input} decodes to no audio at all; ${FORMATS_HINT}`);
  return { bytes, durationMs };
}

function tooLong(input: string, durationMs: number, maxDurationMs: number): FfmpegError {
  return new FfmpegError('FFMPEG_TOO_LONG', `${input} is ${minutes(durationMs)} long, over the ${minutes(maxDurationMs)} limit for a prompt; cut it shorter`);
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0);

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} min`;
}
