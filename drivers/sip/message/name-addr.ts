import { SipParseError } from './errors.js';
import { formatParams, readParams, type Params } from './params.js';
import { C_TOKEN, hasClass, isWs, quote, readQuoted, skipWs } from './text.js';
import { formatUri, parseUri, type Uri } from './uri.js';

/**
 * A From / To / Contact / Route / Record-Route / Refer-To value (RFC 3261 §20.10, §25.1):
 * `[display-name] <uri> *(;param)` or a bare addr-spec followed by header parameters.
 */
export interface NameAddr {
  /** Unquoted, unescaped display name; undefined when there is none (a quoted "" gives ""). */
  displayName?: string;
  uri: Uri;
  /** Header parameters (tag, expires, q, ...): they belong to the header, never to the URI. */
  params: Params;
}

function bad(header: string, what: string, s: string): SipParseError {
  return new SipParseError('SIP_BAD_HEADER', `${header}: ${what}: ${JSON.stringify(s.slice(0, 120))}`, {
    reason: `Bad ${header} header`,
  });
}

/**
 * Parse one name-addr / addr-spec value (already split from its list). `header` names the field in
 * errors. Throws SIP_BAD_HEADER (or SIP_BAD_URI for the URI itself).
 */
export function parseNameAddr(s: string, header = 'name-addr'): NameAddr {
  let i = skipWs(s, 0);
  let displayName: string | undefined;
  let uriText: string;
  const c0 = s.charCodeAt(i);
  if (c0 === 34) {
    const q = readQuoted(s, i);
    if (q === undefined) throw bad(header, 'unterminated quoted display name', s);
    displayName = q.value;
    i = skipWs(s, q.end);
    if (s.charCodeAt(i) !== 60) throw bad(header, 'display name not followed by <', s);
  } else {
    // Either `*(token LWS) <uri>` or a bare addr-spec: tell them apart by what follows the tokens.
    let j = i;
    let sawWs = false;
    let tokens = '';
    while (j < s.length) {
      const ts = j;
      while (j < s.length && hasClass(s.charCodeAt(j), C_TOKEN)) j++;
      if (j === ts) break;
      tokens += (tokens ? ' ' : '') + s.slice(ts, j);
      const ws = j;
      j = skipWs(s, j);
      if (j > ws) sawWs = true;
      else break;
    }
    if (s.charCodeAt(j) === 60) {
      // display-name = *(token LWS); LAQUOT = SWS "<", so "caller<sip:..>" is valid (§3.1.1.6 lwsdisp).
      if (j > i) displayName = tokens;
      i = j;
    } else if (hasDisplayNameBefore(s, i) || (sawWs && j < s.length && s.charCodeAt(j) !== 59)) {
      // tokens, whitespace, then something that is neither '<' nor a parameter: a display name
      // with non-token characters (RFC 4475 §3.1.2.15 baddn) or an addr-spec with spaces (§3.1.2.14).
      throw bad(header, 'display name must be tokens or a quoted string', s);
    }
  }
  let end: number;
  if (s.charCodeAt(i) === 60) {
    const close = s.indexOf('>', i + 1);
    if (close < 0) throw bad(header, 'unterminated <', s);
    uriText = s.slice(i + 1, close);
    // LAQUOT / RAQUOT allow no whitespace inside the brackets (RFC 4475 §3.1.2.14 badaspec).
    if (uriText.length === 0 || isWs(uriText.charCodeAt(0)) || isWs(uriText.charCodeAt(uriText.length - 1))) {
      throw bad(header, 'whitespace inside <>', s);
    }
    end = close + 1;
  } else {
    // addr-spec: ends at the first ';' (its parameters are header parameters, §20.10), and may not
    // contain ',', '?' or ';' itself (RFC 4475 §3.1.2.13 regbadct).
    let j = i;
    while (j < s.length && s.charCodeAt(j) !== 59 && !isWs(s.charCodeAt(j))) j++;
    uriText = s.slice(i, j);
    if (uriText.length === 0) throw bad(header, 'no URI', s);
    if (uriText.includes('?') || uriText.includes(',')) {
      throw bad(header, 'a URI with "?" or "," must be enclosed in <>', s);
    }
    end = j;
  }
  let uri: Uri;
  try {
    uri = parseUri(uriText);
  } catch (err) {
    if (err instanceof SipParseError) throw bad(header, err.message, s);
    throw err;
  }
  const p = readParams(s, end);
  if (p === undefined) throw bad(header, 'bad parameter', s);
  if (skipWs(s, p.end) !== s.length) throw bad(header, 'trailing characters', s);
  const out: NameAddr = { uri, params: p.params };
  if (displayName !== undefined) out.displayName = displayName;
  return out;
}

/** True when a '<' comes before any ';' or '"': the text before it was meant as a display name. */
function hasDisplayNameBefore(s: string, i: number): boolean {
  const lt = s.indexOf('<', i);
  if (lt < 0) return false;
  const semi = s.indexOf(';', i);
  const q = s.indexOf('"', i);
  return (semi < 0 || lt < semi) && (q < 0 || lt < q);
}

/** A name-addr as text: always `<uri>` (safe for any URI), display name quoted when present. */
export function formatNameAddr(value: NameAddr): string {
  const name = value.displayName === undefined ? '' : quote(value.displayName) + ' ';
  return `${name}<${formatUri(value.uri)}>${formatParams(value.params)}`;
}
