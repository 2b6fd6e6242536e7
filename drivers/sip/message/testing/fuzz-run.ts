import { performance } from 'node:perf_hooks';
import {
  checkRequest,
  checkResponse,
  createErrorResponse,
  getContacts,
  getContentType,
  getExpires,
  getRecordRoutes,
  getRoutes,
  getTokens,
  parseAuthHeader,
  parseMessage,
  serialize,
  SipParseError,
  StreamFramer,
  type SipMessage,
} from '../index.js';

/** Run `fn`; a SipParseError is an allowed outcome, anything else propagates. */
function allowParseError(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof SipParseError)) throw err;
  }
}

function fieldsOf(m: SipMessage): string {
  let s = '';
  for (const f of m.headers) if (f.key !== 'content-length') s += `${f.name}\0${f.value}\n`;
  return s;
}

/**
 * One fuzz case: the input must parse or be refused with SipParseError (nothing else), as a UDP
 * datagram and through the stream framer; a parsed message must survive everything the layers
 * above call on it and serialize → parse back to the same headers and body. Throws on any
 * violation.
 */
export function runCase(input: Buffer): 'parsed' | 'refused' {
  let msg: SipMessage | undefined;
  try {
    msg = parseMessage(input, { transport: 'udp' });
  } catch (err) {
    if (!(err instanceof SipParseError)) throw err;
    const answer = createErrorResponse(err);
    if (answer !== undefined) serialize(answer);
  }
  // The stream path (finishMessage with Content-Length required) through the framer, in two chunks.
  const framer = new StreamFramer();
  const cut = input.length >> 1;
  framer.push(input.subarray(0, cut));
  framer.push(input.subarray(cut));
  if (msg === undefined) return 'refused';

  const m = msg;
  allowParseError(() => getContacts(m));
  allowParseError(() => getRoutes(m));
  allowParseError(() => getRecordRoutes(m));
  allowParseError(() => getContentType(m));
  allowParseError(() => getTokens(m, 'Require'));
  getExpires(m);
  for (const name of ['Authorization', 'WWW-Authenticate', 'Proxy-Authorization', 'Proxy-Authenticate']) {
    for (const v of m.headers.getAll(name)) allowParseError(() => parseAuthHeader(v));
  }
  allowParseError(() => (m.kind === 'request' ? checkRequest(m) : checkResponse(m)));

  const again = parseMessage(serialize(m), { transport: 'udp' });
  if (fieldsOf(again) !== fieldsOf(m) || !again.body.equals(m.body) || again.kind !== m.kind) {
    throw new Error('serialize → parse did not give the same message back');
  }
  return 'parsed';
}

/**
 * How long `input` really takes: the fastest of three fresh runs. A slow case seen once may have
 * been a GC pause or a busy machine; a real hang is slow every time.
 */
export function confirmedMs(input: Buffer): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    try {
      runCase(input);
    } catch {
      // failures are reported by the caller's own run
    }
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}
