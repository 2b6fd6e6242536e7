import { SipParseError } from './errors.js';
import { C_TOKEN, hasClass, isToken, quote, readQuoted, skipWs } from './text.js';

/**
 * A WWW-Authenticate / Proxy-Authenticate challenge or an Authorization / Proxy-Authorization
 * credential (RFC 3261 §20.7, §20.27, §20.28, §20.44; RFC 2617 §3.2; RFC 8760 algorithms):
 * `scheme LWS name=value *(COMMA name=value)`. These headers are never split at commas by the
 * header layer: their commas separate parameters (RFC 3261 §7.3.1).
 */
export interface AuthHeader {
  /** The scheme as received ("Digest", or an unknown one: RFC 4475 §3.3.7 regaut01). */
  scheme: string;
  /** Parameters, names lower-cased, values unquoted ("auth,auth-int" for a quoted qop list). */
  params: Map<string, string>;
}

function bad(what: string, s: string): SipParseError {
  return new SipParseError('SIP_BAD_HEADER', `auth header: ${what}: ${JSON.stringify(s.slice(0, 120))}`, {
    reason: 'Bad authentication header',
  });
}

/** Parse one challenge or credentials value. Throws SIP_BAD_HEADER. */
export function parseAuthHeader(s: string): AuthHeader {
  let i = skipWs(s, 0);
  const ss = i;
  while (i < s.length && hasClass(s.charCodeAt(i), C_TOKEN)) i++;
  if (i === ss) throw bad('no scheme', s);
  const scheme = s.slice(ss, i);
  const params = new Map<string, string>();
  const ws = i;
  i = skipWs(s, i);
  if (i < s.length && i === ws) throw bad('no whitespace after scheme', s);
  while (i < s.length) {
    const ns = i;
    while (i < s.length && hasClass(s.charCodeAt(i), C_TOKEN)) i++;
    if (i === ns) throw bad('bad parameter name', s);
    const name = s.slice(ns, i).toLowerCase();
    i = skipWs(s, i);
    if (s.charCodeAt(i) !== 61) throw bad('parameter without value', s);
    i = skipWs(s, i + 1);
    let value: string;
    if (s.charCodeAt(i) === 34) {
      const q = readQuoted(s, i);
      if (q === undefined) throw bad('unterminated quoted value', s);
      value = q.value;
      i = q.end;
    } else {
      const vs = i;
      while (i < s.length && hasClass(s.charCodeAt(i), C_TOKEN)) i++;
      if (i === vs) throw bad('bad parameter value', s);
      value = s.slice(vs, i);
    }
    if (!params.has(name)) params.set(name, value);
    i = skipWs(s, i);
    if (i >= s.length) break;
    if (s.charCodeAt(i) !== 44) throw bad('expected comma', s);
    i = skipWs(s, i + 1);
    if (i >= s.length) throw bad('trailing comma', s);
  }
  return { scheme, params };
}

/** True for the Digest scheme (scheme names are case-insensitive, RFC 2617 §1.2). */
export function isDigest(h: AuthHeader): boolean {
  return h.scheme.toLowerCase() === 'digest';
}

/** The qop options of a challenge ("auth,auth-int" gives ["auth", "auth-int"]). */
export function qopOptions(h: AuthHeader): string[] {
  const qop = h.params.get('qop');
  if (qop === undefined) return [];
  return qop.split(',').map((q) => q.trim()).filter((q) => q.length > 0);
}

/**
 * Parameters written as bare tokens; every other value is quoted. RFC 2617 §3.2.2: in credentials
 * qop and nc are tokens, while a challenge quotes its qop-options list.
 */
const BARE: Record<'challenge' | 'credentials', ReadonlySet<string>> = {
  challenge: new Set(['algorithm', 'stale']),
  credentials: new Set(['algorithm', 'qop', 'nc']),
};

/** A challenge or credentials value as text, in the order given. */
export function formatAuthHeader(
  kind: 'challenge' | 'credentials',
  scheme: string,
  params: Iterable<readonly [string, string]>,
): string {
  const parts: string[] = [];
  for (const [name, value] of params) {
    const bare = BARE[kind].has(name.toLowerCase()) && isToken(value);
    parts.push(`${name}=${bare ? value : quote(value)}`);
  }
  return parts.length === 0 ? scheme : `${scheme} ${parts.join(', ')}`;
}
