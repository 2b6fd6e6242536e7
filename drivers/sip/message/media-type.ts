import { SipParseError } from './errors.js';
import { formatParams, readParams, type Params } from './params.js';
import { C_TOKEN, hasClass, skipWs } from './text.js';

/** A Content-Type / Accept value (RFC 3261 §20.15, §20.1): type/subtype, both lower-cased. */
export interface MediaType {
  type: string;
  subtype: string;
  params: Params;
}

function bad(s: string): SipParseError {
  return new SipParseError('SIP_BAD_HEADER', `bad media type ${JSON.stringify(s.slice(0, 80))}`, {
    reason: 'Bad media type',
  });
}

/** Parse `m-type SLASH m-subtype *(SEMI m-parameter)`. Throws SIP_BAD_HEADER. */
export function parseMediaType(s: string): MediaType {
  let i = skipWs(s, 0);
  const ts = i;
  while (i < s.length && hasClass(s.charCodeAt(i), C_TOKEN)) i++;
  if (i === ts) throw bad(s);
  const type = s.slice(ts, i).toLowerCase();
  i = skipWs(s, i);
  if (s.charCodeAt(i) !== 47) throw bad(s);
  i = skipWs(s, i + 1);
  const ss = i;
  while (i < s.length && hasClass(s.charCodeAt(i), C_TOKEN)) i++;
  if (i === ss) throw bad(s);
  const subtype = s.slice(ss, i).toLowerCase();
  const p = readParams(s, i);
  if (p === undefined || skipWs(s, p.end) !== s.length) throw bad(s);
  return { type, subtype, params: p.params };
}

export function formatMediaType(m: MediaType): string {
  return `${m.type}/${m.subtype}${formatParams(m.params)}`;
}

/** True when `range` (an Accept entry, may hold '*') covers `type/subtype`. */
export function mediaRangeCovers(range: MediaType, type: string, subtype: string): boolean {
  return (range.type === '*' || range.type === type) && (range.subtype === '*' || range.subtype === subtype);
}
