import { createHash } from 'node:crypto';

/**
 * Digest HA1 = H(user:realm:password) for MD5 (RFC 2617) and SHA-256 (RFC 8760). The box keeps
 * only these, never the SIP password: enough to verify a phone, useless to dial as one elsewhere
 * under another realm.
 */
export function sipHa1(user: string, realm: string, password: string): { ha1Md5: string; ha1Sha256: string } {
  const input = `${user}:${realm}:${password}`;
  return {
    ha1Md5: createHash('md5').update(input).digest('hex'),
    ha1Sha256: createHash('sha256').update(input).digest('hex'),
  };
}
