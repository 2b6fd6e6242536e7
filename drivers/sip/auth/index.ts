/** Digest authentication (server and client) and failed-auth bans: see docs/sip-registrar.md. */
export { BanList } from './ban-list.js';
export type { BanEvent, BanListOptions } from './ban-list.js';
export { authorize, digestAuth } from './digest-client.js';
export type { AuthorizeOptions, ClientCredentials, ClientCredentialsFor } from './digest-client.js';
export { digestHash, digestResponse, passwordHa1 } from './digest-hash.js';
export type { DigestAlgorithm } from './digest-hash.js';
export { DigestServer } from './digest-server.js';
export type {
  ChallengeKind,
  ChallengeOptions,
  CredentialsFor,
  DigestCredentials,
  DigestServerOptions,
  DigestVerdict,
  VerifyOptions,
} from './digest-server.js';
export { SipAuthError } from './errors.js';
export type { SipAuthErrorCode } from './errors.js';
export { normalizeAddress } from './nonce.js';
