import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { EventsRepo } from '../store/events-repo.js';

export interface BoxEvent {
  id: number;
  at: number;
  type: string;
  callId?: string;
  data: Record<string, unknown>;
}

/**
 * Engines publish here: the event is written to the events table first (reports and the
 * wallboard read the same rows, so their figures agree), then handed to live listeners.
 */
export class EventBus extends EventEmitter<{ event: [BoxEvent] }> {
  constructor(private readonly deps: { events: EventsRepo; log: Logger; now?: () => number }) {
    super();
  }

  publish(type: string, data: Record<string, unknown> = {}, callId?: string): BoxEvent {
    const at = (this.deps.now ?? Date.now)();
    const id = this.deps.events.append(type, data, callId === undefined ? { at } : { at, callId });
    const ev: BoxEvent = callId === undefined ? { id, at, type, data } : { id, at, type, callId, data };
    this.deps.log.info({ event: type, ...(callId ? { callId } : {}), ...data }, type);
    this.emit('event', ev);
    return ev;
  }
}
