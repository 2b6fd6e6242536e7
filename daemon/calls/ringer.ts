import { SipError, type Dialog } from '../../drivers/sip/ua/index.js';
import type { Remote } from '../../drivers/sip/transport/index.js';
import type { SipStack } from '../../drivers/sip/stack.js';

/** One phone to ring: where its REGISTER came from and its Contact. */
export interface RingTarget {
  ext: string;
  contact: string;
  source: Remote;
}

export type RingOutcome =
  | { kind: 'answered'; dialog: Dialog; ext: string; tag: string }
  | { kind: 'failed'; status: number }
  | { kind: 'timeout' }
  | { kind: 'cancelled' }
  /** Someone else took the call (pickup) while it rang. */
  | { kind: 'taken' };

export interface RingRequest {
  /** The SDP the phones get (rtpengine's offer for the callee side). */
  offer: string;
  from: string;
  /** A's INVITE being cancelled or the engine giving up. */
  signal: AbortSignal;
  timeoutMs: number;
  /** New rtpengine tag for a leg. */
  tag: () => string;
  onRinging: (ext: string) => void;
  /** The phone stopped ringing: it answered (`answered`), or it was cancelled or refused. */
  onStopRinging: (ext: string, answered: boolean) => void;
}

/**
 * Rings `targets` at once (ring-all) and resolves with the first to answer; the others are
 * cancelled. A 486/600/603 from one phone only takes that phone out. `take()` ends the ringing
 * for a pickup: every phone is cancelled and the outcome is `taken`.
 */
export class Ringer {
  private readonly stop = new AbortController();
  private taken = false;

  constructor(private readonly stack: SipStack, private readonly to: string) {}

  take(): void {
    this.taken = true;
    this.stop.abort();
  }

  async ring(targets: readonly RingTarget[], req: RingRequest): Promise<RingOutcome> {
    if (targets.length === 0) return { kind: 'failed', status: 480 };
    if (req.signal.aborted) return { kind: 'cancelled' };
    const timer = setTimeout(() => this.stop.abort(), req.timeoutMs);
    const onCancel = (): void => this.stop.abort();
    req.signal.addEventListener('abort', onCancel, { once: true });
    try {
      const attempts = targets.map((t) => this.ringOne(t, req));
      const outcome = await firstAnswer(attempts);
      if (outcome.kind === 'answered') return outcome;
      if (this.taken) return { kind: 'taken' };
      if (req.signal.aborted) return { kind: 'cancelled' };
      if (this.stop.signal.aborted) return { kind: 'timeout' };
      return outcome;
    } finally {
      clearTimeout(timer);
      req.signal.removeEventListener('abort', onCancel);
      this.stop.abort(); // the losers are cancelled
    }
  }

  private async ringOne(t: RingTarget, req: RingRequest): Promise<RingOutcome> {
    const tag = req.tag();
    let rang = false;
    let answered = false;
    try {
      const dialog = await this.stack.createUAC(t.contact, {
        localSdp: req.offer, from: req.from, to: this.to, destination: t.source, signal: this.stop.signal,
        onProvisional: (res) => {
          if (res.status !== 180 && res.status !== 183) return;
          if (!rang) req.onRinging(t.ext);
          rang = true;
        },
      });
      if (!rang) req.onRinging(t.ext);
      answered = true;
      return { kind: 'answered', dialog, ext: t.ext, tag };
    } catch (err) {
      const status = err instanceof SipError && err.status !== undefined ? err.status : 480;
      return { kind: 'failed', status };
    } finally {
      req.onStopRinging(t.ext, answered);
    }
  }
}

/** The first answered attempt; when none answers, the most telling failure (busy beats unavailable). */
async function firstAnswer(attempts: Array<Promise<RingOutcome>>): Promise<RingOutcome> {
  const failures: RingOutcome[] = [];
  let won = false;
  return new Promise((resolve) => {
    let left = attempts.length;
    for (const p of attempts) {
      void p.then((o) => {
        if (o.kind === 'answered') {
          // Two phones answering together: the second one is hung up at once.
          if (won) void o.dialog.destroy();
          won = true;
          resolve(o);
          return;
        }
        failures.push(o);
        if (--left === 0) resolve(worst(failures));
      });
    }
  });
}

function worst(failures: RingOutcome[]): RingOutcome {
  const statuses = failures.flatMap((f) => (f.kind === 'failed' ? [f.status] : []));
  if (statuses.some((s) => s === 486 || s === 600)) return { kind: 'failed', status: 486 };
  if (statuses.some((s) => s === 603)) return { kind: 'failed', status: 603 };
  return { kind: 'failed', status: statuses[0] ?? 480 };
}
