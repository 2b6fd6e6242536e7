import { CodedError } from '../../coded-error.js';

/**
 * Why a message could not be accepted by the message layer. Every code is listed, with whether an
 * answer is sent, in docs/sip-message.md.
 */
export type SipParseErrorCode =
  | 'SIP_EMPTY' // nothing but whitespace (a keep-alive datagram): drop silently
  | 'SIP_BAD_START_LINE'
  | 'SIP_BAD_VERSION' // a well-formed SIP-Version other than 2.0: 505 (RFC 3261 §21.5.6)
  | 'SIP_BAD_HEADER'
  | 'SIP_DUPLICATE_HEADER' // a single-valued header given twice (RFC 4475 §3.3.8)
  | 'SIP_MISSING_HEADER'
  | 'SIP_BAD_CSEQ'
  | 'SIP_BAD_VIA'
  | 'SIP_BAD_URI'
  | 'SIP_BAD_CONTENT_LENGTH'
  | 'SIP_TOO_LARGE'
  | 'SIP_TOO_MANY_HEADERS'
  | 'SIP_LINE_TOO_LONG'
  | 'SIP_INCOMPLETE'; // stream transport: more bytes are needed (never respondable)

/** The raw pieces of a request whose parse failed, enough to build the error response. */
export interface FailedRequestHead {
  readonly method: string;
  /** Header fields as received (canonical names, unfolded values), in order. */
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

export interface SipParseErrorInit {
  /** Status code of the answer: 400, 505 (version, RFC 3261 §21.5.6) or 513 (too large, §21.5.7). */
  readonly status?: number;
  /** Reason phrase for the answer; plain ASCII, never CR/LF. */
  readonly reason?: string;
  readonly head?: FailedRequestHead;
  readonly cause?: unknown;
}

/**
 * The only error the parser throws. `respondable` says whether an answer can be formed and should
 * be sent: only for requests other than ACK (an ACK is never answered, RFC 3261 §17) whose start
 * line and at least one Via were read; responses and unreadable junk are dropped (no one to answer).
 */
export class SipParseError extends CodedError<SipParseErrorCode> {
  readonly status: number;
  readonly reason: string;
  private headValue: FailedRequestHead | undefined;

  constructor(code: SipParseErrorCode, message: string, init: SipParseErrorInit = {}) {
    // Parse errors are data, not bugs, and come by the thousand under a flood: skip the stack
    // trace, which costs more than parsing the message did.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(code, message, init.cause === undefined ? undefined : { cause: init.cause });
    Error.stackTraceLimit = limit;
    this.status = init.status ?? 400;
    this.reason = init.reason ?? 'Bad Request';
    this.headValue = init.head;
  }

  /** The request head an answer is built from; undefined when the message cannot be answered. */
  get head(): FailedRequestHead | undefined {
    return this.headValue;
  }

  /** True when the transport should answer `status reason` (built by `createErrorResponse`). */
  get respondable(): boolean {
    return this.headValue !== undefined;
  }

  /**
   * Record the head of the request this error came from (the parser does, once it knows whether
   * the message can be answered). Returns the error itself; a head already set is kept.
   */
  withHead(head: FailedRequestHead | undefined): SipParseError {
    if (this.code !== 'SIP_EMPTY' && this.code !== 'SIP_INCOMPLETE') this.headValue ??= head;
    return this;
  }
}

/** Thrown when the application asks the builder/serializer for something that is not valid SIP. */
export type SipBuildErrorCode = 'SIP_INVALID_NAME' | 'SIP_INVALID_VALUE';

export class SipBuildError extends CodedError<SipBuildErrorCode> {}
