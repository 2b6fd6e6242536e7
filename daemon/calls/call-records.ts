import type { EventBus } from '../events/bus.js';
import type { CallOpen, CdrFields, Disposition } from '../store/calls-repo.js';
import type { Store } from '../store/store.js';
import { deriveCdr } from './cdr.js';

export interface CallEnd {
  cause: string;
  disposition?: Disposition;
  /** Who hung up: an extension, 'caller', 'box' (time-out), … */
  by?: string;
}

const ANSWER_EVENTS = new Set(['call.answered', 'call.picked_up']);

/**
 * The CDR side of the call engine: a calls row when a call starts, `call.ended` and the final CDR
 * when it ends. The engine publishes every other call event itself; the CDR is derived from them.
 */
export class CallRecords {
  /** Calls whose end is being written: a listener of `call.ended` ending the call again is a no-op. */
  private readonly ending = new Set<string>();

  /** `clock` is accepted for the engine's wiring; event times come from the bus's own clock. */
  constructor(private readonly deps: { store: Store; bus: EventBus; clock?: { now(): number } }) {}

  /** The calls row must exist before the call's first event (events.call_id references it). */
  open(c: CallOpen): void {
    this.deps.store.calls.open(c);
  }

  /**
   * Publish `call.ended` and write the final CDR. Ending a call that is unknown, already ended or
   * being ended returns undefined and writes nothing.
   */
  end(callId: string, data: CallEnd): CdrFields | undefined {
    const { store, bus } = this.deps;
    const row = store.calls.get(callId);
    if (row === undefined || row.endedAt !== null || this.ending.has(callId)) return undefined;
    this.ending.add(callId);
    try {
      // A call.ended without a final CDR (the daemon died between the two) is not written twice.
      if (!store.events.forCall(callId).some((e) => e.type === 'call.ended')) bus.publish('call.ended', endData(data), callId);
      const cdr = deriveCdr(row, store.events.forCall(callId));
      store.calls.finalize(callId, cdr);
      return cdr;
    } finally {
      this.ending.delete(callId);
    }
  }

  /**
   * At daemon start no call is up: every call left without an end by a crash or a kill gets
   * `call.ended` (cause daemon_restart) and its final CDR. Returns how many.
   */
  recoverUnfinished(): number {
    let n = 0;
    for (const row of this.deps.store.calls.unfinished()) {
      const answered = this.deps.store.events.forCall(row.id).some((e) => ANSWER_EVENTS.has(e.type));
      if (this.end(row.id, { cause: 'daemon_restart', disposition: answered ? 'answered' : 'failed' })) n += 1;
    }
    return n;
  }
}

function endData(d: CallEnd): Record<string, unknown> {
  return { cause: d.cause, ...(d.disposition ? { disposition: d.disposition } : {}), ...(d.by ? { by: d.by } : {}) };
}
