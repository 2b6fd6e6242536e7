import { SipBuildError } from './errors.js';
import type { SipMessage } from './message.js';
import { formatUri } from './uri.js';

function checkLine(what: string, s: string): void {
  if (s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0) {
    throw new SipBuildError('SIP_INVALID_VALUE', `${what} holds CR or LF`);
  }
}

/**
 * The message as bytes: CRLF line ends, canonical full header names (never compact forms), header
 * values as stored (folded lines were joined when parsed), and a Content-Length that always equals
 * the body length, written where the first one was or last (RFC 3261 §7.3.3, §20.14).
 */
export function serialize(msg: SipMessage): Buffer {
  let head: string;
  if (msg.kind === 'request') {
    checkLine('method', msg.method);
    const uri = formatUri(msg.uri);
    checkLine('Request-URI', uri);
    head = `${msg.method} ${uri} SIP/2.0\r\n`;
  } else {
    checkLine('reason phrase', msg.reason);
    head = `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  }
  const length = `Content-Length: ${msg.body.length}\r\n`;
  let wroteLength = false;
  for (const f of msg.headers) {
    if (f.key === 'content-length') {
      if (!wroteLength) head += length;
      wroteLength = true;
      continue;
    }
    checkLine(`header ${f.name}`, f.value);
    head += `${f.name}: ${f.value}\r\n`;
  }
  if (!wroteLength) head += length;
  head += '\r\n';
  const headLength = Buffer.byteLength(head, 'latin1');
  const out = Buffer.allocUnsafe(headLength + msg.body.length);
  out.write(head, 0, 'latin1');
  msg.body.copy(out, headLength);
  return out;
}
