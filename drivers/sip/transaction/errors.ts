import { CodedError } from '../../coded-error.js';

/**
 * Misuse of the transaction layer by its caller (listed in docs/errors.md). Protocol outcomes are
 * never errors here: timeouts and transport failures become made-up responses (408, 503).
 */
export type TransactionErrorCode =
  | 'SIP_TX_ALREADY_FINAL'
  | 'SIP_TX_BAD_REQUEST'
  | 'SIP_TX_BAD_TIMERS';

export class TransactionError extends CodedError<TransactionErrorCode> {}
