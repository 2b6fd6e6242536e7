import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';

/** Inbound limits (docs/sip-transport.md explains the defaults). */
export interface RateLimitOptions {
  /** Messages per second one source IP may send, sustained. */
  perSourceRate: number;
  /** Bucket size per source IP: the burst it may send at once. */
  perSourceBurst: number;
  /** Messages per second over all sources; above it only settled sources get through. */
  globalRate: number;
  globalBurst: number;
  /** Source IPs remembered; beyond it the least recently seen probation source is forgotten first. */
  maxSources: number;
}

export const DEFAULT_RATE_LIMIT: Readonly<RateLimitOptions> = Object.freeze({
  perSourceRate: 200,
  perSourceBurst: 400,
  globalRate: 2000,
  globalBurst: 4000,
  maxSources: 10_000,
});

/** What to do with one inbound message (or new TCP connection). */
export type Verdict = 'accept' | 'over-source-limit' | 'flood';

export interface RateLimitStats {
  accepted: number;
  /** Dropped because their source went over its own bucket. */
  droppedSource: number;
  /** Dropped by the flood guard (global ceiling reached, source not settled). */
  droppedFlood: number;
  /** Source IPs in the table, and how many of them are settled. */
  sources: number;
  settled: number;
}

interface Entry {
  tokens: number;
  refilledAt: number;
  /** We have sent to this address: its responses skip the per-source bucket. */
  peer: boolean;
  droppedSinceLog: number;
  loggedAt: number;
}

const LOG_EVERY_MS = 1000;
/** Per-source drop lines per second over all sources; the rest are summed into the flood line. */
const LOG_LINES_PER_SECOND = 10;

/**
 * Per-source-IP token buckets plus a global flood guard, before any parsing (RFC 3261 has nothing
 * to say here; this is what keeps SIP scanners from eating the box).
 *
 * Sources live in two LRU tables: probation (every new address) and settled (addresses we sent a
 * request or a 2xx to, i.e. gateways, registered phones, dialog peers). Under address spraying the
 * table stays at `maxSources` by forgetting the least recently seen probation source first, so
 * settled peers survive it. When the global bucket is empty only settled sources get through.
 * Responses from addresses we have sent to skip the per-source bucket (a response answers
 * something we asked; starving it only brings retransmissions).
 */
export class RateLimiter {
  private readonly opts: RateLimitOptions;
  private readonly probation = new Map<string, Entry>();
  private readonly settled = new Map<string, Entry>();
  private globalTokens: number;
  private globalAt: number;
  private readonly counts = { accepted: 0, droppedSource: 0, droppedFlood: 0 };
  private floodDropsSinceLog = 0;
  private floodLoggedAt = -Infinity;
  private logWindowAt = -Infinity;
  private logLines = 0;

  constructor(private readonly deps: { clock: Clock; log: Logger }, opts: Partial<RateLimitOptions> = {}) {
    this.opts = { ...DEFAULT_RATE_LIMIT, ...opts };
    this.opts.maxSources = Math.max(1, Math.floor(this.opts.maxSources));
    this.globalTokens = this.opts.globalBurst;
    this.globalAt = deps.clock.monotonic();
  }

  get size(): number {
    return this.probation.size + this.settled.size;
  }

  stats(): RateLimitStats {
    return { ...this.counts, sources: this.size, settled: this.settled.size };
  }

  /** Count one inbound message from `address` and say whether to process it. */
  admit(address: string, kind: 'request' | 'response'): Verdict {
    const now = this.deps.clock.monotonic();
    this.globalTokens = Math.min(this.opts.globalBurst, this.globalTokens + ((now - this.globalAt) * this.opts.globalRate) / 1000);
    this.globalAt = now;
    const isSettled = this.settled.has(address);
    const e = this.touch(address, now);
    if (this.globalTokens < 1 && !isSettled) return this.dropFlood(now);
    if (kind === 'request' || !e.peer) {
      e.tokens = Math.min(this.opts.perSourceBurst, e.tokens + ((now - e.refilledAt) * this.opts.perSourceRate) / 1000);
      e.refilledAt = now;
      if (e.tokens < 1) return this.dropSource(address, e, now);
      e.tokens -= 1;
    }
    this.globalTokens = Math.max(0, this.globalTokens - 1);
    this.counts.accepted++;
    return 'accept';
  }

  /**
   * We sent something to `address`: its responses now skip its bucket; `settle` (we sent it a
   * request or a 2xx) also moves it to the settled table, which the flood guard lets through.
   */
  markPeer(address: string, settle: boolean): void {
    const now = this.deps.clock.monotonic();
    const e = this.touch(address, now);
    e.peer = true;
    if (settle && this.probation.delete(address)) this.settled.set(address, e);
  }

  /** The entry for `address`, now most recently seen; created in probation when new. */
  private touch(address: string, now: number): Entry {
    const table = this.settled.has(address) ? this.settled : this.probation;
    const known = table.get(address);
    if (known !== undefined) {
      table.delete(address); // re-insert: Map order is the LRU order
      table.set(address, known);
      return known;
    }
    while (this.size >= this.opts.maxSources) this.evictOne();
    const e: Entry = { tokens: this.opts.perSourceBurst, refilledAt: now, peer: false, droppedSinceLog: 0, loggedAt: -Infinity };
    this.probation.set(address, e);
    return e;
  }

  private evictOne(): void {
    const table = this.probation.size > 0 ? this.probation : this.settled;
    const oldest = table.keys().next();
    if (oldest.done !== true) table.delete(oldest.value);
  }

  private dropSource(address: string, e: Entry, now: number): Verdict {
    this.counts.droppedSource++;
    e.droppedSinceLog++;
    if (now - e.loggedAt >= LOG_EVERY_MS && this.logBudget(now)) {
      this.deps.log.warn({ source: address, dropped: e.droppedSinceLog, perSecond: this.opts.perSourceRate },
        'SIP source over its rate limit: dropping its requests');
      e.loggedAt = now;
      e.droppedSinceLog = 0;
    }
    return 'over-source-limit';
  }

  private dropFlood(now: number): Verdict {
    this.counts.droppedFlood++;
    this.floodDropsSinceLog++;
    if (now - this.floodLoggedAt >= LOG_EVERY_MS) {
      this.deps.log.warn({ dropped: this.floodDropsSinceLog, sources: this.size, perSecond: this.opts.globalRate },
        'SIP flood guard: inbound over the global ceiling, dropping traffic from new sources');
      this.floodLoggedAt = now;
      this.floodDropsSinceLog = 0;
    }
    return 'flood';
  }

  /** At most LOG_LINES_PER_SECOND per-source lines a second, whatever the number of sources. */
  private logBudget(now: number): boolean {
    if (now - this.logWindowAt >= LOG_EVERY_MS) {
      this.logWindowAt = now;
      this.logLines = 0;
    }
    return this.logLines++ < LOG_LINES_PER_SECOND;
  }
}
