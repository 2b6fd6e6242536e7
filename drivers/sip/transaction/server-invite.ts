/**
 * INVITE server transaction: RFC 3261 §17.2.1 (figure 7) as updated by RFC 6026 §7.1 (a 2xx moves
 * to Accepted, where INVITE retransmissions are absorbed and ACKs go to the TU; timer L).
 */
import { createResponse, type SipRequest, type SipResponse } from '../message/index.js';
import type { Remote } from '../transport/types.js';
import {
  isProvisional,
  isSuccess,
  stay,
  unreachable,
  type CancelTimerEffect,
  type PassAckEffect,
  type PassRequestEffect,
  type SendEffect,
  type StartTimerEffect,
  type TerminateEffect,
  type TimeoutEffect,
  type TimerInput,
  type Transition,
  type TransportErrorInput,
  type TransportFailureEffect,
} from './fsm.js';
import { doubled, timerValue, type TimerContext } from './timers.js';

export type ServerInviteState = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';
export type ServerInviteTimer = 'G' | 'H' | 'I' | 'L';

export type ServerInviteInput =
  | { type: 'request_retransmission' }
  | { type: 'ack'; ack: SipRequest; source: Remote }
  | { type: 'tu_response'; res: SipResponse }
  | TimerInput<ServerInviteTimer>
  | TransportErrorInput;

export type ServerInviteEffect =
  | SendEffect
  | StartTimerEffect<ServerInviteTimer>
  | CancelTimerEffect<ServerInviteTimer>
  | PassRequestEffect
  | PassAckEffect
  | TimeoutEffect
  | TransportFailureEffect
  | TerminateEffect;

export interface ServerInviteContext extends TimerContext {
  readonly request: SipRequest;
  /** The most recent response sent, resent on a retransmitted INVITE or timer G. */
  readonly lastResponse: SipResponse | undefined;
}

type Result = Transition<ServerInviteState, ServerInviteEffect>;

/**
 * §17.2.1: enter Proceeding, send 100 Trying at once (we cannot promise the TU answers within
 * 200 ms; INTEROP.md wants it sent within 200 ms), pass the INVITE to the TU.
 */
export function startServerInvite(ctx: ServerInviteContext): Result {
  return { state: 'proceeding', effects: [{ type: 'send', msg: createResponse(ctx.request, 100) }, { type: 'pass_request' }] };
}

export function serverInviteTransition(state: ServerInviteState, input: ServerInviteInput, ctx: ServerInviteContext): Result {
  switch (state) {
    case 'proceeding': return proceeding(input, ctx);
    case 'completed': return completed(input, ctx);
    case 'confirmed': return confirmed(input);
    case 'accepted': return accepted(input);
    case 'terminated': return stay(state);
    default: return unreachable(state);
  }
}

function resend(state: ServerInviteState, ctx: ServerInviteContext): Result {
  return { state, effects: ctx.lastResponse ? [{ type: 'send', msg: ctx.lastResponse }] : [] };
}

function proceeding(input: ServerInviteInput, ctx: ServerInviteContext): Result {
  switch (input.type) {
    // §17.2.1: a retransmitted INVITE in Proceeding → resend the most recent provisional response.
    case 'request_retransmission': return resend('proceeding', ctx);
    // No final response yet, so no ACK can belong here.
    case 'ack': return stay('proceeding');
    case 'tu_response': {
      const res = input.res;
      // §17.2.1: provisional responses from the TU are sent, state unchanged.
      if (isProvisional(res)) return { state: 'proceeding', effects: [{ type: 'send', msg: res }] };
      // RFC 6026 §7.1: a 2xx → Accepted with timer L; the TU retransmits the 2xx (§13.3.1.4).
      if (isSuccess(res)) {
        return { state: 'accepted', effects: [{ type: 'send', msg: res }, { type: 'start_timer', name: 'L', ms: timerValue.L(ctx) }] };
      }
      // §17.2.1: 300-699 → Completed, timer G (UDP only) and timer H.
      const effects: ServerInviteEffect[] = [{ type: 'send', msg: res }];
      if (!ctx.reliable) effects.push({ type: 'start_timer', name: 'G', ms: timerValue.G(ctx) });
      effects.push({ type: 'start_timer', name: 'H', ms: timerValue.H(ctx) });
      return { state: 'completed', effects };
    }
    case 'timer': return stay('proceeding');
    // §17.2.1 figure 7: a transport error → inform the TU, Terminated.
    case 'transport_error': return { state: 'terminated', effects: [{ type: 'transport_failure' }, { type: 'terminate' }] };
    default: return unreachable(input);
  }
}

function completed(input: ServerInviteInput, ctx: ServerInviteContext): Result {
  switch (input.type) {
    // §17.2.1: a retransmitted INVITE in Completed → resend the final response.
    case 'request_retransmission': return resend('completed', ctx);
    // §17.2.1: the ACK → Confirmed, retransmissions stop, timer I (0 on TCP: Terminated at once).
    case 'ack':
      if (ctx.reliable) return { state: 'terminated', effects: [{ type: 'terminate' }] };
      return {
        state: 'confirmed',
        effects: [{ type: 'cancel_timer', name: 'G' }, { type: 'cancel_timer', name: 'H' }, { type: 'start_timer', name: 'I', ms: timerValue.I(ctx) }],
      };
    // The TU's part ended with the final response; the layer refuses more (types.ts).
    case 'tu_response': return stay('completed');
    case 'timer':
      // §17.2.1: timer G → resend the final response, double G up to T2.
      if (input.name === 'G') {
        const effects: ServerInviteEffect[] = ctx.lastResponse ? [{ type: 'send', msg: ctx.lastResponse }] : [];
        effects.push({ type: 'start_timer', name: 'G', ms: doubled(input.ms, ctx, true) });
        return { state: 'completed', effects };
      }
      // §17.2.1: timer H → no ACK came; inform the TU, Terminated.
      if (input.name === 'H') return { state: 'terminated', effects: [{ type: 'timeout' }, { type: 'terminate' }] };
      return stay('completed');
    // §17.2.1 figure 7: a transport error resending the final → inform the TU, Terminated.
    case 'transport_error': return { state: 'terminated', effects: [{ type: 'transport_failure' }, { type: 'terminate' }] };
    default: return unreachable(input);
  }
}

function confirmed(input: ServerInviteInput): Result {
  switch (input.type) {
    // §17.2.1: Confirmed absorbs further ACKs (and a late INVITE retransmission).
    case 'request_retransmission':
    case 'ack':
    case 'tu_response':
    case 'transport_error':
      return stay('confirmed');
    // §17.2.1: timer I fires → Terminated.
    case 'timer': return input.name === 'I' ? { state: 'terminated', effects: [{ type: 'terminate' }] } : stay('confirmed');
    default: return unreachable(input);
  }
}

function accepted(input: ServerInviteInput): Result {
  switch (input.type) {
    // RFC 6026 §7.1: INVITE retransmissions are absorbed (the TU retransmits the 2xx itself).
    case 'request_retransmission': return stay('accepted');
    // RFC 6026 §7.1: an ACK matching the transaction goes to the TU.
    case 'ack': return { state: 'accepted', effects: [{ type: 'pass_ack', ack: input.ack, source: input.source }] };
    // RFC 6026 §7.1: further 2xx from the TU are sent; anything else is refused by then.
    case 'tu_response':
      return isSuccess(input.res) ? { state: 'accepted', effects: [{ type: 'send', msg: input.res }] } : stay('accepted');
    // RFC 6026 §7.1: timer L fires → Terminated.
    case 'timer': return input.name === 'L' ? { state: 'terminated', effects: [{ type: 'terminate' }] } : stay('accepted');
    // RFC 6026 figure 5: a transport error in Accepted → inform the TU, stay.
    case 'transport_error': return { state: 'accepted', effects: [{ type: 'transport_failure' }] };
    default: return unreachable(input);
  }
}
