import { SipParseError } from './errors.js';
import { formatParams, readParams, type Params } from './params.js';
import { C_HEX, C_HOST, C_TOKEN, hasClass, parseDigits, skipWs } from './text.js';

/** One Via value (RFC 3261 §20.42, §25.1 via-parm). */
export interface Via {
  /** "SIP" as received (case kept), then "2.0". */
  protocol: string;
  version: string;
  /** Upper-cased: UDP, TCP, TLS, SCTP, WS, or any other token (RFC 4475 §3.1.1.10 transports). */
  transport: string;
  /** sent-by host as received; an IPv6 reference keeps its brackets. */
  host: string;
  port?: number;
  /** via-params: branch, received, rport, maddr, ttl and extensions; names lower-cased. */
  params: Params;
}

/** RFC 3261 §8.1.1.7: a branch starting with this was made by an RFC 3261 element. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

function bad(what: string, s: string): SipParseError {
  return new SipParseError('SIP_BAD_VIA', `Via: ${what}: ${JSON.stringify(s.slice(0, 120))}`, {
    reason: 'Bad Via header',
  });
}

function readToken(s: string, i: number): number {
  while (i < s.length && hasClass(s.charCodeAt(i), C_TOKEN)) i++;
  return i;
}

/** Parse one Via element (a list is split first). Throws SIP_BAD_VIA. */
export function parseVia(s: string): Via {
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport, SLASH = SWS "/" SWS
  let i = skipWs(s, 0);
  const parts: string[] = [];
  for (let n = 0; n < 3; n++) {
    if (n > 0) {
      i = skipWs(s, i);
      if (s.charCodeAt(i) !== 47) throw bad('bad sent-protocol', s);
      i = skipWs(s, i + 1);
    }
    const end = readToken(s, i);
    if (end === i) throw bad('bad sent-protocol', s);
    parts.push(s.slice(i, end));
    i = end;
  }
  const ws = i;
  i = skipWs(s, i);
  if (i === ws) throw bad('no whitespace before sent-by', s);
  // sent-by = host [ COLON port ]
  const hs = i;
  if (s.charCodeAt(i) === 91) {
    const close = s.indexOf(']', i);
    if (close < 0 || close === i + 1) throw bad('bad IPv6 reference', s);
    for (let j = i + 1; j < close; j++) {
      const c = s.charCodeAt(j);
      if (!hasClass(c, C_HEX) && c !== 58 && c !== 46) throw bad('bad IPv6 reference', s);
    }
    i = close + 1;
  } else {
    while (i < s.length && hasClass(s.charCodeAt(i), C_HOST)) i++;
    if (i === hs) throw bad('no sent-by host', s);
  }
  const via: Via = {
    protocol: parts[0] ?? '',
    version: parts[1] ?? '',
    transport: (parts[2] ?? '').toUpperCase(),
    host: s.slice(hs, i),
    params: new Map(),
  };
  const afterHost = skipWs(s, i);
  if (s.charCodeAt(afterHost) === 58) {
    const ps = skipWs(s, afterHost + 1);
    let pe = ps;
    while (pe < s.length && s.charCodeAt(pe) >= 48 && s.charCodeAt(pe) <= 57) pe++;
    const port = pe - ps > 5 ? -1 : parseDigits(s.slice(ps, pe), 65535);
    if (port < 0) throw bad('bad port', s);
    via.port = port;
    i = pe;
  }
  const p = readParams(s, i);
  if (p === undefined) throw bad('bad parameter', s);
  if (skipWs(s, p.end) !== s.length) throw bad('trailing characters', s);
  checkViaParams(p.params, s);
  via.params = p.params;
  return via;
}

function checkViaParams(params: Params, s: string): void {
  const branch = params.get('branch');
  if (branch === null || (branch !== undefined && branch.charCodeAt(0) === 34)) throw bad('bad branch', s);
  const received = params.get('received');
  if (received === null) throw bad('received without value', s);
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && parseDigits(rport, 65535) < 0) throw bad('bad rport', s);
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || parseDigits(ttl, 255) < 0)) throw bad('bad ttl', s);
  const maddr = params.get('maddr');
  if (maddr === null) throw bad('maddr without value', s);
}

/** The branch parameter when it carries an RFC 3261 transaction id (cookie plus at least one char). */
export function rfc3261Branch(via: Via): string | undefined {
  const branch = via.params.get('branch');
  if (typeof branch !== 'string') return undefined;
  return branch.length > BRANCH_MAGIC_COOKIE.length && branch.startsWith(BRANCH_MAGIC_COOKIE) ? branch : undefined;
}

/** A Via value as text. */
export function formatVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `${via.protocol}/${via.version}/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}
