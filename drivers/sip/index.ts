/**
 * Octoline's SIP stack (RFC 3261), layered like emiago/sipgo: message → transport → transaction →
 * dialog → UA (call control, drachtio-srf in spirit). `SipStack` composes them. See docs/sip-ua.md.
 */
export * from './message/index.js';
export { SipTransport, TransportError } from './transport/index.js';
export type { Inbound, Remote, SipSender, TransportKind, TransportOptions } from './transport/index.js';
export { DEFAULT_TIMERS, TransactionError, TransactionLayer } from './transaction/index.js';
export type {
  ClientTransaction, ServerTransaction, TimerConfig, TransactionLayerApi, TransactionUser,
} from './transaction/index.js';
export * from './dialog/index.js';
export * from './ua/index.js';
export { SipStack } from './stack.js';
export type { SipStackOptions } from './stack.js';
