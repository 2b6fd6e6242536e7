import type { SipMessage, SipRequest, SipResponse } from '../message/index.js';
import type { Remote } from '../transport/types.js';

/**
 * The vocabulary shared by the four transaction state machines (RFC 3261 §17, RFC 6026): inputs
 * and effects are plain data, `transition` functions are pure, and the layer performs the effects.
 */
export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'cancel_wait';

/** A timer fired; `ms` is the interval it ran for, so doubling timers need no hidden counter. */
export interface TimerInput<N extends TimerName> {
  type: 'timer';
  name: N;
  ms: number;
}

/** A send of an earlier effect failed (§17.1.4, §17.2.4). */
export interface TransportErrorInput {
  type: 'transport_error';
}

/** Pass a message to the transport: to the peer for client transactions, to the request's source for server ones. */
export interface SendEffect {
  type: 'send';
  msg: SipMessage;
}

export interface StartTimerEffect<N extends TimerName> {
  type: 'start_timer';
  name: N;
  ms: number;
}

export interface CancelTimerEffect<N extends TimerName> {
  type: 'cancel_timer';
  name: N;
}

/** Client: a response goes up to the TU (onResponse, and `final` for the first final one). */
export interface PassResponseEffect {
  type: 'pass_to_tu';
  res: SipResponse;
}

/** Server: the new request goes up to the TU (onRequest). */
export interface PassRequestEffect {
  type: 'pass_request';
}

/** Server INVITE in Accepted: an ACK goes up to the TU (onAck), RFC 6026 §7.1. */
export interface PassAckEffect {
  type: 'pass_ack';
  ack: SipRequest;
  source: Remote;
}

/** Timer B, F or H: inform the TU of a timeout (client: a made-up 408). */
export interface TimeoutEffect {
  type: 'timeout';
}

/** Inform the TU of a transport failure (client: a made-up 503, §8.1.3.1). */
export interface TransportFailureEffect {
  type: 'transport_failure';
}

/** Client INVITE: no final response 64·T1 after our CANCEL; consider it cancelled (§9.1, a made-up 487). */
export interface GiveUpEffect {
  type: 'give_up';
}

/** The transaction is over: the layer forgets it and cancels its timers. */
export interface TerminateEffect {
  type: 'terminate';
}

export interface Transition<S extends string, E> {
  state: S;
  effects: E[];
}

export function stay<S extends string, E>(state: S): Transition<S, E> {
  return { state, effects: [] };
}

/** Exhaustiveness guard: a new state or input that no branch handles fails type-checking here. */
export function unreachable(x: never): never {
  throw new Error(`unhandled state machine case ${JSON.stringify(x)}`);
}

export function isProvisional(res: SipResponse): boolean {
  return res.status < 200;
}

export function isSuccess(res: SipResponse): boolean {
  return res.status >= 200 && res.status < 300;
}
