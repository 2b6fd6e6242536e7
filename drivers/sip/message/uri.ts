import { SipParseError } from './errors.js';
import {
  C_HEX,
  C_HNV,
  C_HOST,
  C_PARAM,
  C_PASSWORD,
  C_USER,
  escapeClass,
  hasClass,
  unescapeClass,
} from './text.js';

/**
 * A SIP or SIPS URI (RFC 3261 §19.1). User, password, parameter names/values and header values are
 * stored unescaped (byte strings); `formatUri` escapes them again. The host is kept as received,
 * an IPv6 reference with its brackets ("[2001:db8::10]").
 */
export interface SipUri {
  readonly kind: 'sip';
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  /** uri-parameters, names lower-cased (§19.1.4), valueless ones (";lr") map to null. */
  params: Map<string, string | null>;
  /** The "?name=value&..." part, unescaped. */
  headers: Map<string, string>;
}

/**
 * Any other scheme (tel:, http:, urn:, unknown ones), kept whole so that the application layer can
 * answer 416 Unsupported URI Scheme (RFC 3261 §8.2.2.1) or use it as it sees fit.
 */
export interface AbsoluteUri {
  readonly kind: 'absolute';
  /** Lower-cased scheme. */
  scheme: string;
  /** Everything after "scheme:", as received. */
  value: string;
}

export type Uri = SipUri | AbsoluteUri;

function bad(what: string, s: string): SipParseError {
  return new SipParseError('SIP_BAD_URI', `${what}: ${JSON.stringify(s.slice(0, 120))}`, {
    reason: 'Bad URI',
  });
}

function isSchemeChar(c: number, first: boolean): boolean {
  const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (first) return alpha;
  return alpha || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

/** Characters allowed in an absoluteURI (uric plus '[' ']' as IPv6 hosts appear there too). */
function isAbsoluteChar(c: number): boolean {
  return c > 32 && c < 127 && c !== 60 && c !== 62 && c !== 34 && c !== 92 && c !== 94 &&
    c !== 96 && c !== 123 && c !== 124 && c !== 125;
}

/** Parse a URI as it appears in a Request-URI or between < and >. Throws SIP_BAD_URI. */
export function parseUri(s: string): Uri {
  const colon = s.indexOf(':');
  if (colon <= 0) throw bad('URI without scheme', s);
  for (let i = 0; i < colon; i++) {
    if (!isSchemeChar(s.charCodeAt(i), i === 0)) throw bad('bad URI scheme', s);
  }
  const scheme = s.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(s, scheme, colon + 1);
  if (colon + 1 >= s.length) throw bad('empty URI', s);
  for (let i = colon + 1; i < s.length; i++) {
    if (!isAbsoluteChar(s.charCodeAt(i))) throw bad('bad character in URI', s);
  }
  return { kind: 'absolute', scheme, value: s.slice(colon + 1) };
}

/** `parseUri` that answers undefined instead of throwing. */
export function tryParseUri(s: string): Uri | undefined {
  try {
    return parseUri(s);
  } catch (err) {
    if (err instanceof SipParseError) return undefined;
    throw err;
  }
}

function isUserinfoChar(c: number): boolean {
  return hasClass(c, C_USER | C_PASSWORD) || c === 58 || c === 37;
}

function parseSipUri(s: string, scheme: 'sip' | 'sips', start: number): SipUri {
  const uri: SipUri = { kind: 'sip', scheme, host: '', params: new Map(), headers: new Map() };
  // userinfo may hold ';' '?' '/' (RFC 4475 §3.1.1.2 intmeth, §3.1.1.9 semiuri): it is present
  // exactly when a run of userinfo characters from the start ends at '@'.
  let i = start;
  while (i < s.length && isUserinfoChar(s.charCodeAt(i))) i++;
  if (i < s.length && s.charCodeAt(i) === 64) {
    const at = i;
    let pc = s.indexOf(':', start);
    if (pc < 0 || pc > at) pc = at;
    const user = unescapeClass(s, C_USER, start, pc);
    if (user === undefined || pc === start) throw bad('bad URI user', s);
    uri.user = user;
    if (pc < at) {
      const password = pc + 1 === at ? '' : unescapeClass(s, C_PASSWORD, pc + 1, at);
      if (password === undefined) throw bad('bad URI password', s);
      uri.password = password;
    }
    i = at + 1;
  } else {
    i = start;
  }
  // host
  const hs = i;
  if (s.charCodeAt(i) === 91) {
    const close = s.indexOf(']', i);
    if (close < 0) throw bad('unterminated IPv6 reference', s);
    for (let j = i + 1; j < close; j++) {
      const c = s.charCodeAt(j);
      if (!hasClass(c, C_HEX) && c !== 58 && c !== 46) throw bad('bad IPv6 reference', s);
    }
    const firstColon = s.indexOf(':', i);
    if (close === i + 1 || firstColon < 0 || firstColon > close) throw bad('bad IPv6 reference', s);
    i = close + 1;
  } else {
    while (i < s.length && hasClass(s.charCodeAt(i), C_HOST)) i++;
    if (i === hs) throw bad('URI without host', s);
  }
  uri.host = s.slice(hs, i);
  if (s.charCodeAt(i) === 58) {
    const ps = ++i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    const port = i - ps > 0 && i - ps <= 5 ? Number(s.slice(ps, i)) : -1;
    if (port < 0 || port > 65535) throw bad('bad URI port', s);
    uri.port = port;
  }
  // uri-parameters
  while (s.charCodeAt(i) === 59) {
    const ns = ++i;
    while (i < s.length && s.charCodeAt(i) !== 59 && s.charCodeAt(i) !== 63 && s.charCodeAt(i) !== 61) i++;
    const name = i > ns ? unescapeClass(s, C_PARAM, ns, i) : undefined;
    if (name === undefined) throw bad('bad URI parameter', s);
    let value: string | null = null;
    if (s.charCodeAt(i) === 61) {
      const vs = ++i;
      while (i < s.length && s.charCodeAt(i) !== 59 && s.charCodeAt(i) !== 63) i++;
      const v = i > vs ? unescapeClass(s, C_PARAM, vs, i) : undefined;
      if (v === undefined) throw bad('bad URI parameter value', s);
      value = v;
    }
    const key = name.toLowerCase();
    if (!uri.params.has(key)) uri.params.set(key, value);
  }
  // headers
  if (s.charCodeAt(i) === 63) {
    i++;
    for (;;) {
      let amp = s.indexOf('&', i);
      if (amp < 0) amp = s.length;
      const eq = s.indexOf('=', i);
      if (eq < 0 || eq > amp) throw bad('bad URI header', s);
      const name = eq > i ? unescapeClass(s, C_HNV, i, eq) : undefined;
      const value = eq + 1 === amp ? '' : unescapeClass(s, C_HNV, eq + 1, amp);
      if (name === undefined || value === undefined) throw bad('bad URI header', s);
      if (!uri.headers.has(name)) uri.headers.set(name, value);
      i = amp + 1;
      if (amp === s.length) break;
    }
    return uri;
  }
  if (i !== s.length) throw bad('trailing characters in URI', s);
  return uri;
}

/** The URI as text, escaping what needs escaping. */
export function formatUri(uri: Uri): string {
  if (uri.kind === 'absolute') return `${uri.scheme}:${uri.value}`;
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) {
    out += escapeClass(uri.user, C_USER);
    if (uri.password !== undefined) out += ':' + escapeClass(uri.password, C_PASSWORD);
    out += '@';
  }
  out += uri.host;
  if (uri.port !== undefined) out += `:${uri.port}`;
  for (const [name, value] of uri.params) {
    out += ';' + escapeClass(name, C_PARAM);
    if (value !== null) out += '=' + escapeClass(value, C_PARAM);
  }
  let sep = '?';
  for (const [name, value] of uri.headers) {
    out += sep + escapeClass(name, C_HNV) + '=' + escapeClass(value, C_HNV);
    sep = '&';
  }
  return out;
}

/** Parameters that must match when present in either URI (RFC 3261 §19.1.4). */
const STRICT_PARAMS = ['user', 'ttl', 'method', 'maddr', 'transport'];

/**
 * URI equality per RFC 3261 §19.1.4: escapes are compared decoded, host and scheme
 * case-insensitively, user and password case-sensitively; user/ttl/method/maddr/transport must
 * agree when present in either; other parameters only when in both; headers must all agree.
 */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.kind !== b.kind || a.scheme !== b.scheme) return false;
  if (a.kind === 'absolute' || b.kind === 'absolute') {
    return a.kind === 'absolute' && b.kind === 'absolute' && a.value === b.value;
  }
  if (a.user !== b.user || a.password !== b.password) return false;
  if (a.host.toLowerCase() !== b.host.toLowerCase() || a.port !== b.port) return false;
  for (const name of STRICT_PARAMS) {
    if (a.params.has(name) !== b.params.has(name)) return false;
  }
  for (const [name, value] of a.params) {
    if (!b.params.has(name)) continue;
    const other = b.params.get(name);
    if ((value ?? '').toLowerCase() !== (other ?? '').toLowerCase()) return false;
  }
  if (a.headers.size !== b.headers.size) return false;
  for (const [name, value] of a.headers) {
    let found = false;
    for (const [n2, v2] of b.headers) {
      if (n2.toLowerCase() === name.toLowerCase() && v2 === value) found = true;
    }
    if (!found) return false;
  }
  return true;
}
