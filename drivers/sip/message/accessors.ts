import { parseCSeq, type CSeq } from './cseq.js';
import { SipParseError } from './errors.js';
import type { SipHeaders } from './headers.js';
import { parseMediaType, type MediaType } from './media-type.js';
import { parseNameAddr, type NameAddr } from './name-addr.js';
import { allOfClass, C_TOKEN, C_WORD, parseDigits, trimWs } from './text.js';
import { parseVia, type Via } from './via.js';

/**
 * Typed views of the headers the stack relies on. Each is parsed on first use and cached on the
 * message's SipHeaders until that header changes. They throw SipParseError on bad syntax; the
 * parser has already run the ones `validateMessage` needs, so for a parsed message those are cheap
 * and cannot throw.
 */
interface HasHeaders {
  readonly headers: SipHeaders;
}

function missing(name: string): SipParseError {
  return new SipParseError('SIP_MISSING_HEADER', `missing ${name} header`, { reason: `Missing ${name} header` });
}

/** The only value of a single-valued header; SIP_DUPLICATE_HEADER when it appears twice (§3.3.8 multi01). */
function single(msg: HasHeaders, name: string): string | undefined {
  const all = msg.headers.getAll(name);
  if (all.length > 1) {
    throw new SipParseError('SIP_DUPLICATE_HEADER', `${name} header appears ${all.length} times`, {
      reason: `Multiple ${name} headers`,
    });
  }
  return all[0];
}

/** Every Via value, topmost first ([] when there is none). */
export function getVias(msg: HasHeaders): Via[] {
  return msg.headers.typed('via', () => msg.headers.list('via').map(parseVia));
}

export function getTopVia(msg: HasHeaders): Via {
  const top = getVias(msg)[0];
  if (top === undefined) throw missing('Via');
  return top;
}

function nameAddrHeader(msg: HasHeaders, key: 'from' | 'to', name: string): NameAddr {
  return msg.headers.typed(key, () => {
    const v = single(msg, name);
    if (v === undefined) throw missing(name);
    return parseNameAddr(v, name);
  });
}

export function getFrom(msg: HasHeaders): NameAddr {
  return nameAddrHeader(msg, 'from', 'From');
}

export function getTo(msg: HasHeaders): NameAddr {
  return nameAddrHeader(msg, 'to', 'To');
}

/** Call-ID = word [ "@" word ] (RFC 3261 §25.1); compared byte for byte. */
export function getCallId(msg: HasHeaders): string {
  return msg.headers.typed('call-id', () => {
    const v = single(msg, 'Call-ID');
    if (v === undefined) throw missing('Call-ID');
    const at = v.indexOf('@');
    const ok = at < 0
      ? allOfClass(v, C_WORD)
      : allOfClass(v, C_WORD, 0, at) && allOfClass(v, C_WORD, at + 1);
    if (!ok) throw new SipParseError('SIP_BAD_HEADER', `bad Call-ID ${JSON.stringify(v.slice(0, 80))}`, { reason: 'Bad Call-ID header' });
    return v;
  });
}

export function getCSeq(msg: HasHeaders): CSeq {
  return msg.headers.typed('cseq', () => {
    const v = single(msg, 'CSeq');
    if (v === undefined) throw missing('CSeq');
    return parseCSeq(v);
  });
}

/**
 * Max-Forwards (0-255, RFC 3261 §20.22), undefined when absent: we tolerate its absence (RFC 2543
 * peers, RFC 4475 §3.4.1 inv2543) and treat it as 70 when we forward.
 */
export function getMaxForwards(msg: HasHeaders): number | undefined {
  return msg.headers.typed('max-forwards', () => {
    const v = single(msg, 'Max-Forwards');
    if (v === undefined) return undefined;
    const n = parseDigits(v, 255);
    if (n < 0) throw new SipParseError('SIP_BAD_HEADER', `bad Max-Forwards ${JSON.stringify(v.slice(0, 40))}`, { reason: 'Bad Max-Forwards header' });
    return n;
  });
}

/** Content-Length as written (the parser has checked it against the body); undefined when absent. */
export function getContentLength(msg: HasHeaders): number | undefined {
  const v = single(msg, 'Content-Length');
  if (v === undefined) return undefined;
  const n = parseDigits(v, Number.MAX_SAFE_INTEGER);
  if (n < 0) throw new SipParseError('SIP_BAD_CONTENT_LENGTH', 'bad Content-Length', { reason: 'Bad Content-Length' });
  return n;
}

export function getContentType(msg: HasHeaders): MediaType | undefined {
  return msg.headers.typed('content-type', () => {
    const v = single(msg, 'Content-Type');
    return v === undefined ? undefined : parseMediaType(v);
  });
}

/**
 * Expires in seconds, undefined when absent or not a valid delta-seconds (0 .. 2**32-1): RFC 4475
 * §3.1.2.4 lets an element treat a bad expiry as if it held the default, which is the caller's.
 */
export function getExpires(msg: HasHeaders): number | undefined {
  const v = msg.headers.get('Expires');
  if (v === undefined) return undefined;
  const n = parseDigits(v, 0xffffffff);
  return n < 0 ? undefined : n;
}

/** Contact values, or '*' for the REGISTER wildcard (RFC 3261 §10.2.2). */
export function getContacts(msg: HasHeaders): NameAddr[] | '*' {
  return msg.headers.typed('contact', (): NameAddr[] | '*' => {
    const values = msg.headers.list('contact');
    if (values.length === 1 && values[0] === '*') return '*';
    return values.map((v) => parseNameAddr(v, 'Contact'));
  });
}

export function getRoutes(msg: HasHeaders): NameAddr[] {
  return msg.headers.typed('route', () => msg.headers.list('route').map((v) => parseNameAddr(v, 'Route')));
}

export function getRecordRoutes(msg: HasHeaders): NameAddr[] {
  return msg.headers.typed('record-route', () =>
    msg.headers.list('record-route').map((v) => parseNameAddr(v, 'Record-Route')));
}

/** The option tags / methods / tokens of a token-list header (Require, Supported, Allow, ...). */
export function getTokens(msg: HasHeaders, name: string): string[] {
  const out: string[] = [];
  for (const v of msg.headers.list(name)) {
    const t = trimWs(v);
    if (t.length === 0) continue;
    if (!allOfClass(t, C_TOKEN)) {
      throw new SipParseError('SIP_BAD_HEADER', `bad token in ${name}: ${JSON.stringify(t.slice(0, 40))}`, { reason: `Bad ${name} header` });
    }
    out.push(t);
  }
  return out;
}
