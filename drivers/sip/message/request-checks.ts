import { getContacts, getContentType, getRecordRoutes, getTo, getTokens, getTopVia, getVias } from './accessors.js';
import { SipParseError } from './errors.js';
import { parseMediaType, mediaRangeCovers } from './media-type.js';
import type { SipRequest, SipResponse } from './message.js';
import { reasonPhrase } from './reason-phrases.js';
import { BRANCH_MAGIC_COOKIE } from './via.js';

/** What the UAS core supports; the answer to a request depends on it (RFC 3261 §8.2). */
export interface RequestCheckOptions {
  /** Methods we implement (others get 501 with Allow, §8.2.1). */
  methods?: readonly string[];
  /** Request-URI schemes we serve (others get 416, §8.2.2.1). */
  uriSchemes?: readonly string[];
  /** Option tags we support (an unknown one in Require gets 420 with Unsupported, §8.2.2.3). */
  extensions?: readonly string[];
  /** Body types we understand (others get 415 with Accept, §8.2.3). */
  contentTypes?: readonly string[];
}

export const DEFAULT_CHECK_OPTIONS: Readonly<Required<RequestCheckOptions>> = Object.freeze({
  methods: ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'REFER', 'NOTIFY', 'SUBSCRIBE', 'INFO', 'MESSAGE', 'UPDATE'],
  uriSchemes: ['sip', 'sips'],
  extensions: ['replaces', 'timer', 'norefersub'],
  contentTypes: ['application/sdp', 'application/dtmf-relay', 'message/sipfrag', 'text/plain'],
});

/** The answer the UAS core must give instead of processing the request. */
export interface RequestRejection {
  status: number;
  reason: string;
  /** Header fields the answer must carry (Allow, Unsupported, Accept, ...). */
  headers: Array<[string, string]>;
}

function reject(status: number, reason?: string, headers: Array<[string, string]> = []): RequestRejection {
  return { status, reason: reason ?? reasonPhrase(status), headers };
}

/** Run `fn`; a SipParseError becomes a 400 with its reason phrase. */
function syntax(fn: () => void): RequestRejection | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof SipParseError) return reject(400, err.reason);
    throw err;
  }
}

/**
 * The UAS-core checks of RFC 3261 §8.2 that come after parsing and `validateMessage`, in the
 * RFC's order. Returns undefined when the request may be processed, else the answer to send.
 * Covers RFC 4475 §3.1.1.2 intmeth and §3.1.1.5 esc02 (501), §3.1.2.13 regbadct (400), §3.2.1
 * badbranch (400, statelessly), §3.3.2-3.3.4 unkscm / novelsc (416) and unksm2 (400 from a
 * registrar), §3.3.5 bext01 (420), §3.3.6 invut (415), §3.3.15 sdp01 (406).
 */
export function checkRequest(req: SipRequest, options: RequestCheckOptions = {}): RequestRejection | undefined {
  const o = { ...DEFAULT_CHECK_OPTIONS, ...options };
  // §8.2.1: an unknown method gets 501 listing what we do implement.
  if (!o.methods.includes(req.method)) return reject(501, undefined, [['Allow', o.methods.join(', ')]]);
  // RFC 4475 §3.2.1: a branch that is only the magic cookie identifies nothing.
  const branch = getTopVia(req).params.get('branch');
  if (branch === BRANCH_MAGIC_COOKIE) return reject(400, 'Malformed branch parameter');
  // §8.2.2.1: Request-URI scheme.
  if (!o.uriSchemes.includes(req.uri.scheme)) return reject(416);
  // Headers the core relies on beyond the transaction ones: a bad one is a 400 (§21.4.1).
  const bad = syntax(() => {
    if (req.headers.has('Contact')) getContacts(req);
    if (req.method === 'INVITE' || req.method === 'SUBSCRIBE') getRecordRoutes(req);
    getTokens(req, 'Require');
    getVias(req);
  });
  if (bad !== undefined) return bad;
  // RFC 3261 §10.3 step 3 / RFC 4475 §3.3.4: the address-of-record must be a SIP or SIPS URI.
  if (req.method === 'REGISTER' && getTo(req).uri.kind !== 'sip') return reject(400, 'To must be a SIP or SIPS URI');
  // §8.2.2.3: Require (not for CANCEL nor ACK, whose answers cannot be refused).
  if (req.method !== 'CANCEL' && req.method !== 'ACK') {
    const unsupported = getTokens(req, 'Require').filter((t) => !o.extensions.includes(t.toLowerCase()));
    if (unsupported.length > 0) return reject(420, undefined, [['Unsupported', unsupported.join(', ')]]);
  }
  // §8.2.3: content we do not understand.
  if (req.body.length > 0) {
    const ct = syntax(() => getContentType(req));
    if (ct !== undefined) return ct;
    const type = getContentType(req);
    const accept: Array<[string, string]> = [['Accept', o.contentTypes.join(', ')]];
    if (type === undefined) return reject(415, 'Missing Content-Type', accept);
    if (!o.contentTypes.includes(`${type.type}/${type.subtype}`)) return reject(415, undefined, accept);
    const enc = req.headers.list('Content-Encoding').filter((e) => e.toLowerCase() !== 'identity');
    if (enc.length > 0) return reject(415, 'Unsupported Content-Encoding', [['Accept-Encoding', 'identity']]);
  }
  // §21.4.7 / RFC 4475 §3.3.15: our answer to an INVITE carries SDP; refuse when it is not accepted.
  if (req.method === 'INVITE' && req.headers.has('Accept')) {
    let ok = false;
    const bad406 = syntax(() => {
      const ranges = req.headers.list('Accept').filter((a) => a !== '');
      ok = ranges.some((a) => mediaRangeCovers(parseMediaType(a), 'application', 'sdp'));
    });
    if (bad406 !== undefined) return bad406;
    if (!ok) return reject(406, undefined, [['Accept', 'application/sdp']]);
  }
  return undefined;
}

/** What to do with a response before it reaches a client transaction. */
export type ResponseCheck = { action: 'accept' } | { action: 'drop'; why: string };

/**
 * RFC 3261 §8.1.3.3: a UAC (Octoline is a UA and B2BUA, never a proxy) discards a response with
 * more than one Via; that also keeps responses aimed at a broadcast address away (RFC 4475 §3.3.10
 * bcast).
 */
export function checkResponse(res: SipResponse): ResponseCheck {
  if (res.headers.list('Via').length > 1) return { action: 'drop', why: 'more than one Via (RFC 3261 §8.1.3.3)' };
  return { action: 'accept' };
}
