import { getTo } from './accessors.js';
import { formatCSeq, type CSeq } from './cseq.js';
import { SipBuildError, type SipParseError } from './errors.js';
import { SipHeaders } from './headers.js';
import { formatNameAddr, type NameAddr } from './name-addr.js';
import { reasonPhrase } from './reason-phrases.js';
import { isToken } from './text.js';
import { parseUri, type Uri } from './uri.js';
import { formatVia, type Via } from './via.js';

/** A SIP request (RFC 3261 §7.1). Header values and strings are byte strings (see text.ts). */
export interface SipRequest {
  readonly kind: 'request';
  /** Method, case-sensitive (RFC 3261 §7.1): "INVITE", or any token (RFC 4475 intmeth). */
  method: string;
  uri: Uri;
  headers: SipHeaders;
  /** Body bytes (binary safe); empty when there is none. */
  body: Buffer;
}

/** A SIP response (RFC 3261 §7.2). */
export interface SipResponse {
  readonly kind: 'response';
  status: number;
  /** Reason phrase, possibly empty (RFC 4475 §3.1.1.13 noreason). */
  reason: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

const EMPTY = Buffer.alloc(0);

export interface RequestInit {
  method: string;
  uri: Uri | string;
  /** Topmost first. */
  via: ReadonlyArray<Via | string>;
  from: NameAddr | string;
  to: NameAddr | string;
  callId: string;
  cseq: CSeq | number;
  /** RFC 3261 §8.1.1.6: 70 unless told otherwise. */
  maxForwards?: number;
  contact?: NameAddr | string;
  /** Further header fields, in order, written after the ones above. */
  headers?: Iterable<readonly [string, string]>;
  body?: Buffer;
  /** Required with a non-empty body. */
  contentType?: string;
}

/** Build a request with the mandatory headers of RFC 3261 §8.1.1 in the usual order. */
export function createRequest(init: RequestInit): SipRequest {
  if (!isToken(init.method)) throw new SipBuildError('SIP_INVALID_NAME', `bad method ${JSON.stringify(init.method)}`);
  const headers = new SipHeaders();
  for (const v of init.via) headers.append('Via', typeof v === 'string' ? v : formatVia(v));
  headers.append('Max-Forwards', String(init.maxForwards ?? 70));
  headers.append('From', typeof init.from === 'string' ? init.from : formatNameAddr(init.from));
  headers.append('To', typeof init.to === 'string' ? init.to : formatNameAddr(init.to));
  headers.append('Call-ID', init.callId);
  const cseq = typeof init.cseq === 'number' ? { seq: init.cseq, method: init.method } : init.cseq;
  headers.append('CSeq', formatCSeq(cseq));
  if (init.contact !== undefined) {
    headers.append('Contact', typeof init.contact === 'string' ? init.contact : formatNameAddr(init.contact));
  }
  for (const [name, value] of init.headers ?? []) headers.append(name, value);
  const body = init.body ?? EMPTY;
  if (init.contentType !== undefined) headers.append('Content-Type', init.contentType);
  else if (body.length > 0 && !headers.has('Content-Type')) {
    throw new SipBuildError('SIP_INVALID_VALUE', 'a body needs a Content-Type (RFC 3261 §20.15)');
  }
  const uri = typeof init.uri === 'string' ? parseUri(init.uri) : init.uri;
  return { kind: 'request', method: init.method, uri, headers, body };
}

export interface ResponseOptions {
  /** Reason phrase; the usual one for the status when omitted. */
  reason?: string;
  /**
   * To tag to add when the request's To has none (RFC 3261 §8.2.6.2). Ignored for 100 Trying,
   * which never carries one.
   */
  toTag?: string;
  headers?: Iterable<readonly [string, string]>;
  body?: Buffer;
  contentType?: string;
}

/** The header fields a response copies from its request (RFC 3261 §8.2.6.2). */
const COPIED = ['via', 'from', 'to', 'call-id', 'cseq'];

/**
 * A response to `req` (RFC 3261 §8.2.6): Via (all, in order), From, To, Call-ID and CSeq copied,
 * a To tag added when given and missing, Timestamp copied into 100 Trying (§8.2.6.1).
 */
export function createResponse(req: SipRequest, status: number, options: ResponseOptions = {}): SipResponse {
  if (!Number.isInteger(status) || status < 100 || status > 699) {
    throw new SipBuildError('SIP_INVALID_VALUE', `bad status code ${status}`);
  }
  const headers = new SipHeaders();
  for (const f of req.headers) {
    if (!COPIED.includes(f.key)) continue;
    if (f.key === 'to' && status !== 100 && options.toTag !== undefined && !getTo(req).params.has('tag')) {
      headers.append('To', `${f.value};tag=${options.toTag}`);
    } else {
      headers.append(f.name, f.value);
    }
  }
  if (status === 100) {
    const ts = req.headers.get('Timestamp');
    if (ts !== undefined) headers.append('Timestamp', ts);
  }
  for (const [name, value] of options.headers ?? []) headers.append(name, value);
  if (options.contentType !== undefined) headers.append('Content-Type', options.contentType);
  const reason = options.reason ?? reasonPhrase(status);
  if (/[\r\n]/.test(reason)) throw new SipBuildError('SIP_INVALID_VALUE', 'reason phrase holds CR or LF');
  return { kind: 'response', status, reason, headers, body: options.body ?? EMPTY };
}

/**
 * The answer to a request the parser refused (`err.respondable`): status and reason from the
 * error, Via/From/To/Call-ID/CSeq copied as received (first of each single-valued one), built
 * without parsing them again since one of them may be what was wrong. Send it statelessly to the
 * source address (RFC 3261 §18.2.2 cannot be followed with a broken Via). `toTag` is added to a To
 * without one (§8.2.6.2). Undefined when the error is not respondable.
 */
export function createErrorResponse(err: SipParseError, options: { toTag?: string } = {}): SipResponse | undefined {
  const head = err.head;
  if (head === undefined) return undefined;
  const headers = new SipHeaders();
  const seen = new Set<string>();
  for (const f of head.headers) {
    const key = f.name.toLowerCase();
    if (!COPIED.includes(key)) continue;
    if (key !== 'via' && seen.has(key)) continue;
    seen.add(key);
    // §8.2.6.2: a To tag is added when missing; the To may be the broken header, so look at text.
    const tag = key === 'to' && options.toTag !== undefined && !/;\s*tag\s*=/i.test(f.value) ? `;tag=${options.toTag}` : '';
    headers.append(f.name, f.value + tag);
  }
  return { kind: 'response', status: err.status, reason: err.reason, headers, body: EMPTY };
}
