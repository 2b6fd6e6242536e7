/**
 * Transaction keys: one string per transaction so that matching is one Map lookup (no scans, no
 * regular expressions on the receive path).
 */
import {
  formatUri,
  getCallId,
  getCSeq,
  getFrom,
  getTopVia,
  rfc3261Branch,
  type SipRequest,
  type SipResponse,
  type Via,
} from '../message/index.js';

/**
 * §17.1.3: a response matches the client transaction whose request had the same top Via branch
 * and CSeq method (the method tells the CANCEL apart from its INVITE, which share a branch).
 * Undefined when the response has no branch (it cannot be ours: we always send one).
 */
export function responseKey(res: SipResponse): string | undefined {
  const branch = getTopVia(res).params.get('branch');
  if (typeof branch !== 'string') return undefined;
  return `${branch} ${getCSeq(res).method}`;
}

/** The key of a client transaction for the request we send (its top Via has an RFC 3261 branch). */
export function clientKey(branch: string, method: string): string {
  return `${branch} ${method}`;
}

/**
 * §17.2.3: the key of the server transaction a request belongs to, `method` being the
 * transaction's method (INVITE for an ACK, and for the CANCEL lookup of §9.2). With the
 * z9hG4bK cookie: branch, sent-by and method. Without it (RFC 2543 peers), the fields of the
 * §17.2.3 fallback: Request-URI, From tag, Call-ID, CSeq number and top Via. The To tag is left
 * out on purpose: the INVITE has none and its ACK has ours, so leaving it out is what lets the
 * ACK (and a CANCEL) find the INVITE with a single lookup.
 */
export function requestKey(req: SipRequest, method: string): string {
  const via = getTopVia(req);
  const branch = rfc3261Branch(via);
  if (branch !== undefined) return `${branch} ${sentBy(via)} ${method}`;
  return legacyKey(req, via, method);
}

function legacyKey(req: SipRequest, via: Via, method: string): string {
  const fromTag = getFrom(req).params.get('tag') ?? '';
  const viaBranch = via.params.get('branch') ?? '';
  // Space-separated: none of these fields can hold a space.
  return `2543 ${formatUri(req.uri)} ${fromTag} ${getCallId(req)} ${getCSeq(req).seq} ` +
    `${via.transport}/${sentBy(via)};${viaBranch} ${method}`;
}

/** sent-by with the default port made explicit (§18.2.1, §19.1.2) and the host case-folded. */
function sentBy(via: Via): string {
  const port = via.port ?? (via.transport === 'TLS' ? 5061 : 5060);
  return `${via.host.toLowerCase()}:${port}`;
}
