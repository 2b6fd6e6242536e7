import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../drivers/coded-error.js';
import { mixerOffer, mixerAnswer } from '../../drivers/mixer/mixer-sdp.js';
import type { Dialog, InDialogRequest, IncomingInvite } from '../../drivers/sip/ua/index.js';
import type { SuperviseMode, SupervisorControl } from '../acd/acd-types.js';
import { AcdError } from '../acd/errors.js';
import { infoDigit } from './bridge.js';
import type { Call, Leg } from './call.js';
import type { CallEngine } from './call-engine.js';
import { Conference } from './conference.js';

/**
 * Supervisor listen / whisper / barge and the agent's three-way call (FEATURES.md 7), from a desk
 * phone (555/556/557 + the agent's extension; then 4, 5, 6 switch modes) or from the API (the box
 * rings the supervisor's phone first). Only extensions with supervisor rights may listen in; each
 * supervisor's phone is a call of its own, joined to the agent's call through the mixer.
 */
export class Supervision implements SupervisorControl {
  private readonly conferences = new Map<string, Conference>();
  private readonly starting = new Map<string, Promise<Conference>>();

  constructor(private readonly engine: CallEngine) {}

  /** May `ext`'s phone supervise? A user with role supervisor or admin is linked to it. */
  canSupervise(ext: string): boolean {
    const role = this.engine.deps.store.users.roleForExtension(ext);
    return role === 'supervisor' || role === 'admin';
  }

  /** The answered call `agent` is on, with the agent's leg. */
  private agentCall(agent: string): { call: Call; leg: Leg } | undefined {
    for (const call of this.engine.allCalls()) {
      if (call.phase !== 'up' || call.ended) continue;
      const leg = call.b?.ext === agent ? call.b : call.a?.ext === agent ? call.a : undefined;
      if (leg && call.other(leg)) return { call, leg };
    }
    return undefined;
  }

  /** The call's conference, started once even when two supervisors join together. */
  private conferenceFor(call: Call, leg: Leg): Promise<Conference> {
    const have = this.conferences.get(call.id);
    if (have && !have.isClosed) return Promise.resolve(have);
    let p = this.starting.get(call.id);
    if (!p) {
      p = Conference.start(call, leg, { ng: this.engine.deps.ng, jitterFrames: this.engine.opts.acd.mixer_jitter_frames }).then((conf) => {
        this.conferences.set(call.id, conf);
        conf.onModeDigit = (id, mode) => this.switchMode(conf, id, mode);
        call.onCleanup(() => this.conferences.delete(call.id));
        return conf;
      }).finally(() => this.starting.delete(call.id));
      this.starting.set(call.id, p);
    }
    return p;
  }

  private switchMode(conf: Conference, id: string, mode: SuperviseMode): void {
    if (conf.modeOf(id) === mode) return;
    conf.setMode(id, mode);
    this.engine.deps.bus.publish('supervise.mode', { participant: id, agent: conf.agentExt, mode }, conf.call.id);
  }

  /** A supervisor dialled 555/556/557 + `agent`. */
  async dialIn(inv: IncomingInvite, supervisor: string, agent: string, mode: SuperviseMode): Promise<void> {
    const { engine } = this;
    if (!this.canSupervise(supervisor)) {
      engine.deps.bus.publish('supervise.refused', { supervisor, agent, reason: 'not a supervisor' });
      inv.reject(403, { reason: 'Not A Supervisor' });
      return;
    }
    const target = this.agentCall(agent);
    const offer = inv.sdp;
    if (!target || offer === undefined) {
      inv.reject(480, { reason: 'Agent Not On A Call' });
      return;
    }
    const supCall = engine.openCall(inv, {
      direction: 'internal', caller: supervisor, callerName: '', callee: inv.request.uri.kind === 'sip' ? inv.request.uri.user ?? '' : '', ext: supervisor, customerIsA: true, record: 'off',
    });
    try {
      const conf = await this.conferenceFor(target.call, target.leg);
      const towardsMixer = await supCall.media.offer(offer, 'a');
      const mixerSide = await conf.join(supCall.id, mode, towardsMixer);
      const forPhone = await supCall.media.answer(mixerSide, 'a', 'mix');
      const dialog = await engine.deps.stack.createUAS(inv, { localSdp: forPhone });
      this.joined(conf, supCall, dialog, supervisor, mode);
    } catch (err) {
      supCall.log.warn({ callId: supCall.id, err: errorMessage(err) }, 'supervise: could not join');
      if (inv.state === 'pending') inv.reject(500);
      await engine.end(supCall, { cause: 'failed', disposition: 'failed', by: 'system' });
    }
  }

  /** The supervisor's (or third party's) phone is in: events, digits, and who ends what. */
  private joined(conf: Conference, supCall: Call, dialog: Dialog, ext: string, mode: SuperviseMode, kind: 'supervise' | 'conference' = 'supervise'): void {
    const { engine } = this;
    const monitored = conf.call;
    supCall.a = { dialog, tag: 'a', ext };
    supCall.phase = 'up';
    engine.deps.bus.publish(kind === 'supervise' ? 'supervise.started' : 'conference.joined', { participant: supCall.id, extension: ext, agent: conf.agentExt, mode }, monitored.id);
    engine.deps.bus.publish('call.answered', { extension: ext, supervise: monitored.id }, supCall.id);
    dialog.on('info', (r: InDialogRequest) => {
      const d = infoDigit(r.body === undefined ? undefined : r.body.toString());
      const m = d === undefined ? undefined : ({ '4': 'listen', '5': 'whisper', '6': 'barge' } as const)[d as '4' | '5' | '6'];
      if (m) this.switchMode(conf, supCall.id, m);
      if (!r.answered) r.respond(200);
    });
    dialog.on('destroy', () => void engine.end(supCall, { cause: 'caller_hangup', by: 'caller' }));
    supCall.onCleanup(() => {
      void conf.leave(supCall.id);
      engine.deps.bus.publish(kind === 'supervise' ? 'supervise.ended' : 'conference.left', { participant: supCall.id, extension: ext }, monitored.id);
    });
    // The agent's call ending ends the supervisor's too.
    monitored.onCleanup(() => void engine.end(supCall, { cause: 'callee_hangup', by: 'callee' }));
  }

  // SupervisorControl (API): the box rings the supervisor's phone, then joins it.

  async supervise(supervisor: string, agent: string, mode: SuperviseMode): Promise<{ callId: string }> {
    if (!this.canSupervise(supervisor)) throw new AcdError('SUPERVISE_FORBIDDEN', `extension ${supervisor} has no supervisor rights (octoline extensions supervisor ${supervisor} on)`);
    return this.ringInto(supervisor, agent, mode, 'supervise');
  }

  async conference(agent: string, target: string): Promise<{ callId: string }> {
    if (!this.engine.deps.store.extensions.get(target)) throw new AcdError('AGENT_UNKNOWN', `there is no extension ${target}`);
    return this.ringInto(target, agent, 'barge', 'conference');
  }

  private async ringInto(ext: string, agent: string, mode: SuperviseMode, kind: 'supervise' | 'conference'): Promise<{ callId: string }> {
    const { engine } = this;
    const target = this.agentCall(agent);
    if (!target) throw new AcdError('SUPERVISE_NO_CALL', `extension ${agent} is not on an answered call`);
    const call = engine.openCall({ callId: randomUUID() }, {
      direction: 'internal', caller: agent, callerName: kind === 'supervise' ? `${mode} ${agent}` : `3-way ${agent}`, callee: ext, customerIsA: true, record: 'off',
    });
    void this.ringAndJoin(call, target, ext, mode, kind).catch((err: unknown) => {
      call.log.warn({ callId: call.id, err: errorMessage(err) }, `${kind}: could not join`);
      void engine.end(call, { cause: 'failed', disposition: 'failed', by: 'system' });
    });
    return { callId: call.id };
  }

  private async ringAndJoin(call: Call, target: { call: Call; leg: Leg }, ext: string, mode: SuperviseMode, kind: 'supervise' | 'conference'): Promise<void> {
    const { engine } = this;
    const conf = await this.conferenceFor(target.call, target.leg);
    // The mixer's side first (PCMU, what every desk phone speaks), then the phone rings with rtpengine's offer.
    const template = mixerAnswer(mixerOffer({ address: '127.0.0.1', port: 9 }), { address: '127.0.0.1', port: 9 });
    const forPhone = await call.media.offer(template, 'mix');
    const outcome = await engine.ringAnswered(call, forPhone, [ext], { tag: 'a' });
    if (outcome.kind !== 'answered') {
      await engine.end(call, { cause: outcome.kind === 'timeout' ? 'no_answer' : 'unavailable', disposition: 'no_answer', by: 'system' });
      return;
    }
    const phoneSdp = outcome.dialog.remoteSdp;
    if (phoneSdp === undefined) throw new Error('the phone answered without SDP');
    const towardsMixer = await call.media.answer(phoneSdp, 'mix', 'a');
    const mixerSide = await conf.join(call.id, mode, towardsMixer);
    // The mixer's real port replaces the template's placeholder.
    await call.media.offer(mixerSide, 'mix', 'a');
    await call.media.answer(phoneSdp, 'mix', 'a');
    this.joined(conf, call, outcome.dialog, ext, mode, kind);
  }
}
