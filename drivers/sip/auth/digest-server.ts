import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import {
  createResponse,
  formatAuthHeader,
  isDigest,
  parseAuthHeader,
  SipParseError,
  tryParseUri,
  uriEquals,
  type AuthHeader,
  type SipRequest,
  type SipResponse,
  type Uri,
} from '../message/index.js';
import type { Remote } from '../transport/types.js';
import { digestResponse, hexEqual, HEX_LENGTH, isHex, parseAlgorithm, type DigestAlgorithm } from './digest-hash.js';
import { SipAuthError } from './errors.js';
import { NonceCounts } from './nonce-counts.js';
import { NonceIssuer } from './nonce.js';

/** What the server keeps per user: only the HA1s, never the password. */
export interface DigestCredentials {
  realm: string;
  /** H(user:realm:password) with MD5, lower-case hex. */
  ha1Md5: string;
  /** The same with SHA-256 (RFC 8760). */
  ha1Sha256: string;
}

export type CredentialsFor = (username: string) => DigestCredentials | undefined;

/** 401 + WWW-Authenticate / Authorization (a UAS), or 407 + Proxy-Authenticate / Proxy-Authorization. */
export type ChallengeKind = 'www' | 'proxy';

export interface DigestServerOptions {
  realm: string;
  /** Offered in this order, one challenge header field each. Default SHA-256 then MD5. */
  algorithms?: readonly DigestAlgorithm[];
  /** How long a nonce stays good (ms); a later use with a right password gets stale=true. Default 5 min. */
  nonceTtlMs?: number;
  /** Live nonces whose nonce-count is tracked (replay protection). Default 10 000. */
  maxTrackedNonces?: number;
  /**
   * Accept credentials without qop (RFC 2069 form, old phones). Each nonce then serves one request
   * only: a second use gets stale=true. Default true.
   */
  allowNoQop?: boolean;
  /** HMAC key for nonces; default 32 random bytes per process. Tests pass a fixed one. */
  secret?: Buffer;
}

/**
 * The outcome of checking a request's credentials. Only `failed` counts toward a ban, and `failed`
 * is the same answer for an unknown user and a wrong password (no user enumeration).
 */
export type DigestVerdict =
  | { outcome: 'ok'; username: string; algorithm: DigestAlgorithm }
  /** No credentials for our realm, or ones we cannot use (a nonce not ours, an algorithm or qop not offered): challenge. */
  | { outcome: 'missing' }
  /** The password was right but the nonce expired, was replayed (nc) or cannot be vouched for: challenge with stale=true. */
  | { outcome: 'stale' }
  /** Unknown user, disabled user or wrong password, on an authentic nonce: challenge, and count the failure. */
  | { outcome: 'failed'; username: string }
  /** Malformed credentials, or a digest-uri other than the Request-URI (RFC 2617 §3.2.2.5): 400. */
  | { outcome: 'bad-request'; reason: string }
  /** Right password, but for another user than the identity the request acts for: 403. */
  | { outcome: 'forbidden'; username: string };

export interface ChallengeOptions {
  kind?: ChallengeKind;
  stale?: boolean;
  /** Offer only these (of the server's algorithms) in this challenge. */
  algorithms?: readonly DigestAlgorithm[];
}

export interface VerifyOptions {
  kind?: ChallengeKind;
  lookup: CredentialsFor;
  /** The user the request must be authenticated as (REGISTER: the To user); any user when absent. */
  identity?: string;
}

const HEADERS: Record<ChallengeKind, { status: 401 | 407; challenge: string; credentials: string }> = {
  www: { status: 401, challenge: 'WWW-Authenticate', credentials: 'Authorization' },
  proxy: { status: 407, challenge: 'Proxy-Authenticate', credentials: 'Proxy-Authorization' },
};

/** Stands in for the HA1 of an unknown user, so that both cases do the same work. */
const DUMMY_HA1: Record<DigestAlgorithm, string> = { MD5: '0'.repeat(32), 'SHA-256': '0'.repeat(64) };

/**
 * Digest authentication as a UAS (RFC 3261 §22.4, RFC 2617, RFC 7616, RFC 8760): builds challenges
 * and verifies credentials against stored HA1s. Stateless nonces (see nonce.ts); nonce-count
 * replay protection bounded in memory (nonce-counts.ts). Never logs: nothing it sees is for a log.
 */
export class DigestServer {
  readonly realm: string;
  readonly algorithms: readonly DigestAlgorithm[];
  private readonly nonces: NonceIssuer;
  private readonly counts: NonceCounts;
  private readonly allowNoQop: boolean;

  constructor(private readonly deps: { clock: Clock }, opts: DigestServerOptions) {
    this.realm = opts.realm;
    this.algorithms = opts.algorithms ?? ['SHA-256', 'MD5'];
    const ttlMs = opts.nonceTtlMs ?? 300_000;
    const max = opts.maxTrackedNonces ?? 10_000;
    if (this.algorithms.length === 0) throw new SipAuthError('SIP_AUTH_BAD_OPTIONS', 'DigestServer needs at least one algorithm');
    if (!(ttlMs > 0) || !(max > 0)) throw new SipAuthError('SIP_AUTH_BAD_OPTIONS', 'nonceTtlMs and maxTrackedNonces must be positive');
    if (/["\\\r\n]/.test(this.realm) || this.realm.length === 0) throw new SipAuthError('SIP_AUTH_BAD_OPTIONS', 'realm must be non-empty text without quotes');
    this.allowNoQop = opts.allowNoQop ?? true;
    this.nonces = new NonceIssuer(deps, { secret: opts.secret ?? randomBytes(32), ttlMs });
    this.counts = new NonceCounts({ max, ttlMs });
  }

  /** Live nonces currently tracked for replay protection (bounded by maxTrackedNonces). */
  get trackedNonces(): number {
    return this.counts.size;
  }

  /**
   * The challenge header fields (one per algorithm, preferred first) for a request from `source`.
   * `algorithms` narrows the offer for this one challenge (a client known to fail on any challenge
   * it cannot answer); it should be a subset of the server's algorithms, which verify() accepts.
   */
  challengeHeaders(source: Remote, opts: ChallengeOptions = {}): Array<[string, string]> {
    const name = HEADERS[opts.kind ?? 'www'].challenge;
    const nonce = this.nonces.issue(this.realm, source.address);
    const opaque = this.nonces.opaque(this.realm);
    const offer = opts.algorithms?.filter((a) => this.algorithms.includes(a)) ?? [];
    return (offer.length > 0 ? offer : this.algorithms).map((algorithm) => {
      const params: Array<[string, string]> = [
        ['realm', this.realm], ['nonce', nonce], ['algorithm', algorithm], ['qop', 'auth'], ['opaque', opaque],
      ];
      if (opts.stale === true) params.push(['stale', 'true']);
      return [name, formatAuthHeader('challenge', 'Digest', params)];
    });
  }

  /** The 401 (or 407) answer to `req`, challenges included. */
  challenge(req: SipRequest, source: Remote, opts: ChallengeOptions & { toTag?: string } = {}): SipResponse {
    const kind = opts.kind ?? 'www';
    const options: { headers: Array<[string, string]>; toTag?: string } = { headers: this.challengeHeaders(source, opts) };
    if (opts.toTag !== undefined) options.toTag = opts.toTag;
    return createResponse(req, HEADERS[kind].status, options);
  }

  /** Check the request's credentials (see DigestVerdict for what each outcome asks of the caller). */
  verify(req: SipRequest, source: Remote, opts: VerifyOptions): DigestVerdict {
    const picked = this.pick(req, opts.kind ?? 'www');
    if (picked.outcome !== 'found') return picked;
    const p = picked.header.params;
    const username = p.get('username');
    const nonce = p.get('nonce');
    const uri = p.get('uri');
    const response = p.get('response');
    if (username === undefined || nonce === undefined || uri === undefined || response === undefined) {
      return { outcome: 'bad-request', reason: 'Incomplete credentials' };
    }
    const alg = parseAlgorithm(p.get('algorithm'));
    if (alg === undefined || alg.sess || !this.algorithms.includes(alg.base)) return { outcome: 'missing' };
    const qop = p.get('qop');
    let nc = 1;
    let cnonce: string | undefined;
    if (qop !== undefined) {
      if (qop.toLowerCase() !== 'auth') return { outcome: 'missing' };
      cnonce = p.get('cnonce');
      const ncText = p.get('nc') ?? '';
      if (cnonce === undefined || !isHex(ncText, 8)) return { outcome: 'bad-request', reason: 'Bad nc or cnonce' };
      nc = Number.parseInt(ncText, 16);
      if (nc === 0) return { outcome: 'bad-request', reason: 'Bad nc or cnonce' };
    } else if (!this.allowNoQop) {
      return { outcome: 'missing' };
    }
    if (!sameUri(uri, req.uri)) return { outcome: 'bad-request', reason: 'Digest uri does not match the Request-URI' };
    if (!isHex(response, HEX_LENGTH[alg.base])) return { outcome: 'bad-request', reason: 'Bad digest response' };
    const opaque = p.get('opaque');
    if (opaque !== undefined && opaque !== this.nonces.opaque(this.realm)) return { outcome: 'missing' };
    const check = this.nonces.check(nonce, this.realm, source.address);
    if (check.state === 'foreign') return { outcome: 'missing' };

    const creds = opts.lookup(username);
    const known = creds !== undefined && creds.realm === this.realm;
    const stored = known ? (alg.base === 'MD5' ? creds.ha1Md5 : creds.ha1Sha256) : undefined;
    const usable = stored !== undefined && isHex(stored, HEX_LENGTH[alg.base]);
    const ha1 = usable ? stored : DUMMY_HA1[alg.base];
    const expected = digestResponse(alg.base, {
      ha1, nonce, method: req.method, uri, ...(qop === undefined ? {} : { qop: 'auth' as const, nc: p.get('nc') ?? '', cnonce: cnonce ?? '' }),
    });
    const match = hexEqual(expected, response);
    if (!match || !usable) return { outcome: 'failed', username };
    if (check.state === 'expired') return { outcome: 'stale' };
    if (!this.counts.accept(nonce, check.issuedAt, nc, this.deps.clock.monotonic())) return { outcome: 'stale' };
    if (opts.identity !== undefined && opts.identity !== username) return { outcome: 'forbidden', username };
    return { outcome: 'ok', username, algorithm: alg.base };
  }

  /** The Digest credentials for our realm; a malformed credentials header is a 400. */
  private pick(req: SipRequest, kind: ChallengeKind): { outcome: 'found'; header: AuthHeader } | DigestVerdict {
    for (const value of req.headers.getAll(HEADERS[kind].credentials)) {
      // Other schemes (Basic's token68, ...) are not ours to judge: skip them.
      if (!/^\s*digest\s/i.test(value)) continue;
      let h: AuthHeader;
      try {
        h = parseAuthHeader(value);
      } catch (err) {
        if (err instanceof SipParseError) return { outcome: 'bad-request', reason: 'Bad credentials' };
        throw err;
      }
      if (isDigest(h) && h.params.get('realm') === this.realm) return { outcome: 'found', header: h };
    }
    return { outcome: 'missing' };
  }
}

const DEFAULT_PORT: Record<string, number> = { sip: 5060, sips: 5061 };

/**
 * RFC 2617 §3.2.2.5: the digest-uri names the Request-URI. Phones format it their own way (a
 * default port written or not, parameters dropped), so equal URIs (RFC 3261 §19.1.4) or the same
 * scheme, user, host and port (default port filled in) are accepted.
 */
function sameUri(digestUri: string, reqUri: Uri): boolean {
  const u = tryParseUri(digestUri);
  if (u === undefined) return false;
  if (uriEquals(u, reqUri)) return true;
  if (u.kind !== 'sip' || reqUri.kind !== 'sip' || u.scheme !== reqUri.scheme || u.user !== reqUri.user) return false;
  const port = DEFAULT_PORT[u.scheme] ?? 5060;
  return u.host.toLowerCase() === reqUri.host.toLowerCase() && (u.port ?? port) === (reqUri.port ?? port);
}
