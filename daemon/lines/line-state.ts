/**
 * The live state of one analog line as data (STYLE.md "State machines are data"). Kept in memory
 * only: after a restart every line starts idle until the gateway's OPTIONS pinger says otherwise.
 * No RFC governs an analog line's state; the references are INTEROP.md "The FXO gateway".
 */
export type LineState = 'idle' | 'ringing' | 'in_use' | 'down';

export type LineInput =
  /** An INVITE from the gateway for this line (the analog line rings). */
  | { type: 'inbound-invite' }
  /** The box seizes the line for an outbound call (INVITE sent to the gateway). */
  | { type: 'outbound-seize' }
  /** The inbound call was answered by the box (200 OK sent). */
  | { type: 'answered' }
  /** BYE/CANCEL or a failed outbound attempt: the line is free again. */
  | { type: 'released' }
  /** The gateway stopped answering OPTIONS (or failed otherwise): all its lines are down. */
  | { type: 'gateway-down' }
  /** The gateway answers again. */
  | { type: 'gateway-up' };

export type LineEffect =
  /** Refuse the INVITE: the line is busy (486) or unusable (503). */
  | { type: 'refuse'; status: 486 | 503 }
  /** An input that makes no sense in this state (logged at debug by the caller, never thrown). */
  | { type: 'ignored'; input: LineInput['type']; state: LineState };

export interface LineTransition {
  state: LineState;
  effects: LineEffect[];
}

const stay = (state: LineState, input: LineInput): LineTransition => ({ state, effects: [{ type: 'ignored', input: input.type, state }] });

export function transition(state: LineState, input: LineInput): LineTransition {
  switch (input.type) {
    case 'gateway-down':
      return { state: 'down', effects: [] };
    case 'gateway-up':
      return state === 'down' ? { state: 'idle', effects: [] } : { state, effects: [] };
    case 'inbound-invite':
      if (state === 'idle') return { state: 'ringing', effects: [] };
      // A second INVITE for a line already ringing or in use: the analog line cannot carry two calls.
      return { state, effects: [{ type: 'refuse', status: state === 'down' ? 503 : 486 }] };
    case 'outbound-seize':
      if (state === 'idle') return { state: 'in_use', effects: [] };
      return { state, effects: [{ type: 'refuse', status: state === 'down' ? 503 : 486 }] };
    case 'answered':
      return state === 'ringing' ? { state: 'in_use', effects: [] } : stay(state, input);
    case 'released':
      return state === 'ringing' || state === 'in_use' ? { state: 'idle', effects: [] } : stay(state, input);
    default: {
      const never: never = input;
      return never;
    }
  }
}
