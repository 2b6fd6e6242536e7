import { createResponse, type SipRequest, type SipResponse } from '../message/index.js';
import type { ServerTransaction } from '../transaction/types.js';
import { SipError } from './errors.js';

export type HeaderList = Iterable<readonly [string, string]> | Record<string, string>;

/** Header pairs from either a list of pairs or a plain object. */
export function headerPairs(h: HeaderList | undefined): Array<readonly [string, string]> {
  if (h === undefined) return [];
  if (Symbol.iterator in h) return [...(h as Iterable<readonly [string, string]>)];
  return Object.entries(h);
}

export interface ResponseInit {
  reason?: string;
  headers?: HeaderList;
  /** A string body is sent as is (latin1 bytes, like every header). */
  body?: string | Buffer;
  /** Defaults to application/sdp when a body is given. */
  contentType?: string;
}

export function bodyBuffer(body: string | Buffer | undefined): Buffer | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
}

/** A response to `req` with our To tag, extra headers first, then the caller's, then the body. */
export function buildResponse(
  req: SipRequest,
  status: number,
  o: ResponseInit & { toTag?: string; extra?: Array<readonly [string, string]> },
): SipResponse {
  const body = bodyBuffer(o.body);
  const headers = [...(o.extra ?? []), ...headerPairs(o.headers)];
  const hasType = headers.some(([n]) => n.toLowerCase() === 'content-type' || n === 'c');
  return createResponse(req, status, {
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.toTag !== undefined ? { toTag: o.toTag } : {}),
    headers,
    ...(body !== undefined && body.length > 0 ? { body, ...(hasType ? {} : { contentType: o.contentType ?? 'application/sdp' }) } : {}),
  });
}

/** Send `res` on `tx`, or throw SIP_INVALID_STATE when it was already answered. */
export function respondOnce(tx: ServerTransaction, res: SipResponse): void {
  if (tx.finished) {
    throw new SipError('SIP_INVALID_STATE', `${tx.request.method} was already answered; cannot send ${res.status}`);
  }
  tx.respond(res);
}

/** The body as text (SDP, sipfrag, dtmf-relay are all text), undefined when empty. */
export function bodyText(msg: { body: Buffer }): string | undefined {
  return msg.body.length === 0 ? undefined : msg.body.toString('latin1');
}
