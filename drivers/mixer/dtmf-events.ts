/**
 * RFC 4733 telephone-event packets of one participant → one digit per key press.
 *
 * A sender repeats an event in many packets (updates with the same RTP timestamp, then the end
 * packet, itself sent three times). A key is new when its timestamp is new, or when a packet that
 * is not an end follows the end of the same timestamp (senders replaying fixed timestamps, like
 * SIPp's pcaps). Packets not newer than the last one by sequence number (duplicates, reordering)
 * are ignored, so a late update never reads as a second key.
 */
const DIGITS = '0123456789*#';

/** Bytes of an event payload (RFC 4733 §2.3): event, E|R|volume, duration. */
const EVENT_BYTES = 4;

export interface DtmfPacket {
  ssrc: number;
  sequence: number;
  timestamp: number;
  payload: Uint8Array;
}

export class DtmfEvents {
  private started = false;
  private ssrc = 0;
  private seq = 0;
  private ts = 0;
  private event = -1;
  private ended = false;

  /** The digit this packet starts (0-9, *, #), or undefined (a repeat, not a digit, malformed). */
  onPacket(p: DtmfPacket): string | undefined {
    if (p.payload.length < EVENT_BYTES) return undefined;
    if (this.started && p.ssrc === this.ssrc && ((p.sequence - this.seq) << 16) >> 16 <= 0) return undefined;
    const event = p.payload[0] as number;
    const end = ((p.payload[1] as number) & 0x80) !== 0;
    const isNew = !this.started || p.ssrc !== this.ssrc || p.timestamp !== this.ts || event !== this.event || (this.ended && !end);
    this.started = true;
    this.ssrc = p.ssrc;
    this.seq = p.sequence;
    this.ts = p.timestamp;
    this.event = event;
    this.ended = end;
    return isNew ? DIGITS[event] : undefined;
  }
}

/** The samples an event packet covers so far (its duration field). */
export function eventDuration(payload: Uint8Array): number {
  return payload.length < EVENT_BYTES ? 0 : ((payload[2] as number) << 8) | (payload[3] as number);
}
