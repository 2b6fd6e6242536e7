import { CodedError } from '../drivers/coded-error.js';

export type DaemonErrorCode = 'HTTP_PORT_IN_USE' | 'HTTP_BIND_FAILED' | 'DAEMON_NOT_RUNNING' | 'DAEMON_UNAUTHORIZED';

export class DaemonError extends CodedError<DaemonErrorCode> {}
