/**
 * One participant's playout buffer: RTP packets in, one 20 ms frame of 16-bit samples out per tick.
 *
 * Samples are placed by RTP timestamp in a ring (so 10 ms or 30 ms packets re-frame to 20 ms by
 * themselves, and reordered or duplicated packets land in their place); the sequence number decides
 * which packet is the newest. Playout runs `depth` frames behind the first packet of a stream.
 * - A packet whose samples were all played already is late: dropped. If it is nevertheless the
 *   newest, the sender's clock is behind ours (or was paused): the stream is re-synchronised on it.
 * - The newest packet too far ahead of playout: after a timestamp jump (a discontinuity) the stream
 *   is re-synchronised to go on right after what is buffered; a buffer over-full with contiguous
 *   audio (a burst, a sender clock running fast) drops its oldest frames instead.
 * - A new SSRC is a new stream, re-synchronised the same way (no gap when one source replaces another).
 * - A frame with no sample: the last frame once at half gain, then silence. It counts as concealed
 *   when audio follows within the buffer's reach; a longer gap is a pause, not a loss.
 */
export const FRAME = 160;

const RING = 16384;
const MASK = RING - 1;
/** The longest payload taken (200 ms); anything longer is not telephone audio. */
export const MAX_PACKET_SAMPLES = 1600;
/** Playout depths the ring can hold with room for the newest packet ahead (300 ms). */
export const MAX_DEPTH = 15;

export class JitterBuffer {
  private readonly depth: number;
  private readonly pcm = new Int16Array(RING);
  private readonly have = new Uint8Array(RING);
  private readonly last = new Int16Array(FRAME);
  private readonly aheadLimit: number;
  /** The most overdue ticks taken into account, so the ring always holds what is ahead. */
  private readonly maxOverdue: number;
  private anchored = false;
  private ssrc = 0;
  /** The newest packet's sequence number and its RTP timestamp ↔ ring position (the unwrapping reference). */
  private refSeq = 0;
  private refTs = 0;
  private refPos = 0;
  /** Where the newest packet ends: a re-synchronised stream goes on from here. */
  private refEnd = 0;
  /** Ring position of the next sample to play. */
  private readPos: number;
  /** Frames before this position are the lead-in of a stream, not losses. */
  private startPos = 0;
  private lastWasConcealed = true;
  private pendingMisses = 0;
  /** Frames played by concealment that audio followed (losses). */
  concealed = 0;
  /** Packets dropped because they came after their samples were played. */
  late = 0;

  /**
   * `depth`: playout delay in frames, 0..MAX_DEPTH. `overdue`: ticks due but not run yet (the mixer
   * is catching up after a stall); a stream starting then is placed that much further ahead, or
   * the catch-up would eat its depth.
   */
  constructor(depth: number, private readonly overdue: () => number = () => 0) {
    this.depth = Math.max(0, Math.min(MAX_DEPTH, Math.floor(depth)));
    this.readPos = -this.depth * FRAME;
    // How far ahead of playout the newest packet may start: the depth twice over plus bursts.
    this.aheadLimit = (2 * this.depth + 4) * FRAME;
    this.maxOverdue = Math.floor((RING - this.aheadLimit - 2 * MAX_PACKET_SAMPLES) / FRAME);
  }

  /** Places one packet's samples, decoded with `table`; false when it was dropped. */
  put(ssrc: number, seq: number, ts: number, payload: Uint8Array, table: Int16Array): boolean {
    const n = payload.length;
    if (n === 0 || n > MAX_PACKET_SAMPLES) return false;
    if (!this.anchored || ssrc !== this.ssrc) this.startStream(ssrc, seq, ts, n);
    else if (!this.place(seq, ts, n)) return false;
    this.write(this.refPos + ((ts - this.refTs) | 0), payload, table);
    return true;
  }

  /**
   * Marks `samples` from RTP timestamp `ts` as silence where no audio is buffered: the time an RFC
   * 4733 event stands for (senders send events instead of audio), so it is not taken for a loss.
   */
  fillSilence(ssrc: number, ts: number, samples: number): void {
    if (!this.anchored || ssrc !== this.ssrc) return;
    const pos = this.refPos + ((ts - this.refTs) | 0);
    const from = Math.max(pos, this.readPos);
    const to = Math.min(pos + samples, this.readPos + this.reach());
    for (let p = from; p < to; p++) {
      const k = p & MASK;
      if (this.have[k]) continue;
      this.pcm[k] = 0;
      this.have[k] = 1;
    }
  }

  /** The next 20 ms into `out`; false when it is silence (nothing to mix). */
  read(out: Int16Array): boolean {
    if (!this.anchored) return false;
    const start = this.readPos;
    this.readPos += FRAME;
    let got = 0;
    for (let i = 0; i < FRAME; i++) {
      const k = (start + i) & MASK;
      if (this.have[k]) {
        out[i] = this.pcm[k] as number;
        this.have[k] = 0;
        got++;
      } else {
        out[i] = 0;
      }
    }
    if (got > 0) return this.played(out);
    if (start < this.startPos) return false;
    this.pendingMisses++;
    if (this.lastWasConcealed) return false;
    this.lastWasConcealed = true;
    for (let i = 0; i < FRAME; i++) out[i] = (this.last[i] as number) >> 1;
    return true;
  }

  /** Time passed without playout (the mixer stalled): `frames` are dropped unplayed, nothing is concealed. */
  skip(frames: number): void {
    if (this.anchored) this.skipTo(this.readPos + frames * FRAME);
  }

  /** Checks a packet of the current stream against playout, re-synchronising when it must; false to drop it. */
  private place(seq: number, ts: number, n: number): boolean {
    const newest = ((seq - this.refSeq) << 16) >> 16 > 0;
    const pos = this.refPos + ((ts - this.refTs) | 0);
    const tooLate = pos + n <= this.readPos;
    const tooEarly = pos > this.readPos + this.reach();
    if ((tooLate || tooEarly) && !newest) {
      if (tooLate) this.late++;
      return false;
    }
    let at = pos;
    if (tooLate || (tooEarly && pos > this.refEnd + MAX_PACKET_SAMPLES)) at = this.resync();
    else if (tooEarly) this.skipTo(pos - (this.depth + this.lag()) * FRAME);
    if (newest) this.setReference(seq, ts, at, n);
    return true;
  }

  private played(out: Int16Array): boolean {
    this.last.set(out);
    this.lastWasConcealed = false;
    // A gap the buffer could have bridged was a loss; a longer one was the sender pausing.
    if (this.pendingMisses * FRAME <= this.aheadLimit) this.concealed += this.pendingMisses;
    this.pendingMisses = 0;
    return true;
  }

  /** A new stream (first packet, or a new SSRC): it goes on from what is buffered, at least `depth` frames ahead. */
  private startStream(ssrc: number, seq: number, ts: number, n: number): void {
    if (!this.anchored) this.lastWasConcealed = true;
    this.anchored = true;
    this.ssrc = ssrc;
    const at = this.resync();
    this.setReference(seq, ts, at, n);
    this.startPos = at;
    this.pendingMisses = 0;
  }

  private setReference(seq: number, ts: number, pos: number, n: number): void {
    this.refSeq = seq;
    this.refTs = ts;
    this.refPos = pos;
    this.refEnd = pos + n;
  }

  /**
   * The position a re-synchronised packet goes to: right after the newest buffered audio, and at
   * least `depth` frames ahead of playout (at most the buffer's reach); anything buffered from
   * there on is dropped.
   */
  private resync(): number {
    const lag = this.lag();
    const at = Math.min(Math.max(this.refEnd, this.readPos + (this.depth + lag) * FRAME), this.readPos + this.aheadLimit + lag * FRAME);
    for (let p = at; p < this.readPos + RING; p++) this.have[p & MASK] = 0;
    return at;
  }

  /** Ticks the mixer owes (bounded): playout is that much behind real time. */
  private lag(): number {
    return Math.min(this.overdue(), this.maxOverdue);
  }

  /** How far ahead of playout a packet may start. */
  private reach(): number {
    return this.aheadLimit + this.lag() * FRAME;
  }

  /** Playout jumps forward to `pos`; the frames in between are dropped unplayed. */
  private skipTo(pos: number): void {
    if (pos - this.readPos >= RING) this.have.fill(0);
    else for (let p = this.readPos; p < pos; p++) this.have[p & MASK] = 0;
    this.readPos = Math.max(this.readPos, pos);
  }

  private write(pos: number, payload: Uint8Array, table: Int16Array): void {
    const from = Math.max(pos, this.readPos);
    const end = pos + payload.length;
    for (let p = from; p < end; p++) {
      const k = p & MASK;
      this.pcm[k] = table[payload[p - pos] as number] as number;
      this.have[k] = 1;
    }
  }
}
