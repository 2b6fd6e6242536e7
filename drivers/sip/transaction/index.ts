/** SIP transaction layer: RFC 3261 §17 with RFC 6026 (see docs/sip-transactions.md). */
export { TransactionLayer } from './layer.js';
export type { TransactionLayerDeps, TransactionLayerOptions } from './layer.js';
export { DEFAULT_TIMERS } from './types.js';
export type {
  ClientRequestOptions,
  ClientTransaction,
  ServerTransaction,
  TimerConfig,
  TransactionLayerApi,
  TransactionUser,
} from './types.js';
export { TransactionError } from './errors.js';
export type { TransactionErrorCode } from './errors.js';
