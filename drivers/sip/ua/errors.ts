import { CodedError } from '../../coded-error.js';
import type { SipResponse } from '../message/index.js';

/** Why a call-control operation failed (every code is in docs/errors.md, "SIP UA"). */
export type SipUaErrorCode =
  | 'SIP_FINAL_RESPONSE' // the peer answered with a non-2xx final response, held in `response`
  | 'SIP_CANCELLED' // the caller aborted (CANCEL sent; `response` holds the 487 when it came)
  | 'SIP_DIALOG_GONE' // the dialog ended before or while the request was made
  | 'SIP_INVALID_STATE' // e.g. answering an INVITE that was already answered, rejected or cancelled
  | 'SIP_UA_STOPPED'; // the stack is stopping or stopped

/**
 * The error of the UA layer (drachtio-srf's SipError in spirit): a code, and for a final answer the
 * response itself with its status, so callers can map 486 to 486 without parsing text.
 */
export class SipError extends CodedError<SipUaErrorCode> {
  readonly response: SipResponse | undefined;
  readonly status: number | undefined;

  constructor(code: SipUaErrorCode, message: string, options: { response?: SipResponse; cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.response = options.response;
    this.status = options.response?.status;
  }

  static finalResponse(res: SipResponse, what: string): SipError {
    return new SipError('SIP_FINAL_RESPONSE', `${what}: ${res.status} ${res.reason}`, { response: res });
  }
}
