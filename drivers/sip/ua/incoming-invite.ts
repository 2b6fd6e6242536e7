import type { Logger } from 'pino';
import { getCallId, getFrom, getTo, type NameAddr, type SipRequest, type SipResponse } from '../message/index.js';
import { dialogKey, parseReplaces, type DialogId, type Replaces } from '../dialog/index.js';
import type { ServerTransaction } from '../transaction/types.js';
import type { Remote } from '../transport/types.js';
import type { UaContext } from './context.js';
import { SipError } from './errors.js';
import { newTag } from './ids.js';
import { bodyText, buildResponse, headerPairs, type ResponseInit } from './respond.js';

export type InviteState = 'pending' | 'answered' | 'rejected' | 'cancelled';

/**
 * A new INVITE offered to the application (the `invite` event): ring it (`progress`), answer it
 * (`createUAS`), or `reject` it. Our To tag is chosen on arrival, so the early dialog it forms is
 * known at once (a REFER with Replaces may name it while it still rings, RFC 3891). A CANCEL
 * answers it 487 and aborts `signal`.
 */
export class IncomingInvite {
  readonly request: SipRequest;
  readonly source: Remote;
  readonly callId: string;
  /** The early dialog's id: our tag (To of our answers), the caller's From tag. */
  readonly id: DialogId;
  readonly key: string;
  readonly log: Logger;
  /** The Replaces header (RFC 3891), when this INVITE replaces a dialog. */
  readonly replaces: Replaces | undefined;
  private readonly cancelled = new AbortController();
  private status: InviteState = 'pending';

  constructor(private readonly deps: { ctx: UaContext; forget: (i: IncomingInvite) => void }, readonly tx: ServerTransaction) {
    this.request = tx.request;
    this.source = tx.source;
    this.callId = getCallId(tx.request);
    this.id = { callId: this.callId, localTag: newTag(), remoteTag: getFrom(tx.request).params.get('tag') ?? '' };
    this.key = dialogKey(this.id);
    this.log = deps.ctx.log.child({ callId: this.callId });
    const rep = tx.request.headers.get('Replaces');
    this.replaces = rep === undefined ? undefined : parseReplaces(rep);
  }

  get state(): InviteState {
    return this.status;
  }

  /** Aborted when the caller CANCELs (the INVITE has then been answered 487). */
  get signal(): AbortSignal {
    return this.cancelled.signal;
  }

  /** The caller's SDP offer; undefined for a late-offer INVITE. */
  get sdp(): string | undefined {
    return bodyText(this.request);
  }

  get from(): NameAddr {
    return getFrom(this.request);
  }

  get to(): NameAddr {
    return getTo(this.request);
  }

  /** A provisional response (default 180 Ringing; 183 with `body` for early media). */
  progress(status = 180, init: ResponseInit = {}): void {
    if (status <= 100 || status >= 200) throw new SipError('SIP_INVALID_STATE', `progress() takes 101-199, not ${status}`);
    this.requirePending('progress');
    this.tx.respond(this.response(status, init));
  }

  /** A final failure (486, 480, 603, ...). */
  reject(status: number, init: ResponseInit = {}): void {
    if (status < 300) throw new SipError('SIP_INVALID_STATE', `reject() takes 3xx-6xx, not ${status}`);
    this.requirePending('reject');
    this.status = 'rejected';
    this.tx.respond(this.response(status, init));
    this.deps.forget(this);
  }

  /** @internal The 2xx (createUAS): dialog-forming, with Contact and the Record-Route copied. */
  answer(init: ResponseInit): SipResponse {
    this.requirePending('answer');
    const res = this.response(200, { ...init, headers: [...this.deps.ctx.capabilityHeaders(), ...headerPairs(init.headers)] });
    this.status = 'answered';
    this.tx.respond(res);
    this.deps.forget(this);
    return res;
  }

  /** @internal A CANCEL matched this INVITE (§9.2): 487 unless already answered. */
  cancel(): void {
    if (this.status !== 'pending' || this.tx.finished) return;
    this.status = 'cancelled';
    this.tx.respond(this.response(487, {}));
    this.deps.forget(this);
    this.cancelled.abort();
  }

  /** @internal The stack stops: 503 to a pending INVITE. */
  shutdown(): void {
    if (this.status !== 'pending' || this.tx.finished) return;
    this.status = 'rejected';
    this.tx.respond(this.response(503, {}));
    this.cancelled.abort();
  }

  private requirePending(what: string): void {
    if (this.status === 'cancelled') throw new SipError('SIP_CANCELLED', `cannot ${what}: the caller cancelled`);
    if (this.status !== 'pending' || this.tx.finished) {
      throw new SipError('SIP_INVALID_STATE', `cannot ${what}: the INVITE was already ${this.status === 'pending' ? 'answered' : this.status}`);
    }
  }

  /** §12.1.1: responses that form a dialog carry our tag, Contact and the Record-Route as received. */
  private response(status: number, init: ResponseInit): SipResponse {
    const extra: Array<readonly [string, string]> = [];
    if (status < 300) {
      for (const rr of this.request.headers.getAll('Record-Route')) extra.push(['Record-Route', rr]);
      extra.push(['Contact', this.deps.ctx.contact(this.source.transport)]);
    }
    if (this.deps.ctx.userAgent !== '') extra.push(['Server', this.deps.ctx.userAgent]);
    return buildResponse(this.request, status, { ...init, toTag: this.id.localTag, extra });
  }
}
