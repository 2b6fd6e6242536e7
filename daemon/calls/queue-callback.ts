import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../drivers/coded-error.js';
import { mediaAddress, SipError, type Dialog } from '../../drivers/sip/ua/index.js';
import type { OfferResult, OverflowReason, QueueEntry } from '../acd/acd.js';
import type { Call } from './call.js';
import type { CallEngine } from './call-engine.js';
import type { SeizedLine } from './gateway-calls.js';
import { PromptSequence } from './prompt-sequence.js';

export interface QueueCallbackRequest {
  /** The call that asked for it: the queue keeps its place under this id. */
  originId: string;
  number: string;
  queue: string;
  callerName: string;
}

/**
 * A callback keeping the caller's place (FEATURES.md 14): when its turn comes the box seizes a free
 * line, rings a free agent first and, once the agent answered, dials the caller over that line; the
 * caller hears who is calling, then talks to the agent. If the caller does not answer, the number
 * goes on the callback list for a person to follow up.
 */
export class QueueCallback implements QueueEntry {
  readonly kind = 'callback';
  readonly id: string;
  readonly caller: string;

  constructor(private readonly engine: CallEngine, private readonly req: QueueCallbackRequest) {
    this.id = req.originId;
    this.caller = req.number;
  }

  ready(): boolean {
    return this.engine.deps.board.hasFreeOutbound();
  }

  announce(): void {
    // The caller hung up: nobody to tell.
  }

  leave(_reason: OverflowReason, _target: string): void {
    this.listForFollowUp('overflow');
  }

  async offer(exts: string[], timeoutMs: number): Promise<OfferResult> {
    const { engine, req } = this;
    const call = engine.openCall({ callId: randomUUID() }, {
      direction: 'outbound', caller: req.number, callerName: req.callerName || 'Callback', callee: req.number, customerIsA: true, record: 'off',
    });
    engine.deps.bus.publish('queue.callback_started', { queue: req.queue, number: req.number, origin: req.originId }, call.id);
    const seized = engine.gateways.seizeLine(call, undefined, req.number);
    if (seized.kind !== 'seized') {
      await engine.end(call, { cause: 'line_busy', disposition: 'failed', by: 'system' });
      if (seized.kind === 'refused') return this.fail(call, 'refused');
      return { result: 'no_answer', missed: [] };
    }
    call.info.line = seized.line.row.id;
    engine.deps.store.calls.update(call.id, { lineId: seized.line.row.id });
    let forAgent: string;
    try {
      forAgent = await call.media.offer(engine.sink.offerSdp(), 'a');
    } catch (err) {
      call.log.warn({ callId: call.id, err: errorMessage(err) }, 'callback: rtpengine refused the offer');
      await engine.end(call, { cause: 'media_error', disposition: 'failed', by: 'system' });
      return { result: 'no_answer', missed: [] };
    }
    const outcome = await engine.ringAnswered(call, forAgent, exts, { timeoutMs });
    if (outcome.kind !== 'answered') {
      await engine.end(call, { cause: 'no_answer', disposition: 'no_answer', by: 'system' });
      return { result: 'no_answer', missed: exts };
    }
    const agentSdp = outcome.dialog.remoteSdp;
    let toCustomer: string;
    try {
      if (agentSdp === undefined) throw new Error('the agent answered without SDP');
      toCustomer = await call.media.answer(agentSdp, 'a', outcome.tag);
    } catch (err) {
      call.log.warn({ callId: call.id, err: errorMessage(err) }, 'callback: agent leg not anchored');
      void outcome.dialog.destroy();
      await engine.end(call, { cause: 'media_error', disposition: 'failed', by: 'system' });
      return { result: 'no_answer', missed: [] };
    }
    call.b = { dialog: outcome.dialog, tag: outcome.tag, ext: outcome.ext, media: mediaAddress(agentSdp) };
    outcome.dialog.on('destroy', () => void engine.end(call, { cause: 'callee_hangup', by: 'callee' }));
    const answeredAt = engine.deps.clock.now();
    void this.dialCustomer(call, seized.line, toCustomer, outcome.tag, agentSdp);
    return { result: 'answered', ext: outcome.ext, onEnd: (fn) => call.onCleanup(() => fn((engine.deps.clock.now() - answeredAt) / 1000)) };
  }

  /** The agent is on: dial the caller with rtpengine's side for them, then bridge. */
  private async dialCustomer(call: Call, line: SeizedLine, sdp: string, agentTag: string, agentSdp: string): Promise<void> {
    const { engine, req } = this;
    const abort = new AbortController();
    call.onCleanup(() => abort.abort());
    let dialog: Dialog | undefined;
    try {
      dialog = await engine.gateways.dial(call, line, req.number, sdp, { signal: abort.signal });
      const theirs = dialog.remoteSdp;
      if (theirs === undefined) throw new Error('the gateway answered without SDP');
      // The caller's answer replaces the box's placeholder on rtpengine's caller side.
      await call.media.offer(theirs, 'a', agentTag);
      await call.media.answer(agentSdp, 'a', agentTag);
      call.a = { dialog, tag: 'a', media: mediaAddress(theirs) };
    } catch (err) {
      // A caller who answered but could not be bridged is hung up, not left on a dead line.
      void dialog?.destroy();
      const busy = err instanceof SipError && (err.status === 486 || err.status === 600);
      const reason = call.ended ? 'agent_hangup' : busy ? 'busy' : 'no_answer';
      call.log.info({ callId: call.id, reason, err: errorMessage(err) }, 'callback: the caller was not reached');
      await this.fail(call, reason);
      return;
    }
    if (call.ended) {
      // The agent hung up as the caller answered: the caller still waits for a call back.
      void dialog.destroy();
      await this.fail(call, 'agent_hangup');
      return;
    }
    engine.deps.bus.publish('queue.callback_answered', { queue: req.queue, number: req.number, origin: req.originId }, call.id);
    engine.answered(call, call.b?.ext);
    await this.intro(call, agentTag);
  }

  /** The caller hears why the box calls; the agent's words wait until it is said. */
  private async intro(call: Call, agentTag: string): Promise<void> {
    await call.media.block(agentTag).catch(() => undefined);
    const lang = this.engine.deps.store.queues.get(this.req.queue)?.language ?? 'zh-CN';
    await new PromptSequence(call, 'a', this.engine.deps.prompts, lang).play(['callback.intro']);
    if (!call.ended) await call.media.unblock(agentTag).catch(() => undefined);
  }

  private async fail(call: Call, reason: string): Promise<OfferResult> {
    this.engine.deps.bus.publish('queue.callback_failed', { queue: this.req.queue, number: this.req.number, reason, origin: this.req.originId }, call.id);
    this.listForFollowUp(reason);
    const cause = reason === 'no_answer' || reason === 'busy' ? reason : 'rejected';
    await this.engine.end(call, { cause, disposition: 'failed', by: 'system' });
    return { result: 'gone' };
  }

  /** A callback the box could not complete lands on the callback list (an agent calls by hand). */
  private listForFollowUp(reason: string): void {
    try {
      this.engine.deps.ivr.callbacks.request({ callId: this.req.originId, number: this.req.number, source: 'queue', note: `queue ${this.req.queue}: ${reason}` });
    } catch (err) {
      this.engine.deps.log.warn({ callId: this.req.originId, err: errorMessage(err) }, 'callback not listed');
    }
  }
}
