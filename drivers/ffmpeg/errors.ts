import { CodedError } from '../coded-error.js';

export type FfmpegErrorCode =
  | 'FFMPEG_FAILED'     // ffmpeg exited with an error (bad or missing input, unwritable output); its message is kept
  | 'FFMPEG_TIMEOUT'    // ffmpeg ran longer than the time-out and was killed
  | 'FFMPEG_ABORTED'    // the caller's signal aborted the run
  | 'FFPROBE_FAILED';   // ffprobe could not read the file or found no duration

export class FfmpegError extends CodedError<FfmpegErrorCode> {}
