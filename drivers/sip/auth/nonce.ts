import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.js';

/**
 * Stateless nonces (RFC 7616 §3.3 "nonce"; the HMAC construction its §5.5 suggests): nothing is
 * stored per challenge, so a scanner flood of REGISTERs grows no table. A nonce is
 * base64url(issued-at ‖ counter ‖ HMAC-SHA-256(secret, issued-at ‖ counter ‖ realm ‖ address)[0..16]).
 *
 * - issued-at is the process's monotonic clock in ms (wall-clock jumps neither expire nor revive
 *   nonces); the secret lives only in this process, so a restart makes every old nonce "foreign".
 * - The source address (not the port: NAT bindings move ports) is bound in: a nonce is only
 *   authentic when used from the address that received it. Spoofed UDP sources therefore never
 *   hold an authentic nonce, which is what lets failures be counted per address safely.
 */
export type NonceCheck =
  /** Not made by this process for this realm and address (forged, garbled, old process, other host). */
  | { state: 'foreign' }
  | { state: 'live'; issuedAt: number }
  | { state: 'expired'; issuedAt: number };

const TS_BYTES = 6;
const COUNTER_BYTES = 4;
const MAC_BYTES = 16;
const RAW_BYTES = TS_BYTES + COUNTER_BYTES + MAC_BYTES;

/** IPv4-mapped IPv6 ("::ffff:192.0.2.1") and IPv4 name the same host; case does not matter. */
export function normalizeAddress(address: string): string {
  const a = address.toLowerCase();
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export class NonceIssuer {
  private counter = 0;
  private readonly opaques = new Map<string, string>();

  constructor(
    private readonly deps: { clock: Clock },
    private readonly opts: { secret: Buffer; ttlMs: number },
  ) {}

  /** A fresh nonce for a challenge sent to `address`. */
  issue(realm: string, address: string): string {
    const raw = Buffer.alloc(RAW_BYTES);
    raw.writeUIntBE(Math.max(0, Math.floor(this.deps.clock.monotonic())), 0, TS_BYTES);
    raw.writeUInt32BE(this.counter, TS_BYTES);
    this.counter = (this.counter + 1) >>> 0;
    this.mac(raw.subarray(0, TS_BYTES + COUNTER_BYTES), realm, address).copy(raw, TS_BYTES + COUNTER_BYTES);
    return raw.toString('base64url');
  }

  check(nonce: string, realm: string, address: string): NonceCheck {
    if (nonce.length !== Math.ceil((RAW_BYTES * 4) / 3) || !/^[A-Za-z0-9_-]+$/.test(nonce)) return { state: 'foreign' };
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== RAW_BYTES) return { state: 'foreign' };
    const head = raw.subarray(0, TS_BYTES + COUNTER_BYTES);
    if (!timingSafeEqual(this.mac(head, realm, address), raw.subarray(TS_BYTES + COUNTER_BYTES))) return { state: 'foreign' };
    const issuedAt = raw.readUIntBE(0, TS_BYTES);
    const age = this.deps.clock.monotonic() - issuedAt;
    if (age < 0) return { state: 'foreign' };
    return age > this.opts.ttlMs ? { state: 'expired', issuedAt } : { state: 'live', issuedAt };
  }

  /** The opaque value of this process's challenges for `realm` (RFC 2617 §3.2.1): echoed back unchanged. */
  opaque(realm: string): string {
    let v = this.opaques.get(realm);
    if (v === undefined) {
      v = createHmac('sha256', this.opts.secret).update(`opaque\0${realm}`, 'latin1').digest('base64url').slice(0, 22);
      if (this.opaques.size < 16) this.opaques.set(realm, v);
    }
    return v;
  }

  private mac(head: Buffer, realm: string, address: string): Buffer {
    return createHmac('sha256', this.opts.secret)
      .update(head)
      .update(`\0${realm}\0${normalizeAddress(address)}`, 'latin1')
      .digest()
      .subarray(0, MAC_BYTES);
  }
}
