import type { Logger } from 'pino';
import { getExpires, getFrom, type NameAddr, type SipRequest, type SipResponse } from '../message/index.js';
import { uasRecord } from '../dialog/index.js';
import type { ServerTransaction } from '../transaction/types.js';
import type { Remote } from '../transport/types.js';
import type { UaContext } from './context.js';
import { SipError } from './errors.js';
import { newTag } from './ids.js';
import { buildResponse, headerPairs, respondOnce, type HeaderList, type ResponseInit } from './respond.js';
import type { EventHeader, ExpiryPolicy } from './subscription-headers.js';
import { Subscription, type NotifyContent } from './subscription.js';

export interface SubscribeAcceptOptions {
  /** Seconds granted (see `planExpires`); 0 for a fetch: 200, then one final NOTIFY. */
  expires: number;
  /** The rules for the subscriber's refreshes. */
  policy: ExpiryPolicy;
  /** The current state document, called each time a NOTIFY is queued. */
  render: () => NotifyContent;
  headers?: HeaderList;
}

/**
 * A SUBSCRIBE outside any dialog for a package a handler took (`handleSubscribe`). The handler
 * authorizes it and then `accept`s (200, a subscription dialog, the first NOTIFY a microtask
 * later) or `reject`s it (407 challenge, 404, 423 with Min-Expires, …). Every handler must answer.
 */
export class IncomingSubscribe {
  readonly event: EventHeader;
  /** The Expires the subscriber asked for; undefined when absent (the package default applies). */
  readonly requestedExpires: number | undefined;
  readonly log: Logger;
  private readonly toTag = newTag();

  constructor(
    private readonly deps: { ctx: UaContext; register: (s: Subscription) => void; forget: (s: Subscription) => void },
    readonly tx: ServerTransaction,
    event: EventHeader,
  ) {
    this.event = event;
    this.requestedExpires = getExpires(tx.request);
    this.log = deps.ctx.log.child({ callId: tx.request.headers.get('Call-ID'), event: event.package });
  }

  get request(): SipRequest {
    return this.tx.request;
  }

  get source(): Remote {
    return this.tx.source;
  }

  get from(): NameAddr {
    return getFrom(this.tx.request);
  }

  get answered(): boolean {
    return this.tx.finished;
  }

  /** 200 with Expires and our Contact; the subscription dialog is live from here on. */
  accept(o: SubscribeAcceptOptions): Subscription {
    if (!Number.isInteger(o.expires) || o.expires < 0) throw new SipError('SIP_INVALID_STATE', `bad subscription expiry ${o.expires}`);
    const { ctx } = this.deps;
    const record = uasRecord(this.request, { localTag: this.toTag, localContact: ctx.contact(this.source.transport), state: 'confirmed' });
    // Over UDP, NOTIFY where the SUBSCRIBE came from (a phone behind NAT), as for calls (uas.ts).
    if (this.source.transport === 'udp') record.flow = this.source;
    this.respond(200, { headers: [['Expires', String(o.expires)], ['Contact', record.localContact], ...headerPairs(o.headers)] });
    const sub = new Subscription({ ctx, forget: this.deps.forget }, { record, event: this.event, policy: o.policy, render: o.render });
    this.deps.register(sub);
    sub.begin(o.expires);
    this.log.debug({ expires: o.expires }, 'subscription accepted');
    return sub;
  }

  reject(status: number, init: ResponseInit = {}): SipResponse {
    return this.respond(status, init);
  }

  private respond(status: number, init: ResponseInit): SipResponse {
    const res = buildResponse(this.request, status, { ...init, toTag: this.toTag });
    respondOnce(this.tx, res);
    return res;
  }
}
