/**
 * INVITE client transaction: RFC 3261 §17.1.1 (figure 5) as updated by RFC 6026 §7.2 (a 2xx moves
 * to Accepted, where later 2xx from other forks or retransmissions still reach the TU; timer M).
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import { buildAck } from './build-ack.js';
import {
  isProvisional,
  isSuccess,
  stay,
  unreachable,
  type CancelTimerEffect,
  type GiveUpEffect,
  type PassResponseEffect,
  type SendEffect,
  type StartTimerEffect,
  type TerminateEffect,
  type TimeoutEffect,
  type TimerInput,
  type Transition,
  type TransportErrorInput,
  type TransportFailureEffect,
} from './fsm.js';
import { timerValue, type TimerContext } from './timers.js';

export type ClientInviteState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';
export type ClientInviteTimer = 'A' | 'B' | 'D' | 'M' | 'cancel_wait';

export type ClientInviteInput =
  | { type: 'response'; res: SipResponse }
  | TimerInput<ClientInviteTimer>
  | TransportErrorInput
  /** The TU's CANCEL went out: bound the wait for the INVITE's final response (§9.1). */
  | { type: 'cancel_sent' };

export type ClientInviteEffect =
  | SendEffect
  | StartTimerEffect<ClientInviteTimer>
  | CancelTimerEffect<ClientInviteTimer>
  | PassResponseEffect
  | TimeoutEffect
  | TransportFailureEffect
  | GiveUpEffect
  | TerminateEffect;

export interface ClientInviteContext extends TimerContext {
  readonly request: SipRequest;
}

type Result = Transition<ClientInviteState, ClientInviteEffect>;

/** §17.1.1.2: enter Calling, send the INVITE, timer A (UDP only) and timer B. */
export function startClientInvite(ctx: ClientInviteContext): Result {
  const effects: ClientInviteEffect[] = [{ type: 'send', msg: ctx.request }];
  if (!ctx.reliable) effects.push({ type: 'start_timer', name: 'A', ms: timerValue.A(ctx) });
  effects.push({ type: 'start_timer', name: 'B', ms: timerValue.B(ctx) });
  return { state: 'calling', effects };
}

export function clientInviteTransition(state: ClientInviteState, input: ClientInviteInput, ctx: ClientInviteContext): Result {
  switch (state) {
    case 'calling': return calling(input, ctx);
    case 'proceeding': return proceeding(input, ctx);
    case 'accepted': return accepted(input);
    case 'completed': return completed(input, ctx);
    case 'terminated': return stay(state);
    default: return unreachable(state);
  }
}

/**
 * What leaving a state stops: Calling's retransmissions and timeout (A, B), Proceeding's wait
 * after a CANCEL.
 */
function leave(from: 'calling' | 'proceeding'): ClientInviteEffect[] {
  return from === 'calling'
    ? [{ type: 'cancel_timer', name: 'A' }, { type: 'cancel_timer', name: 'B' }]
    : [{ type: 'cancel_timer', name: 'cancel_wait' }];
}

/** A response in Calling or Proceeding (§17.1.1.2, RFC 6026 §7.2). */
function onResponse(from: 'calling' | 'proceeding', res: SipResponse, ctx: ClientInviteContext): Result {
  // 1xx: Proceeding, passed up; no more retransmissions, and timer B only guards Calling (figure 5).
  if (isProvisional(res)) {
    return { state: 'proceeding', effects: from === 'calling' ? [...leave(from), { type: 'pass_to_tu', res }] : [{ type: 'pass_to_tu', res }] };
  }
  // 2xx: Accepted, timer M; the ACK of a 2xx is the TU's (RFC 6026 §7.2, §13.2.2.4).
  if (isSuccess(res)) {
    return { state: 'accepted', effects: [...leave(from), { type: 'start_timer', name: 'M', ms: timerValue.M(ctx) }, { type: 'pass_to_tu', res }] };
  }
  // 300-699: send the ACK ourselves (§17.1.1.3), Completed with timer D (0 on TCP: Terminated at once).
  const effects: ClientInviteEffect[] = [...leave(from), { type: 'send', msg: buildAck(ctx.request, res) }];
  if (ctx.reliable) return { state: 'terminated', effects: [...effects, { type: 'pass_to_tu', res }, { type: 'terminate' }] };
  effects.push({ type: 'start_timer', name: 'D', ms: timerValue.D(ctx) }, { type: 'pass_to_tu', res });
  return { state: 'completed', effects };
}

function calling(input: ClientInviteInput, ctx: ClientInviteContext): Result {
  switch (input.type) {
    case 'response': return onResponse('calling', input.res, ctx);
    case 'timer':
      // §17.1.1.2: timer A fires → retransmit, reset A to twice its value (no T2 cap for INVITE).
      if (input.name === 'A') {
        return { state: 'calling', effects: [{ type: 'send', msg: ctx.request }, { type: 'start_timer', name: 'A', ms: 2 * input.ms }] };
      }
      // §17.1.1.2: timer B fires in Calling → inform the TU of the timeout, Terminated.
      if (input.name === 'B') return { state: 'terminated', effects: [{ type: 'timeout' }, { type: 'terminate' }] };
      return stay('calling');
    // §17.1.1.2 figure 5: transport error in Calling → inform the TU, Terminated.
    case 'transport_error': return { state: 'terminated', effects: [{ type: 'transport_failure' }, { type: 'terminate' }] };
    // A CANCEL is only sent after a provisional response (§9.1), never in Calling.
    case 'cancel_sent': return stay('calling');
    default: return unreachable(input);
  }
}

function proceeding(input: ClientInviteInput, ctx: ClientInviteContext): Result {
  switch (input.type) {
    // §17.1.1.2: further 1xx go to the TU; finals as in Calling.
    case 'response': return onResponse('proceeding', input.res, ctx);
    case 'timer':
      // §9.1: no final response 64·T1 after the CANCEL → consider the INVITE cancelled.
      if (input.name === 'cancel_wait') return { state: 'terminated', effects: [{ type: 'give_up' }, { type: 'terminate' }] };
      return stay('proceeding');
    // Nothing is sent in Proceeding, so a late transport error belongs to an earlier retransmission.
    case 'transport_error': return stay('proceeding');
    case 'cancel_sent':
      return { state: 'proceeding', effects: [{ type: 'start_timer', name: 'cancel_wait', ms: timerValue.cancel_wait(ctx) }] };
    default: return unreachable(input);
  }
}

function accepted(input: ClientInviteInput): Result {
  switch (input.type) {
    case 'response':
      // RFC 6026 §7.2: every 2xx in Accepted goes to the TU (it ACKs each one); others are absorbed.
      return isSuccess(input.res) ? { state: 'accepted', effects: [{ type: 'pass_to_tu', res: input.res }] } : stay('accepted');
    case 'timer':
      // RFC 6026 §7.2: timer M fires → Terminated.
      return input.name === 'M' ? { state: 'terminated', effects: [{ type: 'terminate' }] } : stay('accepted');
    case 'transport_error':
    case 'cancel_sent':
      return stay('accepted');
    default: return unreachable(input);
  }
}

function completed(input: ClientInviteInput, ctx: ClientInviteContext): Result {
  switch (input.type) {
    case 'response':
      // §17.1.1.2: a retransmitted final → send the ACK again, do not pass it up.
      if (!isProvisional(input.res) && !isSuccess(input.res)) {
        return { state: 'completed', effects: [{ type: 'send', msg: buildAck(ctx.request, input.res) }] };
      }
      return stay('completed');
    case 'timer':
      // §17.1.1.2: timer D fires → Terminated.
      return input.name === 'D' ? { state: 'terminated', effects: [{ type: 'terminate' }] } : stay('completed');
    // Figure 5: a transport error sending the ACK → inform the TU, Terminated (the layer only logs
    // it: the TU already has its final response).
    case 'transport_error': return { state: 'terminated', effects: [{ type: 'transport_failure' }, { type: 'terminate' }] };
    case 'cancel_sent': return stay('completed');
    default: return unreachable(input);
  }
}
