import { join } from 'node:path';
import { errorMessage } from '../../drivers/coded-error.js';
import { LegRecorder } from './leg-recorder.js';
import { mediaAddress, type InDialogRequest, type IncomingInvite } from '../../drivers/sip/ua/index.js';
import { infoDigit } from './bridge.js';
import type { Flow, Language } from '../ivr/flow-types.js';
import { FlowRunner, type RunnerAction, type RunnerContext } from '../ivr/flow-runner.js';
import { parseTarget } from '../lines/routing-target.js';
import { confirmCallbackAndHangUp, PromptSequence } from './prompt-sequence.js';
import type { Call } from './call.js';
import type { CallEngine } from './call-engine.js';
import type { OverflowReason } from '../acd/acd.js';
import { QueueCall } from './queue-call.js';
import type { RingOutcome } from './ringer.js';

/** The IVR's leg in rtpengine: the box's sink until an agent's phone takes it over. */
export const IVR_TAG = 'ivr';

/** Resolves prompt refs to files rtpengine can play. */
export interface PromptFiles {
  resolve(ref: string, lang: Language): string | undefined;
}

/**
 * A caller in a call flow: the box answers with its own media endpoint (rtpengine ↔ the sink),
 * the FlowRunner decides, and this turns its actions into media (prompts by rtpengine play media,
 * barge-in by stop media), timers, HTTP lookups and, on `route`, rings the phones and hands the
 * IVR's rtpengine leg to the answering phone (no re-INVITE to the caller).
 */
export class IvrCall {
  private runner: FlowRunner;
  private flow: Flow;
  private queue: string[] = [];
  private playing = false;
  private promptTimer: NodeJS.Timeout | undefined;
  private waitTimer: NodeJS.Timeout | undefined;
  private offerForPhones = '';
  private finished = false;
  private unhookInfo: () => void = () => undefined;
  private voicemail: { mailbox: string; recorder: LegRecorder; timer: NodeJS.Timeout } | undefined;
  private queued: QueueCall | undefined;
  /** Voicemail left after a queue overflow ends the call (there is no flow step to go on to). */
  private hangUpAfterVoicemail = false;

  constructor(private readonly engine: CallEngine, private readonly call: Call, flow: Flow, private readonly prompts: PromptFiles, private readonly ctx: RunnerContext) {
    this.flow = flow;
    this.runner = new FlowRunner(flow, ctx);
    call.onCleanup(() => this.stopTimers());
  }

  /** Answer the caller with the box's endpoint, then run the flow. */
  async start(inv: IncomingInvite): Promise<void> {
    const { call } = this;
    const callerSdp = inv.sdp;
    if (callerSdp === undefined) {
      inv.reject(488, { reason: 'SDP Offer Required' });
      await this.engine.end(call, { cause: 'failed', disposition: 'failed', by: 'system' });
      return;
    }
    try {
      this.offerForPhones = await call.media.offer(callerSdp, 'a');
      const aSdp = await call.media.answer(this.engine.sink.answerFor(this.offerForPhones), 'a', IVR_TAG);
      const dialog = await this.engine.deps.stack.createUAS(inv, { localSdp: aSdp });
      call.a = { dialog, tag: 'a', media: mediaAddress(callerSdp) };
      dialog.on('destroy', () => void this.engine.end(call, { cause: 'caller_hangup', by: 'caller' }));
      // Digits by SIP INFO count like RFC 4733 ones; once a phone is bridged the bridge relays INFO instead.
      const onInfo = (r: InDialogRequest): void => {
        const d = infoDigit(r.body === undefined ? undefined : r.body.toString());
        if (d !== undefined && call.a) this.engine.infoDigit(call, call.a, d);
        if (!r.answered) r.respond(200);
      };
      dialog.on('info', onInfo);
      this.unhookInfo = () => dialog.off('info', onInfo);
    } catch (err) {
      call.log.warn({ callId: call.id, reason: errorMessage(err) }, 'IVR could not answer');
      if (inv.state === 'pending') inv.reject(500);
      await this.engine.end(call, { cause: inv.state === 'cancelled' ? 'cancelled' : 'media_error', disposition: 'failed', by: 'system' });
      return;
    }
    this.engine.deps.bus.publish('ivr.answered', { flow: this.flow.name }, call.id);
    this.apply(this.runner.start());
  }

  /** A digit from the caller (rtpengine's DTMF log or INFO); `#` ends a voicemail message. */
  digit(d: string): void {
    if (this.voicemail) {
      if (d === '#') void this.finishVoicemail();
      return;
    }
    if (this.queued) {
      this.queued.digit(d);
      return;
    }
    if (this.finished) return;
    this.apply(this.runner.digit(d));
  }

  /** The caller's words after the beep, copied from rtpengine, until `#`, the time limit or hang-up. */
  private async recordVoicemail(mailbox: string, maxSeconds: number): Promise<void> {
    const { call, engine } = this;
    try {
      const recorder = await LegRecorder.start(engine.deps.ng, call.log, { mediaId: call.media.mediaId, tag: 'a' });
      const timer = setTimeout(() => void this.finishVoicemail(), maxSeconds * 1000);
      this.voicemail = { mailbox, recorder, timer };
      engine.deps.bus.publish('ivr.voicemail_recording', { mailbox, maxSeconds }, call.id);
      // A caller who hangs up after speaking has left a message too.
      call.onCleanup(() => void this.finishVoicemail());
    } catch (err) {
      call.log.warn({ callId: call.id, err: errorMessage(err) }, 'voicemail recording did not start');
      engine.deps.bus.publish('ivr.error', { reason: 'voicemail_unavailable', mailbox }, call.id);
      this.apply(this.runner.voicemailDone());
    }
  }

  private async finishVoicemail(): Promise<void> {
    const vm = this.voicemail;
    if (!vm) return;
    this.voicemail = undefined;
    clearTimeout(vm.timer);
    const { call, engine } = this;
    const wavPath = join(engine.deps.ivr.spoolDir, `vm-${call.id}.wav`);
    try {
      await vm.recorder.stop(wavPath);
      await engine.deps.ivr.voicemail.saveMessage({ mailbox: vm.mailbox, callId: call.id, caller: call.info.caller, wavPath });
    } catch (err) {
      call.log.error({ callId: call.id, err: errorMessage(err) }, 'voicemail message not stored');
    }
    if (call.ended) return;
    if (this.hangUpAfterVoicemail) await engine.end(call, { cause: 'ivr_hangup', disposition: 'answered', by: 'system' });
    else this.apply(this.runner.voicemailDone());
  }

  private apply(actions: RunnerAction[]): void {
    for (const a of actions) {
      if (this.finished || this.call.ended) return;
      this.one(a);
    }
  }

  private one(a: RunnerAction): void {
    const { call } = this;
    switch (a.kind) {
      case 'event':
        this.engine.deps.bus.publish(a.type, a.data, call.id);
        return;
      case 'play':
        this.queue = [...a.prompts];
        this.playNext();
        return;
      case 'stop_play':
        this.queue = [];
        this.stopPrompt();
        return;
      case 'wait':
        this.stopWait();
        this.waitTimer = setTimeout(() => this.apply(this.runner.timeout()), a.timeoutMs);
        return;
      case 'lookup':
        void this.lookup(a);
        return;
      case 'route':
        this.finished = true;
        this.stopTimers();
        void this.route(a.target);
        return;
      case 'queue':
        this.finished = true;
        this.stopTimers();
        void this.enterQueue(a.queue, a.priority);
        return;
      case 'voicemail':
        void this.recordVoicemail(a.mailbox, a.maxSeconds);
        return;
      case 'callback':
        this.engine.deps.ivr.callbacks.request({ callId: call.id, number: a.number, source: 'ivr' });
        return;
      case 'survey':
        this.engine.deps.store.surveys.insert({ callId: call.id, name: a.name, score: a.score, createdAt: this.engine.deps.clock.now() });
        this.engine.deps.bus.publish('call.survey', { name: a.name, score: a.score }, call.id);
        return;
      case 'hangup':
        this.finished = true;
        this.stopTimers();
        void this.engine.end(call, { cause: 'ivr_hangup', disposition: 'answered', by: 'system' });
        return;
    }
  }

  /** Prompts play one after another; rtpengine's reply says how long each lasts. */
  private playNext(): void {
    this.stopPrompt();
    const ref = this.queue.shift();
    if (ref === undefined) {
      this.apply(this.runner.promptDone());
      return;
    }
    const file = this.prompts.resolve(ref, this.flow.language);
    if (file === undefined) {
      this.engine.deps.bus.publish('ivr.error', { reason: 'missing_prompt', prompt: ref }, this.call.id);
      this.playNext();
      return;
    }
    this.playing = true;
    this.engine.deps.bus.publish('ivr.prompt', { prompt: ref }, this.call.id);
    this.call.media.playOnce('a', file).then((ms) => {
      if (!this.playing || this.finished) return;
      this.promptTimer = setTimeout(() => {
        this.playing = false;
        this.playNext();
      }, ms);
    }).catch((err: unknown) => {
      this.call.log.warn({ callId: this.call.id, prompt: ref, err: errorMessage(err) }, 'prompt not played');
      this.playing = false;
      this.playNext();
    });
  }

  private stopPrompt(): void {
    if (this.promptTimer) clearTimeout(this.promptTimer);
    this.promptTimer = undefined;
    if (this.playing) void this.call.media.stopPlay('a').catch(() => undefined);
    this.playing = false;
  }

  private stopWait(): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
  }

  private stopTimers(): void {
    this.stopWait();
    this.stopPrompt();
  }

  private async lookup(a: Extract<RunnerAction, { kind: 'lookup' }>): Promise<void> {
    let result: Parameters<FlowRunner['lookupDone']>[0];
    try {
      const res = await fetch(a.url, {
        method: a.method, signal: AbortSignal.timeout(a.timeoutMs),
        ...(a.body !== undefined ? { body: a.body, headers: { 'content-type': 'application/json' } } : {}),
      });
      if (!res.ok) result = { ok: false, reason: `HTTP ${res.status}` };
      else result = { ok: true, json: await res.json() as unknown };
    } catch (err) {
      result = { ok: false, reason: errorMessage(err) };
    }
    if (!this.call.ended) this.apply(this.runner.lookupDone(result));
  }

  /** Ring the route's phones with the IVR's side of the media; the first to answer takes it over. */
  private async route(target: string): Promise<void> {
    const { call, engine } = this;
    if (target.startsWith('external:')) {
      await this.routeOut(target.slice('external:'.length));
      return;
    }
    const t = parseTarget(target);
    if (t?.kind === 'flow') {
      this.switchFlow(t.name);
      return;
    }
    if (t?.kind === 'queue') {
      await this.enterQueue(t.name, 0);
      return;
    }
    const exts = t?.kind === 'extension' ? [t.ext] : t?.kind === 'group' ? engine.deps.store.ringGroups.get(t.name)?.members : undefined;
    if (!exts) {
      this.resume(this.runner.routeFailed('failed'));
      return;
    }
    await call.media.play('a', engine.opts.mohFile).catch(() => undefined);
    const outcome = await engine.ringAnswered(call, this.offerForPhones, exts, { tag: IVR_TAG });
    await call.media.stopPlay('a').catch(() => undefined);
    if (call.ended) return;
    if (outcome.kind !== 'answered') {
      this.resume(this.runner.routeFailed(outcome.kind === 'failed' && outcome.status === 486 ? 'busy' : outcome.kind === 'timeout' ? 'no_answer' : 'failed'));
      return;
    }
    await this.handOver(outcome);
  }

  /** The answering phone takes over the IVR's leg (the caller's ports stay the same); false when that failed and the call ended. */
  private async handOver(outcome: Extract<RingOutcome, { kind: 'answered' }>): Promise<boolean> {
    const { call, engine } = this;
    try {
      const sdp = outcome.dialog.remoteSdp;
      if (sdp === undefined) throw new Error('the phone answered without SDP');
      await call.media.answer(sdp, 'a', IVR_TAG);
    } catch (err) {
      call.log.warn({ callId: call.id, reason: errorMessage(err) }, 'IVR hand-over failed');
      void outcome.dialog.destroy();
      await engine.end(call, { cause: 'media_error', by: 'system' });
      return false;
    }
    call.b = { dialog: outcome.dialog, tag: IVR_TAG, ext: outcome.ext, media: mediaAddress(outcome.dialog.remoteSdp ?? '') };
    this.unhookInfo();
    engine.answered(call, outcome.ext);
    return true;
  }

  /** `queue:NAME` or a queue node: the caller waits in the ACD; what the queue gives back goes on here. */
  private async enterQueue(name: string, priority: number): Promise<void> {
    const q = new QueueCall(this.engine, this.call, {
      offerForPhones: this.offerForPhones, language: this.flow.language,
      handOver: (o) => { this.queued = undefined; return this.handOver(o); },
      overflow: (reason, target) => this.afterQueue(reason, target),
    }, name);
    this.queued = q;
    const r = await q.start(priority);
    if (!r.joined) this.afterQueue(r.reason, r.target);
  }

  /** Overflow: another target, voicemail, a callback request, or the flow's own way on (`on_overflow`). */
  private afterQueue(reason: OverflowReason, target: string): void {
    this.queued = undefined;
    if (this.call.ended) return;
    this.engine.deps.bus.publish('ivr.queue_left', { reason, target }, this.call.id);
    if (target === '') {
      this.resume(this.runner.routeFailed(reason === 'max_wait' ? 'no_answer' : reason === 'full' ? 'busy' : 'failed'));
      return;
    }
    if (target.startsWith('voicemail:')) {
      void this.overflowToVoicemail(target.slice('voicemail:'.length));
      return;
    }
    if (target === 'callback') {
      void this.callbackAndHangUp();
      return;
    }
    void this.route(target);
  }

  private async overflowToVoicemail(mailbox: string): Promise<void> {
    this.hangUpAfterVoicemail = true;
    const played = await new PromptSequence(this.call, 'a', this.prompts, this.flow.language).play(['vm.greeting', 'vm.instructions', 'beep']);
    if (played) await this.recordVoicemail(mailbox, 120);
  }

  private async callbackAndHangUp(): Promise<void> {
    const { call, engine } = this;
    try {
      engine.deps.ivr.callbacks.request({ callId: call.id, number: call.info.caller, source: 'queue' });
    } catch (err) {
      // No caller ID: nothing to list, the caller still hears the words and the goodbye.
      call.log.info({ callId: call.id, reason: errorMessage(err) }, 'queue overflow callback not listed');
    }
    await confirmCallbackAndHangUp(engine, call, this.flow.language);
  }

  /** `route` to `external:NUMBER`: the box-wide blocked prefixes apply, a free line is seized, the far end takes the IVR's leg. */
  private async routeOut(raw: string): Promise<void> {
    const { call, engine } = this;
    const number = raw.replace(/[\s().-]/g, '');
    const seized = engine.gateways.seizeLine(call, undefined, number);
    if (seized.kind !== 'seized') {
      this.resume(this.runner.routeFailed(seized.kind === 'no-line' ? 'busy' : 'failed'));
      return;
    }
    const abort = new AbortController();
    call.onCleanup(() => abort.abort());
    try {
      const dialog = await engine.gateways.dial(call, seized.line, number, this.offerForPhones, { signal: abort.signal });
      const sdp = dialog.remoteSdp;
      if (sdp === undefined) throw new Error('the gateway answered without SDP');
      await call.media.answer(sdp, 'a', IVR_TAG);
      call.b = { dialog, tag: IVR_TAG, media: mediaAddress(sdp) };
      engine.deps.bus.publish('call.line_used', { line: seized.line.row.id, for: 'ivr', number }, call.id);
      this.unhookInfo();
      engine.answered(call, undefined);
    } catch (err) {
      call.log.info({ callId: call.id, reason: errorMessage(err) }, 'IVR route to an outside number failed');
      seized.release();
      if (!call.ended) this.resume(this.runner.routeFailed('failed'));
    }
  }

  /** `route` to `flow:NAME` (after hours, holidays): the caller goes on in that flow, on the same answered call. */
  private switchFlow(name: string): void {
    const next = this.engine.deps.loadFlow(name);
    if (!next) {
      this.resume(this.runner.routeFailed('failed'));
      return;
    }
    this.engine.deps.bus.publish('ivr.flow', { from: this.flow.name, to: name }, this.call.id);
    this.flow = next;
    this.runner = new FlowRunner(next, { ...this.ctx, language: next.language });
    this.resume(this.runner.start());
  }

  private resume(actions: RunnerAction[]): void {
    this.finished = false;
    this.apply(actions);
  }
}
