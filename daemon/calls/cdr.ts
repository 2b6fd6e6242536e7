import type { EventRow } from '../store/events-repo.js';
import { isDisposition, type CdrFields, type Disposition } from '../store/calls-repo.js';

export type { CdrFields } from '../store/calls-repo.js';

/** What the CDR takes from the calls row; everything else comes from the call's events. */
export interface CdrCall {
  startedAt: number;
  extension: string | null;
  recordingId: number | null;
}

/** The facts a walk over the events collects, before they become seconds. */
interface Facts {
  answeredAt: number | null;
  extension: string | null;
  recordingId: number | null;
  blocked: boolean;
  holdMs: number;
  holdSince: number | null;
  ended: { at: number; cause: string; disposition: Disposition | null } | null;
  lastAt: number;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The CDR of a call, derived from its events only (DESIGN.md "Calls are events"), so a report that
 * replays the events gets the same figures. Unknown event types are ignored: new engines add events
 * without touching this.
 */
export function deriveCdr(call: CdrCall, events: readonly EventRow[]): CdrFields {
  const f: Facts = {
    answeredAt: null, extension: call.extension, recordingId: call.recordingId, blocked: false,
    holdMs: 0, holdSince: null, ended: null, lastAt: call.startedAt,
  };
  for (const ev of events) apply(f, ev);
  const endedAt = f.ended?.at ?? f.lastAt;
  // A hold still open when the call ended (caller hung up while on hold) lasted until the end.
  const holdMs = f.holdMs + (f.holdSince === null ? 0 : Math.max(0, endedAt - f.holdSince));
  const ringMs = (f.answeredAt ?? endedAt) - call.startedAt;
  const talkMs = f.answeredAt === null ? 0 : endedAt - f.answeredAt - holdMs;
  return {
    answeredAt: f.answeredAt,
    endedAt,
    disposition: f.ended?.disposition ?? (f.blocked ? 'blocked' : f.answeredAt !== null ? 'answered' : 'no_answer'),
    cause: f.ended?.cause ?? '',
    ringSeconds: tenths(ringMs),
    talkSeconds: tenths(talkMs),
    holdSeconds: tenths(holdMs),
    extension: f.extension,
    recordingId: f.recordingId,
  };
}

function apply(f: Facts, ev: EventRow): void {
  f.lastAt = Math.max(f.lastAt, ev.at);
  switch (ev.type) {
    case 'call.blocked':
      f.blocked = true;
      return;
    case 'call.answered':
    case 'call.picked_up': // a pickup answers the ringing call at the picking extension
      f.answeredAt ??= ev.at;
      f.extension = str(ev.data.extension) ?? f.extension;
      return;
    case 'call.held':
      f.holdSince ??= ev.at; // held again while held (both sides) is one hold
      return;
    case 'call.resumed':
      if (f.holdSince !== null) f.holdMs += Math.max(0, ev.at - f.holdSince);
      f.holdSince = null;
      return;
    case 'call.recording':
      if (typeof ev.data.recordingId === 'number') f.recordingId = ev.data.recordingId;
      return;
    case 'call.ended':
      // The first end counts; the service never writes a second one.
      f.ended ??= { at: ev.at, cause: str(ev.data.cause) ?? '', disposition: isDisposition(ev.data.disposition) ? ev.data.disposition : null };
      return;
  }
}

/** Seconds rounded to 0.1, never negative (clock steps between events must not give -0.3 s). */
function tenths(ms: number): number {
  return Math.max(0, Math.round(ms / 100) / 10);
}
