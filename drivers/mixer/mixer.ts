import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import { systemClock } from '../clock.js';
import { MixerError } from './errors.js';
import { FRAME, MAX_DEPTH } from './jitter-buffer.js';
import { Participant, type Endpoint, type ParticipantCodec } from './participant.js';
import { TickClock } from './tick-clock.js';

export type { G711 } from './audio-sdp.js';
export type { Endpoint, ParticipantCodec } from './participant.js';

export interface MixerStats { participants: number; ticks: number; lateTicks: number; framesIn: number; framesConcealed: number; busyMs: number }

export interface MixerOptions {
  /** Where participants' sockets bind (default 127.0.0.1: rtpengine on this host). */
  address?: string;
  /** Playout depth in 20 ms frames, 0..15 (default 3): the mixer's added latency is about this × 20 ms. */
  jitterFrames?: number;
  log?: Logger;
}

const PERIOD_MS = 20;

/**
 * The box's own audio conference (rtpengine 10.5 relays but cannot mix): each participant is one
 * UDP socket that rtpengine relays a party's RTP to; every 20 ms each participant that receives is
 * sent the sum of the parties it hears, never itself (mix-minus), in its own codec. Supervisor
 * listen (hears both, heard by nobody), whisper (heard by the agent only), barge and three-way
 * calls are all `hears` lists. G.711 only; RFC 4733 keys are reported, not mixed.
 */
export class Mixer extends EventEmitter<{ dtmf: [id: string, digit: string] }> {
  private readonly parts = new Map<string, Participant>();
  /** Ids being added (socket not bound yet): taken, so a second add() of one is refused at once. */
  private readonly adding = new Set<string>();
  private list: Participant[] = [];
  private hearsChanged = false;
  private readonly acc = new Int32Array(FRAME);
  private readonly clock: TickClock;
  private closed = false;
  private ticks = 0;
  private busyMs = 0;
  /** Counts of participants already removed, so the totals never go down. */
  private gone = { framesIn: 0, framesConcealed: 0 };

  private constructor(private readonly address: string, private readonly depth: number, private readonly log: Logger) {
    super();
    this.clock = new TickClock(systemClock, { periodMs: PERIOD_MS }, () => this.tick(), (n) => this.skip(n));
  }

  /** Opens a conference with its own 20 ms drift-free clock (absolute schedule start + n*20ms, not setInterval drift). */
  static open(opts: MixerOptions = {}): Mixer {
    const depth = opts.jitterFrames ?? 3;
    if (!Number.isInteger(depth) || depth < 0 || depth > MAX_DEPTH) {
      throw new MixerError('MIXER_BAD_OPTION', `mixer: jitterFrames must be a whole number of frames from 0 to ${MAX_DEPTH}, not ${depth}`);
    }
    const mixer = new Mixer(opts.address ?? '127.0.0.1', depth, opts.log ?? pino({ enabled: false }));
    mixer.clock.start();
    return mixer;
  }

  /** A new participant: binds a UDP socket on `address`, returns where to send its audio. */
  async add(id: string, o: ParticipantCodec & { hears: readonly string[]; send?: boolean }): Promise<Endpoint> {
    if (this.closed) throw new MixerError('MIXER_CLOSED', `mixer: cannot add ${id}, the conference is closed`);
    if (this.has(id) || this.adding.has(id)) throw new MixerError('MIXER_DUPLICATE_PARTICIPANT', `mixer: ${id} is already in the conference`);
    checkCodec(id, o);
    this.adding.add(id);
    let sock: Socket;
    try {
      sock = await this.bind(id);
    } finally {
      this.adding.delete(id);
    }
    if (this.closed) {
      sock.close();
      throw new MixerError('MIXER_CLOSED', `mixer: cannot add ${id}, the conference closed meanwhile`);
    }
    const p = new Participant(sock, {
      id, codec: o.codec, payloadType: o.payloadType, telephoneEventPt: o.telephoneEventPt,
      hears: [...o.hears], send: o.send ?? true, depth: this.depth, overdue: () => this.clock.overdue(), log: this.log,
      onDtmf: (digit) => this.emit('dtmf', id, digit),
    });
    this.parts.set(id, p);
    this.membersChanged();
    this.log.debug({ participant: id, endpoint: p.endpoint, codec: o.codec, hears: o.hears, send: p.send }, 'mixer: participant added');
    return p.endpoint;
  }

  /** Where this participant's mix goes; until set (or after), the source of its received RTP is latched (symmetric RTP). */
  setRemote(id: string, to: Endpoint): void {
    this.get(id).remote = { address: to.address, port: to.port };
  }

  /** Whom this participant hears (mix-minus: never itself). Takes effect at the next tick. */
  setHears(id: string, hears: readonly string[]): void {
    this.get(id).hears = [...hears];
    this.hearsChanged = true;
  }

  has(id: string): boolean {
    return this.parts.has(id);
  }

  /** Takes the participant out at once (nobody hears it from the next tick); unknown ids are ignored. */
  async remove(id: string): Promise<void> {
    const p = this.parts.get(id);
    if (!p) return;
    this.parts.delete(id);
    this.gone.framesIn += p.framesIn;
    this.gone.framesConcealed += p.jitter.concealed;
    this.membersChanged();
    this.log.debug({ participant: id, framesIn: p.framesIn, concealed: p.jitter.concealed, late: p.jitter.late, dropped: p.dropped }, 'mixer: participant removed');
    await p.close();
  }

  /** Stops the clock and closes every socket; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clock.stop();
    await Promise.all([...this.parts.keys()].map((id) => this.remove(id)));
  }

  stats(): MixerStats {
    let framesIn = this.gone.framesIn;
    let framesConcealed = this.gone.framesConcealed;
    for (const p of this.list) {
      framesIn += p.framesIn;
      framesConcealed += p.jitter.concealed;
    }
    return { participants: this.parts.size, ticks: this.ticks, lateTicks: this.clock.late, framesIn, framesConcealed, busyMs: this.busyMs };
  }

  private get(id: string): Participant {
    const p = this.parts.get(id);
    if (!p) throw new MixerError('MIXER_UNKNOWN_PARTICIPANT', `mixer: no participant ${id} in this conference`);
    return p;
  }

  private membersChanged(): void {
    this.list = [...this.parts.values()];
    this.hearsChanged = true;
  }

  private async bind(id: string): Promise<Socket> {
    const sock = createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(0, this.address, () => {
          sock.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      sock.close();
      throw new MixerError('MIXER_BIND_FAILED', `mixer: no UDP port for ${id} on ${this.address}: ${(err as Error).message}`, { cause: err });
    }
    return sock;
  }

  /** One 20 ms step: every frame out of its buffer, then every mix out. Never throws (it runs from a timer). */
  private tick(): void {
    const t0 = performance.now();
    try {
      if (this.hearsChanged) this.resolveHears();
      const list = this.list;
      for (const p of list) p.playout();
      for (const p of list) p.sendMix(this.acc);
    } catch (err) {
      this.log.error({ err }, 'mixer: tick failed');
    }
    this.ticks++;
    this.busyMs += performance.now() - t0;
  }

  private skip(ticks: number): void {
    this.log.warn({ ticks }, 'mixer: stalled, skipping ticks');
    for (const p of this.list) p.skip(ticks);
  }

  private resolveHears(): void {
    this.hearsChanged = false;
    for (const p of this.list) {
      const heard = new Set<Participant>();
      for (const id of p.hears) {
        const q = this.parts.get(id);
        if (q && q !== p) heard.add(q);
      }
      p.heard = [...heard];
    }
  }
}

function checkCodec(id: string, o: ParticipantCodec): void {
  const pt = (x: number | undefined) => x === undefined || (Number.isInteger(x) && x >= 0 && x <= 127);
  if ((o.codec !== 'PCMU' && o.codec !== 'PCMA') || !pt(o.payloadType) || !pt(o.telephoneEventPt)) {
    throw new MixerError('MIXER_BAD_OPTION', `mixer: ${id} needs codec PCMU or PCMA with payload types 0-127 (got ${o.codec}/${o.payloadType}, events ${o.telephoneEventPt})`);
  }
}
