/** Non-INVITE server transaction: RFC 3261 §17.2.2 (figure 8). */
import type { SipRequest, SipResponse } from '../message/index.js';
import {
  isProvisional,
  stay,
  unreachable,
  type PassRequestEffect,
  type SendEffect,
  type StartTimerEffect,
  type TerminateEffect,
  type TimerInput,
  type Transition,
  type TransportErrorInput,
  type TransportFailureEffect,
} from './fsm.js';
import { timerValue, type TimerContext } from './timers.js';

export type ServerNonInviteState = 'trying' | 'proceeding' | 'completed' | 'terminated';
export type ServerNonInviteTimer = 'J';

export type ServerNonInviteInput =
  | { type: 'request_retransmission' }
  | { type: 'tu_response'; res: SipResponse }
  | TimerInput<ServerNonInviteTimer>
  | TransportErrorInput;

export type ServerNonInviteEffect =
  | SendEffect
  | StartTimerEffect<ServerNonInviteTimer>
  | PassRequestEffect
  | TransportFailureEffect
  | TerminateEffect;

export interface ServerNonInviteContext extends TimerContext {
  readonly request: SipRequest;
  /** The most recent response sent, resent on a retransmitted request. */
  readonly lastResponse: SipResponse | undefined;
}

type Result = Transition<ServerNonInviteState, ServerNonInviteEffect>;

/** §17.2.2: enter Trying and pass the request to the TU. */
export function startServerNonInvite(): Result {
  return { state: 'trying', effects: [{ type: 'pass_request' }] };
}

export function serverNonInviteTransition(
  state: ServerNonInviteState,
  input: ServerNonInviteInput,
  ctx: ServerNonInviteContext,
): Result {
  switch (state) {
    case 'trying': return trying(input, ctx);
    case 'proceeding': return proceeding(input, ctx);
    case 'completed': return completed(input, ctx);
    case 'terminated': return stay(state);
    default: return unreachable(state);
  }
}

/** §17.2.2: a final response → Completed with timer J (0 on TCP: Terminated at once). */
function sendFinal(res: SipResponse, ctx: ServerNonInviteContext): Result {
  if (ctx.reliable) return { state: 'terminated', effects: [{ type: 'send', msg: res }, { type: 'terminate' }] };
  return { state: 'completed', effects: [{ type: 'send', msg: res }, { type: 'start_timer', name: 'J', ms: timerValue.J(ctx) }] };
}

/** §17.2.2: a response from the TU in Trying or Proceeding. */
function onTuResponse(res: SipResponse, ctx: ServerNonInviteContext): Result {
  return isProvisional(res) ? { state: 'proceeding', effects: [{ type: 'send', msg: res }] } : sendFinal(res, ctx);
}

function trying(input: ServerNonInviteInput, ctx: ServerNonInviteContext): Result {
  switch (input.type) {
    // §17.2.2: retransmissions in Trying are discarded (nothing to resend yet).
    case 'request_retransmission': return stay('trying');
    case 'tu_response': return onTuResponse(input.res, ctx);
    // Nothing is sent in Trying, so neither a timer nor a transport error can concern it.
    case 'timer':
    case 'transport_error':
      return stay('trying');
    default: return unreachable(input);
  }
}

function proceeding(input: ServerNonInviteInput, ctx: ServerNonInviteContext): Result {
  switch (input.type) {
    // §17.2.2: a retransmission in Proceeding → resend the most recent provisional response.
    case 'request_retransmission':
      return { state: 'proceeding', effects: ctx.lastResponse ? [{ type: 'send', msg: ctx.lastResponse }] : [] };
    case 'tu_response': return onTuResponse(input.res, ctx);
    case 'timer': return stay('proceeding');
    // §17.2.2 figure 8: a transport error → inform the TU, Terminated.
    case 'transport_error': return { state: 'terminated', effects: [{ type: 'transport_failure' }, { type: 'terminate' }] };
    default: return unreachable(input);
  }
}

function completed(input: ServerNonInviteInput, ctx: ServerNonInviteContext): Result {
  switch (input.type) {
    // §17.2.2: a retransmission in Completed → resend the final response.
    case 'request_retransmission':
      return { state: 'completed', effects: ctx.lastResponse ? [{ type: 'send', msg: ctx.lastResponse }] : [] };
    // §17.2.2: further final responses from the TU are discarded (the layer refuses them first).
    case 'tu_response': return stay('completed');
    // §17.2.2: timer J fires → Terminated.
    case 'timer': return input.name === 'J' ? { state: 'terminated', effects: [{ type: 'terminate' }] } : stay('completed');
    // §17.2.2 figure 8: a transport error → inform the TU, Terminated.
    case 'transport_error': return { state: 'terminated', effects: [{ type: 'transport_failure' }, { type: 'terminate' }] };
    default: return unreachable(input);
  }
}
