import { CodedError } from '../../coded-error.js';

/** Why the dialog layer cannot do what was asked (every code is in docs/errors.md). */
export type DialogErrorCode =
  | 'SIP_BAD_TARGET' // a URI we cannot send to: not sip:/sips:, or a host that is not an IP address
  | 'SIP_NO_CONTACT'; // a dialog-forming message without a usable Contact (RFC 3261 §12.1.1, §12.1.2)

export class DialogError extends CodedError<DialogErrorCode> {}
