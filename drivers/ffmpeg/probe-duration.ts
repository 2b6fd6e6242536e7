import ffmpeg from 'fluent-ffmpeg';
import { FfmpegError } from './errors.js';

export const FFMPEG_PATH = '/usr/bin/ffmpeg';
export const FFPROBE_PATH = '/usr/bin/ffprobe';

/** Duration of a media file in milliseconds, as ffprobe reports it (container, else first stream). */
export function probeDuration(path: string, o: { ffprobePath?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    ffmpeg(path).setFfprobePath(o.ffprobePath ?? FFPROBE_PATH).ffprobe((err: Error | null | undefined, data: ffmpeg.FfprobeData) => {
      if (err) {
        reject(new FfmpegError('FFPROBE_FAILED', `ffprobe ${path}: ${err.message.trim()}`, { cause: err }));
        return;
      }
      const seconds = Number(data.format.duration ?? data.streams[0]?.duration);
      if (!Number.isFinite(seconds)) reject(new FfmpegError('FFPROBE_FAILED', `ffprobe ${path}: no duration`));
      else resolve(Math.round(seconds * 1000));
    });
  });
}
