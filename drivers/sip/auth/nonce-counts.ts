/**
 * Replay protection for live nonces (RFC 2617 §3.2.2, RFC 7616 §3.4 "nc"): the highest nonce-count
 * accepted per nonce. Only requests that already passed the digest check get an entry, so a
 * scanner without a password cannot fill it; it is capped anyway. When an entry must be evicted,
 * its nonce's issue time raises a floor: an untracked nonce issued at or before the floor may have
 * been seen before, so it is refused (the client gets stale=true and a fresh nonce, at the cost of
 * one round trip). Nonces are only accepted while live, so an entry older than the nonce lifetime
 * is dropped first.
 */
export class NonceCounts {
  private readonly seen = new Map<string, { highest: number; issuedAt: number }>();
  private floor = -1;

  constructor(private readonly opts: { max: number; ttlMs: number }) {}

  get size(): number {
    return this.seen.size;
  }

  /**
   * Accept nonce-count `nc` (a number; a request without qop counts as 1, so such a nonce is
   * good for one request only) for `nonce` issued at `issuedAt` (monotonic ms), at `now`.
   * False when it is not above what was already accepted, or the nonce could have been evicted.
   */
  accept(nonce: string, issuedAt: number, nc: number, now: number): boolean {
    const entry = this.seen.get(nonce);
    if (entry !== undefined) {
      if (nc <= entry.highest) return false;
      entry.highest = nc;
      return true;
    }
    if (issuedAt <= this.floor) return false;
    this.makeRoom(now);
    this.seen.set(nonce, { highest: nc, issuedAt });
    return true;
  }

  private makeRoom(now: number): void {
    if (this.seen.size < this.opts.max) return;
    // Entries are in first-use order, close to issue order: drop the dead ones at the front.
    for (const [nonce, e] of this.seen) {
      if (now - e.issuedAt <= this.opts.ttlMs) break;
      this.seen.delete(nonce);
    }
    while (this.seen.size >= this.opts.max) {
      const first = this.seen.entries().next();
      if (first.done === true) break;
      const [nonce, e] = first.value;
      this.seen.delete(nonce);
      if (now - e.issuedAt <= this.opts.ttlMs) this.floor = Math.max(this.floor, e.issuedAt);
    }
  }
}
