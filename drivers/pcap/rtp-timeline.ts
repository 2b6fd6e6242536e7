import { PcapError } from './errors.js';

/** One decoded RTP packet of a channel, in capture order. */
export interface TimedFrame {
  /** Capture time, µs since the epoch. */
  timeUs: number;
  ssrc: number;
  /** RTP timestamp (32-bit, sample clock). */
  timestamp: number;
  samples: Int16Array;
}

export interface TimelineOptions {
  /** Sample rate of the RTP clock and of the output (8000 for G.711). */
  rate: number;
  /** Capture time (µs) of sample 0 of the output: shared by both channels so they line up. */
  originUs: number;
  /** Re-anchor on capture time when RTP time and capture time drift apart by more than this (default 2 s). */
  maxSkewMs?: number;
  /** Refuse to build a channel longer than this (default 12 h): a corrupt time stamp, not a call. */
  maxSeconds?: number;
}

interface Anchor {
  ssrc: number;
  lastTs: number;
  lastExt: number;
  anchorExt: number;
  anchorPos: number;
}

/**
 * Lay one channel's packets on a sample grid. Within one SSRC a packet's place is its RTP timestamp
 * (unwrapped across 2^32, so reordered and duplicated packets land where they belong); a new SSRC
 * (or a jump of more than `maxSkewMs` against capture time) is anchored by the capture time of its
 * first packet, snapped to the end of what came before when that is within two packets. Samples
 * never written stay 0: gaps become silence.
 */
export function placeOnTimeline(frames: readonly TimedFrame[], o: TimelineOptions): Int16Array {
  const maxSkew = Math.round(((o.maxSkewMs ?? 2000) * o.rate) / 1000);
  const placed: Array<{ pos: number; samples: Int16Array }> = [];
  let anchor: Anchor | undefined;
  let end = 0;
  for (const f of frames) {
    const capturePos = Math.round(((f.timeUs - o.originUs) * o.rate) / 1_000_000);
    if (anchor && anchor.ssrc === f.ssrc) {
      const ext = anchor.lastExt + ((f.timestamp - anchor.lastTs) | 0);
      anchor.lastTs = f.timestamp;
      anchor.lastExt = ext;
      if (Math.abs(anchor.anchorPos + (ext - anchor.anchorExt) - capturePos) > maxSkew) anchor = undefined;
    }
    if (!anchor || anchor.ssrc !== f.ssrc) {
      const snap = placed.length > 0 && Math.abs(capturePos - end) <= 2 * f.samples.length;
      anchor = { ssrc: f.ssrc, lastTs: f.timestamp, lastExt: 0, anchorExt: 0, anchorPos: snap ? end : capturePos };
    }
    const pos = anchor.anchorPos + (anchor.lastExt - anchor.anchorExt);
    placed.push({ pos, samples: f.samples });
    end = Math.max(end, pos + f.samples.length);
  }
  const limit = (o.maxSeconds ?? 12 * 3600) * o.rate;
  if (end > limit) throw new PcapError('PCAP_CORRUPT', `RTP time stamps span ${Math.round(end / o.rate)} s, more than ${limit / o.rate} s`);
  const out = new Int16Array(end);
  for (const p of placed) {
    if (p.pos >= 0) out.set(p.samples, p.pos);
    else if (p.pos + p.samples.length > 0) out.set(p.samples.subarray(-p.pos), 0);
  }
  return out;
}
