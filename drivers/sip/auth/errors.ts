import { CodedError } from '../../coded-error.js';

/** Why digest authentication could not go on (listed in docs/errors.md, "SIP auth and registrar"). */
export type SipAuthErrorCode =
  | 'SIP_AUTH_NO_CHALLENGE' // a 401/407 without a Digest challenge we can answer (scheme, algorithm or qop unknown)
  | 'SIP_AUTH_REJECTED' // the peer challenged again, not stale, after we sent credentials: wrong user or password
  | 'SIP_AUTH_BAD_OPTIONS'; // a DigestServer / BanList option out of range (a programming or config error)

export class SipAuthError extends CodedError<SipAuthErrorCode> {}
