import t from 'tap';
import { ULAW_TABLE } from '../pcap/g711.js';
import { JitterBuffer } from './jitter-buffer.js';

/**
 * Packets carry a constant µ-law byte, so every played frame names the packet it came from:
 * packet k holds byte 0x80 + k (positive values), silence is '.', concealment (half gain) is 'h'.
 */
const byteOf = (k: number) => 0x80 + (k % 100);
const label = new Map<number, string>();
for (let k = 0; k < 100; k++) label.set(ULAW_TABLE[byteOf(k)] as number, String(k));

function frameLabel(active: boolean, f: Int16Array): string {
  if (!active) return '.';
  const first = f[0] as number;
  if (f.every((v) => v === first)) return label.get(first) ?? (first === 0 ? 'z' : 'h');
  return 'mixed';
}

class Stream {
  readonly jb: JitterBuffer;
  readonly out: string[] = [];
  private readonly f = new Int16Array(160);
  constructor(depth = 2, public ssrc = 7, public seq0 = 100, public ts0 = 5000) {
    this.jb = new JitterBuffer(depth);
  }
  /** Packet k of a stream of `size`-sample packets. */
  put(k: number, size = 160, o: { seq?: number; ts?: number; ssrc?: number } = {}): boolean {
    const seq = o.seq ?? ((this.seq0 + k) & 0xffff);
    const ts = o.ts ?? ((this.ts0 + k * size) >>> 0);
    return this.jb.put(o.ssrc ?? this.ssrc, seq, ts, new Uint8Array(size).fill(byteOf(k)), ULAW_TABLE);
  }
  tick(n = 1): void {
    for (let i = 0; i < n; i++) this.out.push(frameLabel(this.jb.read(this.f), this.f));
  }
  get played(): string {
    return this.out.join(' ');
  }
}

t.test('playout starts `depth` frames after the first packet, in sequence order', async (t) => {
  const s = new Stream(2);
  s.tick(); // nothing yet: not even lead-in
  s.put(0);
  s.tick();
  s.put(1);
  s.tick();
  for (let k = 2; k < 5; k++) { s.put(k); s.tick(); }
  s.tick(3);
  t.equal(s.played, '. . . 0 1 2 3 4 h', 'nothing before the first packet, two frames of lead-in, the packets, then the last one at half gain');
  s.tick(2);
  t.equal(s.out.slice(-2).join(' '), '. .', 'then silence');
  t.equal(s.jb.concealed, 0, 'the end of a stream is not a loss');
});

t.test('reordered and duplicated packets land in their place', async (t) => {
  const s = new Stream(2);
  // What arrives in each 20 ms: 2 before 1, 5 before 4, duplicates of 1 and 4, and a stale copy of 2.
  for (const arrivals of [[0], [2], [1, 1], [3], [5], [4, 4], [2], [6], [7], [], []]) {
    for (const k of arrivals) s.put(k);
    s.tick();
  }
  t.equal(s.played, '. . 0 1 2 3 4 5 6 7 h');
  t.equal(s.jb.late, 1, 'the stale copy of 2 came after its time');
  t.equal(s.jb.concealed, 0);
});

t.test('sequence numbers and timestamps wrap around', async (t) => {
  const s = new Stream(1, 7, 0xfffe, 2 ** 32 - 320);
  for (let k = 0; k < 6; k++) { s.put(k); s.tick(); }
  s.tick();
  t.equal(s.played, '. 0 1 2 3 4 5', 'seq 65534 → 3, timestamps across 2^32');
});

t.test('a packet after its time is dropped and its frame concealed once at half gain, then silence', async (t) => {
  const s = new Stream(1);
  for (const arrivals of [[0], [1], [4], [], [5], [2, 3], [6], []]) {
    for (const k of arrivals) {
      const taken = s.put(k);
      if (k === 2 || k === 3) t.notOk(taken, `packet ${k}, older than 4 and after its time, is dropped`);
    }
    s.tick();
  }
  t.equal(s.played, '. 0 1 h . 4 5 6');
  t.equal(s.jb.late, 2);
  t.equal(s.jb.concealed, 2, 'the two frames audio followed are losses');
  const f = new Int16Array(160);
  const s2 = new Stream(0);
  s2.put(0);
  s2.jb.read(f);
  s2.jb.read(f);
  t.equal(f[0], (ULAW_TABLE[byteOf(0)] as number) >> 1, 'the repeat is the last frame at half gain');
});

t.test('10 ms and 30 ms packets re-frame to 20 ms', async (t) => {
  const s10 = new Stream(1);
  for (let k = 0; k < 8; k++) s10.put(k, 80);
  s10.tick(5);
  t.equal(s10.out.slice(1).join(' '), 'mixed mixed mixed mixed', 'each frame two 10 ms packets');
  t.equal(s10.jb.concealed, 0);
  const s30 = new Stream(0);
  for (let k = 0; k < 2; k++) s30.put(k, 240);
  s30.tick(3);
  t.equal(s30.played, '0 mixed 1', '60 ms of 30 ms packets = three 20 ms frames');
});

t.test('a new SSRC follows what is buffered, without a gap or a loss', async (t) => {
  const s = new Stream(2);
  s.put(0); s.put(1); s.put(2);
  s.tick(2);
  s.put(10, 160, { ssrc: 99, seq: 9, ts: 123 }); // a new source, its own numbering
  s.put(11, 160, { ssrc: 99, seq: 10, ts: 283 });
  s.tick(6);
  t.equal(s.played, '. . 0 1 2 10 11 h', 'the old stream\'s buffered frames, then the new one');
  t.equal(s.jb.concealed, 0);
});

t.test('a sender behind our clock (its packets in sequence but late) is re-synchronised', async (t) => {
  const s = new Stream(1);
  s.put(0); s.tick(); s.put(1); s.tick();
  s.tick(3); // the sender paused (its clock too: hold)
  t.ok(s.put(2), 'the next packet in sequence is taken though its time has passed');
  s.put(3); s.tick(); s.put(4); s.tick(3);
  t.equal(s.played, '. 0 1 h . . 2 3 4');
  t.equal(s.jb.concealed, 3, 'the frames missed until it came back count as concealed');
});

t.test('a timestamp jump forward re-synchronises right after what is buffered', async (t) => {
  const s = new Stream(1);
  s.put(0); s.tick(); s.put(1); s.tick();
  s.put(2, 160, { ts: 5000 + 160 * 2 + 8000 * 60 }); // a minute later on the sender's clock, same SSRC
  s.put(3, 160, { ts: 5000 + 160 * 3 + 8000 * 60 });
  s.tick(3);
  t.equal(s.played, '. 0 1 2 3');
  t.equal(s.jb.concealed, 0);
});

t.test('a burst too far ahead drops the oldest frames', async (t) => {
  const s = new Stream(1);
  s.put(0); s.tick();
  for (let k = 1; k < 10; k++) s.put(k); // 9 frames at once; the reach is (2 × 1 + 4) frames
  s.tick(3);
  t.equal(s.played, '. 6 7 8', 'at packet 7, out of reach, playout jumped to one frame (the depth) before it: back to the set latency');
  t.equal(s.jb.concealed, 0, 'dropped frames are not concealment');
});

t.test('a stream starting while the mixer owes ticks is placed that much further ahead', async (t) => {
  let owed = 3;
  const jb = new JitterBuffer(2, () => owed);
  const f = new Int16Array(160);
  jb.put(7, 1, 0, new Uint8Array(160).fill(0x80), ULAW_TABLE);
  const played: boolean[] = [];
  for (let i = 0; i < 3; i++) played.push(jb.read(f)); // the catch-up
  owed = 0;
  for (let i = 0; i < 3; i++) played.push(jb.read(f));
  t.same(played, [false, false, false, false, false, true], 'the catch-up does not eat the depth: two frames of lead-in remain');
});

t.test('RFC 4733 time filled with silence is neither concealed nor a loss; garbage is refused', async (t) => {
  const s = new Stream(1);
  s.put(0); s.tick();
  s.jb.fillSilence(7, 5000 + 160, 320);
  s.put(3);
  s.tick(4);
  t.equal(s.played, '. 0 z z 3');
  t.equal(s.jb.concealed, 0);
  t.notOk(s.jb.put(7, 200, 9999, new Uint8Array(0), ULAW_TABLE), 'an empty payload is refused');
  t.notOk(s.jb.put(7, 200, 9999, new Uint8Array(4000), ULAW_TABLE), 'half a second in one packet is refused');
});
