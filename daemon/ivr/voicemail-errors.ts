import { CodedError } from '../../drivers/coded-error.js';

export type VoicemailErrorCode =
  | 'VOICEMAIL_BAD_MAILBOX'
  | 'VOICEMAIL_NOT_FOUND'
  | 'CALLBACK_BAD_NUMBER'
  | 'CALLBACK_NOT_FOUND'
  | 'CALLBACK_CLOSED';

/** Voicemail and callback-list refusals (docs/errors.md); nothing is written when one is thrown. */
export class VoicemailError extends CodedError<VoicemailErrorCode> {}
