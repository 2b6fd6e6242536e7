import type { Test } from 'tap';
import { pino, type Logger } from 'pino';
import type { Clock } from '../../drivers/clock.js';
import { EventBus, type BoxEvent } from '../../daemon/events/bus.js';
import { Store } from '../../daemon/store/store.js';

/**
 * What the ACD's unit tests run over: a real store with agent extensions, a real event bus whose
 * events are kept, and the phones' registration and busy state as sets the test controls.
 */
export interface AgentWorld {
  store: Store;
  bus: EventBus;
  log: Logger;
  events: BoxEvent[];
  busy: Set<string>;
  unregistered: Set<string>;
  isRegistered(ext: string): boolean;
  isBusy(ext: string): boolean;
}

export function agentWorld(t: Test, clock: Clock, exts: readonly string[]): AgentWorld {
  const store = Store.open(t.testdir({}));
  for (const ext of exts) store.extensions.upsert({ ext, displayName: `Agent ${ext}`, realm: 'octoline', ha1Md5: 'x', ha1Sha256: 'y' });
  const log = pino({ level: 'silent' });
  const bus = new EventBus({ events: store.events, log, now: () => clock.now() });
  const events: BoxEvent[] = [];
  bus.on('event', (e) => events.push(e));
  const busy = new Set<string>();
  const unregistered = new Set<string>();
  return { store, bus, log, events, busy, unregistered, isRegistered: (e) => !unregistered.has(e), isBusy: (e) => busy.has(e) };
}
