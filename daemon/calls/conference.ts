import type { Logger } from 'pino';
import { errorMessage } from '../../drivers/coded-error.js';
import { Mixer } from '../../drivers/mixer/mixer.js';
import { mixerAnswer, participantCodec } from '../../drivers/mixer/mixer-sdp.js';
import type { NgClient } from '../../drivers/rtpengine/ng-client.js';
import { MediaSession } from '../../drivers/rtpengine/media-session.js';
import { mediaAddress } from '../../drivers/sip/ua/index.js';
import type { SuperviseMode } from '../acd/acd-types.js';
import type { Call, Leg } from './call.js';

/** A participant added on top of the call's two parties: a supervisor, or a third party (three-way). */
interface Extra {
  mode: SuperviseMode;
}

const PARTY = 'party';
const AGENT = 'agent';

/**
 * An answered call moved into the box's mixer (rtpengine 10.5 cannot mix): the far party keeps
 * its rtpengine ports (the mixer takes the agent's place on them), the agent's phone is
 * re-INVITEd to a second rtpengine call that anchors it to the mixer, and supervisors or a third
 * party join through calls of their own. Who hears whom follows the modes: listen (nobody hears
 * the supervisor), whisper (only the agent does), barge (everyone hears everyone).
 *
 * Once a call is in the mixer it stays there until it ends (20 ms × jitter depth of extra delay).
 */
export class Conference {
  private readonly extras = new Map<string, Extra>();
  private closed = false;

  private constructor(
    readonly call: Call,
    readonly agentExt: string,
    private readonly mixer: Mixer,
    private readonly agentMedia: MediaSession,
    private readonly log: Logger,
  ) {
    mixer.on('dtmf', (id, digit) => this.onDigit(id, digit));
  }

  /** Mixer digits from an extra: 4 listen, 5 whisper, 6 barge (Asterisk ChanSpy's keys). */
  onModeDigit: ((id: string, mode: SuperviseMode) => void) | undefined;

  private onDigit(id: string, digit: string): void {
    const mode = ({ '4': 'listen', '5': 'whisper', '6': 'barge' } as const)[digit as '4' | '5' | '6'];
    if (mode && this.extras.has(id)) this.onModeDigit?.(id, mode);
  }

  /**
   * Moves `call` into a new mixer. `agent` is the leg of the agent's desk phone; the other leg keeps
   * its ports. Throws when a step fails (the call is then left as it was, or ended by the caller).
   */
  static async start(call: Call, agent: Leg, o: { ng: () => NgClient; jitterFrames: number }): Promise<Conference> {
    const party = call.other(agent);
    const agentSdp = agent.dialog.remoteSdp;
    const rtpengineForAgent = agent.dialog.localSdp;
    if (!party || agentSdp === undefined || rtpengineForAgent === undefined || agent.ext === undefined) {
      throw new Error('the call has no answered agent leg to supervise');
    }
    const codec = participantCodec(agentSdp);
    if (!codec) throw new Error('the agent\'s phone does not use G.711');
    const mixer = Mixer.open({ jitterFrames: o.jitterFrames, log: call.log });
    const agentMedia = new MediaSession(o.ng, call.log, { mediaId: `${call.id}-mix` });
    const conf = new Conference(call, agent.ext, mixer, agentMedia, call.log);
    try {
      const atParty = await mixer.add(PARTY, { ...codec, hears: [AGENT] });
      const atAgent = await mixer.add(AGENT, { ...codec, hears: [PARTY] });
      // 1. The agent's phone moves to an rtpengine call of its own, anchored to the mixer.
      const forAgent = await agentMedia.offer(mixerAnswer(agentSdp, atAgent), 'mix');
      const agentAnswer = await agent.dialog.modify(forAgent);
      if (agentAnswer === undefined) throw new Error('the agent\'s phone answered the re-INVITE without SDP');
      const towardsAgent = await agentMedia.answer(agentAnswer, 'mix', AGENT);
      mixer.setRemote(AGENT, endpointOf(towardsAgent));
      // 2. On the party's call, the mixer takes the agent's place (same rtpengine ports, same codec).
      const asAgent = mixerAnswer(agentSdp, atParty);
      if (agent === call.b) {
        await call.media.answer(asAgent, 'a', agent.tag);
      } else {
        await call.media.offer(asAgent, agent.tag, party.tag);
        const partySdp = party.dialog.remoteSdp;
        if (partySdp !== undefined) await call.media.answer(partySdp, agent.tag, party.tag);
      }
      mixer.setRemote(PARTY, endpointOf(rtpengineForAgent));
    } catch (err) {
      await conf.close();
      throw err;
    }
    call.onCleanup(() => void conf.close());
    return conf;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  modeOf(id: string): SuperviseMode | undefined {
    return this.extras.get(id)?.mode;
  }

  /**
   * A new participant `id` in `mode`, whose rtpengine call offers `offer` (the SDP rtpengine gives
   * for the mixer's side). Returns the mixer's answer to give rtpengine.
   */
  async join(id: string, mode: SuperviseMode, offer: string): Promise<string> {
    const codec = participantCodec(offer);
    if (!codec) throw new Error('the supervisor\'s phone does not use G.711');
    this.extras.set(id, { mode });
    const at = await this.mixer.add(id, { ...codec, hears: [] });
    this.mixer.setRemote(id, endpointOf(offer));
    this.applyModes();
    return mixerAnswer(offer, at);
  }

  setMode(id: string, mode: SuperviseMode): void {
    const e = this.extras.get(id);
    if (!e || e.mode === mode) return;
    e.mode = mode;
    this.applyModes();
  }

  async leave(id: string): Promise<void> {
    if (!this.extras.delete(id)) return;
    this.applyModes();
    await this.mixer.remove(id).catch((err: unknown) => this.log.warn({ callId: this.call.id, err: errorMessage(err) }, 'mixer: remove failed'));
  }

  /** Who hears whom, from every extra's mode (mix-minus: nobody hears themselves). */
  private applyModes(): void {
    if (this.closed) return;
    const all = [...this.extras.entries()];
    const heardBy = (who: 'party' | 'agent'): string[] => all.filter(([, e]) => e.mode === 'barge' || (who === 'agent' && e.mode === 'whisper')).map(([id]) => id);
    this.mixer.setHears(PARTY, [AGENT, ...heardBy('party')]);
    this.mixer.setHears(AGENT, [PARTY, ...heardBy('agent')]);
    for (const [id] of all) {
      const otherBarging = all.filter(([o, e]) => o !== id && e.mode === 'barge').map(([o]) => o);
      this.mixer.setHears(id, [PARTY, AGENT, ...otherBarging]);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mixer.close().catch(() => undefined);
    await this.agentMedia.delete();
  }
}

/** Where an rtpengine SDP says its media port is. */
function endpointOf(sdp: string): { address: string; port: number } {
  const at = mediaAddress(sdp);
  if (!at) throw new Error('rtpengine\'s SDP names no media address');
  return at;
}
