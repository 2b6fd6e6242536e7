import { unlink } from 'node:fs/promises';
import type ffmpeg from 'fluent-ffmpeg';
import type { Clock } from '../clock.js';
import { FfmpegError } from './errors.js';

export interface RunFfmpegOptions {
  /** The input, named in error messages. */
  input: string;
  /** Removed when the run fails, so no partial file is left behind. */
  output: string;
  timeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
}

/**
 * Run a prepared fluent-ffmpeg command to its end, bounded by a time-out and an abort signal. A
 * failed, timed-out or aborted run removes `output` and rejects with FfmpegError (ffmpeg's own last
 * stderr lines in the message).
 */
export function runFfmpeg(cmd: ffmpeg.FfmpegCommand, o: RunFfmpegOptions): Promise<void> {
  if (o.signal?.aborted) return Promise.reject(new FfmpegError('FFMPEG_ABORTED', `ffmpeg on ${o.input}: aborted before start`));
  return new Promise<void>((resolve, reject) => {
    let ended: 'timeout' | 'abort' | undefined;
    let started = false;
    // fluent-ffmpeg spawns asynchronously: a kill asked for before the spawn happens on 'start'.
    const kill = (why: 'timeout' | 'abort') => { ended = why; if (started) cmd.kill('SIGKILL'); };
    cmd.on('start', () => { started = true; if (ended) cmd.kill('SIGKILL'); });
    const timer = o.clock.setTimeout(() => kill('timeout'), o.timeoutMs);
    const onAbort = () => kill('abort');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => { timer.cancel(); o.signal?.removeEventListener('abort', onAbort); };
    cmd.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
      done();
      void unlink(o.output).catch(() => undefined);
      if (ended === 'timeout') reject(new FfmpegError('FFMPEG_TIMEOUT', `ffmpeg on ${o.input} ran past ${o.timeoutMs} ms and was killed`, { cause: err }));
      else if (ended === 'abort') reject(new FfmpegError('FFMPEG_ABORTED', `ffmpeg on ${o.input} aborted`, { cause: err }));
      else reject(new FfmpegError('FFMPEG_FAILED', `ffmpeg on ${o.input}: ${lastLines(stderr) || err.message}`, { cause: err }));
    });
    cmd.on('end', () => { done(); resolve(); });
    cmd.run();
  });
}

function lastLines(stderr: string | null): string {
  return (stderr ?? '').trim().split('\n').slice(-2).join(' / ');
}
