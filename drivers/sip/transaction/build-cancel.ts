import { createRequest, getCallId, getCSeq, type SipRequest } from '../message/index.js';
import { routeFields, topViaText } from './request-parts.js';

/**
 * The CANCEL for a pending INVITE (RFC 3261 §9.1): the same Request-URI, Call-ID, From and To (no
 * tag added), the CSeq number with method CANCEL, a single Via equal to the INVITE's top Via (same
 * branch: the server matches it to the INVITE, §9.2) and the INVITE's Route headers. No
 * Require/Proxy-Require, no body.
 */
export function buildCancel(invite: SipRequest): SipRequest {
  return createRequest({
    method: 'CANCEL',
    uri: invite.uri,
    via: [topViaText(invite)],
    from: invite.headers.get('From') ?? '',
    to: invite.headers.get('To') ?? '',
    callId: getCallId(invite),
    cseq: { seq: getCSeq(invite).seq, method: 'CANCEL' },
    headers: routeFields(invite),
  });
}
