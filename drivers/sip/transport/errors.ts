import { CodedError } from '../../coded-error.js';

export type TransportErrorCode = 'SIP_PORT_IN_USE' | 'SIP_BIND_FAILED';

export class TransportError extends CodedError<TransportErrorCode> {}
