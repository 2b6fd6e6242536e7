import { createResponse, type SipRequest, type SipResponse } from '../message/index.js';
import type { Remote } from '../transport/types.js';
import {
  clientInviteTransition,
  startClientInvite,
  type ClientInviteEffect,
  type ClientInviteInput,
  type ClientInviteState,
  type ClientInviteTimer,
} from './client-invite.js';
import {
  clientNonInviteTransition,
  startClientNonInvite,
  type ClientNonInviteEffect,
  type ClientNonInviteInput,
  type ClientNonInviteState,
  type ClientNonInviteTimer,
} from './client-non-invite.js';
import { isProvisional, unreachable, type TimerName, type Transition } from './fsm.js';
import { TransactionBase, type CommonEffect, type LayerCore } from './transaction-base.js';
import type { ClientTransaction, TimerConfig } from './types.js';

type ClientInputBase = { type: string };

/** What both client transactions share: the `final` promise and delivery to the TU. */
abstract class ClientTxBase<S extends string, N extends TimerName, I extends ClientInputBase, E extends ClientInputBase>
  extends TransactionBase<S, N, I, E>
  implements ClientTransaction {
  readonly side = 'client';
  readonly final: Promise<SipResponse>;
  protected readonly ctx: { readonly request: SipRequest; readonly reliable: boolean; readonly timers: TimerConfig };
  private settle: (res: SipResponse) => void = () => {};
  private settled = false;

  constructor(
    core: LayerCore,
    id: string,
    request: SipRequest,
    readonly dest: Remote,
    private readonly onResponse: ((res: SipResponse) => void) | undefined,
    initial: S,
  ) {
    const reliable = dest.transport !== 'udp';
    super(core, id, request, initial);
    this.ctx = { request, reliable, timers: core.timers };
    this.final = new Promise((resolve) => { this.settle = resolve; });
  }

  protected get peer(): Remote {
    return this.dest;
  }

  /** A response that matched this transaction (§17.1.3). */
  abstract receive(res: SipResponse): void;
  abstract start(): void;

  /** A response goes up: onResponse always, `final` once with the first final one. */
  protected deliver(res: SipResponse): void {
    if (!isProvisional(res) && !this.settled) {
      this.settled = true;
      this.settle(res);
    }
    const onResponse = this.onResponse;
    if (onResponse) this.callTu('onResponse', () => onResponse(res));
    this.afterDelivery(res);
  }

  protected afterDelivery(_res: SipResponse): void {}

  /**
   * §8.1.3.1: a timeout or transport failure reaches the TU as a made-up response (408, 503; 487
   * when a CANCEL went unanswered, §9.1). Not when it already has its final response.
   */
  protected madeUp(status: 408 | 487 | 503, why: string): void {
    if (this.settled) {
      this.log.debug({ state: this.state }, `${why} after the final response`);
      return;
    }
    this.log.info({ method: this.request.method, status }, why);
    this.deliver(createResponse(this.request, status));
  }

  abort(why: string): void {
    this.madeUp(503, why);
    this.terminate();
  }
}

export class InviteClientTx extends ClientTxBase<ClientInviteState, ClientInviteTimer, ClientInviteInput, ClientInviteEffect> {
  /** Set once cancel() was called: the same promise for every later call. */
  cancelling: Promise<SipResponse> | undefined;
  private cancelWait: { provisional: () => void; final: () => void } | undefined;

  constructor(core: LayerCore, id: string, request: SipRequest, dest: Remote, onResponse?: (res: SipResponse) => void) {
    super(core, id, request, dest, onResponse, 'calling');
  }

  start(): void {
    this.begin(startClientInvite(this.ctx));
  }

  receive(res: SipResponse): void {
    this.feed({ type: 'response', res });
  }

  /** §9.1: hold a CANCEL until the first provisional response; drop it if a final one comes first. */
  waitToCancel(wait: { provisional: () => void; final: () => void }): void {
    this.cancelWait = wait;
  }

  protected step(input: ClientInviteInput): Transition<ClientInviteState, ClientInviteEffect> {
    return clientInviteTransition(this.state, input, this.ctx);
  }

  protected perform(e: Exclude<ClientInviteEffect, CommonEffect<ClientInviteTimer>>): void {
    switch (e.type) {
      case 'pass_to_tu': return this.deliver(e.res);
      case 'timeout': return this.madeUp(408, 'INVITE timed out (timer B)');
      case 'transport_failure': return this.madeUp(503, 'INVITE transport error');
      case 'give_up': return this.madeUp(487, 'no final response after CANCEL (64·T1)');
      default: return unreachable(e);
    }
  }

  protected override afterDelivery(res: SipResponse): void {
    const wait = this.cancelWait;
    if (wait === undefined) return;
    this.cancelWait = undefined;
    if (isProvisional(res)) wait.provisional();
    else wait.final();
  }
}

export class NonInviteClientTx extends ClientTxBase<ClientNonInviteState, ClientNonInviteTimer, ClientNonInviteInput, ClientNonInviteEffect> {
  constructor(core: LayerCore, id: string, request: SipRequest, dest: Remote, onResponse?: (res: SipResponse) => void) {
    super(core, id, request, dest, onResponse, 'trying');
  }

  start(): void {
    this.begin(startClientNonInvite(this.ctx));
  }

  receive(res: SipResponse): void {
    this.feed({ type: 'response', res });
  }

  protected step(input: ClientNonInviteInput): Transition<ClientNonInviteState, ClientNonInviteEffect> {
    return clientNonInviteTransition(this.state, input, this.ctx);
  }

  protected perform(e: Exclude<ClientNonInviteEffect, CommonEffect<ClientNonInviteTimer>>): void {
    switch (e.type) {
      case 'pass_to_tu': return this.deliver(e.res);
      case 'timeout': return this.madeUp(408, `${this.request.method} timed out (timer F)`);
      case 'transport_failure': return this.madeUp(503, `${this.request.method} transport error`);
      default: return unreachable(e);
    }
  }
}

export type ClientTx = InviteClientTx | NonInviteClientTx;
