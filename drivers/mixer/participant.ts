import { randomInt } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import type { Logger } from 'pino';
import { parseRtp, type RtpPacket } from '../pcap/rtp-header.js';
import { G711_DECODE, G711_STATIC_PT, type G711 } from './audio-sdp.js';
import { DtmfEvents, eventDuration } from './dtmf-events.js';
import { encodeTable } from './g711-encoder.js';
import { FRAME, JitterBuffer } from './jitter-buffer.js';
import { MAX_CATCH_UP } from './tick-clock.js';

export interface Endpoint { address: string; port: number }
export interface ParticipantCodec { codec: G711; payloadType: number; telephoneEventPt?: number }

/**
 * Packets kept per participant for sending. dgram sends on the next turn of the event loop, so a
 * buffer must not be rewritten by the ticks of one catch-up burst.
 */
const SEND_BUFFERS = MAX_CATCH_UP + 3;
const HEADER = 12;

export interface ParticipantOptions extends ParticipantCodec {
  id: string;
  hears: readonly string[];
  send: boolean;
  depth: number;
  /** Ticks due but not run yet (the mixer's clock catching up). */
  overdue: () => number;
  log: Logger;
  onDtmf: (digit: string) => void;
}

/**
 * One party of a conference: its UDP socket (what it sends arrives here, its mix leaves from
 * here), its playout buffer, and its outgoing RTP stream. Everything per tick works on buffers
 * allocated here once.
 */
export class Participant {
  readonly id: string;
  readonly send: boolean;
  /** This tick's frame of what the participant said, and whether it holds any sound. */
  readonly frame = new Int16Array(FRAME);
  frameActive = false;
  hears: readonly string[];
  /** `hears` resolved to participants, without itself and duplicates (by the mixer, at a tick). */
  heard: Participant[] = [];
  remote: Endpoint | undefined;
  framesIn = 0;
  dropped = 0;
  readonly jitter: JitterBuffer;
  private readonly dtmf = new DtmfEvents();
  /** Audio payload types taken: the negotiated one, and the static G.711 types (a peer may switch). */
  private readonly decode = new Map<number, Int16Array>();
  private readonly encode: Uint8Array;
  private readonly silence: number;
  private readonly packets: Buffer[] = [];
  private nextPacket = 0;
  private seq = randomInt(0x10000);
  private ts = randomInt(0x100000000);
  private first = true;

  constructor(private readonly sock: Socket, private readonly o: ParticipantOptions) {
    this.id = o.id;
    this.send = o.send;
    this.hears = o.hears;
    this.jitter = new JitterBuffer(o.depth, o.overdue);
    for (const codec of ['PCMU', 'PCMA'] as const) this.decode.set(G711_STATIC_PT[codec], G711_DECODE[codec]);
    this.decode.set(o.payloadType, G711_DECODE[o.codec]);
    this.encode = encodeTable(o.codec);
    this.silence = this.encode[0] as number;
    const ssrc = randomInt(0x100000000);
    for (let i = 0; i < SEND_BUFFERS; i++) {
      const b = Buffer.alloc(HEADER + FRAME);
      b[0] = 0x80;
      b.writeUInt32BE(ssrc, 8);
      this.packets.push(b);
    }
    sock.on('message', (msg, from) => this.received(msg, from));
    sock.on('error', (err) => o.log.warn({ err, participant: o.id }, 'mixer: participant socket error'));
  }

  get endpoint(): Endpoint {
    const a = this.sock.address();
    return { address: a.address, port: a.port };
  }

  /** Takes this tick's frame out of the playout buffer. */
  playout(): void {
    this.frameActive = this.jitter.read(this.frame);
  }

  /** The mixer stalled for `ticks`: playout and the outgoing timestamps move on, nothing is sent for that time. */
  skip(ticks: number): void {
    this.jitter.skip(ticks);
    this.ts = (this.ts + ticks * FRAME) >>> 0;
  }

  /** Sends the sum of what this participant hears this tick (silence when nobody), once its remote is known. */
  sendMix(acc: Int32Array): void {
    const to = this.remote;
    if (!this.send || !to) return;
    const pkt = this.packets[this.nextPacket] as Buffer;
    this.nextPacket = (this.nextPacket + 1) % SEND_BUFFERS;
    pkt[1] = (this.first ? 0x80 : 0) | this.o.payloadType;
    pkt.writeUInt16BE(this.seq, 2);
    pkt.writeUInt32BE(this.ts, 4);
    if (this.mix(acc)) this.encodeInto(pkt, acc);
    else pkt.fill(this.silence, HEADER);
    this.first = false;
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + FRAME) >>> 0;
    try {
      this.sock.send(pkt, to.port, to.address);
    } catch (err) {
      this.o.log.warn({ err, participant: this.id }, 'mixer: send failed');
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.sock.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }

  /** Sums the active frames heard into `acc`; false when there is nothing to hear. */
  private mix(acc: Int32Array): boolean {
    let any = false;
    for (const q of this.heard) {
      if (!q.frameActive) continue;
      const f = q.frame;
      if (!any) {
        for (let i = 0; i < FRAME; i++) acc[i] = f[i] as number;
        any = true;
      } else {
        for (let i = 0; i < FRAME; i++) acc[i] = (acc[i] as number) + (f[i] as number);
      }
    }
    return any;
  }

  private encodeInto(pkt: Buffer, acc: Int32Array): void {
    const enc = this.encode;
    for (let i = 0; i < FRAME; i++) {
      const v = acc[i] as number;
      const clipped = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      pkt[HEADER + i] = enc[clipped & 0xffff] as number;
    }
  }

  /** Never throws: what is not RTP of a payload type we take is dropped and counted. */
  private received(msg: Buffer, from: RemoteInfo): void {
    const rtp = parseRtp(msg);
    if (!rtp) return this.drop('not RTP');
    if (rtp.payloadType === this.o.telephoneEventPt) {
      this.latch(from);
      return this.event(rtp);
    }
    const table = this.decode.get(rtp.payloadType);
    if (!table) return this.drop(`payload type ${rtp.payloadType}`);
    this.latch(from);
    if (this.jitter.put(rtp.ssrc, rtp.sequence, rtp.timestamp, rtp.payload, table)) this.framesIn++;
    else this.dropped++;
  }

  private event(rtp: RtpPacket): void {
    // The key's time is silence in the mix, not a loss to conceal.
    this.jitter.fillSilence(rtp.ssrc, rtp.timestamp, eventDuration(rtp.payload));
    const digit = this.dtmf.onPacket(rtp);
    if (digit !== undefined) this.o.onDtmf(digit);
  }

  /** Symmetric RTP: the mix goes where the participant's RTP comes from (the latest source wins). */
  private latch(from: RemoteInfo): void {
    const r = this.remote;
    if (r && r.port === from.port && r.address === from.address) return;
    this.o.log.debug({ participant: this.id, from: `${from.address}:${from.port}` }, 'mixer: remote latched');
    this.remote = { address: from.address, port: from.port };
  }

  private drop(why: string): void {
    if (this.dropped++ === 0) this.o.log.debug({ participant: this.id, why }, 'mixer: packet dropped (first of this participant)');
  }
}
