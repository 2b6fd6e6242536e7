import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { TimerHandle } from '../../clock.js';
import { getCSeq, getExpires, type NameAddr, type SipResponse } from '../message/index.js';
import { buildRequest, checkRemoteCSeq, dialogNextHop, refreshTarget, type DialogId, type DialogRecord } from '../dialog/index.js';
import type { ServerTransaction } from '../transaction/types.js';
import type { UaContext } from './context.js';
import { SipError } from './errors.js';
import { bodyBuffer, buildResponse, type ResponseInit } from './respond.js';
import {
  formatEvent, formatSubscriptionState, parseEvent, planExpires,
  type EventHeader, type ExpiryPolicy, type TerminationReason,
} from './subscription-headers.js';

/** A NOTIFY body: the package's state document. */
export interface NotifyContent {
  body: string | Buffer;
  contentType: string;
}

/** Why a subscription ended; `status` is the NOTIFY response that ended it ('notify-failed'). */
export interface SubscriptionEnd {
  reason: 'fetched' | 'unsubscribed' | 'expired' | 'terminated' | 'notify-failed' | 'shutdown';
  status?: number;
}

export interface SubscriptionEvents {
  /** The subscriber refreshed (answered 200; a NOTIFY with the current state is already queued). */
  refresh: [];
  /** The subscription is over (its final NOTIFY, if any, is queued). Emitted once. */
  end: [SubscriptionEnd];
}

/**
 * NOTIFY answers after which the subscription is gone (RFC 6665 §4.2.2): the subscriber has no
 * such dialog (481), did not answer (408), or refuses the package for good.
 */
const FATAL_NOTIFY_STATUS = new Set([404, 405, 408, 410, 416, 480, 481, 482, 483, 484, 485, 489, 501, 604]);
/** Queued NOTIFYs per subscription: beyond this the oldest unsent one is dropped (each is full state). */
const MAX_QUEUED = 8;

interface QueuedNotify {
  content: NotifyContent;
  final: TerminationReason | undefined;
  done: (res: SipResponse | undefined) => void;
}

/**
 * The notifier side of one subscription dialog (RFC 6665 §4.2): a NOTIFY with the current state
 * after the 200, after each refresh and on every `notify()`; a final one when it ends. NOTIFYs go
 * out one at a time, in order (the subscriber drops a CSeq lower than the last, §12.2.2). The
 * `render` callback gives the state document at the moment a NOTIFY is queued.
 */
export class Subscription extends EventEmitter<SubscriptionEvents> {
  readonly id: DialogId;
  readonly event: EventHeader;
  readonly log: Logger;
  private readonly queue: QueuedNotify[] = [];
  private sending = false;
  private ended = false;
  private timer: TimerHandle | undefined;
  private expiresAt = 0;

  constructor(
    private readonly deps: { ctx: UaContext; forget: (s: Subscription) => void },
    private readonly o: { record: DialogRecord; event: EventHeader; policy: ExpiryPolicy; render: () => NotifyContent },
  ) {
    super();
    this.id = o.record.id;
    this.event = o.event;
    this.log = deps.ctx.log.child({ callId: o.record.id.callId, event: o.event.package });
  }

  /** @internal the dialog key the UA core routes in-dialog requests by. */
  get key(): string {
    return this.o.record.key;
  }

  /** The subscriber (the SUBSCRIBE's From). */
  get subscriber(): NameAddr {
    return this.o.record.remote;
  }

  get state(): 'active' | 'terminated' {
    return this.ended ? 'terminated' : 'active';
  }

  /** Seconds left before it expires without a refresh (0 once terminated). */
  get remainingSeconds(): number {
    if (this.ended) return 0;
    return Math.max(0, Math.ceil((this.expiresAt - this.deps.ctx.clock.monotonic()) / 1000));
  }

  /** NOTIFY the current state; resolves with its response (undefined when it was never sent). */
  notify(): Promise<SipResponse | undefined> {
    if (this.ended) return Promise.reject(new SipError('SIP_INVALID_STATE', 'the subscription has terminated'));
    return this.enqueue(undefined);
  }

  /** End it with a final NOTIFY `terminated;reason=…` carrying the current state; resolves once answered. */
  async terminate(reason: TerminationReason = 'deactivated'): Promise<void> {
    if (this.ended) return;
    const sent = this.enqueue(reason);
    this.finish({ reason: 'terminated' });
    await sent;
  }

  // ---------------------------------------------------------------------------------------------
  // Used by IncomingSubscribe and the router.

  /**
   * @internal The 200 went out: start the clock; the first NOTIFY (the only one for a fetch) is
   * queued a microtask later, so the caller of `accept()` can listen for `end` and set up what
   * `render` reads.
   */
  begin(expires: number): void {
    if (expires > 0) this.arm(expires);
    queueMicrotask(() => {
      if (this.ended) return;
      if (expires === 0) this.endWithNotify('timeout', { reason: 'fetched' });
      else void this.enqueue(undefined);
    });
  }

  /** @internal A request inside this subscription's dialog. */
  receive(tx: ServerTransaction): void {
    const req = tx.request;
    const rec = this.o.record;
    const cseq = checkRemoteCSeq(rec.remoteSeq, getCSeq(req).seq);
    if (!cseq.ok) return this.answer(tx, 500, { reason: 'CSeq Out of Order' }); // RFC 3261 §12.2.2
    rec.remoteSeq = cseq.remoteSeq;
    if (req.method === 'OPTIONS') return this.answer(tx, 200);
    if (req.method !== 'SUBSCRIBE') return this.answer(tx, 405, { headers: [['Allow', 'SUBSCRIBE, OPTIONS']] });
    const event = parseEvent(req.headers.get('Event'));
    if (event?.package !== this.event.package || event.id !== this.event.id) return this.answer(tx, 481, { reason: 'Subscription Does Not Exist' });
    this.refresh(tx);
  }

  /** @internal The stack stops: timers off, `end` ('shutdown'), nothing sent. */
  shutdown(): void {
    this.finish({ reason: 'shutdown' });
  }

  // ---------------------------------------------------------------------------------------------

  /** An in-dialog SUBSCRIBE (§4.2.1.2): unsubscribe, too brief, or a refresh with a new NOTIFY. */
  private refresh(tx: ServerTransaction): void {
    const plan = planExpires(getExpires(tx.request), this.o.policy);
    if (plan.kind === 'too-brief') return this.answer(tx, 423, { headers: [['Min-Expires', String(plan.minExpires)]] });
    refreshTarget(this.o.record, tx.request); // SUBSCRIBE is a target refresh request (RFC 6665 §4.1.2.1)
    const expires = plan.kind === 'end' ? 0 : plan.expires;
    this.answer(tx, 200, { headers: [['Expires', String(expires)], ['Contact', this.o.record.localContact]] });
    if (plan.kind === 'end') return this.endWithNotify('timeout', { reason: 'unsubscribed' });
    this.arm(expires);
    void this.enqueue(undefined);
    this.emit('refresh');
  }

  private arm(expires: number): void {
    this.timer?.cancel();
    this.expiresAt = this.deps.ctx.clock.monotonic() + expires * 1000;
    this.timer = this.deps.ctx.clock.setTimeout(() => {
      this.log.debug('subscription expired without a refresh');
      this.endWithNotify('timeout', { reason: 'expired' });
    }, expires * 1000);
  }

  private endWithNotify(reason: TerminationReason, end: SubscriptionEnd): void {
    void this.enqueue(reason);
    this.finish(end);
  }

  private finish(end: SubscriptionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.deps.forget(this);
    this.emit('end', end);
  }

  private enqueue(final: TerminationReason | undefined): Promise<SipResponse | undefined> {
    const content = this.o.render();
    return new Promise((done) => {
      if (this.queue.length >= MAX_QUEUED) {
        const dropAt = this.queue.findIndex((q) => q.final === undefined);
        if (dropAt >= 0) this.queue.splice(dropAt, 1)[0]?.done(undefined);
      }
      this.queue.push({ content, final, done });
      // A response given inside the request handler is sent when the handler returns: a NOTIFY
      // queued there (refresh, unsubscribe) waits a microtask so that it follows the 200.
      queueMicrotask(() => this.pump());
    });
  }

  private pump(): void {
    if (this.sending) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.sending = true;
    void this.send(next).finally(() => {
      this.sending = false;
      this.pump();
    });
  }

  private async send(item: QueuedNotify): Promise<void> {
    let res: SipResponse | undefined;
    try {
      const rec = this.o.record;
      const dest = dialogNextHop(rec);
      const state = item.final === undefined
        ? formatSubscriptionState({ active: true, expires: this.remainingSeconds })
        : formatSubscriptionState({ active: false, reason: item.final });
      const body = bodyBuffer(item.content.body);
      const req = buildRequest(rec, 'NOTIFY', {
        via: this.deps.ctx.via(dest.transport),
        headers: [['Event', formatEvent(this.event)], ['Subscription-State', state]],
        ...(body !== undefined && body.length > 0 ? { body, contentType: item.content.contentType } : {}),
      });
      res = await this.deps.ctx.request(req, dest).final;
    } catch (err) {
      this.log.debug({ err }, 'NOTIFY could not be sent');
    }
    item.done(res);
    if (res !== undefined && FATAL_NOTIFY_STATUS.has(res.status)) this.dropAfterFailure(res.status);
  }

  /** The subscriber is gone: nothing more to send. */
  private dropAfterFailure(status: number): void {
    if (!this.ended) this.log.info({ status }, 'NOTIFY refused: subscription dropped');
    for (const q of this.queue.splice(0)) q.done(undefined);
    this.finish({ reason: 'notify-failed', status });
  }

  private answer(tx: ServerTransaction, status: number, init: ResponseInit = {}): void {
    if (!tx.finished) tx.respond(buildResponse(tx.request, status, { ...init, toTag: this.id.localTag }));
  }
}
