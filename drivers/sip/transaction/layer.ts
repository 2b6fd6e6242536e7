import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import {
  createResponse,
  getTo,
  getTopVia,
  rfc3261Branch,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../message/index.js';
import type { Remote, SipSender } from '../transport/types.js';
import { buildCancel } from './build-cancel.js';
import { InviteClientTx, NonInviteClientTx, type ClientTx } from './client-transaction.js';
import { TransactionError } from './errors.js';
import { clientKey, requestKey, responseKey } from './matching.js';
import { InviteServerTx, NonInviteServerTx, type ServerTx } from './server-transaction.js';
import { resolveTimers } from './timers.js';
import type { LayerCore } from './transaction-base.js';
import type {
  ClientRequestOptions,
  ClientTransaction,
  TimerConfig,
  TransactionLayerApi,
  TransactionUser,
} from './types.js';

export interface TransactionLayerDeps {
  clock: Clock;
  log: Logger;
  sender: SipSender;
}

export interface TransactionLayerOptions {
  /** T1/T2/T4 for this instance; the rest from DEFAULT_TIMERS. */
  timers?: Partial<TimerConfig>;
}

/**
 * The transaction layer (RFC 3261 §17, RFC 6026): matches every message to its transaction with
 * one Map lookup, runs the four state machines and performs their effects. See
 * docs/sip-transactions.md.
 */
export class TransactionLayer implements TransactionLayerApi {
  readonly timers: Readonly<TimerConfig>;
  private readonly clients = new Map<string, ClientTx>();
  private readonly servers = new Map<string, ServerTx>();
  private readonly core: LayerCore;
  private readonly log: Logger;
  private tu: TransactionUser | undefined;
  private closed = false;

  constructor(deps: TransactionLayerDeps, opts: TransactionLayerOptions = {}) {
    this.timers = resolveTimers(opts.timers);
    this.log = deps.log;
    this.core = {
      clock: deps.clock,
      log: deps.log,
      sender: deps.sender,
      timers: this.timers,
      user: () => this.tu,
      forget: (tx) => this.forget(tx),
    };
  }

  setUser(tu: TransactionUser): void {
    this.tu = tu;
  }

  get size(): number {
    return this.clients.size + this.servers.size;
  }

  /**
   * Every parsed (and validated) message from the transport, with where it came from. Never
   * throws: a message the layer cannot match is logged and dropped.
   */
  receive(msg: SipMessage, source: Remote): void {
    if (this.closed) return;
    try {
      if (msg.kind === 'request') this.receiveRequest(msg, source);
      else this.receiveResponse(msg, source);
    } catch (err) {
      this.log.warn({ err }, 'SIP message dropped by the transaction layer');
    }
  }

  request(req: SipRequest, dest: Remote, opts: ClientRequestOptions = {}): ClientTransaction {
    const key = clientKey(newBranch(req), req.method);
    if (this.clients.has(key)) throw new TransactionError('SIP_TX_BAD_REQUEST', `branch of ${req.method} already in use: ${key}`);
    const tx = req.method === 'INVITE'
      ? new InviteClientTx(this.core, key, req, dest, opts.onResponse)
      : new NonInviteClientTx(this.core, key, req, dest, opts.onResponse);
    if (this.closed) {
      // After close(): nothing is sent; the made-up 503 comes after the caller has the transaction.
      void Promise.resolve().then(() => tx.abort('transaction layer closed'));
      return tx;
    }
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  cancel(invite: ClientTransaction): Promise<SipResponse> {
    if (!(invite instanceof InviteClientTx) || !invite.belongsTo(this.core)) {
      return Promise.reject(new TransactionError('SIP_TX_BAD_REQUEST', 'cancel() takes an INVITE client transaction of this layer'));
    }
    return (invite.cancelling ??= new Promise((resolve) => this.startCancel(invite, resolve)));
  }

  close(): void {
    this.closed = true;
    for (const tx of [...this.clients.values(), ...this.servers.values()]) tx.abort('transaction layer closed');
    this.clients.clear();
    this.servers.clear();
  }

  /**
   * §9.1: the CANCEL goes out once a provisional response arrived; before that it waits for one;
   * after a final response (or the transaction's end) it is not sent and the answer is a made-up
   * 481 (there is nothing left to cancel).
   */
  private startCancel(invite: InviteClientTx, resolve: (res: SipResponse) => void): void {
    const cancel = buildCancel(invite.request);
    const tooLate = (): void => resolve(createResponse(cancel, 481));
    const send = (): void => {
      const tx = this.request(cancel, invite.dest);
      invite.feed({ type: 'cancel_sent' });
      void tx.final.then(resolve);
    };
    if (!invite.alive) tooLate();
    else if (invite.state === 'proceeding') send();
    else if (invite.state === 'calling') invite.waitToCancel({ provisional: send, final: tooLate });
    else tooLate();
  }

  private receiveResponse(res: SipResponse, source: Remote): void {
    const key = responseKey(res);
    const tx = key === undefined ? undefined : this.clients.get(key);
    if (tx !== undefined) {
      tx.receive(res);
      return;
    }
    const tu = this.tu;
    if (tu?.onStrayResponse) this.callTu('onStrayResponse', () => tu.onStrayResponse?.(res, source));
    else this.log.debug({ status: res.status }, 'stray response dropped');
  }

  private receiveRequest(req: SipRequest, source: Remote): void {
    if (req.method === 'ACK') return this.receiveAck(req, source);
    if (req.method === 'CANCEL') return this.receiveCancel(req, source);
    const key = requestKey(req, req.method);
    const existing = this.servers.get(key);
    if (existing !== undefined) return existing.retransmission();
    const tx = req.method === 'INVITE'
      ? new InviteServerTx(this.core, key, req, source)
      : new NonInviteServerTx(this.core, key, req, source);
    this.servers.set(key, tx);
    tx.start();
  }

  /** §17.2.3: an ACK matches its INVITE's transaction (3xx-6xx, or Accepted); otherwise it is the TU's. */
  private receiveAck(ack: SipRequest, source: Remote): void {
    const tx = this.servers.get(requestKey(ack, 'INVITE'));
    if (tx instanceof InviteServerTx) return tx.ack(ack, source);
    const tu = this.tu;
    if (tu) this.callTu('onAck', () => tu.onAck(ack, source));
  }

  /**
   * §9.2: a CANCEL gets its own server transaction, answered here: 200 when it matches a live
   * INVITE server transaction (and the TU hears of it while the INVITE has no final response),
   * 481 otherwise. It never reaches onRequest.
   */
  private receiveCancel(cancel: SipRequest, source: Remote): void {
    const key = requestKey(cancel, 'CANCEL');
    const existing = this.servers.get(key);
    if (existing !== undefined) return existing.retransmission();
    const tx = new NonInviteServerTx(this.core, key, cancel, source, true);
    this.servers.set(key, tx);
    tx.start();
    const invite = this.servers.get(requestKey(cancel, 'INVITE'));
    if (!(invite instanceof InviteServerTx)) {
      tx.respond(createResponse(cancel, 481, { toTag: newTag() }));
      return;
    }
    tx.respond(createResponse(cancel, 200, { toTag: toTagOf(invite.lastResponse) ?? newTag() }));
    const tu = this.tu;
    if (tu && !invite.finished && invite.state === 'proceeding') this.callTu('onCancel', () => tu.onCancel(invite, cancel));
  }

  private forget(tx: { readonly side: 'client' | 'server'; readonly id: string }): void {
    const map: Map<string, unknown> = tx.side === 'client' ? this.clients : this.servers;
    if (map.get(tx.id) === tx) map.delete(tx.id);
  }

  private callTu(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, `transaction user threw in ${what}`);
    }
  }
}

/** The RFC 3261 branch of a request we are about to send; ACK is no transaction (§17.1.1.3). */
function newBranch(req: SipRequest): string {
  if (req.method === 'ACK') {
    throw new TransactionError('SIP_TX_BAD_REQUEST', 'an ACK is not sent in a client transaction; send it with the transport (§17.1.1.3, §13.2.2.4)');
  }
  let branch: string | undefined;
  try {
    branch = rfc3261Branch(getTopVia(req));
  } catch (err) {
    throw new TransactionError('SIP_TX_BAD_REQUEST', `${req.method} has no usable top Via`, { cause: err });
  }
  if (branch === undefined) {
    throw new TransactionError('SIP_TX_BAD_REQUEST', `${req.method} top Via needs a branch starting with z9hG4bK (§8.1.1.7)`);
  }
  return branch;
}

/** §9.2: the 200 to a CANCEL SHOULD carry the To tag of the INVITE's responses. */
function toTagOf(res: SipResponse | undefined): string | undefined {
  const tag = res === undefined ? undefined : getTo(res).params.get('tag');
  return typeof tag === 'string' ? tag : undefined;
}

/** §8.2.6.2, §19.3: a To tag for responses the layer makes itself. */
function newTag(): string {
  return randomBytes(6).toString('hex');
}
