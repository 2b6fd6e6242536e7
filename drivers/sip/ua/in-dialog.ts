import { getContentType, type SipRequest, type SipResponse } from '../message/index.js';
import type { ServerTransaction } from '../transaction/types.js';
import { bodyText, buildResponse, respondOnce, type ResponseInit } from './respond.js';
import { mediaDirection, type MediaDirection } from './sdp.js';

/**
 * A request that arrived inside a dialog and is handed to the application (`info`, `notify`
 * events): answer it with `respond` (every handler must; with no handler the dialog answers 200).
 */
export class InDialogRequest {
  constructor(
    protected readonly tx: ServerTransaction,
    protected readonly toTag: string,
  ) {}

  get request(): SipRequest {
    return this.tx.request;
  }

  get method(): string {
    return this.tx.request.method;
  }

  /** The body as text, undefined when empty. */
  get body(): string | undefined {
    return bodyText(this.tx.request);
  }

  /** `type/subtype` of the body, lower case. */
  get contentType(): string | undefined {
    const t = getContentType(this.tx.request);
    return t === undefined ? undefined : `${t.type}/${t.subtype}`;
  }

  get answered(): boolean {
    return this.tx.finished;
  }

  /** @internal */
  get transaction(): ServerTransaction {
    return this.tx;
  }

  /** Answer (default 200). Throws SIP_INVALID_STATE when already answered. */
  respond(status = 200, init: ResponseInit = {}): SipResponse {
    const res = buildResponse(this.tx.request, status, { ...init, toTag: this.toTag });
    respondOnce(this.tx, res);
    return res;
  }
}

/** What the dialog does when a modify request is accepted or refused. */
export interface ModifyHooks {
  accept(req: ModifyRequest, sdp: string | undefined, init: ResponseInit): SipResponse;
  reject(req: ModifyRequest, status: number, init: ResponseInit): SipResponse;
}

/**
 * An incoming re-INVITE or UPDATE (`modify` event): a new offer (hold, unhold, codec change, a
 * session refresh without body). `accept(sdp)` answers 200 with our SDP (its 2xx is retransmitted
 * until ACK for a re-INVITE), `reject(status)` refuses it (488, 491, ...).
 */
export class ModifyRequest extends InDialogRequest {
  /** Aborted when a CANCEL arrives for this re-INVITE (already answered 487 then). */
  readonly cancelled: AbortSignal;

  constructor(tx: ServerTransaction, toTag: string, private readonly hooks: ModifyHooks, cancelled: AbortSignal) {
    super(tx, toTag);
    this.cancelled = cancelled;
  }

  /** The offer, undefined for a re-INVITE without SDP (we offer in the 2xx) or a bare refresh. */
  get sdp(): string | undefined {
    return this.body;
  }

  /** Direction of the offer: 'sendonly' or 'inactive' is a hold, 'sendrecv' an unhold. */
  get direction(): MediaDirection | undefined {
    const sdp = this.sdp;
    return sdp === undefined ? undefined : mediaDirection(sdp);
  }

  accept(sdp?: string, init: ResponseInit = {}): SipResponse {
    return this.hooks.accept(this, sdp, init);
  }

  reject(status: number, init: ResponseInit = {}): SipResponse {
    return this.hooks.reject(this, status, init);
  }

  /** Only the hooks may answer a modify request: `accept` or `reject`. */
  override respond(status = 200, init: ResponseInit = {}): SipResponse {
    return status >= 200 && status < 300 ? this.accept(typeof init.body === 'string' ? init.body : undefined, init) : this.reject(status, init);
  }

  /** @internal the raw answer, for the hooks. */
  send(status: number, init: ResponseInit): SipResponse {
    return super.respond(status, init);
  }
}
