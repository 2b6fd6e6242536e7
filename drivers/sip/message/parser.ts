import { SipParseError, type FailedRequestHead } from './errors.js';
import { SipHeaders } from './headers.js';
import { findHeadEnd, splitHead, type Head } from './head-reader.js';
import { resolveLimits, type ParserLimits } from './limits.js';
import type { SipMessage } from './message.js';
import { parseStartLine } from './start-line.js';
import { allOfClass, C_TOKEN, parseDigits } from './text.js';
import { validateMessage } from './validate.js';

export type Transport = 'udp' | 'tcp';

export interface ParseOptions extends Partial<ParserLimits> {
  /**
   * 'udp': one datagram; Content-Length may be absent (the body is the rest of the datagram),
   * bytes after the body are discarded (RFC 3261 §18.3). 'tcp' (any stream: TCP, TLS, WS):
   * Content-Length is required; use StreamFramer to cut a stream into messages.
   */
  transport: Transport;
  /** Run `validateMessage` (default true). Only tests and tools turn it off. */
  validate?: boolean;
}

/** Leading CRLFs before a start line are ignored (RFC 3261 §7.5). */
export function skipLeadingLineEnds(buf: Buffer, start: number): number {
  let i = start;
  while (i < buf.length && (buf[i] === 10 || (buf[i] === 13 && buf[i + 1] === 10))) i += buf[i] === 13 ? 2 : 1;
  return i;
}

/**
 * Parse one message from a UDP datagram (or a complete stream frame). Returns the message or
 * throws SipParseError, and nothing else: see errors.ts for what each code means and whether it
 * may be answered (`createErrorResponse`).
 */
export function parseMessage(buf: Buffer, opts: ParseOptions): SipMessage {
  const limits = resolveLimits(opts);
  if (buf.length > limits.maxMessageSize && opts.transport === 'udp') {
    throw new SipParseError('SIP_TOO_LARGE', `datagram of ${buf.length} bytes`, { status: 513, reason: 'Message Too Large' });
  }
  const start = skipLeadingLineEnds(buf, 0);
  if (start >= buf.length) throw new SipParseError('SIP_EMPTY', 'no message, only line ends');
  const end = findHeadEnd(buf, start, start, limits);
  let head: Head;
  if (end === undefined) {
    if (opts.transport === 'tcp') throw new SipParseError('SIP_INCOMPLETE', 'head not complete');
    // A datagram whose head runs to its end without the blank line (RFC 4475 §3.1.2.15 baddn is
    // sent that way): take the head as complete and the body as empty.
    if (buf.length - start > limits.maxMessageSize) throw tooLarge();
    head = splitHead(buf, start, buf.length, buf.length, limits);
  } else {
    head = splitHead(buf, start, end[0], end[1], limits);
  }
  return finishMessage(buf, head, opts.transport, limits, opts.validate ?? true).msg;
}

function tooLarge(): SipParseError {
  return new SipParseError('SIP_TOO_LARGE', 'message larger than the limit', { status: 513, reason: 'Message Too Large' });
}

function badLength(what: string): SipParseError {
  return new SipParseError('SIP_BAD_CONTENT_LENGTH', what, { reason: 'Bad Content-Length' });
}

/**
 * Content-Length of a head: undefined when absent, Infinity when absurdly large. Throws
 * SIP_BAD_CONTENT_LENGTH when repeated (RFC 4475 §3.3.9 mcl01) or not digits (§3.1.2.3 ncl).
 */
export function headContentLength(head: Head): number | undefined {
  let value: string | undefined;
  for (const f of head.fields) {
    if (f.key !== 'content-length') continue;
    if (value !== undefined) throw badLength('more than one Content-Length');
    value = f.value;
  }
  if (value === undefined) return undefined;
  const n = parseDigits(value, Number.MAX_SAFE_INTEGER);
  if (n === -1) throw badLength(`Content-Length ${JSON.stringify(value.slice(0, 40))} is not a number`);
  return n < 0 ? Infinity : n;
}

/** The head of a request as far as needed to answer it, or undefined when it cannot be answered. */
function respondableHead(head: Head): FailedRequestHead | undefined {
  const line = head.startLine;
  if (line.length >= 4 && line.slice(0, 4).toUpperCase() === 'SIP/') return undefined; // a response: drop
  const sp = line.indexOf(' ');
  const method = sp < 0 ? line : line.slice(0, sp);
  if (!allOfClass(method, C_TOKEN) || method === 'ACK') return undefined; // an ACK is never answered (RFC 3261 §17)
  if (!head.fields.some((f) => f.key === 'via')) return undefined; // nowhere to send an answer
  return { method, headers: head.fields };
}

/**
 * Turn a split head into a message: start line, body framing, validation. Shared by parseMessage
 * and StreamFramer. Returns the message and the offset just past it.
 */
export function finishMessage(
  buf: Buffer,
  head: Head,
  transport: Transport,
  limits: ParserLimits,
  validate: boolean,
): { msg: SipMessage; end: number } {
  try {
    const start = parseStartLine(head.startLine);
    if (head.lineError !== undefined) throw head.lineError;
    const cl = headContentLength(head);
    let end: number;
    if (cl === undefined) {
      if (transport === 'tcp') throw badLength('Content-Length is required on stream transports (RFC 3261 §20.14)');
      end = buf.length;
    } else if (transport === 'udp') {
      // RFC 3261 §18.3: a datagram shorter than its Content-Length gets a 400.
      if (head.bodyStart + cl > buf.length) throw badLength('Content-Length larger than the datagram');
      end = head.bodyStart + cl;
    } else {
      if (head.bodyStart + cl > limits.maxMessageSize) throw tooLarge();
      if (head.bodyStart + cl > buf.length) throw new SipParseError('SIP_INCOMPLETE', 'body not complete');
      end = head.bodyStart + cl;
    }
    const headers = new SipHeaders(head.fields);
    const body = buf.subarray(head.bodyStart, end);
    const msg: SipMessage = start.kind === 'request'
      ? { kind: 'request', method: start.method, uri: start.uri, headers, body }
      : { kind: 'response', status: start.status, reason: start.reason, headers, body };
    if (validate) validateMessage(msg);
    return { msg, end };
  } catch (err) {
    if (err instanceof SipParseError) throw err.withHead(respondableHead(head));
    throw err;
  }
}
