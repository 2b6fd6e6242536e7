export { compressRecording, type CompressOptions, type CompressedRecording, type RecordingFormat } from './compress-recording.js';
export { convertPrompt, PROMPT_MAX_BYTES, PROMPT_MAX_DURATION_MS, type ConvertPromptOptions, type ConvertedPrompt } from './convert-prompt.js';
export { probeDuration } from './probe-duration.js';
export { FfmpegError, type FfmpegErrorCode } from './errors.js';
