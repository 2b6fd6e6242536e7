import { CodedError } from '../../drivers/coded-error.js';

export type LinesErrorCode =
  | 'LINE_NOT_FOUND'
  | 'LINE_BAD_TARGET'
  | 'LINE_TARGET_NOT_FOUND'
  | 'LINE_BAD_DIRECTION'
  | 'LINE_BAD_RECORD'
  | 'BLACKLIST_BAD_NUMBER'
  | 'BLACKLIST_DUPLICATE'
  | 'BLACKLIST_NOT_FOUND';

export class LinesError extends CodedError<LinesErrorCode> {}
