import type { JoinResult, OfferResult, OverflowReason, QueueEntry } from '../acd/acd.js';
import { waitMinutes } from '../acd/expected-wait.js';
import type { Language } from '../ivr/flow-types.js';
import { sayPrompts } from '../ivr/say.js';
import { normalizeNumber } from '../lines/phone-number.js';
import type { Call } from './call.js';
import type { CallEngine } from './call-engine.js';
import { IVR_TAG } from './ivr-call.js';
import { confirmCallbackAndHangUp, PromptSequence } from './prompt-sequence.js';
import { QueueCallback } from './queue-callback.js';
import type { RingOutcome } from './ringer.js';

/** What the IVR call gives a queued caller: its media offer for phones, and what to do after. */
export interface QueueHost {
  /** rtpengine's offer for the IVR's leg: what the agents' phones get. */
  offerForPhones: string;
  language: Language;
  /** The agent answered: its phone takes the IVR's leg (no re-INVITE to the caller). */
  handOver(outcome: Extract<RingOutcome, { kind: 'answered' }>): Promise<boolean>;
  /** The queue gave the caller back (overflow): the flow goes on. */
  overflow(reason: OverflowReason, target: string): void;
}

/**
 * A caller waiting in a queue (the ACD's live QueueEntry): music on hold, position and expected
 * wait said on entry and every so often, the callback digit, and the offers to agents, whose
 * answering phone takes over the caller's media.
 */
export class QueueCall implements QueueEntry {
  readonly kind = 'live';
  readonly id: string;
  readonly caller: string;
  private announcing: PromptSequence | undefined;
  private done = false;
  private answered = false;
  private callbackDigit = '';

  constructor(private readonly engine: CallEngine, private readonly call: Call, private readonly host: QueueHost, readonly queue: string) {
    this.id = call.id;
    this.caller = call.info.caller;
  }

  /** Joins the queue with music on hold; a refusal is handed back to the host at once. */
  async start(priority: number): Promise<JoinResult> {
    const { call, engine } = this;
    this.callbackDigit = engine.deps.store.queues.get(this.queue)?.callbackDigit ?? '';
    await this.hold();
    call.onCleanup(() => {
      this.announcing?.stop();
      if (!this.done) engine.acd.abandoned(call.id);
      this.done = true;
    });
    const r = engine.acd.join(this, this.queue, priority);
    if (!r.joined) {
      this.done = true;
      await call.media.stopPlay('a').catch(() => undefined);
    }
    return r;
  }

  private async hold(): Promise<void> {
    if (this.call.ended || this.done) return;
    await this.call.media.play('a', this.engine.opts.mohFile).catch(() => undefined);
  }

  /** A digit while waiting: the callback digit keeps the caller's place and ends the call. */
  digit(d: string): void {
    if (this.done || d !== this.callbackDigit || this.callbackDigit === '') return;
    const number = normalizeNumber(this.caller);
    if (number.replace('+', '').length < 3) return; // no caller ID to call back
    void this.requestCallback(number);
  }

  private async requestCallback(number: string): Promise<void> {
    const { call, engine } = this;
    const cb = new QueueCallback(engine, { originId: call.id, number, queue: this.queue, callerName: call.info.callerName });
    if (!engine.acd.keepPlaceForCallback(call.id, cb, number)) return;
    this.done = true;
    this.announcing?.stop();
    await call.media.stopPlay('a').catch(() => undefined);
    await confirmCallbackAndHangUp(engine, call, this.host.language);
  }

  async offer(exts: string[], timeoutMs: number): Promise<OfferResult> {
    const { call, engine } = this;
    const outcome = await engine.ringAnswered(call, this.host.offerForPhones, exts, { tag: IVR_TAG, timeoutMs });
    if (call.ended || this.done) {
      if (outcome.kind === 'answered') void outcome.dialog.destroy();
      return { result: 'gone' };
    }
    if (outcome.kind !== 'answered') return { result: 'no_answer', missed: exts };
    this.done = true;
    this.answered = true;
    this.announcing?.stop();
    await call.media.stopPlay('a').catch(() => undefined);
    if (!(await this.host.handOver(outcome))) return { result: 'gone' };
    const answeredAt = engine.deps.clock.now();
    return {
      result: 'answered', ext: outcome.ext,
      onEnd: (fn) => call.onCleanup(() => fn((engine.deps.clock.now() - answeredAt) / 1000)),
    };
  }

  announce(position: number, expectedS: number): void {
    if (this.done || this.announcing) return;
    const q = this.engine.deps.store.queues.get(this.queue);
    const lang = this.host.language;
    const refs: string[] = [];
    if (q?.announcePosition !== false) {
      refs.push(...(position <= 1 ? ['queue.position.next'] : ['queue.position.pre', ...sayPrompts('number', String(position), lang), 'queue.position.post']));
    }
    if (q?.announceWait !== false) {
      const min = waitMinutes(expectedS);
      refs.push(...(min === 0 ? ['queue.wait.under-minute'] : ['queue.wait.pre', ...sayPrompts('number', String(min), lang), 'queue.wait.post']));
    }
    if (this.callbackDigit !== '') refs.push('callback.offer');
    void this.say(refs);
  }

  private async say(refs: string[]): Promise<void> {
    const { call } = this;
    const seq = new PromptSequence(call, 'a', this.engine.deps.prompts, this.host.language);
    this.announcing = seq;
    await call.media.stopPlay('a').catch(() => undefined);
    await seq.play(refs);
    if (this.announcing === seq) this.announcing = undefined;
    if (!this.answered) await this.hold();
  }

  leave(reason: OverflowReason, target: string): void {
    this.done = true;
    this.announcing?.stop();
    void this.call.media.stopPlay('a').catch(() => undefined).then(() => this.host.overflow(reason, target));
  }
}
