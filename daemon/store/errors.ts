import { CodedError } from '../../drivers/coded-error.js';

export type StoreErrorCode =
  | 'STORE_CORRUPT'
  | 'STORE_TOO_NEW'
  | 'STORE_UNWRITABLE'
  | 'STORE_MIGRATION_FAILED'
  | 'STORE_NOT_FOUND'
  | 'STORE_CONFLICT';

export class StoreError extends CodedError<StoreErrorCode> {}
