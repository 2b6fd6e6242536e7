import { EventEmitter } from 'node:events';
import type { Clock } from '../../clock.js';
import { SipAuthError } from './errors.js';
import { normalizeAddress } from './nonce.js';

export interface BanListOptions {
  /** Failures within `windowMs` that start a ban. Default 10. */
  threshold?: number;
  /** Sliding window for counting failures (ms). Default 60 s. */
  windowMs?: number;
  /** How long a ban lasts (ms). Default 10 min. */
  banMs?: number;
  /** Addresses with recent failures kept in memory; the least recently failing one goes first. Default 10 000. */
  maxTracked?: number;
  /** Bans kept in memory; the one ending soonest goes first. Default 10 000. */
  maxBanned?: number;
  /** Addresses never banned (the FXO gateway, a monitoring host). */
  exempt?: readonly string[];
}

export interface BanEvent {
  address: string;
  failures: number;
  banMs: number;
}

/**
 * Failed-authentication counting per source address, and bans (a sipvicious-style scanner tries
 * thousands of passwords: after `threshold` failures in `windowMs` its address is banned for
 * `banMs`, and banned sources get no answer at all). A success never lifts or shortens a ban, nor
 * clears past failures (else one known account would launder guesses at others). Memory is bounded
 * under an address-spraying flood: both tables are capped and evict their oldest entries.
 * Addresses are compared after normalisation (IPv4-mapped IPv6 = IPv4, case-insensitive).
 * Time comes from the Clock's monotonic milliseconds.
 */
export class BanList extends EventEmitter<{ banned: [BanEvent] }> {
  private readonly failures = new Map<string, number[]>();
  /** address → monotonic ms when the ban ends; insertion order = end order (bans last `banMs`). */
  private readonly bans = new Map<string, number>();
  private readonly exempt: ReadonlySet<string>;
  private readonly threshold: number;
  private readonly windowMs: number;
  private readonly banMs: number;
  private readonly maxTracked: number;
  private readonly maxBanned: number;

  constructor(private readonly deps: { clock: Clock }, opts: BanListOptions = {}) {
    super();
    this.threshold = opts.threshold ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.banMs = opts.banMs ?? 600_000;
    this.maxTracked = opts.maxTracked ?? 10_000;
    this.maxBanned = opts.maxBanned ?? 10_000;
    for (const [name, v] of Object.entries({ threshold: this.threshold, windowMs: this.windowMs, banMs: this.banMs, maxTracked: this.maxTracked, maxBanned: this.maxBanned })) {
      if (!Number.isInteger(v) || v < 1) throw new SipAuthError('SIP_AUTH_BAD_OPTIONS', `BanList ${name} must be a positive integer, got ${v}`);
    }
    this.exempt = new Set((opts.exempt ?? []).map(normalizeAddress));
  }

  /** True while `address` is banned: drop its requests without an answer. */
  isBanned(address: string): boolean {
    const key = normalizeAddress(address);
    const until = this.bans.get(key);
    if (until === undefined) return false;
    if (this.deps.clock.monotonic() < until) return true;
    this.bans.delete(key);
    return false;
  }

  /** Count one failed authentication from `address`; true when this failure started a ban. */
  recordFailure(address: string): boolean {
    const key = normalizeAddress(address);
    if (this.exempt.has(key) || this.isBanned(key)) return false;
    const now = this.deps.clock.monotonic();
    const recent = (this.failures.get(key) ?? []).filter((at) => now - at < this.windowMs);
    recent.push(now);
    this.failures.delete(key);
    if (recent.length < this.threshold) {
      this.failures.set(key, recent);
      evictOldest(this.failures, this.maxTracked);
      return false;
    }
    this.bans.delete(key);
    this.bans.set(key, now + this.banMs);
    evictOldest(this.bans, this.maxBanned);
    this.emit('banned', { address: key, failures: recent.length, banMs: this.banMs });
    return true;
  }

  /** Lift a ban and forget the failures (an admin action). True when there was a ban. */
  unban(address: string): boolean {
    const key = normalizeAddress(address);
    this.failures.delete(key);
    return this.bans.delete(key);
  }

  /** Current bans with the time left (ms). */
  list(): Array<{ address: string; remainingMs: number }> {
    this.prune();
    const now = this.deps.clock.monotonic();
    return [...this.bans].map(([address, until]) => ({ address, remainingMs: until - now }));
  }

  /** Drop ended bans and failures older than the window (housekeeping; lookups are lazy anyway). */
  prune(): void {
    const now = this.deps.clock.monotonic();
    for (const [key, until] of this.bans) {
      if (until > now) break;
      this.bans.delete(key);
    }
    for (const [key, times] of this.failures) {
      if (times.every((at) => now - at >= this.windowMs)) this.failures.delete(key);
    }
  }

  /** Entries held: addresses with recent failures, and bans. Never above the caps. */
  get size(): { tracked: number; banned: number } {
    return { tracked: this.failures.size, banned: this.bans.size };
  }
}

function evictOldest<V>(map: Map<string, V>, max: number): void {
  while (map.size > max) {
    const first = map.keys().next();
    if (first.done === true) return;
    map.delete(first.value);
  }
}
