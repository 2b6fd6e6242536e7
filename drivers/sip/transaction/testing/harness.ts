import { pino } from 'pino';
import { FakeClock } from '../../../clock.js';
import { TransactionLayer } from '../layer.js';
import type { TimerConfig } from '../types.js';
import { MemorySender } from './memory-sender.js';
import { RecordingUser } from './recording-user.js';

export interface Harness {
  clock: FakeClock;
  sender: MemorySender;
  tu: RecordingUser;
  layer: TransactionLayer;
}

/**
 * A layer on a fake clock and an in-memory sender, with a recording TU. Silent unless
 * OCTOLINE_TEST_LOG names a level.
 */
export function harness(timers: Partial<TimerConfig> = {}, withUser = true): Harness {
  const clock = new FakeClock();
  const sender = new MemorySender(clock);
  const tu = new RecordingUser();
  const log = pino({ level: process.env['OCTOLINE_TEST_LOG'] ?? 'silent' });
  const layer = new TransactionLayer({ clock, log, sender }, { timers });
  if (withUser) layer.setUser(tu);
  return { clock, sender, tu, layer };
}

/** Let settled promises run their callbacks (send failures are reported asynchronously). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** The value, or a thrown error saying what was missing (keeps tests free of `!`). */
export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`missing: ${what}`);
  return value;
}
