import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The arithmetic of HTTP Digest as SIP uses it (RFC 2617 §3.2.2, RFC 7616 §3.4, RFC 8760):
 * H is MD5 or SHA-256 in lower-case hex, KD(secret, data) = H(secret ":" data). All inputs are byte
 * strings of the message layer (one char per octet) and are hashed as such (latin1), so what is
 * hashed is exactly what travelled on the wire.
 */
export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** An algorithm as named in a challenge: the base hash and whether it is a "-sess" variant. */
export interface AlgorithmChoice {
  base: DigestAlgorithm;
  sess: boolean;
}

const NODE_NAME: Record<DigestAlgorithm, string> = { MD5: 'md5', 'SHA-256': 'sha256' };

/** Length of H(...) in hex characters. */
export const HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = Object.freeze({ MD5: 32, 'SHA-256': 64 });

/**
 * The `algorithm` parameter (case-insensitive); absent means MD5 (RFC 2617 §3.2.1). Undefined for
 * one we do not implement (SHA-512-256, ...).
 */
export function parseAlgorithm(value: string | undefined): AlgorithmChoice | undefined {
  switch ((value ?? 'MD5').toUpperCase()) {
    case 'MD5': return { base: 'MD5', sess: false };
    case 'MD5-SESS': return { base: 'MD5', sess: true };
    case 'SHA-256': return { base: 'SHA-256', sess: false };
    case 'SHA-256-SESS': return { base: 'SHA-256', sess: true };
    default: return undefined;
  }
}

export function formatAlgorithm(choice: AlgorithmChoice): string {
  return choice.sess ? `${choice.base}-sess` : choice.base;
}

/** H(parts joined with ":"), lower-case hex. Parts are byte strings. */
export function digestHash(alg: DigestAlgorithm, ...parts: Array<string | Buffer>): string {
  const h = createHash(NODE_NAME[alg]);
  parts.forEach((p, i) => {
    if (i > 0) h.update(':', 'latin1');
    if (typeof p === 'string') h.update(p, 'latin1');
    else h.update(p);
  });
  return h.digest('hex');
}

/**
 * HA1 = H(username ":" realm ":" password) from a password given as text (UTF-8, as the installer
 * typed it; daemon/auth/sip-credentials.ts stores the same). Username and realm are byte strings.
 */
export function passwordHa1(alg: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHash(alg, username, realm, Buffer.from(password, 'utf8'));
}

/** RFC 7616 §3.4.2: for a "-sess" algorithm, HA1 = H(H(user:realm:password) ":" nonce ":" cnonce). */
export function sessionHa1(alg: DigestAlgorithm, ha1: string, nonce: string, cnonce: string): string {
  return digestHash(alg, ha1, nonce, cnonce);
}

export interface ResponseInput {
  /** HA1 in hex (already the session HA1 for a "-sess" algorithm). */
  ha1: string;
  nonce: string;
  method: string;
  /** The digest-uri exactly as the credentials carry it. */
  uri: string;
  /** Absent: the RFC 2069 form without qop, nc or cnonce. */
  qop?: 'auth' | 'auth-int';
  nc?: string;
  cnonce?: string;
  /** Message body, for auth-int only. */
  body?: Buffer;
}

/**
 * request-digest (RFC 2617 §3.2.2.1): KD(HA1, nonce:nc:cnonce:qop:HA2) with qop, KD(HA1, nonce:HA2)
 * without; HA2 = H(method:uri), or H(method:uri:H(body)) for auth-int (§3.2.2.3).
 */
export function digestResponse(alg: DigestAlgorithm, r: ResponseInput): string {
  const ha2 = r.qop === 'auth-int'
    ? digestHash(alg, r.method, r.uri, digestHash(alg, r.body ?? Buffer.alloc(0)))
    : digestHash(alg, r.method, r.uri);
  if (r.qop === undefined) return digestHash(alg, r.ha1, r.nonce, ha2);
  return digestHash(alg, r.ha1, r.nonce, r.nc ?? '', r.cnonce ?? '', r.qop, ha2);
}

const HEX_RE = /^[0-9a-fA-F]+$/;

/** True when `s` is hex of exactly `length` characters. */
export function isHex(s: string, length: number): boolean {
  return s.length === length && HEX_RE.test(s);
}

/** Compare two hex digests in constant time (for equal lengths); case-insensitive. */
export function hexEqual(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'latin1');
  const y = Buffer.from(b.toLowerCase(), 'latin1');
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}
