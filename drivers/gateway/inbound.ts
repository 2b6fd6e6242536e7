import type { CallerIdSource, GatewayProfile } from './profile-types.js';

export interface InviteUsers {
  requestUser?: string | undefined;
  toUser?: string | undefined;
  fromUser?: string | undefined;
}

/** The analog line an inbound INVITE came in on, or undefined when the profile cannot tell (trunk mode). */
export function lineFromInvite(profile: GatewayProfile, users: InviteUsers): number | undefined {
  for (const field of profile.inboundFields) {
    const user = field === 'request-uri' ? users.requestUser : users.toUser;
    const m = user === undefined ? null : profile.inboundPattern.exec(user);
    const n = m?.[1] === undefined ? NaN : Number(m[1]);
    if (Number.isInteger(n) && n >= 1) return n;
  }
  return undefined;
}

/** The caller-ID-bearing headers of an INVITE (raw values) and the From URI's user part. */
export interface CallerIdHeaders {
  fromUser?: string | undefined;
  pAssertedIdentity?: string | undefined;
  remotePartyId?: string | undefined;
}

/** User part of a name-addr / addr-spec header value: `"Bob" <sip:0215555@gw>;x` → `0215555`. */
function headerUser(value: string): string | undefined {
  const m = /<?(?:sips?|tel):([^@;>]+)/i.exec(value);
  return m?.[1] === undefined ? undefined : decodeURIComponent(m[1]);
}

const ANONYMOUS = /^(anonymous|unknown|unavailable|restricted|private)$/i;

function read(source: CallerIdSource, h: CallerIdHeaders): string | undefined {
  switch (source) {
    case 'from': return h.fromUser;
    case 'p-asserted-identity': return h.pAssertedIdentity === undefined ? undefined : headerUser(h.pAssertedIdentity);
    case 'remote-party-id': return h.remotePartyId === undefined ? undefined : headerUser(h.remotePartyId);
    default: {
      const never: never = source;
      return never;
    }
  }
}

/** The caller's number by the profile's sources in order; undefined when withheld or absent. */
export function callerIdFrom(profile: GatewayProfile, headers: CallerIdHeaders): string | undefined {
  for (const source of profile.callerId) {
    const v = read(source, headers)?.trim();
    if (v && !ANONYMOUS.test(v)) return v;
  }
  return undefined;
}
