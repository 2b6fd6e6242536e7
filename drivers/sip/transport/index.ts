/** SIP transport: UDP and TCP sockets, rport/received, rate limits (see docs/sip-transport.md). */
export { SipTransport, DEFAULT_TRANSPORT_OPTIONS } from './transport.js';
export type { TransportOptions, TransportStats } from './transport.js';
export { SipListeners } from './listeners.js';
export type { ListenerEvents } from './listeners.js';
export { RateLimiter, DEFAULT_RATE_LIMIT } from './rate-limit.js';
export type { RateLimitOptions, RateLimitStats, Verdict } from './rate-limit.js';
export { TransportError } from './errors.js';
export type { TransportErrorCode } from './errors.js';
export { viaHost } from './address.js';
export { DEFAULT_SIP_PORT } from './via-stamp.js';
export type { Inbound, Remote, SipSender, TransportKind } from './types.js';
