import { CodedError } from '../../drivers/coded-error.js';

export type ConfigErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_UNREADABLE'
  | 'CONFIG_SYNTAX'
  | 'CONFIG_INVALID'
  | 'CONFIG_WRITE_FAILED';

export class ConfigError extends CodedError<ConfigErrorCode> {
  /** Dotted path of the bad field (`sip.port`), when one field is to blame. */
  readonly field: string | undefined;

  constructor(code: ConfigErrorCode, message: string, opts: { field?: string; cause?: unknown } = {}) {
    super(code, message, { cause: opts.cause });
    this.field = opts.field;
  }
}
