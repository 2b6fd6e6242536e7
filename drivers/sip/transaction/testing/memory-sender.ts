import type { Clock } from '../../../clock.js';
import type { SipMessage, SipRequest, SipResponse } from '../../message/index.js';
import type { Remote, SipSender } from '../../transport/types.js';

export interface SentMessage {
  msg: SipMessage;
  dest: Remote;
  /** Clock.monotonic() when it was handed over. */
  at: number;
}

/**
 * A SipSender that keeps what it is given (the fake below the boundary STYLE.md allows): tests
 * read `sent` and can make sends fail like a refused TCP connection.
 */
export class MemorySender implements SipSender {
  readonly local = { address: '192.0.2.1', port: 5060 };
  readonly sent: SentMessage[] = [];
  /** When true, or true for a message, send() rejects (a transport error, §17.1.4). */
  fail: boolean | ((msg: SipMessage) => boolean) = false;

  constructor(private readonly clock: Clock) {}

  send(msg: SipMessage, dest: Remote): Promise<void> {
    this.sent.push({ msg, dest, at: this.clock.monotonic() });
    const fail = typeof this.fail === 'function' ? this.fail(msg) : this.fail;
    return fail ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve();
  }

  /** Sent requests with this method. */
  requests(method: string): Array<SentMessage & { msg: SipRequest }> {
    return this.sent.filter((s): s is SentMessage & { msg: SipRequest } => s.msg.kind === 'request' && s.msg.method === method);
  }

  /** Sent responses with this status. */
  responses(status?: number): Array<SentMessage & { msg: SipResponse }> {
    return this.sent.filter((s): s is SentMessage & { msg: SipResponse } =>
      s.msg.kind === 'response' && (status === undefined || s.msg.status === status));
  }

  /** Times (ms) at which messages matching `pick` were sent. */
  times(pick: (s: SentMessage) => boolean): number[] {
    return this.sent.filter(pick).map((s) => s.at);
  }

  clear(): void {
    this.sent.length = 0;
  }
}
