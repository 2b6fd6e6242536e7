import { createRequest, getCallId, getCSeq, type SipRequest, type SipResponse } from '../message/index.js';
import { routeFields, topViaText } from './request-parts.js';

/**
 * The ACK for a non-2xx final response, sent by the INVITE client transaction itself (RFC 3261
 * §17.1.1.3): Request-URI, Call-ID, From and the CSeq number of the INVITE with method ACK, the To
 * of the response (it carries the UAS's tag), one Via equal to the INVITE's top Via (same branch,
 * so that the server transaction matches it), and the INVITE's Route headers. No body.
 */
export function buildAck(invite: SipRequest, res: SipResponse): SipRequest {
  return createRequest({
    method: 'ACK',
    uri: invite.uri,
    via: [topViaText(invite)],
    from: invite.headers.get('From') ?? '',
    to: res.headers.get('To') ?? invite.headers.get('To') ?? '',
    callId: getCallId(invite),
    cseq: { seq: getCSeq(invite).seq, method: 'ACK' },
    headers: routeFields(invite),
  });
}
