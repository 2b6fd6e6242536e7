import { CodedError } from '../../drivers/coded-error.js';

export type AcdErrorCode =
  | 'QUEUE_BAD_NAME'
  | 'QUEUE_NOT_FOUND'
  | 'QUEUE_EXISTS'
  | 'QUEUE_BAD_SETTING'
  | 'QUEUE_BAD_MEMBER'
  | 'QUEUE_IN_USE'
  | 'AGENT_UNKNOWN'
  | 'VIP_BAD_NUMBER'
  | 'VIP_NOT_FOUND'
  | 'VIP_BAD_SETTING'
  | 'SUPERVISE_FORBIDDEN'
  | 'SUPERVISE_NO_CALL';

export class AcdError extends CodedError<AcdErrorCode> {}
