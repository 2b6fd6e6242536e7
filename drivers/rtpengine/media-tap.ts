import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { decodeG711 } from '../pcap/g711.js';
import { parseRtp } from '../pcap/rtp-header.js';
import { G711_DECODE, audioStream } from '../mixer/audio-sdp.js';
import { RtpengineError } from './errors.js';
import type { NgClient } from './ng-client.js';

/** One RTP packet of the tapped leg, decoded to 16-bit linear samples (8 kHz). */
export interface TapFrame {
  samples: Int16Array;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
}

export interface MediaTapOptions {
  /** rtpengine's call-id (the call's media id). */
  callId: string;
  /** The leg whose media is copied to the tap (the audio that party sends). */
  fromTag: string;
  /** The subscription's own tag (default `tap-<fromTag>`): it names the tap in rtpengine. */
  toTag?: string;
  /** Where the tap receives: it must be reachable from rtpengine (default 127.0.0.1, rtpengine on this host). */
  address?: string;
}

/** Payload type → decoding table, for the G.711 codecs an offer carries (static PTs or by rtpmap name). */
export type DecodeTables = Map<number, Int16Array>;

/**
 * A listen-only copy of one leg's media (rtpengine `subscribe request` / `subscribe answer`): the
 * audio a party sends, decoded per packet for detectors (disconnect tone). It never sends media and
 * never disturbs the call: a bad packet is dropped, a codec it cannot decode is ignored.
 */
export class MediaTap extends EventEmitter<{ frame: [TapFrame] }> {
  private tables: DecodeTables = new Map();
  /** rtpengine's address:port for the copy: packets from anyone else are dropped (no injected tones). */
  private source = '';
  private closed = false;

  private constructor(private readonly ng: () => NgClient, private readonly log: Logger, private readonly sock: Socket, readonly opts: Required<MediaTapOptions>) {
    super();
    sock.on('message', (msg, from) => this.onPacket(msg, `${from.address}:${from.port}`));
    sock.on('error', (err) => log.debug({ err, callId: opts.callId }, 'media tap socket error'));
  }

  /** Binds the socket and subscribes; rejects (socket closed) when rtpengine refuses. */
  static async open(ng: () => NgClient, log: Logger, o: MediaTapOptions): Promise<MediaTap> {
    const opts = { toTag: `tap-${o.fromTag}`, address: '127.0.0.1', ...o };
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, opts.address, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    const tap = new MediaTap(ng, log, sock, opts);
    try {
      await tap.subscribe();
    } catch (err) {
      await tap.closeSocket();
      throw err;
    }
    return tap;
  }

  /** The local port rtpengine sends the copy to. */
  get port(): number {
    return this.sock.address().port;
  }

  /** Subscribes under our tag (a subscription survives re-offers of the leg: a transfer keeps it). */
  private async subscribe(): Promise<void> {
    const { callId, fromTag, toTag, address } = this.opts;
    const offer = await this.ng().command('subscribeRequest', { 'call-id': callId, 'from-tag': fromTag, 'to-tag': toTag, flags: ['trust-address'] });
    const sdp = offer['sdp'];
    if (typeof sdp !== 'string') throw new RtpengineError('RTPENGINE_ERROR', `rtpengine subscribe request (${callId}/${fromTag}): reply has no SDP`);
    const answer = subscriberAnswer(sdp, address, this.port);
    this.tables = answer.tables;
    this.source = answer.source;
    await this.ng().command('subscribeAnswer', { 'call-id': callId, 'to-tag': toTag, sdp: answer.sdp, flags: ['trust-address'] });
  }

  /** Ends the subscription and closes the socket; never throws (the call may be gone already). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.removeAllListeners('frame');
    try {
      await this.ng().command('unsubscribe', { 'call-id': this.opts.callId, 'to-tag': this.opts.toTag });
    } catch (err) {
      this.log.debug({ err, callId: this.opts.callId }, 'media tap: unsubscribe failed (call gone?)');
    }
    await this.closeSocket();
  }

  private closeSocket(): Promise<void> {
    return new Promise((r) => {
      try {
        this.sock.close(() => r());
      } catch {
        r(); // already closed
      }
    });
  }

  private onPacket(msg: Buffer, from: string): void {
    if (from !== this.source) return;
    const frame = decodeTapPacket(msg, this.tables);
    if (frame) this.emit('frame', frame);
  }
}

/** An RTP packet → a decoded frame; undefined for anything not RTP or not G.711 (telephone-event, comfort noise). */
export function decodeTapPacket(msg: Buffer, tables: DecodeTables): TapFrame | undefined {
  const rtp = parseRtp(msg);
  if (!rtp || rtp.payload.length === 0) return undefined;
  const table = tables.get(rtp.payloadType);
  if (!table) return undefined;
  return { samples: decodeG711(rtp.payload, table), payloadType: rtp.payloadType, sequence: rtp.sequence, timestamp: rtp.timestamp, ssrc: rtp.ssrc };
}

/**
 * The subscriber's answer to rtpengine's sendonly offer: every offered codec accepted (rtpengine
 * rejects an answer that drops one, telephone-event included), receive-only, to `address:port`.
 * Also returns which payload types are G.711 and so can be decoded, and where rtpengine sends from
 * (the offer's connection address and port).
 */
export function subscriberAnswer(offer: string, address: string, port: number): { sdp: string; tables: DecodeTables; source: string } {
  const audio = audioStream(offer);
  if (!audio) throw new RtpengineError('RTPENGINE_ERROR', 'rtpengine subscribe request: the offer has no audio');
  const tables: DecodeTables = new Map(audio.g711.map((g) => [g.payloadType, G711_DECODE[g.codec]]));
  const sdp = [
    'v=0', `o=- 1 1 IN IP4 ${address}`, 's=octoline-tap', `c=IN IP4 ${address}`, 't=0 0',
    `m=audio ${port} RTP/AVP ${audio.payloadTypes.join(' ')}`, ...audio.formats, 'a=recvonly', '',
  ].join('\r\n');
  return { sdp, tables, source: `${audio.address}:${audio.port}` };
}
