import { CodedError } from '../../drivers/coded-error.js';

export type CliErrorCode = 'SETUP_BAD_VALUE' | 'SETUP_NEEDS_TTY' | 'SETUP_CANCELLED' | 'RESTORE_REFUSED' | 'BACKUP_FAILED' | 'AGENTS_BAD_FLAG';

export class CliError extends CodedError<CliErrorCode> {}
