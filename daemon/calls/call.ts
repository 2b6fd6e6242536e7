import type { Logger } from 'pino';
import type { MediaSession } from '../../drivers/rtpengine/media-session.js';
import type { Dialog } from '../../drivers/sip/ua/index.js';
import type { CallDirection, Disposition } from '../store/calls-repo.js';

/** One side of a call as the engine sees it: a SIP dialog and its rtpengine tag. */
export interface Leg {
  dialog: Dialog;
  /** rtpengine's name for this leg (ours, not the SIP tag: a transfer swaps legs, not tags). */
  tag: string;
  /** The extension behind this leg, when it is a desk phone. */
  ext?: string;
  /** Address:port of its RTP as its SDP says (the caller's becomes the recording's left channel). */
  media?: { address: string; port: number } | undefined;
}

export type CallPhase = 'offered' | 'ringing' | 'up' | 'ended';

/** End reasons as they land in the CDR's `cause`. */
export type EndCause =
  | 'caller_hangup' | 'callee_hangup' | 'blacklisted' | 'line_busy' | 'line_down' | 'no_route' | 'no_answer'
  | 'busy' | 'unavailable' | 'rejected' | 'failed' | 'max_duration' | 'no_media' | 'media_error' | 'shutdown'
  | 'transferred' | 'picked_up' | 'cancelled' | 'disconnect_tone' | 'ivr_hangup';

export interface EndInfo {
  cause: EndCause;
  disposition?: Disposition;
  by?: 'caller' | 'callee' | 'system';
}

/**
 * A call in progress: who is on it, its media session in rtpengine, the line it holds, its timers.
 * The engine owns the logic; this holds the state and ends everything exactly once.
 */
export class Call {
  phase: CallPhase = 'offered';
  /** The caller's leg (the INVITE the box received). */
  a: Leg | undefined;
  /** The answered callee leg. */
  b: Leg | undefined;
  /** Extensions rung right now (BLF, pickup). */
  readonly ringing = new Set<string>();
  /** Which leg put the call on hold, if any. */
  heldBy: Leg | undefined;
  answeredExt: string | undefined;
  /** The extension that placed the call (internal and outbound calls). */
  callerExt: string | undefined;
  private unbridge: (() => void) | undefined;
  recordingId: number | undefined;
  /** Runs once when the call is answered (recording "from answer"). */
  onAnswer: (() => void) | undefined;
  private legCounter = 0;
  private readonly cleanups: Array<() => void> = [];
  private endedWith: EndInfo | undefined;
  private readonly endWaiters: Array<(e: EndInfo) => void> = [];

  constructor(
    readonly id: string,
    readonly direction: CallDirection,
    readonly log: Logger,
    readonly media: MediaSession,
    readonly info: { caller: string; callerName: string; callee: string; line: number | undefined; customerIsA: boolean },
  ) {}

  /** A fresh rtpengine tag for a new callee leg. */
  nextTag(prefix = 'b'): string {
    this.legCounter += 1;
    return `${prefix}${this.legCounter}`;
  }

  get ended(): boolean {
    return this.endedWith !== undefined;
  }

  /** Run on end (timers, listeners). */
  onCleanup(fn: () => void): void {
    if (this.ended) fn();
    else this.cleanups.push(fn);
  }

  /** Marks the call ended (first caller wins) and runs the cleanups; false when it already was. */
  markEnded(e: EndInfo): boolean {
    if (this.endedWith) return false;
    this.endedWith = e;
    this.phase = 'ended';
    this.unbridge?.();
    this.unbridge = undefined;
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch (err) {
        this.log.warn({ err, callId: this.id }, 'call cleanup failed');
      }
    }
    for (const w of this.endWaiters.splice(0)) w(e);
    return true;
  }

  /** Resolves when the call has ended (tests, shutdown). */
  whenEnded(): Promise<EndInfo> {
    if (this.endedWith) return Promise.resolve(this.endedWith);
    return new Promise((r) => this.endWaiters.push(r));
  }

  /** Installs the relay between the legs (the previous one, if any, is detached first). */
  setBridge(detach: () => void): void {
    this.unbridge?.();
    this.unbridge = detach;
  }

  /** Swap a leg: the bridge is detached, `mutate` changes the legs, `bridge` links them again. */
  relink(mutate: () => void, bridge: () => () => void): void {
    this.unbridge?.();
    this.unbridge = undefined;
    mutate();
    if (!this.ended) this.unbridge = bridge();
  }

  /** Does `ext` take part in this call (calling, answered, or on a leg)? */
  involves(ext: string): boolean {
    return this.callerExt === ext || this.a?.ext === ext || this.b?.ext === ext;
  }

  /** The other established leg of `leg`. */
  other(leg: Leg): Leg | undefined {
    return leg === this.a ? this.b : this.a;
  }

  /** The customer's leg: the left channel of the recording. */
  get customer(): Leg | undefined {
    return this.info.customerIsA ? this.a : this.b;
  }
}
