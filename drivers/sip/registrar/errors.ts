import { CodedError } from '../../coded-error.js';

/** Listed in docs/errors.md, "SIP auth and registrar". */
export type SipRegistrarErrorCode =
  | 'SIP_REGISTRAR_BAD_OPTIONS'; // minExpires/maxExpires/defaultExpires out of order, realm empty, ...

export class SipRegistrarError extends CodedError<SipRegistrarErrorCode> {}
