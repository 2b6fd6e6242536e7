export interface RtpPacket {
  version: number;
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  csrcs: number[];
  /** The media bytes: after CSRCs and the header extension, without padding. */
  payload: Buffer;
}

/**
 * Parse an RTP header (RFC 3550 §5.1), or undefined when the bytes are not RTP version 2 or are
 * shorter than the header, CSRC list, extension and padding they announce. RTCP (PT 72–76 with
 * the marker bit, RFC 5761 §4) is not RTP either.
 */
export function parseRtp(b: Buffer): RtpPacket | undefined {
  if (b.length < 12) return undefined;
  const b0 = b[0] as number;
  const b1 = b[1] as number;
  const version = b0 >> 6;
  if (version !== 2) return undefined;
  if (b1 >= 200 && b1 <= 204) return undefined; // RTCP SR/RR/SDES/BYE/APP
  const padding = (b0 & 0x20) !== 0;
  const extension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;
  let off = 12 + 4 * csrcCount;
  if (b.length < off) return undefined;
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrcs.push(b.readUInt32BE(12 + 4 * i));
  if (extension) {
    if (b.length < off + 4) return undefined;
    off += 4 + 4 * b.readUInt16BE(off + 2);
    if (b.length < off) return undefined;
  }
  let end = b.length;
  if (padding) {
    const pad = b[b.length - 1] as number;
    if (pad === 0 || end - pad < off) return undefined;
    end -= pad;
  }
  return {
    version, padding, extension, csrcCount, csrcs,
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence: b.readUInt16BE(2),
    timestamp: b.readUInt32BE(4),
    ssrc: b.readUInt32BE(8),
    payload: b.subarray(off, end),
  };
}
