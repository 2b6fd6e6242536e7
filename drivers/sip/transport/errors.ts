import { CodedError } from '../../coded-error.js';

/** Every code is listed in docs/errors.md ("SIP transport"); docs/sip-transport.md says when each is raised. */
export type TransportErrorCode =
  | 'SIP_PORT_IN_USE' // bind: another program holds the SIP port
  | 'SIP_BIND_FAILED' // bind: the address is not on this machine (or another bind error)
  | 'SIP_NOT_RUNNING' // send() before start() or after stop()
  | 'SIP_CONNECT_FAILED' // send() over TCP: the connection could not be opened in time
  | 'SIP_SEND_FAILED'; // send(): the socket refused the bytes or the connection broke

export class TransportError extends CodedError<TransportErrorCode> {}
