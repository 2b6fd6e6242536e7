import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeG711 } from '../../drivers/pcap/g711.js';
import { rtpPacket } from '../../drivers/pcap/pcap-writer.js';
import { parseRtp } from '../../drivers/pcap/rtp-header.js';
import { energy, goertzelPower } from '../../drivers/tones/goertzel.js';
import { G711_DECODE, G711_STATIC_PT, type G711 } from '../../drivers/mixer/audio-sdp.js';
import { encodeTable } from '../../drivers/mixer/g711-encoder.js';
import type { Endpoint } from '../../drivers/mixer/participant.js';

/** One RTP packet a party got from the mixer, decoded. */
export interface Heard {
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  samples: Int16Array;
  from: string;
  /** performance.now() when it arrived. */
  at: number;
}

/** A packet to send at `atMs` after the start of a stream. */
export interface Scheduled { atMs: number; packet: Buffer }

export interface ToneOptions {
  freqHz: number;
  codec?: G711;
  payloadType?: number;
  ssrc?: number;
  /** Samples per packet (default 160, 20 ms). */
  samples?: number;
  amplitude?: number;
}

/** A sine's power in a 160-sample frame (Goertzel), for a tone of `amplitude` that fills it. */
export const fullPower = (amplitude: number): number => (160 * amplitude * amplitude) / 2;

/**
 * A party of a test conference, standing for rtpengine's side of one leg: a loopback UDP socket
 * that sends a G.711 tone as RTP and keeps every packet it receives, decoded. Closed at test end.
 */
export class RtpParty {
  readonly heard: Heard[] = [];
  private seq = Math.floor(Math.random() * 0x10000);
  private ts = Math.floor(Math.random() * 2 ** 32);
  private n = 0;

  private constructor(readonly sock: Socket) {
    sock.on('message', (msg, from) => {
      const rtp = parseRtp(msg);
      if (!rtp) return;
      const codec: G711 = rtp.payloadType === G711_STATIC_PT.PCMA ? 'PCMA' : 'PCMU';
      this.heard.push({
        payloadType: rtp.payloadType, sequence: rtp.sequence, timestamp: rtp.timestamp, ssrc: rtp.ssrc, marker: rtp.marker,
        samples: decodeG711(rtp.payload, G711_DECODE[codec]), from: `${from.address}:${from.port}`, at: performance.now(),
      });
    });
  }

  static async open(t: { teardown(fn: () => unknown): void }): Promise<RtpParty> {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1');
    await once(s, 'listening');
    t.teardown(() => new Promise<void>((r) => s.close(() => r())));
    return new RtpParty(s);
  }

  get endpoint(): Endpoint {
    return { address: '127.0.0.1', port: this.sock.address().port };
  }

  /** The next `count` packets of a continuous tone (sequence, timestamp and phase carry on between calls). */
  tone(count: number, o: ToneOptions): Buffer[] {
    const codec = o.codec ?? 'PCMU';
    const enc = encodeTable(codec);
    const size = o.samples ?? 160;
    const out: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const payload = Buffer.alloc(size);
      for (let j = 0; j < size; j++, this.n++) {
        const v = Math.round((o.amplitude ?? 8000) * Math.sin((2 * Math.PI * o.freqHz * this.n) / 8000));
        payload[j] = enc[v & 0xffff] as number;
      }
      out.push(rtpPacket({ pt: o.payloadType ?? G711_STATIC_PT[codec], seq: this.seq, ts: this.ts, ssrc: o.ssrc ?? 0x1000, payload, marker: this.n === size }));
      this.seq = (this.seq + 1) & 0xffff;
      this.ts = (this.ts + size) >>> 0;
    }
    return out;
  }

  /** RFC 4733 packets of one key: `updates` packets 20 ms apart, then the end packet three times (one sequence number). */
  key(event: number, o: { payloadType: number; ssrc?: number; updates?: number }): Buffer[] {
    const updates = o.updates ?? 5;
    const start = this.ts;
    const out: Buffer[] = [];
    for (let i = 1; i <= updates + 1; i++) {
      const end = i > updates;
      const payload = Buffer.from([event, (end ? 0x80 : 0) | 10, 0, 0]);
      payload.writeUInt16BE(i * 160, 2);
      const packet = rtpPacket({ pt: o.payloadType, seq: this.seq, ts: start, ssrc: o.ssrc ?? 0x1000, payload, marker: i === 1 });
      out.push(...(end ? [packet, packet, packet] : [packet]));
      this.seq = (this.seq + 1) & 0xffff;
    }
    // Audio resumes after the key's time.
    this.ts = (start + (updates + 1) * 160) >>> 0;
    this.n += (updates + 1) * 160;
    return out;
  }

  /** A fresh stream: new sequence and timestamp origins (what a new SSRC brings). */
  restart(): void {
    this.seq = Math.floor(Math.random() * 0x10000);
    this.ts = Math.floor(Math.random() * 2 ** 32);
  }

  send(packet: Buffer, to: Endpoint): void {
    this.sock.send(packet, to.port, to.address);
  }

  /** Sends packets on their schedule, paced in real time from now (absolute times, no drift). */
  async play(to: Endpoint, schedule: readonly Scheduled[]): Promise<void> {
    const started = performance.now();
    for (const s of [...schedule].sort((a, b) => a.atMs - b.atMs)) {
      const wait = started + s.atMs - performance.now();
      if (wait > 0) await sleep(wait);
      this.send(s.packet, to);
    }
  }

  /** Packets one after the other, `everyMs` apart. */
  static paced(packets: readonly Buffer[], everyMs = 20, fromMs = 0): Scheduled[] {
    return packets.map((packet, i) => ({ atMs: fromMs + i * everyMs, packet }));
  }

  /** Frames received so far whose power at `hz` shows that tone (at least a quarter of `amplitude`'s full power: a half-gain repeat counts). */
  framesWith(hz: number, amplitude = 8000, from = 0): number {
    return this.heard.slice(from).filter((h) => goertzelPower(h.samples, hz, 8000) >= fullPower(amplitude) / 4.5).length;
  }

  /** The largest share of any frame's energy at `hz` (0 when the tone never got through). */
  maxShare(hz: number, from = 0): number {
    let max = 0;
    for (const h of this.heard.slice(from)) {
      const e = energy(h.samples);
      if (e > 0) max = Math.max(max, goertzelPower(h.samples, hz, 8000) / e);
    }
    return max;
  }

  /** Frames received so far with any sound at all. */
  soundFrames(from = 0): number {
    return this.heard.slice(from).filter((h) => energy(h.samples) > 160 * 100).length;
  }
}
