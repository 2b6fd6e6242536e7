import {
  createRequest,
  createResponse,
  parseMessage,
  serialize,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../message/index.js';
import type { Remote, TransportKind } from '../../transport/types.js';

/** A desk phone sending to the box, and the FXO gateway the box sends to. */
export const PHONE: Remote = { transport: 'udp', address: '192.0.2.20', port: 5062 };
export const GATEWAY: Remote = { transport: 'udp', address: '192.0.2.30', port: 5060 };

export function over(remote: Remote, transport: TransportKind): Remote {
  return { ...remote, transport };
}

/** Through the serializer and parser, as the transport would hand it over. */
export function wire<M extends SipMessage>(msg: M): M {
  return parseMessage(serialize(msg), { transport: 'udp' }) as M;
}

export interface RequestSpec {
  method?: string;
  /** The top Via branch; null for an RFC 2543 peer that sends none. */
  branch?: string | null;
  /** Top Via sent-by, e.g. "192.0.2.20:5062". */
  sentBy?: string;
  transport?: TransportKind;
  cseq?: number;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  routes?: string[];
}

/** A request as built by the sender (phone or box): one Via, tags, optional Route set. */
export function request(spec: RequestSpec = {}): SipRequest {
  const method = spec.method ?? 'INVITE';
  const branch = spec.branch === null ? '' : `;branch=${spec.branch ?? 'z9hG4bK-inv-1'}`;
  const transport = (spec.transport ?? 'udp').toUpperCase();
  return createRequest({
    method,
    uri: 'sip:2000@192.0.2.1',
    via: [`SIP/2.0/${transport} ${spec.sentBy ?? '192.0.2.20:5062'}${branch};rport`],
    from: `"Alice" <sip:1001@192.0.2.1>;tag=${spec.fromTag ?? 'from-1'}`,
    to: spec.toTag === undefined ? '<sip:2000@192.0.2.1>' : `<sip:2000@192.0.2.1>;tag=${spec.toTag}`,
    callId: spec.callId ?? 'call-1@192.0.2.20',
    cseq: { seq: spec.cseq ?? 1, method },
    contact: '<sip:1001@192.0.2.20:5062>',
    headers: (spec.routes ?? []).map((r): [string, string] => ['Route', r]),
  });
}

/**
 * The ACK a phone sends for a final response: for a non-2xx with the INVITE's top Via (same
 * branch, §17.1.1.3), for a 2xx with a new branch (§13.2.2.4) when `branch` is given.
 */
export function ackFor(invite: SipRequest, res: SipResponse, branch?: string): SipRequest {
  const ack = createRequest({
    method: 'ACK',
    uri: invite.uri,
    via: [branch === undefined ? invite.headers.list('Via')[0] ?? '' : `SIP/2.0/UDP 192.0.2.20:5062;branch=${branch};rport`],
    from: invite.headers.get('From') ?? '',
    to: res.headers.get('To') ?? '',
    callId: invite.headers.get('Call-ID') ?? '',
    cseq: { seq: 1, method: 'ACK' },
  });
  return wire(ack);
}

/** A CANCEL as the phone sends it for its INVITE (same top Via, §9.1). */
export function cancelFor(invite: SipRequest): SipRequest {
  return wire(createRequest({
    method: 'CANCEL',
    uri: invite.uri,
    via: [invite.headers.list('Via')[0] ?? ''],
    from: invite.headers.get('From') ?? '',
    to: invite.headers.get('To') ?? '',
    callId: invite.headers.get('Call-ID') ?? '',
    cseq: { seq: 1, method: 'CANCEL' },
  }));
}

/** The peer's response to a request (To tag added to non-100 ones), as received off the wire. */
export function reply(req: SipRequest, status: number, toTag = 'peer-tag'): SipResponse {
  return wire(createResponse(req, status, { toTag }));
}

/** A request as the transport hands it to the layer. */
export function incoming(spec: RequestSpec = {}): SipRequest {
  return wire(request(spec));
}
