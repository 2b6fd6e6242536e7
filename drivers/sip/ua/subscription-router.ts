import { getCallId, getContacts, getFrom, getTo } from '../message/index.js';
import { dialogKey } from '../dialog/index.js';
import type { ServerTransaction } from '../transaction/types.js';
import type { UaContext } from './context.js';
import { newTag } from './ids.js';
import { buildResponse, type ResponseInit } from './respond.js';
import { parseEvent } from './subscription-headers.js';
import { IncomingSubscribe } from './subscription-incoming.js';
import type { Subscription } from './subscription.js';

/** Takes a new SUBSCRIBE of one event package; must accept or reject it. */
export type SubscribeHandler = (sub: IncomingSubscribe) => void;

/**
 * The UA core's part of event notification (RFC 6665) as a notifier: SUBSCRIBEs outside a dialog go
 * to the handler of their package (489 Bad Event with Allow-Events for others), requests inside a
 * live subscription dialog to that Subscription.
 */
export class SubscriptionRouter {
  private readonly handlers = new Map<string, SubscribeHandler>();
  private readonly live = new Map<string, Subscription>();

  constructor(private readonly ctx: UaContext) {}

  /** Route new SUBSCRIBEs with `Event: <pkg>` to `handler` (one handler per package). */
  handle(pkg: string, handler: SubscribeHandler): void {
    this.handlers.set(pkg.toLowerCase(), handler);
  }

  /** The packages served, for Allow-Events. */
  get packages(): string[] {
    return [...this.handlers.keys()];
  }

  /** Live subscriptions (tests check that nothing leaks). */
  get size(): number {
    return this.live.size;
  }

  /** A SUBSCRIBE without To tag. */
  onSubscribe(tx: ServerTransaction): void {
    const contacts = getContacts(tx.request);
    if (contacts === '*' || contacts.length !== 1) return this.answer(tx, 400, { reason: 'Missing or Bad Contact' });
    const event = parseEvent(tx.request.headers.get('Event'));
    if (event === undefined) return this.answer(tx, 400, { reason: 'Missing or Bad Event' });
    const handler = this.handlers.get(event.package);
    if (handler === undefined) return this.answer(tx, 489, { headers: [['Allow-Events', this.packages.join(', ')]] });
    const sub = new IncomingSubscribe({
      ctx: this.ctx, register: (s) => this.live.set(s.key, s), forget: (s) => this.forget(s),
    }, tx, event);
    try {
      handler(sub);
    } catch (err) {
      sub.log.error({ err }, 'SUBSCRIBE handler failed');
      if (!sub.answered) this.answer(tx, 500);
    }
  }

  /** A request with a To tag: true when it belongs to one of our subscriptions (and was handled). */
  receive(tx: ServerTransaction): boolean {
    const req = tx.request;
    const localTag = getTo(req).params.get('tag');
    if (localTag === undefined || localTag === null) return false;
    const sub = this.live.get(dialogKey({ callId: getCallId(req), localTag, remoteTag: getFrom(req).params.get('tag') ?? '' }));
    if (sub === undefined) return false;
    sub.receive(tx);
    return true;
  }

  /** Stop: every subscription ends ('shutdown') without a NOTIFY. */
  close(): void {
    for (const s of [...this.live.values()]) s.shutdown();
    this.live.clear();
  }

  private forget(s: Subscription): void {
    if (this.live.get(s.key) === s) this.live.delete(s.key);
  }

  private answer(tx: ServerTransaction, status: number, init: ResponseInit = {}): void {
    if (!tx.finished) tx.respond(buildResponse(tx.request, status, { ...init, toTag: newTag() }));
  }
}
