import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import ffmpeg from 'fluent-ffmpeg';
import { systemClock, type Clock } from '../clock.js';
import { FFMPEG_PATH, FFPROBE_PATH, probeDuration } from './probe-duration.js';
import { runFfmpeg } from './run-ffmpeg.js';

export type RecordingFormat = 'opus' | 'mp3';

export interface CompressOptions {
  /** Default 'opus' (Ogg Opus, 24 kbit/s, voip); 'mp3' for old players (32 kbit/s). */
  format?: RecordingFormat;
  /** Kill ffmpeg after this long (default 120 s). */
  timeoutMs?: number;
  /** Output channels (default 2: a call's caller and agent sides); 1 for a mono source such as voicemail. */
  channels?: 1 | 2;
  signal?: AbortSignal;
  clock?: Clock;
  ffmpegPath?: string;
  ffprobePath?: string;
}

/** The row a recording gets: where it is, how big, how long, and its checksum. */
export interface CompressedRecording {
  path: string;
  format: RecordingFormat;
  bytes: number;
  durationMs: number;
  /** Lower-case hex SHA-256 of the file. */
  sha256: string;
}

/** Per format: codec, container and options; `-map_metadata -1` and bitexact drop tags and encoder strings. */
const PROFILES: Record<RecordingFormat, { codec: string; container: string; bitrate: string; options: string[] }> = {
  // Opus below ~20 kbit/s folds stereo into mono, and the channels (caller / agent) are the point.
  opus: { codec: 'libopus', container: 'ogg', bitrate: '24k', options: ['-application', 'voip', '-vbr', 'on'] },
  mp3: { codec: 'libmp3lame', container: 'mp3', bitrate: '32k', options: ['-id3v2_version', '0', '-write_id3v1', '0'] },
};

/**
 * Compress a call WAV (stereo unless `channels: 1`) with ffmpeg (through fluent-ffmpeg) to Ogg Opus or MP3, metadata
 * stripped, then measure it: size, ffprobe duration, SHA-256. A failed or timed-out run leaves no
 * output file behind and rejects with FfmpegError (ffmpeg's own message included).
 */
export async function compressRecording(wavPath: string, outPath: string, o: CompressOptions = {}): Promise<CompressedRecording> {
  const format = o.format ?? 'opus';
  const p = PROFILES[format];
  const clock = o.clock ?? systemClock;
  const timeoutMs = o.timeoutMs ?? 120_000;
  const cmd = ffmpeg(wavPath)
    .setFfmpegPath(o.ffmpegPath ?? FFMPEG_PATH)
    .noVideo()
    .audioCodec(p.codec)
    .audioBitrate(p.bitrate)
    .audioChannels(o.channels ?? 2)
    .outputOptions(['-map_metadata', '-1', '-map_chapters', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact', ...p.options])
    .format(p.container)
    .output(outPath);
  await runFfmpeg(cmd, { input: wavPath, output: outPath, timeoutMs, clock, ...(o.signal ? { signal: o.signal } : {}) });
  const [bytes, durationMs, sha256] = await Promise.all([
    stat(outPath).then((s) => s.size),
    probeDuration(outPath, { ffprobePath: o.ffprobePath ?? FFPROBE_PATH }),
    sha256File(outPath),
  ]);
  return { path: outPath, format, bytes, durationMs, sha256 };
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('error', reject).on('data', (chunk) => hash.update(chunk)).on('end', () => resolve(hash.digest('hex')));
  });
}
