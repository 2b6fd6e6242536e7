import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../drivers/clock.js';
import { errorMessage } from '../../drivers/coded-error.js';
import type { NgClient } from '../../drivers/rtpengine/ng-client.js';
import type { DtmfEvent } from '../../drivers/rtpengine/dtmf-log.js';
import { MediaSession } from '../../drivers/rtpengine/media-session.js';
import type { SipResponse } from '../../drivers/sip/message/index.js';
import { mediaAddress, type IncomingInvite, type ReferRequest } from '../../drivers/sip/ua/index.js';
import type { SipStack } from '../../drivers/sip/stack.js';
import type { Config } from '../config/index.js';
import type { EventBus } from '../events/bus.js';
import type { LineBoard } from '../lines/line-board.js';
import type { Phones } from '../phones/phones.js';
import type { BlfPresence } from '../phones/blf.js';
import type { Recordings } from '../recording/recordings.js';
import type { Store } from '../store/store.js';
import type { CallDirection } from '../store/calls-repo.js';
import type { RecordPolicy } from '../store/lines-repo.js';
import { bridgeLegs, type BridgeHost } from './bridge.js';
import { Call, type EndInfo, type Leg } from './call.js';
import type { CallRecords } from './call-records.js';
import { classifyDial } from './dial-plan.js';
import { watchDisconnectTone } from './disconnect-watch.js';
import { GatewayCalls } from './gateway-calls.js';
import { Ringer, type RingOutcome, type RingTarget } from './ringer.js';
import { transferCall } from './transfer.js';
import { IvrCall, type PromptFiles } from './ivr-call.js';
import type { RtpSink } from '../../drivers/rtpengine/rtp-sink.js';
import type { Flow, Language } from '../ivr/flow-types.js';
import { Blacklist } from '../lines/blacklist.js';
import { normalizeNumber } from '../lines/phone-number.js';
import type { VoicemailBox } from '../ivr/voicemail-box.js';
import type { CallbackList } from '../ivr/callback-list.js';
import { Acd } from '../acd/acd.js';
import { featureFlow, queueFlow } from './feature-flows.js';
import { Supervision } from './supervision.js';

export interface CallEngineDeps {
  log: Logger;
  clock: Clock;
  stack: SipStack;
  phones: Phones;
  store: Store;
  bus: EventBus;
  ng: () => NgClient;
  records: CallRecords;
  recordings: Recordings;
  board: LineBoard;
  blf?: BlfPresence | undefined;
  /** The box's media endpoint for callers in a call flow. */
  sink: RtpSink;
  /** Prompt refs → files (generated sounds, owner uploads). */
  prompts: PromptFiles & { exists(ref: string, lang: Language): boolean };
  /** The current version of a stored flow. */
  loadFlow: (name: string) => Flow | undefined;
  /** Where the IVR keeps what callers leave: messages, callback requests. */
  ivr: { voicemail: VoicemailBox; callbacks: CallbackList; spoolDir: string };
}

export interface CallEngineOptions {
  calls: Config['calls'];
  /** Music on hold (a WAV rtpengine can read). */
  mohFile: string;
  /** The box's IANA time zone (flows' time rules). */
  timeZone: string;
  /** Seconds between no-media checks (rtpengine drops a silent stream after its own `timeout`). */
  mediaCheckS?: number;
  /** Agent and supervisor feature codes, the mixer. */
  acd: Config['acd'];
}

/** A call ringing phones right now, for pickup. */
interface Ringing {
  call: Call;
  ringer: Ringer;
  /** The caller's INVITE still waiting for an answer (absent when the IVR already answered it: no pickup then). */
  invite: IncomingInvite | undefined;
  offer: string;
}

const RECORD_RANK: Record<RecordPolicy, number> = { off: 0, answer: 1, ring: 2 };

/** The stricter of two recording policies: recording "from ring" wins over "from answer" over "off". */
export function strictestPolicy(...ps: RecordPolicy[]): RecordPolicy {
  return ps.reduce<RecordPolicy>((best, p) => (RECORD_RANK[p] > RECORD_RANK[best] ? p : best), 'off');
}

/**
 * The call engine (DESIGN.md "A call, step by step"): every INVITE the box gets becomes a Call —
 * inbound from the gateway (line, blacklist, target, fallback), internal between extensions,
 * outbound through a free line (dial plan, permissions, hunting), or a pickup. Each leg is anchored
 * in rtpengine; events and the CDR record every step; safety timers end stuck calls.
 */
export class CallEngine implements BridgeHost {
  private readonly calls = new Map<string, Call>();
  private readonly ringingExt = new Map<string, Ringing>();
  private readonly ivrCalls = new Map<string, IvrCall>();
  readonly gateways: GatewayCalls;
  readonly acd: Acd;
  readonly supervision: Supervision;

  constructor(readonly deps: CallEngineDeps, readonly opts: CallEngineOptions) {
    this.gateways = new GatewayCalls(this);
    this.acd = new Acd({
      store: deps.store, bus: deps.bus, clock: deps.clock, log: deps.log.child({ part: 'acd' }),
      isBusy: (ext) => this.isBusy(ext), isRegistered: (ext) => deps.phones.registrar.lookup(ext).length > 0,
    });
    this.supervision = new Supervision(this);
  }

  start(): void {
    this.deps.stack.on('invite', (inv) => void this.onInvite(inv).catch((err: unknown) => {
      inv.log.error({ err }, 'call handling failed');
      if (inv.state === 'pending') inv.reject(500);
    }));
    this.gateways.start();
    this.acd.start();
  }

  async stop(): Promise<void> {
    this.gateways.stop();
    this.acd.stop();
    await Promise.all([...this.calls.values()].map((c) => this.end(c, { cause: 'shutdown', by: 'system' })));
  }

  /** Calls up or ringing (status, tests). */
  activeCalls(): number {
    return this.calls.size;
  }

  /** Is the extension on a call (a member who is busy is not rung)? */
  isBusy(ext: string): boolean {
    for (const c of this.calls.values()) if (c.involves(ext)) return true;
    return false;
  }

  /** A digit from rtpengine's DTMF log (RFC 4733 or in-band), as a typed event on its call. */
  onDtmf(ev: DtmfEvent): void {
    const call = this.calls.get(ev.callId);
    if (!call) return;
    const leg = [call.a, call.b].find((l) => l?.tag === ev.sourceTag);
    this.deps.bus.publish('call.dtmf', { digit: ev.digit, source: 'rfc4733', leg: leg === call.a ? 'caller' : 'callee', durationMs: ev.durationMs }, call.id);
    if (leg === call.a) this.ivrCalls.get(call.id)?.digit(ev.digit);
  }

  get sink(): RtpSink {
    return this.deps.sink;
  }

  /** A line routed to `queue:NAME`: the box answers and the caller waits in that queue. */
  runQueue(call: Call, inv: IncomingInvite, name: string): Promise<void> {
    const lang = this.deps.store.queues.get(name)?.language ?? 'zh-CN';
    return this.runFlow(call, inv, queueFlow(name, lang));
  }

  /** The caller goes into call flow `name` (a line routed to `flow:NAME`, or a built-in one); an unknown flow is 480. */
  async runFlow(call: Call, inv: IncomingInvite, name: string | Flow): Promise<void> {
    const flow = typeof name === 'string' ? this.deps.loadFlow(name) : name;
    if (!flow) {
      this.deps.bus.publish('call.unrouted', { flow: name, reason: 'no such flow' }, call.id);
      inv.reject(480, { reason: 'No Route' });
      await this.end(call, { cause: 'no_route', disposition: 'failed', by: 'system' });
      return;
    }
    const { store } = this.deps;
    const ivr = new IvrCall(this, call, flow, this.deps.prompts, {
      caller: call.info.caller, callerName: call.info.callerName, ...(call.info.line !== undefined ? { line: call.info.line } : {}),
      now: () => new Date(this.deps.clock.now()), timeZone: this.opts.timeZone, language: flow.language,
      isVip: (n: string) => store.vip.get(normalizeNumber(n)) !== undefined,
      isBlacklisted: (n: string) => new Blacklist(store.blacklist).isBlocked(n),
      customerTags: () => [],
      vipPin: (n: string) => store.vip.get(normalizeNumber(n))?.pin ?? undefined,
      promptExists: (ref: string) => this.deps.prompts.exists(ref, flow.language),
    });
    this.ivrCalls.set(call.id, ivr);
    call.onCleanup(() => this.ivrCalls.delete(call.id));
    await ivr.start(inv);
  }

  private async onInvite(inv: IncomingInvite): Promise<void> {
    const gw = this.gateways.gatewayOf(inv.source);
    if (gw) return this.gateways.inbound(inv, gw);
    const auth = this.deps.phones.registrar.authenticate(inv.request, inv.source);
    // Every INVITE not from the gateway must come from an extension that proved its password: toll fraud starts here.
    if (auth === undefined) return inv.reject(403);
    if ('response' in auth) return inv.reject(auth.response.status, { reason: auth.response.reason, headers: challengeHeaders(auth.response) });
    const ext = auth.extension;
    const dialled = inv.request.uri.kind === 'sip' ? inv.request.uri.user ?? '' : '';
    const c = this.opts.calls;
    const a = this.opts.acd;
    const target = classifyDial(dialled, {
      pickupCode: c.pickup_code, directedPickupPrefix: c.directed_pickup_prefix,
      isExtension: (s) => this.deps.store.extensions.get(s)?.enabled === true,
      agentCodes: { toggle: a.agent_toggle_code, pause: a.pause_code, unpause: a.unpause_code },
      supervisePrefixes: { listen: a.spy_prefix, whisper: a.whisper_prefix, barge: a.barge_prefix },
    });
    switch (target.kind) {
      case 'extension': return this.internal(inv, ext, target.ext);
      case 'external': return this.gateways.outbound(inv, ext, target.number);
      case 'pickup': return this.pickup(inv, ext, undefined);
      case 'directed-pickup': return this.pickup(inv, ext, target.ext);
      case 'agent': return this.agentCode(inv, ext, target.action);
      case 'supervise': return this.supervision.dialIn(inv, ext, target.ext, target.mode);
      case 'feature': return inv.reject(404, { reason: 'Feature Not Available' });
      case 'invalid': return inv.reject(404, { reason: 'Not Found' });
    }
  }

  /** *45 / *46 / *47 from a desk phone: the agent's state changes and a prompt confirms it. */
  private async agentCode(inv: IncomingInvite, ext: string, action: 'toggle' | 'pause' | 'unpause'): Promise<void> {
    const view = action === 'toggle' ? this.acd.board.toggle(ext, 'phone') : this.acd.act(ext, action, 'phone', 'phone');
    const prompt = view.state === 'logged_out' ? 'agent.logged-out' : action === 'pause' ? 'agent.paused' : action === 'unpause' ? 'agent.available' : 'agent.logged-in';
    const call = this.openCall(inv, { direction: 'internal', caller: ext, callerName: '', callee: inv.request.uri.kind === 'sip' ? inv.request.uri.user ?? '' : '', ext, customerIsA: true, record: 'off' });
    // Said in the language of the agent's (first) queue.
    const queue = view.queues[0] === undefined ? undefined : this.deps.store.queues.get(view.queues[0]);
    await this.runFlow(call, inv, featureFlow(prompt, queue?.language ?? 'zh-CN'));
  }

  /** Creates the call: media session, the CDR row, `call.offered`. */
  openCall(inv: { callId: string }, o: { direction: CallDirection; caller: string; callerName: string; callee: string; line?: number; ext?: string; customerIsA: boolean; record: RecordPolicy; inbandDtmf?: boolean }): Call {
    const id = randomUUID();
    const log = this.deps.log.child({ callId: id, sipCallId: inv.callId });
    const record = o.record !== 'off' && this.deps.recordings.canRecord() ? o.record : 'off';
    const media = new MediaSession(this.deps.ng, log, { mediaId: id, recordFromStart: record === 'ring', ...(o.inbandDtmf ? { inbandDtmfTag: 'a' } : {}) });
    const call = new Call(id, o.direction, log, media, { caller: o.caller, callerName: o.callerName, callee: o.callee, line: o.line, customerIsA: o.customerIsA });
    this.calls.set(id, call);
    this.deps.records.open({
      id, sipCallId: inv.callId, direction: o.direction, lineId: o.line ?? null, extension: o.ext ?? null,
      caller: o.caller, callerNorm: o.caller.replace(/[^0-9+]/g, ''), callerName: o.callerName, callee: o.callee, startedAt: this.deps.clock.now(),
    });
    this.deps.bus.publish('call.offered', {
      direction: o.direction, caller: o.caller, callerName: o.callerName, callee: o.callee, ...(o.line !== undefined ? { line: o.line } : {}),
      ...(o.ext !== undefined ? { extension: o.ext } : {}),
    }, id);
    if (record === 'ring') this.beginRecording(call);
    else if (record === 'answer') call.onAnswer = () => void this.startRecordingNow(call);
    if (o.record !== 'off' && record === 'off') this.deps.bus.publish('call.recording_skipped', { reason: 'disk_floor' }, id);
    if (o.ext !== undefined) this.trackBlf(call, o.ext, 'initiator');
    call.log.info({ direction: o.direction, caller: o.caller, callee: o.callee, line: o.line }, 'call offered');
    return call;
  }

  private beginRecording(call: Call): void {
    call.recordingId = this.deps.recordings.begin(call.id, call.media.mediaId);
  }

  private async startRecordingNow(call: Call): Promise<void> {
    try {
      await call.media.startRecording();
      this.beginRecording(call);
    } catch (err) {
      call.log.warn({ err, callId: call.id }, 'recording did not start');
    }
  }

  /** Extension → extension through the box, no line. */
  private async internal(inv: IncomingInvite, from: string, to: string): Promise<void> {
    const fromRow = this.deps.store.extensions.get(from);
    const toRow = this.deps.store.extensions.get(to);
    const call = this.openCall(inv, {
      direction: 'internal', caller: from, callerName: fromRow?.displayName ?? '', callee: to, ext: from, customerIsA: true,
      record: strictestPolicy(fromRow?.record ?? 'off', toRow?.record ?? 'off'),
    });
    await this.ringAndConnect(call, inv, { exts: [to], fallback: undefined });
  }

  /** Phones to ring for `exts` now: registered, enabled, not already on a call. */
  ringTargets(exts: readonly string[]): { targets: RingTarget[]; busy: number } {
    const targets: RingTarget[] = [];
    let busy = 0;
    for (const ext of exts) {
      if (this.isBusy(ext)) {
        busy++;
        continue;
      }
      if (!this.deps.store.extensions.get(ext)?.enabled) continue;
      const [binding] = this.deps.phones.registrar.lookup(ext);
      if (binding) targets.push({ ext, contact: binding.contact, source: binding.source });
    }
    return { targets, busy };
  }

  /**
   * Rings `exts` for A's INVITE and bridges the first to answer. On no answer: `fallback` (another
   * list of extensions) once, else A gets 480 (no answer), 486 (everyone busy) or the phones' status.
   */
  async ringAndConnect(call: Call, inv: IncomingInvite, route: { exts: string[]; fallback: string[] | undefined }): Promise<void> {
    const offerSdp = inv.sdp;
    if (offerSdp === undefined) {
      inv.reject(488, { reason: 'SDP Offer Required' });
      await this.end(call, { cause: 'failed', disposition: 'failed', by: 'system' });
      return;
    }
    let offer: string;
    try {
      offer = await call.media.offer(offerSdp, 'a');
    } catch (err) {
      call.log.error({ err, callId: call.id }, 'rtpengine refused the offer');
      if (inv.state === 'pending') inv.reject(503, { headers: [['Retry-After', String(this.opts.calls.retry_after_s)]] });
      await this.end(call, { cause: 'media_error', disposition: 'failed', by: 'system' });
      return;
    }
    let outcome = await this.ringOnce(call, inv, offer, route.exts);
    if ((outcome.kind === 'timeout' || outcome.kind === 'failed') && route.fallback && route.fallback.length > 0 && inv.state === 'pending') {
      this.deps.bus.publish('call.fallback', { to: route.fallback.join(','), after: outcome.kind }, call.id);
      outcome = await this.ringOnce(call, inv, offer, route.fallback);
    }
    await this.settleRing(call, inv, outcome);
  }

  private ringOnce(call: Call, inv: IncomingInvite, offer: string, exts: string[]): Promise<RingOutcome> {
    return this.ringExts(call, offer, exts, { signal: inv.signal, invite: inv });
  }

  /**
   * Rings phones for a call that is already answered (the IVR routing, a blind transfer): the end
   * of the call stops the ringing; `tag` names the rtpengine leg the answering phone will take.
   */
  ringAnswered(call: Call, offer: string, exts: string[], o: { tag?: string; transfer?: boolean; timeoutMs?: number } = {}): Promise<RingOutcome> {
    const abort = new AbortController();
    call.onCleanup(() => abort.abort());
    return this.ringExts(call, offer, exts, { signal: abort.signal, invite: undefined, ...o });
  }

  private async ringExts(
    call: Call, offer: string, exts: string[],
    o: { signal: AbortSignal; invite: IncomingInvite | undefined; tag?: string; transfer?: boolean; timeoutMs?: number },
  ): Promise<RingOutcome> {
    const inv = o.invite;
    const { targets, busy } = this.ringTargets(exts);
    if (targets.length === 0) return { kind: 'failed', status: busy > 0 ? 486 : 480 };
    const to = o.transfer && exts.length === 1 ? exts[0] as string : call.info.callee;
    const ringer = new Ringer(this.deps.stack, `<sip:${to}@${this.hostPort()}>`);
    const entry: Ringing = { call, ringer, invite: inv, offer };
    if (call.phase === 'offered') call.phase = 'ringing';
    const from = callerFrom(call.info.callerName, call.info.caller, this.hostPort());
    let ringingSent = false;
    return ringer.ring(targets, {
      offer, from, signal: o.signal, timeoutMs: o.timeoutMs ?? this.opts.calls.ring_timeout_s * 1000, tag: () => o.tag ?? call.nextTag(),
      onRinging: (ext) => {
        call.ringing.add(ext);
        this.ringingExt.set(ext, entry);
        this.deps.bus.publish('call.ringing', { extension: ext, ...(o.transfer ? { transfer: true } : {}) }, call.id);
        this.deps.blf?.update(ext, { id: `${call.id}-r`, state: 'early', direction: 'recipient', remote: call.info.caller });
        if (!ringingSent && inv?.state === 'pending') inv.progress(180);
        ringingSent = true;
      },
      onStopRinging: (ext, answered) => {
        call.ringing.delete(ext);
        if (this.ringingExt.get(ext) === entry) this.ringingExt.delete(ext);
        // The one who answers goes from early to confirmed (answered()), with no idle flicker between.
        if (!answered) this.deps.blf?.update(ext, { id: `${call.id}-r`, state: 'terminated', direction: 'recipient' });
      },
    });
  }

  private async settleRing(call: Call, inv: IncomingInvite, outcome: RingOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'answered':
        await this.connect(call, inv, { dialog: outcome.dialog, tag: outcome.tag, ext: outcome.ext });
        return;
      case 'taken':
        return; // the pickup connects it
      case 'cancelled':
        await this.end(call, { cause: 'cancelled', disposition: 'abandoned', by: 'caller' });
        return;
      case 'timeout':
        if (inv.state === 'pending') inv.reject(480, { reason: 'No Answer' });
        await this.end(call, { cause: 'no_answer', disposition: 'no_answer', by: 'system' });
        return;
      case 'failed': {
        if (inv.state === 'pending') inv.reject(outcome.status);
        const busy = outcome.status === 486 || outcome.status === 600;
        await this.end(call, { cause: busy ? 'busy' : 'unavailable', disposition: busy ? 'busy' : 'failed', by: 'system' });
      }
    }
  }

  /** The callee answered (`b`): answer A with rtpengine's SDP and bridge the two. */
  async connect(call: Call, inv: IncomingInvite, b: { dialog: Leg['dialog']; tag: string; ext?: string }): Promise<void> {
    const bSdp = b.dialog.remoteSdp;
    try {
      if (bSdp === undefined) throw new Error('the answer has no SDP');
      const aSdp = await call.media.answer(bSdp, 'a', b.tag);
      const a = await this.deps.stack.createUAS(inv, { localSdp: aSdp });
      call.a = { dialog: a, tag: 'a', media: inv.sdp === undefined ? undefined : mediaAddress(inv.sdp) };
    } catch (err) {
      call.log.info({ callId: call.id, reason: errorMessage(err) }, 'answer not completed');
      void b.dialog.destroy();
      if (inv.state === 'pending') inv.reject(500);
      await this.end(call, { cause: inv.state === 'cancelled' ? 'cancelled' : 'failed', disposition: inv.state === 'cancelled' ? 'abandoned' : 'failed', by: 'caller' });
      return;
    }
    call.b = { dialog: b.dialog, tag: b.tag, ...(b.ext !== undefined ? { ext: b.ext } : {}), media: mediaAddress(bSdp) };
    this.answered(call, b.ext);
  }

  /** Both legs are up: events, BLF, line state, recording from answer, the bridge and the safety timers. */
  answered(call: Call, ext: string | undefined): void {
    call.phase = 'up';
    call.answeredExt = ext;
    this.deps.bus.publish('call.answered', ext !== undefined ? { extension: ext } : {}, call.id);
    if (ext !== undefined) this.trackBlf(call, ext, 'recipient');
    if (call.callerExt !== undefined) this.deps.blf?.update(call.callerExt, { id: `${call.id}-i`, state: 'confirmed', direction: 'initiator', remote: call.info.callee });
    if (call.info.line !== undefined) this.deps.board.apply(call.info.line, { type: 'answered' });
    call.onAnswer?.();
    call.onAnswer = undefined;
    call.setBridge(bridgeLegs(call, this));
    this.armSafetyTimers(call);
    call.log.info({ callId: call.id, extension: ext }, 'call answered');
  }

  private armSafetyTimers(call: Call): void {
    const max = setTimeout(() => void this.end(call, { cause: 'max_duration', by: 'system' }), this.opts.calls.max_call_s * 1000);
    max.unref();
    const every = (this.opts.mediaCheckS ?? 10) * 1000;
    // Each call starts its checks at a random point of the period: 100 calls answered together must
    // not send rtpengine 100 queries in one burst (replies get lost in the UDP buffer).
    let check: NodeJS.Timeout | undefined;
    const first = setTimeout(() => {
      void this.checkMedia(call);
      check = setInterval(() => void this.checkMedia(call), every);
      check.unref();
    }, Math.floor(Math.random() * every));
    first.unref();
    call.onCleanup(() => { clearTimeout(max); clearTimeout(first); if (check) clearInterval(check); });
    // A gateway that missed the far end's hang-up passes the exchange's disconnect tone to us: listen for it.
    const gatewayTag = call.info.customerIsA ? call.a?.tag : call.b?.tag;
    if (call.info.line !== undefined && gatewayTag !== undefined) {
      watchDisconnectTone(call, gatewayTag, { ng: this.deps.ng, calls: this.opts.calls, onTone: () => void this.end(call, { cause: 'disconnect_tone', by: 'system' }) });
    }
  }

  /** rtpengine drops a call whose media stopped for its `timeout`: the call then ends as no_media. */
  private async checkMedia(call: Call): Promise<void> {
    if (call.ended) return;
    try {
      await call.media.query();
    } catch (err) {
      if (call.ended) return;
      if (errorMessage(err).includes('Unknown call-id')) await this.end(call, { cause: 'no_media', by: 'system' });
    }
  }

  /** BLF for `ext` on this call: confirmed (answered) or trying (calling out), terminated at the end. */
  private trackBlf(call: Call, ext: string, direction: 'initiator' | 'recipient'): void {
    const id = `${call.id}-${direction === 'initiator' ? 'i' : 'r'}`;
    if (direction === 'initiator') {
      call.callerExt = ext;
      this.deps.blf?.update(ext, { id, state: 'trying', direction, remote: call.info.callee });
    } else {
      this.deps.blf?.update(ext, { id, state: 'confirmed', direction, remote: call.info.caller });
    }
    call.onCleanup(() => this.deps.blf?.update(ext, { id, state: 'terminated', direction }));
  }

  /** After a transfer: the new party's BLF shows the call; the transferor's leg is gone. */
  transferred(call: Call, from: Leg, to: Leg, _stays: Leg): void {
    if (from.ext !== undefined) {
      this.deps.blf?.update(from.ext, { id: `${call.id}-r`, state: 'terminated', direction: 'recipient' });
      if (call.callerExt === from.ext) call.callerExt = undefined;
    }
    if (to.ext !== undefined) this.trackBlf(call, to.ext, 'recipient');
    call.answeredExt = to.ext;
    // The CDR names the extension of the last answer: the one the caller ends up with.
    if (to.ext !== undefined) this.deps.bus.publish('call.answered', { extension: to.ext, transfer: true }, call.id);
  }

  /** `*8` (any ringing call) or `**EXT` (the call ringing EXT): the picker's phone takes it. */
  private async pickup(inv: IncomingInvite, picker: string, ext: string | undefined): Promise<void> {
    const entry = ext !== undefined ? this.ringingExt.get(ext) : [...this.ringingExt.values()].find((r) => !r.call.ended && r.invite !== undefined);
    const pickerSdp = inv.sdp;
    const callerInvite = entry?.invite;
    if (!entry || callerInvite === undefined || callerInvite.state !== 'pending' || pickerSdp === undefined) {
      inv.reject(480, { reason: 'Nothing To Pick Up' });
      return;
    }
    const { call } = entry;
    entry.ringer.take();
    const tag = call.nextTag('p');
    try {
      // The picker's offer serves as the answer to the caller's offer; the picker gets rtpengine's side.
      const aSdp = await call.media.answer(pickerSdp, 'a', tag);
      const b = await this.deps.stack.createUAS(inv, { localSdp: entry.offer });
      const a = await this.deps.stack.createUAS(callerInvite, { localSdp: aSdp });
      call.a = { dialog: a, tag: 'a', media: callerInvite.sdp === undefined ? undefined : mediaAddress(callerInvite.sdp) };
      call.b = { dialog: b, tag, ext: picker, media: mediaAddress(pickerSdp) };
    } catch (err) {
      call.log.info({ callId: call.id, reason: errorMessage(err) }, 'pickup failed');
      if (inv.state === 'pending') inv.reject(480);
      if (callerInvite.state === 'pending') callerInvite.reject(480);
      await this.end(call, { cause: 'failed', disposition: 'failed', by: 'system' });
      return;
    }
    this.deps.bus.publish('call.picked_up', { extension: picker, ...(ext !== undefined ? { from: ext } : {}) }, call.id);
    this.answered(call, picker);
  }

  // BridgeHost

  legGone(call: Call, leg: Leg): void {
    void this.end(call, { cause: leg === call.a ? 'caller_hangup' : 'callee_hangup', by: leg === call.a ? 'caller' : 'callee' });
  }

  async hold(call: Call, leg: Leg, on: boolean): Promise<void> {
    const other = call.other(leg);
    if (!other) return;
    if (on && call.heldBy === undefined) {
      call.heldBy = leg;
      await call.media.block(leg.tag);
      await call.media.play(other.tag, this.opts.mohFile);
      this.deps.bus.publish('call.held', { by: leg === call.a ? 'caller' : 'callee', ...(leg.ext ? { extension: leg.ext } : {}) }, call.id);
    } else if (!on && call.heldBy === leg) {
      call.heldBy = undefined;
      await call.media.stopPlay(other.tag).catch(() => undefined);
      await call.media.unblock(leg.tag);
      this.deps.bus.publish('call.resumed', { by: leg === call.a ? 'caller' : 'callee' }, call.id);
    }
  }

  infoDigit(call: Call, leg: Leg, digit: string): void {
    this.deps.bus.publish('call.dtmf', { digit, source: 'info', leg: leg === call.a ? 'caller' : 'callee' }, call.id);
    if (leg === call.a) this.ivrCalls.get(call.id)?.digit(digit);
  }

  refer(call: Call, leg: Leg, refer: ReferRequest): void {
    void transferCall(this, call, leg, refer).catch((err: unknown) => call.log.warn({ err, callId: call.id }, 'transfer failed'));
  }

  /** The ringing entry of a call whose A leg is `invite` (attended transfer onto a ringing call). */
  ringingFor(invite: IncomingInvite): { call: Call; ringer: Ringer } | undefined {
    for (const r of this.ringingExt.values()) if (r.invite === invite && !r.call.ended) return r;
    return undefined;
  }


  allCalls(): IterableIterator<Call> {
    return this.calls.values();
  }

  /**
   * Ends the call once: both legs hung up (or A refused), rtpengine's call deleted, the recording
   * converted, `call.ended` and the final CDR written.
   */
  async end(call: Call, e: EndInfo): Promise<void> {
    if (!call.markEnded(e)) return;
    this.calls.delete(call.id);
    for (const leg of [call.a, call.b]) if (leg) void leg.dialog.destroy();
    await call.media.delete();
    this.deps.records.end(call.id, { cause: e.cause, ...(e.disposition ? { disposition: e.disposition } : {}), ...(e.by ? { by: e.by } : {}) });
    call.log.info({ callId: call.id, cause: e.cause }, 'call ended');
    if (call.recordingId !== undefined) {
      const left = call.customer?.media;
      await this.deps.recordings.finish(call.recordingId, left ? { left } : {});
    }
  }

  hostPort(): string {
    const l = this.deps.stack.local;
    return l.address.includes(':') ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`;
  }
}

/** From of the INVITE to a phone: the caller's number and name, which the phone shows. */
function callerFrom(name: string, number: string, hostPort: string): string {
  const user = /^[0-9+*#]+$/.test(number) ? number : 'anonymous';
  const display = name.replace(/["\\\r\n]/g, '').slice(0, 64);
  return `${display ? `"${display}" ` : ''}<sip:${user}@${hostPort}>`;
}

function challengeHeaders(res: SipResponse): Array<[string, string]> {
  return res.headers.getAll('Proxy-Authenticate').map((v) => ['Proxy-Authenticate', v]);
}
