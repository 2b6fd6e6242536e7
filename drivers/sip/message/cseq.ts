import { SipParseError } from './errors.js';
import { C_TOKEN, hasClass, isWs, skipWs } from './text.js';

/** CSeq (RFC 3261 §20.16): sequence number and method. */
export interface CSeq {
  seq: number;
  method: string;
}

/** RFC 3261 §8.1.1.5: the sequence number must be expressible as a 32-bit unsigned integer. */
export const MAX_CSEQ = 0xffffffff;

function bad(what: string, s: string): SipParseError {
  return new SipParseError('SIP_BAD_CSEQ', `CSeq: ${what}: ${JSON.stringify(s.slice(0, 80))}`, {
    reason: 'Bad CSeq header',
  });
}

/**
 * Parse "1*DIGIT LWS Method". Leading zeros are fine (RFC 4475 §3.1.1.1 wsinv: "0009"); a number
 * above 2**32-1 is an error (§3.1.2.4 scalar02: answer 400; §3.1.2.5 scalarlg: drop the response).
 */
export function parseCSeq(s: string): CSeq {
  let i = skipWs(s, 0);
  const ds = i;
  let seq = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    seq = seq * 10 + c;
    if (seq > MAX_CSEQ) throw bad('sequence number above 2**32-1', s);
    i++;
  }
  if (i === ds) throw bad('no sequence number', s);
  if (!isWs(s.charCodeAt(i))) throw bad('no whitespace before method', s);
  i = skipWs(s, i);
  const ms = i;
  while (i < s.length && hasClass(s.charCodeAt(i), C_TOKEN)) i++;
  if (i === ms) throw bad('no method', s);
  const method = s.slice(ms, i);
  if (skipWs(s, i) !== s.length) throw bad('trailing characters', s);
  return { seq, method };
}

export function formatCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}
