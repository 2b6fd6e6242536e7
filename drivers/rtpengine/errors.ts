import { CodedError } from '../coded-error.js';

export type RtpengineErrorCode =
  | 'RTPENGINE_TIMEOUT'        // no answer to an ng command in time
  | 'RTPENGINE_ERROR'          // rtpengine answered result=error
  | 'RTPENGINE_LOAD_LIMIT'     // rtpengine refused: load limit reached
  | 'RTPENGINE_UNREACHABLE'    // the control socket could not send
  | 'RTPENGINE_BINARY_MISSING' // spawn mode, the executable is not there
  | 'RTPENGINE_START_FAILED'   // spawned, but it exited or never answered ping
  | 'RTPENGINE_STOPPED'        // a command while the supervisor is stopped
  | 'RTPENGINE_DTMF_PORT_IN_USE'; // the DTMF log port is taken

export class RtpengineError extends CodedError<RtpengineErrorCode> {
  /** rtpengine's own `error-reason`, when it gave one. */
  readonly reason: string | undefined;

  constructor(code: RtpengineErrorCode, message: string, opts: { reason?: string; cause?: unknown } = {}) {
    super(code, message, { cause: opts.cause });
    this.reason = opts.reason;
  }
}
