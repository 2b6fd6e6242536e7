import { TransactionError } from './errors.js';
import { DEFAULT_TIMERS, type TimerConfig } from './types.js';

/** This instance's T1/T2/T4: the defaults of §17 (500 ms, 4 s, 5 s) overridden by the options. */
export function resolveTimers(given: Partial<TimerConfig> | undefined): Readonly<TimerConfig> {
  const t = {
    t1: given?.t1 ?? DEFAULT_TIMERS.t1,
    t2: given?.t2 ?? DEFAULT_TIMERS.t2,
    t4: given?.t4 ?? DEFAULT_TIMERS.t4,
  };
  if (!(t.t1 > 0 && t.t2 >= t.t1 && t.t4 > 0 && Number.isFinite(t.t2) && Number.isFinite(t.t4))) {
    throw new TransactionError('SIP_TX_BAD_TIMERS', `SIP timers need 0 < T1 <= T2 and T4 > 0 (got T1=${t.t1} T2=${t.t2} T4=${t.t4} ms)`);
  }
  return Object.freeze(t);
}

/** What a timer value depends on: T1/T2/T4 of this layer instance and the transport kind. */
export interface TimerContext {
  readonly timers: TimerConfig;
  /** TCP (reliable) or UDP (unreliable): decides retransmissions and wait timers (§17). */
  readonly reliable: boolean;
}

/**
 * Timer values, RFC 3261 §17 Table 4 and RFC 6026 §8.4. A wait timer that is zero on a reliable
 * transport (D, I, J, K) is never started: the machines go straight to Terminated instead.
 */
export const timerValue = {
  /** INVITE request retransmit, UDP only; doubles each time (§17.1.1.2). */
  A: (c: TimerContext): number => c.timers.t1,
  /** INVITE transaction timeout (§17.1.1.2). */
  B: (c: TimerContext): number => 64 * c.timers.t1,
  /**
   * Wait for response retransmissions, "> 32 s" for UDP (§17.1.1.2): 32 s, or 64·T1 when T1 is
   * raised, so that it still covers the server's timer H.
   */
  D: (c: TimerContext): number => (c.reliable ? 0 : Math.max(32_000, 64 * c.timers.t1)),
  /** Non-INVITE request retransmit, UDP only; doubles up to T2 (§17.1.2.2). */
  E: (c: TimerContext): number => c.timers.t1,
  /** Non-INVITE transaction timeout (§17.1.2.2). */
  F: (c: TimerContext): number => 64 * c.timers.t1,
  /** INVITE final response retransmit, UDP only; doubles up to T2 (§17.2.1). */
  G: (c: TimerContext): number => c.timers.t1,
  /** Wait for the ACK (§17.2.1). */
  H: (c: TimerContext): number => 64 * c.timers.t1,
  /** Wait for ACK retransmissions (§17.2.1). */
  I: (c: TimerContext): number => (c.reliable ? 0 : c.timers.t4),
  /** Wait for non-INVITE request retransmissions (§17.2.2). */
  J: (c: TimerContext): number => (c.reliable ? 0 : 64 * c.timers.t1),
  /** Wait for non-INVITE response retransmissions (§17.1.2.2). */
  K: (c: TimerContext): number => (c.reliable ? 0 : c.timers.t4),
  /** Server Accepted: wait for INVITE retransmissions and ACKs of the 2xx (RFC 6026 §7.1). */
  L: (c: TimerContext): number => 64 * c.timers.t1,
  /** Client Accepted: wait for 2xx retransmissions from other forks (RFC 6026 §7.2). */
  M: (c: TimerContext): number => 64 * c.timers.t1,
  /** After sending a CANCEL, wait this long for the INVITE's final response (§9.1). */
  cancel_wait: (c: TimerContext): number => 64 * c.timers.t1,
} as const;

/** The next interval of a doubling retransmit timer, capped at T2 when `cap` (E, G; not A). */
export function doubled(ms: number, c: TimerContext, cap: boolean): number {
  return cap ? Math.min(2 * ms, c.timers.t2) : 2 * ms;
}
