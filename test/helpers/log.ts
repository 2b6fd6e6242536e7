import { pino, type Logger } from 'pino';

/** Silent unless OCTOLINE_TEST_LOG=debug (or another level) is set while debugging a test. */
export function testLogger(): Logger {
  return pino({ level: process.env['OCTOLINE_TEST_LOG'] ?? 'silent' });
}
