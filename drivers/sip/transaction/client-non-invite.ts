/** Non-INVITE client transaction: RFC 3261 §17.1.2 (figure 6). */
import type { SipRequest, SipResponse } from '../message/index.js';
import {
  isProvisional,
  stay,
  unreachable,
  type CancelTimerEffect,
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
import { doubled, timerValue, type TimerContext } from './timers.js';

export type ClientNonInviteState = 'trying' | 'proceeding' | 'completed' | 'terminated';
export type ClientNonInviteTimer = 'E' | 'F' | 'K';

export type ClientNonInviteInput =
  | { type: 'response'; res: SipResponse }
  | TimerInput<ClientNonInviteTimer>
  | TransportErrorInput;

export type ClientNonInviteEffect =
  | SendEffect
  | StartTimerEffect<ClientNonInviteTimer>
  | CancelTimerEffect<ClientNonInviteTimer>
  | PassResponseEffect
  | TimeoutEffect
  | TransportFailureEffect
  | TerminateEffect;

export interface ClientNonInviteContext extends TimerContext {
  readonly request: SipRequest;
}

type Result = Transition<ClientNonInviteState, ClientNonInviteEffect>;

/** §17.1.2.2: enter Trying, send the request, timer E (UDP only) and timer F. */
export function startClientNonInvite(ctx: ClientNonInviteContext): Result {
  const effects: ClientNonInviteEffect[] = [{ type: 'send', msg: ctx.request }];
  if (!ctx.reliable) effects.push({ type: 'start_timer', name: 'E', ms: timerValue.E(ctx) });
  effects.push({ type: 'start_timer', name: 'F', ms: timerValue.F(ctx) });
  return { state: 'trying', effects };
}

export function clientNonInviteTransition(
  state: ClientNonInviteState,
  input: ClientNonInviteInput,
  ctx: ClientNonInviteContext,
): Result {
  switch (state) {
    case 'trying':
    case 'proceeding':
      return pending(state, input, ctx);
    case 'completed': return completed(input);
    case 'terminated': return stay(state);
    default: return unreachable(state);
  }
}

/** Trying and Proceeding differ only in how timer E is reset (§17.1.2.2). */
function pending(state: 'trying' | 'proceeding', input: ClientNonInviteInput, ctx: ClientNonInviteContext): Result {
  switch (input.type) {
    case 'response': {
      const res = input.res;
      // §17.1.2.2: a 1xx → Proceeding, passed up; retransmissions go on (timer E).
      if (isProvisional(res)) return { state: 'proceeding', effects: [{ type: 'pass_to_tu', res }] };
      // §17.1.2.2: 200-699 → passed up, Completed with timer K (0 on TCP: Terminated at once).
      const effects: ClientNonInviteEffect[] = [{ type: 'cancel_timer', name: 'E' }, { type: 'cancel_timer', name: 'F' }];
      if (ctx.reliable) return { state: 'terminated', effects: [...effects, { type: 'pass_to_tu', res }, { type: 'terminate' }] };
      effects.push({ type: 'start_timer', name: 'K', ms: timerValue.K(ctx) }, { type: 'pass_to_tu', res });
      return { state: 'completed', effects };
    }
    case 'timer':
      // §17.1.2.2: timer E → retransmit; in Trying the interval doubles up to T2, in Proceeding it is T2.
      if (input.name === 'E') {
        const ms = state === 'trying' ? doubled(input.ms, ctx, true) : ctx.timers.t2;
        return { state, effects: [{ type: 'send', msg: ctx.request }, { type: 'start_timer', name: 'E', ms }] };
      }
      // §17.1.2.2: timer F → inform the TU of the timeout, Terminated.
      if (input.name === 'F') return { state: 'terminated', effects: [{ type: 'timeout' }, { type: 'terminate' }] };
      return stay(state);
    // §17.1.2.2 figure 6: a transport error → inform the TU, Terminated.
    case 'transport_error': return { state: 'terminated', effects: [{ type: 'transport_failure' }, { type: 'terminate' }] };
    default: return unreachable(input);
  }
}

function completed(input: ClientNonInviteInput): Result {
  switch (input.type) {
    // §17.1.2.2: Completed buffers response retransmissions (absorbed).
    case 'response': return stay('completed');
    // §17.1.2.2: timer K fires → Terminated.
    case 'timer': return input.name === 'K' ? { state: 'terminated', effects: [{ type: 'terminate' }] } : stay('completed');
    // Nothing is sent in Completed.
    case 'transport_error': return stay('completed');
    default: return unreachable(input);
  }
}
