import { randomBytes } from 'node:crypto';
import {
  formatAuthHeader,
  formatUri,
  isDigest,
  parseAuthHeader,
  qopOptions,
  SipParseError,
  wireText,
  type AuthHeader,
  type SipRequest,
  type SipResponse,
} from '../message/index.js';
import { digestResponse, formatAlgorithm, parseAlgorithm, passwordHa1, sessionHa1, type AlgorithmChoice } from './digest-hash.js';
import { SipAuthError } from './errors.js';

/** A SIP account the box uses towards a peer (a gateway in register mode, a trunk). */
export interface ClientCredentials {
  /** Text, as configured (UTF-8 on the wire). */
  username: string;
  password: string;
}

/** The credentials to use for a realm; undefined: we have none for it. */
export type ClientCredentialsFor = (realm: string) => ClientCredentials | undefined;

export interface AuthorizeOptions {
  /** One account for every realm, or the account per realm (undefined: none for that realm). */
  credentials: ClientCredentials | ClientCredentialsFor;
  /** Client nonce generator; default 16 random bytes in hex. Tests pass a fixed one. */
  cnonce?: () => string;
}

const CHALLENGE_HEADER = { 401: 'WWW-Authenticate', 407: 'Proxy-Authenticate' } as const;
const CREDENTIALS_HEADER = { 401: 'Authorization', 407: 'Proxy-Authorization' } as const;

/**
 * The answer of a UAC to a 401/407 (RFC 3261 §22.2, §22.3): one Authorization (for a 401) or
 * Proxy-Authorization (for a 407) header field per challenged realm we have credentials for. Per
 * realm the topmost challenge whose algorithm we implement is used (RFC 8760 §2.4): MD5, SHA-256
 * and their "-sess" forms; qop=auth when offered (nc=00000001, a fresh cnonce), else auth-int
 * (hashing the body), else the RFC 2069 form without qop.
 *
 * The caller re-sends `req` with these fields added (replacing earlier ones of the same name), the
 * same Call-ID, CSeq + 1 and a new branch. Throws SIP_AUTH_REJECTED when `req` already carried
 * credentials for a realm that challenges again without stale=true (wrong user or password: do
 * not loop), SIP_AUTH_NO_CHALLENGE when nothing in `res` can be answered.
 */
export function authorize(req: SipRequest, res: SipResponse, opts: AuthorizeOptions): Array<[string, string]> {
  if (res.status !== 401 && res.status !== 407) {
    throw new SipAuthError('SIP_AUTH_NO_CHALLENGE', `a ${res.status} response is not a challenge`);
  }
  const status = res.status;
  const { credentials } = opts;
  const credsFor: ClientCredentialsFor = typeof credentials === 'function' ? credentials : () => credentials;
  const sentRealms = realmsOf(req.headers.getAll(CREDENTIALS_HEADER[status]));
  const chosen = new Map<string, { header: AuthHeader; alg: AlgorithmChoice; qop: 'auth' | 'auth-int' | undefined }>();
  for (const value of res.headers.getAll(CHALLENGE_HEADER[status])) {
    const h = tryParse(value);
    const realm = h?.params.get('realm');
    if (h === undefined || !isDigest(h) || realm === undefined || chosen.has(realm) || h.params.get('nonce') === undefined) continue;
    const alg = parseAlgorithm(h.params.get('algorithm'));
    if (alg === undefined) continue;
    const offered = qopOptions(h).map((q) => q.toLowerCase());
    const qop = offered.includes('auth') ? 'auth' : offered.includes('auth-int') ? 'auth-int' : undefined;
    if (offered.length > 0 && qop === undefined) continue;
    chosen.set(realm, { header: h, alg, qop });
  }
  const out: Array<[string, string]> = [];
  for (const [realm, c] of chosen) {
    const creds = credsFor(realm);
    if (creds === undefined) continue;
    if (sentRealms.has(realm) && c.header.params.get('stale')?.toLowerCase() !== 'true') {
      throw new SipAuthError('SIP_AUTH_REJECTED', `realm "${realm}" refused our credentials for user "${creds.username}": check the user name and password`);
    }
    out.push([CREDENTIALS_HEADER[status], credentialsValue(req, realm, c, creds, opts)]);
  }
  if (out.length === 0) {
    throw new SipAuthError('SIP_AUTH_NO_CHALLENGE', `no Digest challenge in the ${status} that we can answer (algorithms MD5/SHA-256, qop auth/auth-int)`);
  }
  return out;
}

function credentialsValue(
  req: SipRequest,
  realm: string,
  c: { header: AuthHeader; alg: AlgorithmChoice; qop: 'auth' | 'auth-int' | undefined },
  creds: ClientCredentials,
  opts: AuthorizeOptions,
): string {
  const nonce = c.header.params.get('nonce') ?? '';
  const username = wireText(creds.username);
  const uri = formatUri(req.uri);
  const cnonce = c.qop !== undefined || c.alg.sess ? (opts.cnonce ?? defaultCnonce)() : undefined;
  const nc = '00000001';
  let ha1 = passwordHa1(c.alg.base, username, realm, creds.password);
  if (c.alg.sess) ha1 = sessionHa1(c.alg.base, ha1, nonce, cnonce ?? '');
  const response = digestResponse(c.alg.base, {
    ha1, nonce, method: req.method, uri, body: req.body,
    ...(c.qop === undefined ? {} : { qop: c.qop, nc, cnonce: cnonce ?? '' }),
  });
  const params: Array<[string, string]> = [['username', username], ['realm', realm], ['nonce', nonce], ['uri', uri], ['response', response]];
  if (c.header.params.has('algorithm')) params.push(['algorithm', formatAlgorithm(c.alg)]);
  if (cnonce !== undefined) params.push(['cnonce', cnonce]);
  const opaque = c.header.params.get('opaque');
  if (opaque !== undefined) params.push(['opaque', opaque]);
  if (c.qop !== undefined) params.push(['qop', c.qop], ['nc', nc]);
  return formatAuthHeader('credentials', 'Digest', params);
}

function defaultCnonce(): string {
  return randomBytes(16).toString('hex');
}

function tryParse(value: string): AuthHeader | undefined {
  try {
    return parseAuthHeader(value);
  } catch (err) {
    if (err instanceof SipParseError) return undefined;
    throw err;
  }
}

function realmsOf(values: string[]): Set<string> {
  const out = new Set<string>();
  for (const v of values) {
    const realm = tryParse(v)?.params.get('realm');
    if (realm !== undefined) out.add(realm);
  }
  return out;
}

/**
 * `authorize` in the shape of the UA core's `UacOptions.auth` hook: the first credentials field
 * for the challenge, or undefined to give up (wrong password, or nothing we can answer).
 */
export function digestAuth(credentials: ClientCredentials | ClientCredentialsFor): (challenge: SipResponse, request: SipRequest) => readonly [string, string] | undefined {
  return (challenge, request) => {
    try {
      return authorize(request, challenge, { credentials })[0];
    } catch (err) {
      if (err instanceof SipAuthError) return undefined;
      throw err;
    }
  };
}
