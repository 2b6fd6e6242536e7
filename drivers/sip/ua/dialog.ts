import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { getCSeq, type NameAddr, type SipRequest, type SipResponse, type Uri } from '../message/index.js';
import {
  buildRequest, dialogNextHop, refreshTarget, replacesFor, transition,
  type DialogId, type DialogInput, type DialogRecord, type DialogState,
} from '../dialog/index.js';
import type { ClientRequestOptions, ServerTransaction } from '../transaction/types.js';
import type { Remote } from '../transport/types.js';
import type { UaContext } from './context.js';
import { SipError } from './errors.js';
import { handleInDialog, type InboundState } from './dialog-inbound.js';
import type { InDialogRequest, ModifyRequest } from './in-dialog.js';
import { formatReferTo, type ReferRequest } from './refer.js';
import { bodyBuffer, bodyText, headerPairs, type HeaderList } from './respond.js';
import { TwoXxRetransmitter } from './retransmit.js';
import { bumpVersion, withDirection } from './sdp.js';

/** Why a dialog ended without our `destroy()`. */
export interface DestroyInfo {
  /** 'remote': the peer ended it (BYE, 481); 'local': the stack did (no ACK, shutdown). */
  by: 'local' | 'remote';
  reason: 'bye' | 'ack-timeout' | 'gone' | 'shutdown';
  /** The BYE that ended it, when one did. */
  request?: SipRequest;
}

export interface DialogEvents {
  /** The dialog ended by the peer or the stack (never for our own `destroy()`). */
  destroy: [DestroyInfo];
  /** An incoming re-INVITE or UPDATE; with no listener it is accepted with our SDP. */
  modify: [ModifyRequest];
  /** An incoming REFER; with no listener it is declined (603). */
  refer: [ReferRequest];
  /** An incoming INFO (DTMF relay, ...); with no listener it is answered 200. */
  info: [InDialogRequest];
  /** An incoming NOTIFY (refer progress, ...); with no listener it is answered 200. */
  notify: [InDialogRequest];
  /** The ACK of our 2xx arrived (it may carry the SDP answer of a late offer). */
  ack: [SipRequest];
}

export type ModifyTarget = string | 'hold' | 'unhold';

export interface DialogRequestInit {
  headers?: HeaderList;
  body?: string | Buffer;
  contentType?: string;
  signal?: AbortSignal;
}

const NOT_BY_REQUEST = ['INVITE', 'ACK', 'CANCEL', 'BYE'];
const CREDENTIALS = ['Authorization', 'Proxy-Authorization'];

/**
 * An established (confirmed) dialog, the call-control object of drachtio-srf in spirit:
 * `modify` (re-INVITE, hold/unhold), `request` (INFO, NOTIFY, OPTIONS, UPDATE, REFER), `refer`,
 * `destroy` (BYE); events for what the peer does. Overlapping re-INVITEs are queued.
 */
export class Dialog extends EventEmitter<DialogEvents> {
  readonly id: DialogId;
  readonly callId: string;
  readonly role: 'uac' | 'uas';
  readonly log: Logger;
  /** Our current SDP (offer or answer), and the peer's. */
  localSdp: string | undefined;
  remoteSdp: string | undefined;
  /** @internal shared with dialog-inbound.ts */
  readonly inbound: InboundState = { outgoingInvite: false, incomingInvite: undefined, referCount: 0 };
  private readonly rec: DialogRecord;
  private ackWait: { cseq: number; retransmitter: TwoXxRetransmitter } | undefined;
  private lastAck: { cseq: number; ack: SipRequest; dest: Remote } | undefined;
  private byeAfterAck: (() => void) | undefined;
  private readonly acked = new WeakSet<SipResponse>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: { ctx: UaContext; forget: (d: Dialog) => void },
    opts: { record: DialogRecord; localSdp?: string | undefined; remoteSdp?: string | undefined },
  ) {
    super();
    this.rec = opts.record;
    this.id = opts.record.id;
    this.callId = opts.record.id.callId;
    this.role = opts.record.role;
    this.log = deps.ctx.log.child({ callId: this.callId });
    this.localSdp = opts.localSdp;
    this.remoteSdp = opts.remoteSdp;
  }

  get state(): DialogState {
    return this.rec.state;
  }

  get local(): NameAddr {
    return this.rec.local;
  }

  get remote(): NameAddr {
    return this.rec.remote;
  }

  get remoteTarget(): Uri {
    return this.rec.remoteTarget;
  }

  /** @internal */
  get record(): DialogRecord {
    return this.rec;
  }

  /** @internal */
  get ctx(): UaContext {
    return this.deps.ctx;
  }

  /**
   * A re-INVITE with a new offer: an SDP, or 'hold' (our SDP with a=sendonly) / 'unhold'
   * (a=sendrecv), the o= version increased. Resolves with the peer's answer; rejects with
   * SipError SIP_FINAL_RESPONSE on a non-2xx (491 on glare: try again later).
   */
  modify(target: ModifyTarget, opts: { headers?: HeaderList; signal?: AbortSignal } = {}): Promise<string | undefined> {
    return this.enqueue(async () => {
      const offer = this.offerFor(target);
      this.inbound.outgoingInvite = true;
      try {
        const res = await this.invite(offer, opts);
        this.localSdp = offer;
        this.remoteSdp = bodyText(res) ?? this.remoteSdp;
        return this.remoteSdp;
      } finally {
        this.inbound.outgoingInvite = false;
      }
    });
  }

  /**
   * A request inside the dialog (INFO, NOTIFY, OPTIONS, UPDATE, REFER, MESSAGE): resolves with its
   * final response whatever the status (a 481 or 408 also ends the dialog, §12.2.1.2).
   */
  async request(method: string, init: DialogRequestInit = {}): Promise<SipResponse> {
    if (NOT_BY_REQUEST.includes(method)) {
      throw new SipError('SIP_INVALID_STATE', `${method} is sent by modify() / destroy(), not request()`);
    }
    const body = bodyBuffer(init.body);
    const { tx } = this.send(method, {
      headers: headerPairs(init.headers),
      ...(body !== undefined && body.length > 0 ? { body, contentType: init.contentType ?? 'application/sdp' } : {}),
    });
    const res = await abortable(tx.final, init.signal);
    this.afterFinal(res);
    return res;
  }

  /**
   * REFER (RFC 3515): `target` is where the peer should call; `replaces` names one of our dialogs
   * for an attended transfer (RFC 3891). Progress arrives as `notify` events.
   */
  refer(target: Uri, opts: { replaces?: Dialog; referredBy?: string; headers?: HeaderList; signal?: AbortSignal } = {}): Promise<SipResponse> {
    const headers: Array<readonly [string, string]> = [
      ['Refer-To', formatReferTo(target, opts.replaces === undefined ? undefined : replacesFor(opts.replaces.id))],
    ];
    if (opts.referredBy !== undefined) headers.push(['Referred-By', opts.referredBy]);
    return this.request('REFER', { headers: [...headers, ...headerPairs(opts.headers)], ...(opts.signal ? { signal: opts.signal } : {}) });
  }

  /**
   * Hang up (BYE). Before our 2xx is ACKed the BYE waits for the ACK or its time-out (§15). Does
   * not emit `destroy`. Resolves once the BYE is answered (or failed); never rejects.
   */
  destroy(opts: { headers?: HeaderList } = {}): Promise<void> {
    if (this.rec.state === 'terminated') return Promise.resolve();
    this.step({ kind: 'bye' }, undefined, { keep: this.ackWait !== undefined });
    if (this.ackWait !== undefined) {
      return new Promise((resolve) => {
        this.byeAfterAck = () => { void this.sendBye(opts.headers).then(resolve); };
      });
    }
    return this.sendBye(opts.headers);
  }

  // ---------------------------------------------------------------------------------------------
  // Used by the UA core and the call helpers.

  /** @internal A request for this dialog arrived. */
  receive(tx: ServerTransaction): void {
    handleInDialog(this, tx);
  }

  /** @internal The ACK of one of our 2xx (§13.3.1.4). */
  receiveAck(ack: SipRequest): void {
    if (this.ackWait === undefined || getCSeq(ack).seq !== this.ackWait.cseq) return;
    this.ackWait.retransmitter.stop();
    this.ackWait = undefined;
    const sdp = bodyText(ack);
    if (sdp !== undefined) this.remoteSdp = sdp; // late offer: the answer comes in the ACK
    this.emit('ack', ack);
    this.finishDeferredBye();
  }

  /** @internal We sent a 2xx to an INVITE of this dialog: retransmit it until ACK (§13.3.1.4). */
  awaitAck(res: SipResponse, dest: Remote): void {
    this.ackWait?.retransmitter.stop();
    const retransmitter = new TwoXxRetransmitter({ clock: this.ctx.clock }, {
      t1: this.ctx.timers.t1, t2: this.ctx.timers.t2,
      send: () => this.ctx.sendRaw(res, dest),
      onGiveUp: () => this.ackTimedOut(),
    });
    this.ackWait = { cseq: getCSeq(res).seq, retransmitter };
    retransmitter.start();
  }

  /** @internal ACK a 2xx to our INVITE, or resend the ACK when the 2xx is a retransmission (§13.2.2.4). */
  acknowledge(invite: SipRequest, res: SipResponse): void {
    if (this.acked.has(res)) return; // the same 2xx seen through onResponse and `final`
    this.acked.add(res);
    const cseq = getCSeq(res).seq;
    if (this.lastAck?.cseq === cseq) {
      this.ctx.sendRaw(this.lastAck.ack, this.lastAck.dest);
      return;
    }
    if (cseq !== getCSeq(invite).seq) return;
    const dest = dialogNextHop(this.rec);
    const headers = CREDENTIALS.flatMap((n) => invite.headers.getAll(n).map((v) => [n, v] as const));
    const ack = buildRequest(this.rec, 'ACK', { via: this.ctx.via(dest.transport), cseq, headers });
    this.lastAck = { cseq, ack, dest };
    this.ctx.sendRaw(ack, dest);
  }

  /** @internal A 2xx that no transaction took any more: ACK it again if it is ours. */
  strayAnswer(res: SipResponse): void {
    if (this.lastAck?.cseq === getCSeq(res).seq) this.ctx.sendRaw(this.lastAck.ack, this.lastAck.dest);
  }

  /** @internal Apply a state machine input and carry out its effects. */
  step(input: DialogInput, info?: DestroyInfo, o: { keep?: boolean } = {}): void {
    const { state, effects } = transition(this.rec.state, input);
    this.rec.state = state;
    for (const effect of effects) {
      if (effect === 'send-bye') void this.sendBye();
      if (effect === 'destroyed') {
        if (!o.keep) this.forget();
        if (info !== undefined) this.emit('destroy', info);
      }
    }
  }

  /** @internal The peer ended the dialog with BYE: stop waiting for an ACK, forget it. */
  remoteBye(bye: SipRequest): void {
    const deferred = this.byeAfterAck !== undefined;
    this.byeAfterAck = undefined;
    this.ackWait?.retransmitter.stop();
    this.ackWait = undefined;
    if (deferred) this.forget();
    else this.step({ kind: 'bye' }, { by: 'remote', reason: 'bye', request: bye });
  }

  /** @internal The stack stops: timers off, `destroy` with reason 'shutdown'. */
  shutdown(): void {
    this.ackWait?.retransmitter.stop();
    this.ackWait = undefined;
    const wasLive = this.rec.state !== 'terminated';
    this.rec.state = 'terminated';
    this.forget();
    if (wasLive) this.emit('destroy', { by: 'local', reason: 'shutdown' });
  }

  /** @internal The transaction's final answer to one of our in-dialog requests (§12.2.1.2). */
  afterFinal(res: SipResponse): void {
    if (res.status === 481 || res.status === 408) {
      this.step({ kind: 'gone', status: res.status }, { by: 'remote', reason: 'gone' });
    }
  }

  /** @internal Send a request in this dialog (refused once terminated). */
  send(method: string, init: { headers?: Array<readonly [string, string]>; body?: Buffer; contentType?: string }, opts?: ClientRequestOptions) {
    if (this.rec.state === 'terminated') {
      throw new SipError('SIP_DIALOG_GONE', `cannot send ${method}: the dialog has ended`);
    }
    return this.sendAnyway(method, init, opts);
  }

  // ---------------------------------------------------------------------------------------------

  private sendAnyway(method: string, init: { headers?: Array<readonly [string, string]>; body?: Buffer; contentType?: string }, opts?: ClientRequestOptions) {
    const dest = dialogNextHop(this.rec);
    const req = buildRequest(this.rec, method, { via: this.ctx.via(dest.transport), ...init });
    return { req, tx: this.ctx.request(req, dest, opts) };
  }

  private async invite(offer: string, opts: { headers?: HeaderList; signal?: AbortSignal }): Promise<SipResponse> {
    const { req, tx } = this.send('INVITE', {
      headers: [...this.ctx.capabilityHeaders(), ...headerPairs(opts.headers)],
      body: Buffer.from(offer, 'latin1'), contentType: 'application/sdp',
    }, { onResponse: (r) => { if (r.status >= 200 && r.status < 300) this.acknowledge(req, r); } });
    const onAbort = (): void => { this.ctx.cancel(tx).catch(() => undefined); };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let res: SipResponse;
    try {
      res = await tx.final;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    if (res.status >= 200 && res.status < 300) {
      this.acknowledge(req, res);
      refreshTarget(this.rec, res); // §12.2.1.2: a 2xx to a re-INVITE refreshes the remote target
      return res;
    }
    this.afterFinal(res);
    throw SipError.finalResponse(res, 're-INVITE');
  }

  private offerFor(target: ModifyTarget): string {
    if (target !== 'hold' && target !== 'unhold') return target;
    if (this.localSdp === undefined) throw new SipError('SIP_INVALID_STATE', `cannot ${target}: the dialog has no local SDP`);
    return withDirection(bumpVersion(this.localSdp), target === 'hold' ? 'sendonly' : 'sendrecv');
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private ackTimedOut(): void {
    this.ackWait = undefined;
    this.log.warn('no ACK for our 2xx within 64*T1: ending the call with BYE (RFC 3261 §13.3.1.4)');
    if (this.byeAfterAck !== undefined) {
      this.finishDeferredBye();
      return;
    }
    this.step({ kind: 'ack-timeout' }, { by: 'local', reason: 'ack-timeout' });
  }

  private finishDeferredBye(): void {
    const bye = this.byeAfterAck;
    if (bye === undefined) return;
    this.byeAfterAck = undefined;
    this.forget();
    bye();
  }

  private async sendBye(headers?: HeaderList): Promise<void> {
    try {
      const { tx } = this.sendAnyway('BYE', { headers: headerPairs(headers) });
      await tx.final;
    } catch (err) {
      this.log.debug({ err }, 'BYE failed');
    }
  }

  private forget(): void {
    this.deps.forget(this);
  }
}

/** Race `p` against an AbortSignal (SIP_CANCELLED). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return p;
  if (signal.aborted) return Promise.reject(new SipError('SIP_CANCELLED', 'aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new SipError('SIP_CANCELLED', 'aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
