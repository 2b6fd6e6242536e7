import type { SipRequest, SipResponse } from '../../message/index.js';
import type { Remote } from '../../transport/types.js';
import type { ServerTransaction, TransactionUser } from '../types.js';

/** A TransactionUser that records every call and can answer from a hook. */
export class RecordingUser implements TransactionUser {
  readonly requests: ServerTransaction[] = [];
  readonly acks: Array<{ ack: SipRequest; source: Remote }> = [];
  readonly cancels: Array<{ invite: ServerTransaction; cancel: SipRequest }> = [];
  readonly strays: SipResponse[] = [];
  /** Called from onRequest (to answer synchronously, as a real UA core may). */
  onRequestHook: ((tx: ServerTransaction) => void) | undefined;
  onCancelHook: ((invite: ServerTransaction) => void) | undefined;

  onRequest(tx: ServerTransaction): void {
    this.requests.push(tx);
    this.onRequestHook?.(tx);
  }

  onAck(ack: SipRequest, source: Remote): void {
    this.acks.push({ ack, source });
  }

  onCancel(invite: ServerTransaction, cancel: SipRequest): void {
    this.cancels.push({ invite, cancel });
    this.onCancelHook?.(invite);
  }

  onStrayResponse(res: SipResponse): void {
    this.strays.push(res);
  }
}
