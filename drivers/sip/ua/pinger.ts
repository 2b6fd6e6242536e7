import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.js';
import type { SipResponse } from '../message/index.js';
import type { OutOfDialogInit } from './out-of-dialog.js';

export type PeerState = 'unknown' | 'up' | 'down';

export interface PeerStatus {
  target: string;
  state: PeerState;
  /** Consecutive pings without an answer. */
  misses: number;
  /** Status of the last answer, when there was one. */
  lastStatus?: number;
}

export interface PingerEvents {
  up: [PeerStatus];
  down: [PeerStatus];
}

export interface PingerOptions {
  /** A peer is down after this many missed answers in a row (default 3). */
  missesBeforeDown?: number;
  /** A ping not answered within this long is a miss (default: the interval, at most 64*T1 = 32 s). */
  timeoutMs?: number;
}

interface Watch {
  status: PeerStatus;
  intervalMs: number;
  timer: TimerHandle | undefined;
  inFlight: AbortController | undefined;
}

/**
 * OPTIONS keep-alive (RFC 3261 §11): pings each watched peer every `intervalMs` and reports `up`
 * and `down` transitions. Any final response counts as alive (a 404 or 405 still proves the peer
 * is there, as Kamailio's dispatcher and Asterisk's qualify treat it) except 408 and 503, which
 * is how the transaction layer reports a time-out or a transport error; those and our own
 * time-out are misses.
 */
export class OptionsPinger extends EventEmitter<PingerEvents> {
  private readonly watches = new Map<string, Watch>();
  private closed = false;

  constructor(
    private readonly deps: { clock: Clock; log: Logger; request: (uri: string, init: OutOfDialogInit) => Promise<SipResponse> },
    private readonly opts: PingerOptions = {},
  ) {
    super();
  }

  /** Start pinging `target` (a SIP URI) now and every `intervalMs`. Watching it again changes the interval. */
  watch(target: string, intervalMs: number): void {
    const existing = this.watches.get(target);
    if (existing !== undefined) {
      existing.intervalMs = intervalMs;
      return;
    }
    const w: Watch = { status: { target, state: 'unknown', misses: 0 }, intervalMs, timer: undefined, inFlight: undefined };
    this.watches.set(target, w);
    this.ping(w);
  }

  unwatch(target: string): void {
    const w = this.watches.get(target);
    if (w === undefined) return;
    w.timer?.cancel();
    w.inFlight?.abort();
    this.watches.delete(target);
  }

  status(target: string): PeerStatus | undefined {
    const w = this.watches.get(target);
    return w === undefined ? undefined : { ...w.status };
  }

  close(): void {
    this.closed = true;
    for (const target of [...this.watches.keys()]) this.unwatch(target);
  }

  private ping(w: Watch): void {
    if (this.closed || this.watches.get(w.status.target) !== w) return;
    const ctl = new AbortController();
    w.inFlight = ctl;
    const timeoutMs = this.opts.timeoutMs ?? Math.min(w.intervalMs, 32_000);
    const deadline = this.deps.clock.setTimeout(() => ctl.abort(), timeoutMs);
    const started = this.deps.clock.monotonic();
    this.deps.request(w.status.target, { method: 'OPTIONS', signal: ctl.signal })
      .then((res) => this.result(w, res.status === 408 || res.status === 503 ? undefined : res.status))
      .catch(() => this.result(w, undefined))
      .finally(() => {
        deadline.cancel();
        if (w.inFlight === ctl) w.inFlight = undefined;
        if (this.closed || this.watches.get(w.status.target) !== w) return;
        const wait = Math.max(0, w.intervalMs - (this.deps.clock.monotonic() - started));
        w.timer = this.deps.clock.setTimeout(() => this.ping(w), wait);
      });
  }

  private result(w: Watch, status: number | undefined): void {
    if (this.watches.get(w.status.target) !== w) return;
    const s = w.status;
    if (status !== undefined) {
      s.misses = 0;
      s.lastStatus = status;
      if (s.state !== 'up') {
        s.state = 'up';
        this.deps.log.info({ target: s.target, status }, 'SIP peer up');
        this.emit('up', { ...s });
      }
      return;
    }
    s.misses++;
    if (s.state !== 'down' && s.misses >= (this.opts.missesBeforeDown ?? 3)) {
      s.state = 'down';
      this.deps.log.warn({ target: s.target, misses: s.misses }, 'SIP peer down');
      this.emit('down', { ...s });
    }
  }
}
