import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import {
  checkRequest, createResponse, getCallId, getContacts, getCSeq, getFrom, getTo,
  type SipRequest, type SipResponse,
} from '../message/index.js';
import { dialogKey, replacedDialogId, type DialogId, type DialogRecord, type Replaces } from '../dialog/index.js';
import { DEFAULT_TIMERS, type ServerTransaction, type TimerConfig, type TransactionLayerApi, type TransactionUser } from '../transaction/types.js';
import type { Remote, SipSender } from '../transport/types.js';
import { ACCEPTED_TYPES, ALLOWED_METHODS, Addressing, SUPPORTED_EXTENSIONS, type UaContext, type UaOptions } from './context.js';
import { createB2BUA, type B2buaCall, type B2buaOptions } from './b2bua.js';
import { Dialog } from './dialog.js';
import { OptionsPinger, type PingerOptions } from './pinger.js';
import { cancelReInvite } from './dialog-inbound.js';
import { SipError } from './errors.js';
import { newTag } from './ids.js';
import { IncomingInvite } from './incoming-invite.js';
import { outOfDialogRequest, type OutOfDialogInit } from './out-of-dialog.js';
import type { DialogRegistry, EarlyUac } from './registry.js';
import { createUAC, type UacOptions } from './uac.js';
import { createUAS, type UasOptions } from './uas.js';
import { SubscriptionRouter, type SubscribeHandler } from './subscription-router.js';

export interface UaEvents {
  /** A new INVITE: ring it, answer it (`createUAS`, `createB2BUA`) or reject it. No listener: 480. */
  invite: [IncomingInvite];
}

/**
 * A handler for out-of-dialog requests of one method (REGISTER for the registrar, OPTIONS to
 * override the default answer): returns the response, or undefined to send none (e.g. a banned
 * source, dropped silently).
 */
export type RequestHandler = (req: SipRequest, source: Remote) => SipResponse | undefined;

/** What a Replaces header (or a dialog id) names: a confirmed dialog, or an early one still ringing. */
export type DialogMatch =
  | { state: 'confirmed'; dialog: Dialog }
  | { state: 'early'; role: 'uas'; invite: IncomingInvite }
  | { state: 'early'; role: 'uac'; early: EarlyUac };

/** Methods that only make sense inside a dialog: outside one they get 481 (§12.2.2). */
const DIALOG_ONLY = ['BYE', 'INFO', 'UPDATE', 'NOTIFY', 'CANCEL'];

/**
 * The UA core (RFC 3261 §8, §12-§15): the transaction layer's user. It routes new INVITEs to the
 * `invite` event, other out-of-dialog requests to their handler (OPTIONS answered by default),
 * in-dialog requests to their Dialog (481 when there is none), ACKs of 2xx to the dialog that
 * waits for them, CANCELs to the INVITE they end; and it makes calls (createUAS / createUAC).
 */
export class UaCore extends EventEmitter<UaEvents> implements TransactionUser, DialogRegistry {
  readonly ctx: UaContext;
  private readonly dialogs = new Map<string, Dialog>();
  private readonly earlyUas = new Map<string, IncomingInvite>();
  private readonly invitesByTx = new Map<string, IncomingInvite>();
  private readonly earlyUac = new Map<string, EarlyUac>();
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly subscriptions: SubscriptionRouter;
  private isStopped = false;

  constructor(
    private readonly deps: { clock: Clock; log: Logger; layer: TransactionLayerApi; sender: SipSender },
    opts: UaOptions = {},
  ) {
    super();
    const addressing = new Addressing(deps.sender, opts);
    const timers: TimerConfig = { ...DEFAULT_TIMERS, ...opts.timers };
    const handlers = this.handlers;
    this.ctx = {
      clock: deps.clock,
      log: deps.log,
      timers,
      userAgent: opts.userAgent ?? 'Octoline',
      get hostPort() { return addressing.hostPort; },
      via: (t) => addressing.via(t),
      contact: (t) => addressing.contact(t),
      capabilityHeaders: () => {
        const events = this.subscriptions.packages;
        const extra = [...(handlers.has('REGISTER') ? ['REGISTER'] : []), ...(events.length > 0 ? ['SUBSCRIBE'] : [])];
        return [
          ['Allow', [...ALLOWED_METHODS, ...extra].join(', ')],
          ['Supported', SUPPORTED_EXTENSIONS.join(', ')],
          ...(events.length > 0 ? [['Allow-Events', events.join(', ')] as [string, string]] : []),
        ];
      },
      request: (req, dest, o) => deps.layer.request(req, dest, o),
      cancel: (tx) => deps.layer.cancel(tx),
      sendRaw: (msg, dest) => {
        deps.sender.send(msg, dest).catch((err: unknown) => deps.log.debug({ err }, 'send outside a transaction failed'));
      },
    };
    this.subscriptions = new SubscriptionRouter(this.ctx);
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  /** Live confirmed dialogs (tests check that nothing leaks). */
  get dialogCount(): number {
    return this.dialogs.size;
  }

  /** Answer an INVITE with 200 (see uas.ts). */
  createUAS(invite: IncomingInvite, opts: UasOptions = {}): Promise<Dialog> {
    return createUAS(this, invite, opts);
  }

  /** Call out (see uac.ts). */
  createUAC(uri: string, opts: UacOptions = {}): Promise<Dialog> {
    return createUAC(this, uri, opts);
  }

  /** Bridge `invite` to a new call to `uri` (see b2bua.ts). */
  createB2BUA(invite: IncomingInvite, uri: string, opts: Omit<B2buaOptions, 'uri'> = {}): Promise<B2buaCall> {
    return createB2BUA(this, invite, { ...opts, uri });
  }

  /** An OPTIONS keep-alive pinger using this UA (see pinger.ts). */
  createPinger(opts: PingerOptions = {}): OptionsPinger {
    return new OptionsPinger({ clock: this.deps.clock, log: this.deps.log, request: (uri, init) => this.request(uri, init) }, opts);
  }

  /** A request outside any dialog (OPTIONS, MESSAGE): resolves with its final response. */
  request(uri: string, init: OutOfDialogInit): Promise<SipResponse> {
    if (this.isStopped) return Promise.reject(new SipError('SIP_UA_STOPPED', 'the SIP stack is stopped'));
    return outOfDialogRequest(this.ctx, uri, init);
  }

  /** Route out-of-dialog requests of `method` (REGISTER, OPTIONS, MESSAGE, SUBSCRIBE) to `handler`. */
  handle(method: string, handler: RequestHandler): void {
    this.handlers.set(method.toUpperCase(), handler);
  }

  /** Be the notifier of event package `pkg` (RFC 6665): new SUBSCRIBEs for it go to `handler`. */
  handleSubscribe(pkg: string, handler: SubscribeHandler): void {
    this.subscriptions.handle(pkg, handler);
  }

  /**
   * The dialog a Replaces header names (RFC 3891 §3: to-tag is our tag, from-tag the peer's), or a
   * dialog id; early dialogs included (a semi-attended transfer names a call that still rings).
   */
  findDialog(target: DialogId | Replaces): DialogMatch | undefined {
    const key = dialogKey('localTag' in target ? target : replacedDialogId(target));
    const dialog = this.dialogs.get(key);
    if (dialog !== undefined && dialog.state !== 'terminated') return { state: 'confirmed', dialog };
    const invite = this.earlyUas.get(key);
    if (invite !== undefined && invite.state === 'pending') return { state: 'early', role: 'uas', invite };
    const early = this.earlyUac.get(key);
    if (early !== undefined) return { state: 'early', role: 'uac', early };
    return undefined;
  }

  /** Stop: pending INVITEs get 503, dialogs emit `destroy` ('shutdown'), timers stop. No BYE is sent. */
  close(): void {
    this.isStopped = true;
    for (const inv of [...this.invitesByTx.values()]) inv.shutdown();
    for (const d of [...this.dialogs.values()]) d.shutdown();
    this.subscriptions.close();
    this.invitesByTx.clear();
    this.earlyUas.clear();
    this.earlyUac.clear();
  }

  // --- DialogRegistry ----------------------------------------------------------------------------

  newDialog(record: DialogRecord, sdp: { local?: string | undefined; remote?: string | undefined }): Dialog {
    const dialog = new Dialog({ ctx: this.ctx, forget: (d) => this.forget(d) }, { record, localSdp: sdp.local, remoteSdp: sdp.remote });
    this.dialogs.set(record.key, dialog);
    return dialog;
  }

  trackEarly(key: string, entry: EarlyUac): void {
    this.earlyUac.set(key, entry);
  }

  untrackEarly(key: string): void {
    this.earlyUac.delete(key);
  }

  // --- TransactionUser ---------------------------------------------------------------------------

  onRequest(tx: ServerTransaction): void {
    try {
      this.route(tx);
    } catch (err) {
      this.deps.log.error({ err, method: tx.request.method }, 'request handling failed');
      if (!tx.finished) tx.respond(createResponse(tx.request, 500, { toTag: newTag() }));
    }
  }

  onAck(ack: SipRequest): void {
    try {
      this.inDialog(ack)?.receiveAck(ack);
    } catch (err) {
      this.deps.log.debug({ err }, 'bad ACK ignored');
    }
  }

  onCancel(invite: ServerTransaction): void {
    const inv = this.invitesByTx.get(invite.id);
    if (inv !== undefined) {
      inv.cancel();
      return;
    }
    const dialog = this.inDialog(invite.request);
    if (dialog !== undefined && cancelReInvite(dialog, invite)) return;
    if (!invite.finished) invite.respond(createResponse(invite.request, 487, { toTag: newTag() }));
  }

  onStrayResponse(res: SipResponse): void {
    try {
      if (res.status < 200 || res.status >= 300 || getCSeq(res).method !== 'INVITE') return;
      const key = dialogKey({ callId: getCallId(res), localTag: getFrom(res).params.get('tag') ?? '', remoteTag: getTo(res).params.get('tag') ?? '' });
      this.dialogs.get(key)?.strayAnswer(res);
    } catch (err) {
      this.deps.log.debug({ err }, 'bad stray response ignored');
    }
  }

  // -----------------------------------------------------------------------------------------------

  private forget(d: Dialog): void {
    if (this.dialogs.get(d.record.key) === d) this.dialogs.delete(d.record.key);
  }

  /** The dialog of a request from the peer: our tag is in To, theirs in From. */
  private inDialog(req: SipRequest): Dialog | undefined {
    const local = getTo(req).params.get('tag');
    if (local === undefined || local === null) return undefined;
    return this.dialogs.get(dialogKey({ callId: getCallId(req), localTag: local, remoteTag: getFrom(req).params.get('tag') ?? '' }));
  }

  private respond(tx: ServerTransaction, status: number, headers: Array<[string, string]> = [], reason?: string): void {
    tx.respond(createResponse(tx.request, status, { toTag: newTag(), headers, ...(reason !== undefined ? { reason } : {}) }));
  }

  private route(tx: ServerTransaction): void {
    const req = tx.request;
    if (this.isStopped) return this.respond(tx, 503);
    // §8.2: method, URI scheme, Require (100rel → 420 Unsupported), Content-Type, Accept.
    const rejection = checkRequest(req, { extensions: [...SUPPORTED_EXTENSIONS] });
    if (rejection !== undefined) return this.respond(tx, rejection.status, rejection.headers, rejection.reason);
    if (getTo(req).params.has('tag')) {
      const dialog = this.inDialog(req);
      if (dialog !== undefined) return dialog.receive(tx);
      if (this.subscriptions.receive(tx)) return;
      return this.respond(tx, 481); // §12.2.2: no such dialog
    }
    const handler = this.handlers.get(req.method);
    if (req.method === 'INVITE') return this.onInvite(tx);
    if (handler !== undefined) {
      const res = handler(req, tx.source);
      if (res !== undefined) tx.respond(res);
      return;
    }
    if (req.method === 'SUBSCRIBE' && this.subscriptions.packages.length > 0) return this.subscriptions.onSubscribe(tx);
    if (req.method === 'OPTIONS') return this.respond(tx, 200, this.optionsHeaders());
    if (DIALOG_ONLY.includes(req.method)) return this.respond(tx, 481);
    return this.respond(tx, 405, this.ctx.capabilityHeaders().filter(([n]) => n === 'Allow'));
  }

  /** §11.2: what we do and take. */
  private optionsHeaders(): Array<[string, string]> {
    return [...this.ctx.capabilityHeaders(), ['Accept', ACCEPTED_TYPES.join(', ')]];
  }

  private onInvite(tx: ServerTransaction): void {
    const contacts = getContacts(tx.request);
    if (contacts === '*' || contacts.length !== 1) return this.respond(tx, 400, [], 'Missing or Bad Contact'); // §8.1.1.8
    const invite = new IncomingInvite({ ctx: this.ctx, forget: (i) => this.forgetInvite(i) }, tx);
    this.invitesByTx.set(tx.id, invite);
    this.earlyUas.set(invite.key, invite);
    if (this.listenerCount('invite') === 0) return invite.reject(480);
    try {
      this.emit('invite', invite);
    } catch (err) {
      invite.log.error({ err }, 'invite handler failed');
      if (invite.state === 'pending') invite.reject(500);
    }
  }

  private forgetInvite(i: IncomingInvite): void {
    this.invitesByTx.delete(i.tx.id);
    this.earlyUas.delete(i.key);
  }
}
