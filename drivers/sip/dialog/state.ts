/**
 * The dialog state machine (RFC 3261 §12), as data: a state, a named input, and a pure transition
 * giving the next state and the effects the owner must carry out.
 */
export type DialogState = 'early' | 'confirmed' | 'terminated';

export type DialogInput =
  /** A 101-199 response with a To tag created or refreshed an early dialog (§12.1). */
  | { kind: 'provisional' }
  /** A 2xx to the dialog-forming INVITE was sent or received (§12.1.1, §12.1.2). */
  | { kind: 'answered' }
  /** A 3xx-6xx final response ended the INVITE (§12.3: early dialogs end with it). */
  | { kind: 'failed' }
  /** A CANCEL ended the pending INVITE (§9.2): the UAS answers 487, the early dialog ends. */
  | { kind: 'cancelled' }
  /** BYE sent or received (§15). */
  | { kind: 'bye' }
  /** Our 2xx was never ACKed within 64*T1 (§13.3.1.4): the session ends with a BYE. */
  | { kind: 'ack-timeout' }
  /** An in-dialog request was answered 481 or 408 (§12.2.1.2): the dialog is gone. */
  | { kind: 'gone'; status: 481 | 408 };

export type DialogEffect =
  /** Tell the user the dialog is up. */
  | 'confirmed'
  /** Send a BYE (best effort) before forgetting the dialog. */
  | 'send-bye'
  /** Tell the user the dialog ended and forget it. */
  | 'destroyed';

export interface DialogStep {
  state: DialogState;
  effects: DialogEffect[];
}

const stay = (state: DialogState): DialogStep => ({ state, effects: [] });

export function transition(state: DialogState, input: DialogInput): DialogStep {
  if (state === 'terminated') return stay(state); // §12.3: nothing brings a dialog back
  switch (input.kind) {
    case 'provisional':
      return stay(state); // §12.1: further 1xx refresh an early dialog; a late 1xx leaves a confirmed one alone
    case 'answered':
      // §12.1: a 2xx confirms an early dialog; a retransmitted 2xx changes nothing.
      return state === 'early' ? { state: 'confirmed', effects: ['confirmed'] } : stay(state);
    case 'failed':
    case 'cancelled':
      // §12.3 and §9.2: a non-2xx final answer ends an early dialog; a failed re-INVITE does not
      // end a confirmed one (§14.1).
      return state === 'early' ? { state: 'terminated', effects: ['destroyed'] } : stay(state);
    case 'bye':
      return { state: 'terminated', effects: ['destroyed'] }; // §15
    case 'ack-timeout':
      return { state: 'terminated', effects: ['send-bye', 'destroyed'] }; // §13.3.1.4
    case 'gone':
      // §12.2.1.2: 481 means the peer has no dialog (no BYE to send); 408 means it may still
      // think it has one, so a BYE is sent.
      return { state: 'terminated', effects: input.status === 408 ? ['send-bye', 'destroyed'] : ['destroyed'] };
    default: {
      const never: never = input;
      return never;
    }
  }
}
