import { readFile, writeFile } from 'node:fs/promises';
import { PcapError } from './errors.js';
import { ALAW_TABLE, ULAW_TABLE, decodeG711 } from './g711.js';
import { parsePcap } from './pcap-reader.js';
import { parseRtp } from './rtp-header.js';
import { placeOnTimeline, type TimedFrame } from './rtp-timeline.js';
import { assertLinkType, udpFromFrame } from './udp-packet.js';
import { stereoWav } from './wav-writer.js';

/** Which RTP stream feeds a channel: every given field must match (source address/port of the packets, or SSRC). */
export interface StreamSelector {
  address?: string;
  port?: number;
  ssrc?: number;
}

export type G711Codec = 'PCMU' | 'PCMA';

export interface StereoWavOptions {
  /** Default: the first RTP stream (source address:port) seen. */
  left?: StreamSelector;
  /**
   * Default: every stream that is not left's (what the caller hears may come from several sources in
   * turn: the agent's phone, music on hold, a transfer's new party, the conference mixer).
   */
  right?: StreamSelector;
  /** telephone-event payload types to skip (default [101]; take them from the SDP). PT 13 (CN) is always skipped. */
  dtmfPayloadTypes?: number[];
  /** Keep the records before a partial last one (a pcap whose writer was killed) instead of PCAP_TRUNCATED. */
  dropCutTail?: boolean;
  /** Decodable payload types (default { 0: 'PCMU', 8: 'PCMA' }). */
  payloadTypes?: Record<number, G711Codec>;
}

export interface ChannelStats {
  /** `address:port` of the streams that fed the channel, in order of appearance. */
  sources: string[];
  ssrcs: number[];
  packets: number;
  /** Capture time (µs since the epoch) of its first packet, if any. */
  firstUs: number | undefined;
}

export interface StereoWavResult {
  path: string;
  sampleRate: 8000;
  frames: number;
  durationMs: number;
  /** Capture time (µs since the epoch) of sample 0. */
  startUs: number;
  left: ChannelStats;
  right: ChannelStats;
  /** Packets left out: telephone-event, comfort noise, other codecs, non-RTP UDP. */
  skipped: { dtmf: number; comfortNoise: number; otherCodec: number; notRtp: number };
}

const RATE = 8000;

/**
 * rtpengine pcap recording → 8 kHz 16-bit stereo WAV: G.711 RTP of the left stream on channel 0,
 * the right stream on channel 1, each placed by RTP timestamp and both on the capture clock.
 */
export async function pcapToStereoWav(pcapPath: string, outWavPath: string, o: StereoWavOptions = {}): Promise<StereoWavResult> {
  let buf: Buffer;
  try {
    buf = await readFile(pcapPath);
  } catch (err) {
    throw new PcapError('PCAP_READ_FAILED', `cannot read ${pcapPath}: ${(err as Error).message}`, { cause: err });
  }
  const { linkType, records } = parsePcap(buf, { dropCutTail: o.dropCutTail ?? false });
  assertLinkType(linkType);
  const dtmf = new Set(o.dtmfPayloadTypes ?? [101]);
  const codecs = o.payloadTypes ?? { 0: 'PCMU', 8: 'PCMA' };
  const skipped = { dtmf: 0, comfortNoise: 0, otherCodec: 0, notRtp: 0 };
  const flows: string[] = [];
  const frames: Array<TimedFrame & { address: string; port: number; flow: string }> = [];
  for (const rec of records) {
    const udp = udpFromFrame(linkType, rec.data);
    const rtp = udp && parseRtp(udp.payload);
    if (!udp || !rtp) { skipped.notRtp++; continue; }
    if (dtmf.has(rtp.payloadType)) { skipped.dtmf++; continue; }
    if (rtp.payloadType === 13) { skipped.comfortNoise++; continue; }
    const codec = codecs[rtp.payloadType];
    if (!codec) { skipped.otherCodec++; continue; }
    const flow = `${udp.src.includes(':') ? `[${udp.src}]` : udp.src}:${udp.srcPort}`;
    if (!flows.includes(flow)) flows.push(flow);
    frames.push({
      timeUs: rec.timeUs, ssrc: rtp.ssrc, timestamp: rtp.timestamp, address: udp.src, port: udp.srcPort, flow,
      samples: decodeG711(rtp.payload, codec === 'PCMU' ? ULAW_TABLE : ALAW_TABLE),
    });
  }
  const matches = (s: StreamSelector, f: { address: string; port: number; ssrc: number }) =>
    (s.address === undefined || s.address === f.address) && (s.port === undefined || s.port === f.port) &&
    (s.ssrc === undefined || s.ssrc === f.ssrc);
  const leftFlow = o.left ? undefined : flows[0];
  const isLeft = (f: (typeof frames)[number]) => (o.left ? matches(o.left, f) : f.flow === leftFlow);
  const isRight = (f: (typeof frames)[number]) => !isLeft(f) && (o.right ? matches(o.right, f) : true);
  const left = frames.filter(isLeft);
  const right = frames.filter(isRight);
  if (left.length === 0) {
    throw new PcapError('PCAP_STREAM_NOT_FOUND', `${pcapPath}: no G.711 RTP stream ${o.left ? `matches the left selector ${JSON.stringify(o.left)}` : 'at all'} (streams: ${flows.join(', ') || 'none'})`);
  }
  if (o.right && right.length === 0) {
    throw new PcapError('PCAP_STREAM_NOT_FOUND', `${pcapPath}: no G.711 RTP stream matches the right selector ${JSON.stringify(o.right)} (streams: ${flows.join(', ')})`);
  }
  const startUs = Math.min(...[left[0], right[0]].flatMap((f) => (f ? [f.timeUs] : [])));
  const l = placeOnTimeline(left, { rate: RATE, originUs: startUs });
  const r = placeOnTimeline(right, { rate: RATE, originUs: startUs });
  try {
    await writeFile(outWavPath, stereoWav(l, r, RATE));
  } catch (err) {
    throw new PcapError('PCAP_WRITE_FAILED', `cannot write ${outWavPath}: ${(err as Error).message}`, { cause: err });
  }
  const n = Math.max(l.length, r.length);
  return {
    path: outWavPath, sampleRate: RATE, frames: n, durationMs: Math.round((n * 1000) / RATE), startUs,
    left: stats(left), right: stats(right), skipped,
  };
}

function stats(frames: ReadonlyArray<TimedFrame & { flow: string }>): ChannelStats {
  return {
    sources: [...new Set(frames.map((f) => f.flow))],
    ssrcs: [...new Set(frames.map((f) => f.ssrc))],
    packets: frames.length,
    firstUs: frames[0]?.timeUs,
  };
}
