import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Fields that must never reach a log line: passwords, digest secrets and responses, tokens.
 * pino's redaction works on paths, so list the shapes our code logs (top level and one level down).
 */
const SECRET_KEYS = ['password', 'passwd', 'secret', 'sipPassword', 'sip_password', 'ha1', 'token', 'authorization', 'cookie', 'response', 'nonce'];
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `headers.${k}`, `req.headers.${k}`]);

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Defaults to stdout (journald in production). */
  destination?: DestinationStream;
}

/** The root logger: JSON to stdout; components take children (`log.child({ component: 'sip' })`). */
export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
