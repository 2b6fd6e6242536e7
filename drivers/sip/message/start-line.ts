import { SipParseError } from './errors.js';
import { allOfClass, C_TOKEN } from './text.js';
import { parseUri, type Uri } from './uri.js';

export type StartLine =
  | { kind: 'request'; method: string; uri: Uri }
  | { kind: 'response'; status: number; reason: string };

function bad(what: string, line: string): SipParseError {
  return new SipParseError('SIP_BAD_START_LINE', `${what}: ${JSON.stringify(line.slice(0, 120))}`, {
    reason: 'Bad Request-Line',
  });
}

/** "SIP/<digits>.<digits>", "SIP" case-insensitive (ABNF strings are, RFC 3261 §7.1). */
function versionKind(v: string): 'ok' | 'other' | 'bad' {
  if (v.length < 7 || v.slice(0, 4).toUpperCase() !== 'SIP/') return 'bad';
  const dot = v.indexOf('.', 4);
  if (dot < 0 || !allDigits(v, 4, dot) || !allDigits(v, dot + 1, v.length)) return 'bad';
  return v.slice(4) === '2.0' ? 'ok' : 'other';
}

function allDigits(s: string, a: number, b: number): boolean {
  if (b <= a) return false;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Parse a Request-Line or Status-Line (RFC 3261 §7.1, §7.2). Exactly one SP between the
 * elements: extra or trailing SP, LWS inside the Request-URI or a Request-URI in <> are refused
 * with 400 (RFC 4475 §3.1.2.7-3.1.2.10: rejecting is the choice the RFC calls reasonable).
 */
export function parseStartLine(line: string): StartLine {
  if (line.length >= 4 && line.slice(0, 4).toUpperCase() === 'SIP/') return parseStatusLine(line);
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || sp2 === sp1 + 1 || sp2 === line.length - 1) {
    throw bad('Request-Line is not "Method SP Request-URI SP SIP-Version"', line);
  }
  const method = line.slice(0, sp1);
  if (!allOfClass(method, C_TOKEN)) throw bad('bad method', line);
  const version = line.slice(sp2 + 1);
  const vk = versionKind(version);
  if (vk === 'bad') throw bad('bad SIP-Version', line);
  if (vk === 'other') {
    throw new SipParseError('SIP_BAD_VERSION', `unsupported version ${JSON.stringify(version.slice(0, 20))}`, {
      status: 505,
      reason: 'Version Not Supported',
    });
  }
  const uriText = line.slice(sp1 + 1, sp2);
  let uri: Uri;
  try {
    uri = parseUri(uriText);
  } catch (err) {
    if (!(err instanceof SipParseError)) throw err;
    throw new SipParseError('SIP_BAD_URI', `Request-URI: ${err.message}`, { reason: 'Bad Request-URI' });
  }
  // §19.1.1 Table 1: no headers in a Request-URI (RFC 4475 §3.1.2.11 escruri: reject with 400).
  if (uri.kind === 'sip' && uri.headers.size > 0) {
    throw new SipParseError('SIP_BAD_URI', 'headers are not allowed in a Request-URI', { reason: 'Bad Request-URI' });
  }
  return { kind: 'request', method, uri };
}

function parseStatusLine(line: string): StartLine {
  const sp1 = line.indexOf(' ');
  if (sp1 < 0) throw bad('Status-Line without status code', line);
  const vk = versionKind(line.slice(0, sp1));
  if (vk === 'bad') throw bad('bad SIP-Version', line);
  if (vk === 'other') throw new SipParseError('SIP_BAD_VERSION', 'unsupported version in a response');
  // Status-Code = 3DIGIT, 100-699 (RFC 4475 §3.1.2.19 bigcode: drop anything else).
  const code = line.slice(sp1 + 1, sp1 + 4);
  const after = line.charCodeAt(sp1 + 4);
  if (!allDigits(code, 0, 3) || (!Number.isNaN(after) && after !== 32)) throw bad('bad status code', line);
  const status = Number(code);
  if (status < 100 || status > 699) throw bad('status code out of range', line);
  // The reason may be empty (§3.1.1.13 noreason) or hold UTF-8 (§3.1.1.12 unreason); a missing
  // SP before an empty reason is tolerated.
  const reason = Number.isNaN(after) ? '' : line.slice(sp1 + 5);
  return { kind: 'response', status, reason };
}
