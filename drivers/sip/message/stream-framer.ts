import { SipParseError } from './errors.js';
import { findHeadEnd, lineStartBefore, splitHead, type Head } from './head-reader.js';
import { resolveLimits, type ParserLimits } from './limits.js';
import type { SipMessage } from './message.js';
import { finishMessage, headContentLength } from './parser.js';

/** What a stream yields. */
export type FramerEvent =
  | { type: 'message'; message: SipMessage }
  /** A CRLFCRLF keep-alive ping (RFC 5626 §3.5.1): the transport answers with one CRLF. */
  | { type: 'ping' }
  /**
   * A message that could not be used. `fatal`: the stream can no longer be framed (no or bad
   * Content-Length, over the limits): answer if `error.respondable`, then close the connection.
   * Not fatal: that one message was bad, the stream goes on.
   */
  | { type: 'error'; error: SipParseError; fatal: boolean };

export interface FramerOptions extends Partial<ParserLimits> {
  validate?: boolean;
}

/**
 * Cuts a byte stream (TCP, TLS) into SIP messages by Content-Length, which streams require
 * (RFC 3261 §18.3, §20.14). Feed it chunks in order; it keeps at most one message's bytes, never
 * scans a byte twice while waiting for a head, and stops for good after a fatal error.
 */
export class StreamFramer {
  private readonly limits: ParserLimits;
  private readonly validate: boolean;
  private buf: Buffer = Buffer.alloc(0);
  private len = 0;
  private scanFrom = 0;
  private head: Head | undefined;
  private total = 0;
  private dead = false;

  constructor(options: FramerOptions = {}) {
    this.limits = resolveLimits(options);
    this.validate = options.validate ?? true;
  }

  /** Bytes received and not yet part of a message. */
  get buffered(): number {
    return this.len;
  }

  /** True after a fatal error: the connection must be closed. */
  get failed(): boolean {
    return this.dead;
  }

  push(chunk: Buffer): FramerEvent[] {
    const events: FramerEvent[] = [];
    if (this.dead || chunk.length === 0) return events;
    this.append(chunk);
    let off = 0;
    try {
      off = this.drain(events);
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      events.push({ type: 'error', error: err, fatal: true });
      this.dead = true;
      this.buf = Buffer.alloc(0);
      this.len = 0;
      return events;
    }
    if (off > 0) {
      this.buf.copyWithin(0, off, this.len);
      this.len -= off;
    }
    return events;
  }

  private append(chunk: Buffer): void {
    if (this.len + chunk.length > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + chunk.length, 4096));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
  }

  /** Emit every complete message; returns how many bytes were used. Throws fatal errors. */
  private drain(events: FramerEvent[]): number {
    let off = 0;
    for (;;) {
      if (this.head === undefined) {
        // RFC 3261 §7.5: CRLFs before a start line are ignored; RFC 5626 §3.5.1: CRLFCRLF is a ping.
        // A bare LF is skipped too, as parseMessage does.
        while (this.len - off >= 1 && this.buf[off] === 10) off++;
        while (this.len - off >= 2 && this.buf[off] === 13 && this.buf[off + 1] === 10) {
          if (this.len - off >= 4 && this.buf[off + 2] === 13 && this.buf[off + 3] === 10) {
            events.push({ type: 'ping' });
            off += 4;
          } else if (this.len - off >= 3 && this.buf[off + 2] !== 13) {
            off += 2;
          } else {
            return off; // "\r\n" or "\r\n\r": wait to see whether a ping follows
          }
        }
        if (this.len - off === 0) return off;
        const view = this.buf.subarray(off, this.len);
        const end = findHeadEnd(view, 0, this.scanFrom, this.limits);
        if (end === undefined) {
          if (view.length > this.limits.maxMessageSize) throw tooLarge();
          this.scanFrom = lineStartBefore(view, 0, view.length);
          return off;
        }
        if (end[1] > this.limits.maxMessageSize) throw tooLarge();
        const head = splitHead(view, 0, end[0], end[1], this.limits);
        const cl = safeLength(head);
        if (cl === undefined || end[1] + cl > this.limits.maxMessageSize) {
          // Unframeable: let finishMessage build the right (possibly respondable) error.
          finishMessage(view, head, 'tcp', this.limits, false);
          throw tooLarge();
        }
        this.head = head;
        this.total = end[1] + cl;
        this.scanFrom = 0;
      }
      if (this.len - off < this.total) return off;
      const frame = Buffer.from(this.buf.subarray(off, off + this.total));
      const head = this.head;
      this.head = undefined;
      off += this.total;
      try {
        events.push({ type: 'message', message: finishMessage(frame, head, 'tcp', this.limits, this.validate).msg });
      } catch (err) {
        if (!(err instanceof SipParseError)) throw err;
        events.push({ type: 'error', error: err, fatal: false });
      }
    }
  }
}

/** Content-Length, or undefined when absent or unusable (repeated, not a number). */
function safeLength(head: Head): number | undefined {
  try {
    const n = headContentLength(head);
    return n === Infinity ? undefined : n;
  } catch (err) {
    if (err instanceof SipParseError) return undefined;
    throw err;
  }
}

function tooLarge(): SipParseError {
  return new SipParseError('SIP_TOO_LARGE', 'message larger than the limit', { status: 513, reason: 'Message Too Large' });
}
