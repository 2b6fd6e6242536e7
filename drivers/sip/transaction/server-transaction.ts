import { createResponse, type SipMessage, type SipRequest, type SipResponse } from '../message/index.js';
import type { Remote } from '../transport/types.js';
import { TransactionError } from './errors.js';
import { unreachable, type TimerName, type Transition } from './fsm.js';
import {
  serverInviteTransition,
  startServerInvite,
  type ServerInviteEffect,
  type ServerInviteInput,
  type ServerInviteState,
  type ServerInviteTimer,
} from './server-invite.js';
import {
  serverNonInviteTransition,
  startServerNonInvite,
  type ServerNonInviteEffect,
  type ServerNonInviteInput,
  type ServerNonInviteState,
  type ServerNonInviteTimer,
} from './server-non-invite.js';
import { TransactionBase, type CommonEffect, type LayerCore } from './transaction-base.js';
import type { ServerTransaction, TimerConfig } from './types.js';

interface ServerContext {
  readonly request: SipRequest;
  readonly reliable: boolean;
  readonly timers: TimerConfig;
  lastResponse: SipResponse | undefined;
}

/** What both server transactions share: respond(), the last response, handing the request up. */
abstract class ServerTxBase<S extends string, N extends TimerName, I extends { type: string }, E extends { type: string }>
  extends TransactionBase<S, N, I, E>
  implements ServerTransaction {
  readonly side = 'server';
  finished = false;
  protected readonly ctx: ServerContext;

  /** `internal`: the layer answers it itself and the TU never sees it (a CANCEL, §9.2). */
  constructor(core: LayerCore, id: string, request: SipRequest, readonly source: Remote, initial: S, private readonly internal: boolean) {
    const reliable = source.transport !== 'udp';
    super(core, id, request, initial);
    this.ctx = { request, reliable, timers: core.timers, lastResponse: undefined };
  }

  /** §18.2.2: responses go back where the request came from (rport-style, same transport). */
  protected get peer(): Remote {
    return this.source;
  }

  abstract start(): void;
  /** The same request again (§17.2.3 matched it to this transaction). */
  abstract retransmission(): void;
  protected abstract tuResponse(res: SipResponse): void;

  respond(res: SipResponse): void {
    if (this.finished) {
      throw new TransactionError('SIP_TX_ALREADY_FINAL', `${this.request.method} already has a final response; cannot send ${res.status}`);
    }
    if (res.status >= 200) this.finished = true;
    if (!this.alive) {
      this.log.debug({ status: res.status }, 'response after the transaction ended (transport error); dropped');
      return;
    }
    this.tuResponse(res);
  }

  /** The most recent response sent (its To tag is the one a CANCEL's 200 reuses, §9.2). */
  get lastResponse(): SipResponse | undefined {
    return this.ctx.lastResponse;
  }

  protected override send(msg: SipMessage, dest: Remote): void {
    if (msg.kind === 'response') this.ctx.lastResponse = msg;
    super.send(msg, dest);
  }

  /** Hand the new request to the TU; with no TU yet (starting up) answer 503 ourselves. */
  protected passRequest(): void {
    if (this.internal) return;
    const tu = this.core.user();
    if (tu === undefined) {
      this.log.warn({ method: this.request.method }, 'request before the transaction user was set; answering 503');
      this.respond(createResponse(this.request, 503));
      return;
    }
    this.callTu('onRequest', () => tu.onRequest(this));
  }

  protected transportFailed(): void {
    this.log.warn({ method: this.request.method, state: this.state }, 'transport error sending a response; transaction ended');
  }

  abort(why: string): void {
    if (this.alive) this.debug(`${why}; transaction dropped`);
    this.terminate();
  }
}

export class InviteServerTx extends ServerTxBase<ServerInviteState, ServerInviteTimer, ServerInviteInput, ServerInviteEffect> {
  constructor(core: LayerCore, id: string, request: SipRequest, source: Remote) {
    super(core, id, request, source, 'proceeding', false);
  }

  start(): void {
    this.begin(startServerInvite(this.ctx));
  }

  retransmission(): void {
    this.feed({ type: 'request_retransmission' });
  }

  /** An ACK with this transaction's branch: the ACK of our 3xx-6xx, or of a 2xx in Accepted. */
  ack(ack: SipRequest, source: Remote): void {
    this.feed({ type: 'ack', ack, source });
  }

  protected tuResponse(res: SipResponse): void {
    this.feed({ type: 'tu_response', res });
  }

  protected step(input: ServerInviteInput): Transition<ServerInviteState, ServerInviteEffect> {
    return serverInviteTransition(this.state, input, this.ctx);
  }

  protected perform(e: Exclude<ServerInviteEffect, CommonEffect<ServerInviteTimer>>): void {
    switch (e.type) {
      case 'pass_request': return this.passRequest();
      case 'pass_ack': {
        const tu = this.core.user();
        if (tu) this.callTu('onAck', () => tu.onAck(e.ack, e.source));
        return;
      }
      // Timer H: the contract has no callback for it (the TU already answered); log and drop.
      case 'timeout': return this.log.info({ status: this.ctx.lastResponse?.status }, 'no ACK for the final response (timer H)');
      case 'transport_failure': return this.transportFailed();
      default: return unreachable(e);
    }
  }
}

export class NonInviteServerTx extends ServerTxBase<ServerNonInviteState, ServerNonInviteTimer, ServerNonInviteInput, ServerNonInviteEffect> {
  constructor(core: LayerCore, id: string, request: SipRequest, source: Remote, internal = false) {
    super(core, id, request, source, 'trying', internal);
  }

  start(): void {
    this.begin(startServerNonInvite());
  }

  retransmission(): void {
    this.feed({ type: 'request_retransmission' });
  }

  protected tuResponse(res: SipResponse): void {
    this.feed({ type: 'tu_response', res });
  }

  protected step(input: ServerNonInviteInput): Transition<ServerNonInviteState, ServerNonInviteEffect> {
    return serverNonInviteTransition(this.state, input, this.ctx);
  }

  protected perform(e: Exclude<ServerNonInviteEffect, CommonEffect<ServerNonInviteTimer>>): void {
    switch (e.type) {
      case 'pass_request': return this.passRequest();
      case 'transport_failure': return this.transportFailed();
      default: return unreachable(e);
    }
  }
}

export type ServerTx = InviteServerTx | NonInviteServerTx;
