import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.js';
import { getCallId, getTopVia, type SipMessage, type SipRequest } from '../message/index.js';
import type { Remote, SipSender } from '../transport/types.js';
import type {
  CancelTimerEffect,
  SendEffect,
  StartTimerEffect,
  TerminateEffect,
  TimerInput,
  TimerName,
  Transition,
  TransportErrorInput,
} from './fsm.js';
import type { TimerConfig, TransactionUser } from './types.js';

/** The effects every machine shares, performed by the base class. */
export type CommonEffect<N extends TimerName> = SendEffect | StartTimerEffect<N> | CancelTimerEffect<N> | TerminateEffect;

const COMMON = new Set(['send', 'start_timer', 'cancel_timer', 'terminate']);

function isCommon<N extends TimerName>(e: { type: string }): e is CommonEffect<N> {
  return COMMON.has(e.type);
}

/** What a transaction needs from the layer that owns it. */
export interface LayerCore {
  readonly clock: Clock;
  readonly log: Logger;
  readonly sender: SipSender;
  readonly timers: TimerConfig;
  user(): TransactionUser | undefined;
  /** Drop a terminated transaction from the layer's tables. */
  forget(tx: { readonly side: 'client' | 'server'; readonly id: string }): void;
}

/**
 * Runs one pure state machine: feeds it inputs, keeps its state, performs the effects every
 * machine shares (send, timers, terminate) and leaves the rest to the subclass.
 *
 * Inputs run to completion one at a time: an input produced while effects are being performed
 * (the TU answering from inside onRequest, a CANCEL sent from inside onResponse, a synchronous
 * send failure) is queued and run after them, so a transition never sees a half-applied one.
 */
export abstract class TransactionBase<S extends string, N extends TimerName, I extends { type: string }, E extends { type: string }> {
  abstract readonly side: 'client' | 'server';
  state: S;
  /** False once terminated: late timers, sends and TU calls find nothing to do. */
  alive = true;
  private running: Map<N, TimerHandle> | undefined;
  private busy = false;
  private queue: Array<I | TimerInput<N> | TransportErrorInput> | undefined;
  private childLog: Logger | undefined;

  constructor(
    protected readonly core: LayerCore,
    readonly id: string,
    readonly request: SipRequest,
    initial: S,
  ) {
    this.state = initial;
  }

  /** Where this transaction sends: the peer (client) or the request's source (server, §18.2.2). */
  protected abstract readonly peer: Remote;
  /** The machine's transition function; every machine takes timer and transport-error inputs. */
  protected abstract step(input: I | TimerInput<N> | TransportErrorInput): Transition<S, E>;
  /** The effects only this machine has (the shared ones are done here, in `apply`). */
  protected abstract perform(effect: Exclude<E, CommonEffect<N>>): void;

  /** True when this transaction is one of `core`'s (cancel() refuses another layer's). */
  belongsTo(core: LayerCore): boolean {
    return this.core === core;
  }

  /** A child logger with { callId, branch }, made on first use (most transactions never log). */
  get log(): Logger {
    if (this.childLog === undefined) {
      let callId: string | undefined;
      let branch: string | undefined;
      try {
        callId = getCallId(this.request);
        const b = getTopVia(this.request).params.get('branch');
        branch = typeof b === 'string' ? b : undefined;
      } catch {
        // Only for log context; the message was validated before it got here.
      }
      this.childLog = this.core.log.child({ callId, branch });
    }
    return this.childLog;
  }

  protected debug(msg: string): void {
    if (this.core.log.isLevelEnabled('debug')) this.log.debug({ state: this.state }, msg);
  }

  feed(input: I | TimerInput<N> | TransportErrorInput): void {
    if (!this.alive) return;
    if (this.busy) {
      (this.queue ??= []).push(input);
      return;
    }
    this.runExclusive(() => this.apply(this.step(input)));
  }

  /** Enter the initial state with its entry effects (sending the request, 100 Trying, ...). */
  protected begin(entry: Transition<S, E>): void {
    this.runExclusive(() => this.apply(entry));
  }

  /**
   * Run inputs one at a time. Should a transition or effect ever throw (a message the builders
   * refuse), the transaction ends as on a transport failure instead of the error escaping into a
   * timer callback or a promise.
   */
  private runExclusive(first: () => void): void {
    this.busy = true;
    let failure: { err: unknown } | undefined;
    try {
      first();
      let next: I | TimerInput<N> | TransportErrorInput | undefined;
      while (this.alive && (next = this.queue?.shift()) !== undefined) this.apply(this.step(next));
    } catch (err) {
      failure = { err };
    } finally {
      this.busy = false;
      this.queue = undefined;
    }
    if (failure !== undefined) {
      this.log.error({ err: failure.err, state: this.state }, 'transaction failed and was ended');
      this.abort('transaction failed');
    }
  }

  private apply(t: Transition<S, E>): void {
    this.state = t.state;
    for (const effect of t.effects) {
      if (isCommon<N>(effect)) this.performCommon(effect);
      else this.perform(effect as Exclude<E, CommonEffect<N>>);
    }
  }

  /** The effects every machine has. */
  private performCommon(e: CommonEffect<N>): void {
    switch (e.type) {
      case 'send': return this.send(e.msg, this.peer);
      case 'start_timer': return this.startTimer(e.name, e.ms);
      case 'cancel_timer': return this.cancelTimer(e.name);
      case 'terminate': return this.terminate();
    }
  }

  protected send(msg: SipMessage, dest: Remote): void {
    let sent: Promise<void>;
    try {
      sent = this.core.sender.send(msg, dest);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(undefined, (err: unknown) => this.sendFailed(err));
  }

  /** §17.1.4, §17.2.4: a failed send is a transport error input to the machine. */
  private sendFailed(err: unknown): void {
    this.log.debug({ err, state: this.state }, 'SIP send failed');
    this.feed({ type: 'transport_error' });
  }

  protected startTimer(name: N, ms: number): void {
    this.cancelTimer(name);
    const handle = this.core.clock.setTimeout(() => {
      this.running?.delete(name);
      this.feed({ type: 'timer', name, ms });
    }, ms);
    (this.running ??= new Map()).set(name, handle);
  }

  protected cancelTimer(name: N): void {
    const handle = this.running?.get(name);
    if (handle === undefined) return;
    handle.cancel();
    this.running?.delete(name);
  }

  /** The transaction is over: stop its timers and leave the layer's tables. */
  protected terminate(): void {
    if (!this.alive) return;
    this.alive = false;
    if (this.running) for (const handle of this.running.values()) handle.cancel();
    this.running = undefined;
    this.core.forget(this);
    this.debug('transaction terminated');
  }

  /** Call the TU; it must not throw, but if it does the layer's state stays sound. */
  protected callTu(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, `transaction user threw in ${what}`);
    }
  }

  /** End now (layer closing, or a failure): made-up answers where one is owed, then terminate. */
  abstract abort(why: string): void;
}
