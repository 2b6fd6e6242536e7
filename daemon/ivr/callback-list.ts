import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../drivers/clock.js';
import { errorMessage } from '../../drivers/coded-error.js';
import type { EventBus } from '../events/bus.js';
import type { CallbackRow, CallbackSource } from '../store/callbacks-repo.js';
import type { Store } from '../store/store.js';
import { VoicemailError } from './voicemail-errors.js';

export interface CallbackRequest {
  callId: string | null;
  number: string;
  source: CallbackSource;
  /** When the caller wants the call (epoch ms); omitted = as soon as possible. */
  wantedAt?: number | null;
  note?: string;
}

/** The callers to call back: voicemail, the IVR's `callback_request` node and (later) the queue add to it; agents close entries. */
export class CallbackList {
  private readonly clock: Clock;

  constructor(private readonly deps: { store: Store; bus: EventBus; log: Logger; clock?: Clock }) {
    this.clock = deps.clock ?? systemClock;
  }

  /**
   * Puts the number on the list (`callback.requested`). A number already waiting is not added
   * twice: the caller who tried three times is called back once. Returns the entry and whether it is new.
   */
  request(r: CallbackRequest): { callback: CallbackRow; added: boolean } {
    const number = r.number.trim();
    if (!/[0-9]/.test(number) || number.length > 32) {
      throw new VoicemailError('CALLBACK_BAD_NUMBER', `"${r.number}" is not a number to call back (digits, at most 32 characters)`);
    }
    const waiting = this.deps.store.callbacks.pendingFor(number);
    if (waiting) return { callback: waiting, added: false };
    const id = this.deps.store.callbacks.insert({
      callId: r.callId, number, wantedAt: r.wantedAt ?? null, source: r.source, createdAt: this.clock.now(), ...(r.note ? { note: r.note } : {}),
    });
    this.publish('callback.requested', { callbackId: id, number, source: r.source, wantedAt: r.wantedAt ?? null }, r.callId);
    return { callback: this.get(id), added: true };
  }

  /** The callback was made (`callback.done`); refused unless it is pending. */
  done(id: number, note = ''): CallbackRow {
    return this.close(id, 'done', note);
  }

  /** Not needed any more (`callback.cancelled`); refused unless it is pending. */
  cancel(id: number, note = ''): CallbackRow {
    return this.close(id, 'cancelled', note);
  }

  private close(id: number, state: 'done' | 'cancelled', note: string): CallbackRow {
    const before = this.get(id);
    if (!this.deps.store.callbacks.close(id, state, this.clock.now(), note.trim())) {
      throw new VoicemailError('CALLBACK_CLOSED', `callback ${id} is already ${before.state}`);
    }
    this.publish(`callback.${state}`, { callbackId: id, number: before.number }, before.callId);
    return this.get(id);
  }

  private get(id: number): CallbackRow {
    const row = this.deps.store.callbacks.get(id);
    if (!row) throw new VoicemailError('CALLBACK_NOT_FOUND', `no callback ${id} (see: octoline callbacks list)`);
    return row;
  }

  /** The list entry stands even when its event cannot be written (a calls row already gone). */
  private publish(type: string, data: Record<string, unknown>, callId: string | null): void {
    try {
      this.deps.bus.publish(type, data, callId ?? undefined);
    } catch (err) {
      this.deps.log.error({ err: errorMessage(err), event: type, ...(callId ? { callId } : {}) }, 'callbacks: event not written');
    }
  }
}
