import { CodedError } from '../coded-error.js';

export type FfmpegErrorCode =
  | 'FFMPEG_FAILED'     // ffmpeg exited with an error (bad or missing input, unwritable output); its message is kept
  | 'FFMPEG_TIMEOUT'    // ffmpeg ran longer than the time-out and was killed
  | 'FFMPEG_ABORTED'    // the caller's signal aborted the run
  | 'FFPROBE_FAILED'    // ffprobe could not read the file or found no duration
  | 'FFMPEG_NO_INPUT'   // the file to convert does not exist or is not a regular file
  | 'FFMPEG_TOO_LARGE'  // a prompt upload over the size limit (50 MB)
  | 'FFMPEG_TOO_LONG'   // a prompt upload over the length limit (10 min)
  | 'FFMPEG_NO_AUDIO';  // not an audio file ffmpeg can read, or one without an audio stream

export class FfmpegError extends CodedError<FfmpegErrorCode> {}
