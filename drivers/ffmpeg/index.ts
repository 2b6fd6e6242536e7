export { compressRecording, type CompressOptions, type CompressedRecording, type RecordingFormat } from './compress-recording.js';
export { probeDuration } from './probe-duration.js';
export { FfmpegError, type FfmpegErrorCode } from './errors.js';
