import t, { type Test } from 'tap';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ULAW_TABLE } from './g711.js';
import { rtpPacket, writePcap, type PcapUdpRecord } from './pcap-writer.js';
import { pcapToStereoWav, type StereoWavOptions } from './stereo-wav.js';

const T0 = 1_700_000_000_000_000;
const CALLER = { src: '10.0.0.1', srcPort: 4000, dst: '10.0.0.9', dstPort: 30000 };
const AGENT = { src: '10.0.0.2', srcPort: 6000, dst: '10.0.0.9', dstPort: 30002 };

interface Pkt { k: number; ts: number; atMs: number; ssrc?: number; pt?: number }

/** Packet k carries 160 copies of µ-law byte 0x80 + k, so every sample tells which packet it came from. */
const byteOf = (k: number) => 0x80 + k;
const valueOf = (k: number) => ULAW_TABLE[byteOf(k)] as number;

function records(from: typeof CALLER, pkts: Pkt[]): PcapUdpRecord[] {
  return pkts.map((p, i) => ({
    ...from, timeUs: T0 + p.atMs * 1000,
    payload: rtpPacket({ pt: p.pt ?? 0, seq: i, ts: p.ts, ssrc: p.ssrc ?? 0x1234, payload: Buffer.alloc(160, byteOf(p.k)) }),
  }));
}

async function convert(t: Test, recs: PcapUdpRecord[], o: StereoWavOptions = {}) {
  const dir = t.testdir({});
  await writeFile(join(dir, 'in.pcap'), writePcap(recs.sort((a, b) => a.timeUs - b.timeUs)));
  const res = await pcapToStereoWav(join(dir, 'in.pcap'), join(dir, 'out.wav'), o);
  const wav = await readFile(join(dir, 'out.wav'));
  const frames = (wav.length - 44) / 4;
  const ch = (c: 0 | 1) => Array.from({ length: frames }, (_, i) => wav.readInt16LE(44 + i * 4 + c * 2));
  return { res, left: ch(0), right: ch(1), header: wav };
}

/** Which packet (k) each 160-sample block holds, -1 for silence. */
const blocks = (x: number[]) => Array.from({ length: Math.ceil(x.length / 160) }, (_, b) => {
  const v = x[b * 160] ?? 0;
  if (v === 0) return -1;
  for (let k = 0; k < 0x7f; k++) if (valueOf(k) === v) return k;
  return -2;
});

t.test('the WAV is 8 kHz 16-bit stereo', async (t) => {
  const { header, res } = await convert(t, records(CALLER, [{ k: 0, ts: 0, atMs: 0 }]));
  t.equal(header.toString('latin1', 0, 4), 'RIFF');
  t.equal(header.readUInt16LE(22), 2, 'two channels');
  t.equal(header.readUInt32LE(24), 8000, '8 kHz');
  t.equal(header.readUInt16LE(34), 16, '16-bit');
  t.equal(res.frames, 160);
  t.equal(res.durationMs, 20);
});

t.test('samples run on across an RTP timestamp wrap-around', async (t) => {
  const start = 2 ** 32 - 320;
  const pkts = [0, 1, 2, 3, 4].map((k) => ({ k, ts: (start + k * 160) % 2 ** 32, atMs: k * 20 }));
  const { left } = await convert(t, records(CALLER, pkts));
  t.same(blocks(left), [0, 1, 2, 3, 4], 'five packets, in order, no gap or overlap at the wrap');
});

t.test('a gap in the stream is filled with silence of the right length', async (t) => {
  const pkts = [0, 1, 4, 5].map((k) => ({ k, ts: 5000 + k * 160, atMs: k * 20 }));
  const { left, res } = await convert(t, records(CALLER, pkts));
  t.same(blocks(left), [0, 1, -1, -1, 4, 5], 'two lost packets are 40 ms of silence');
  t.ok(left.slice(320, 640).every((v) => v === 0), 'every sample of the gap is zero');
  t.equal(res.durationMs, 120);
});

t.test('reordered and duplicated packets land where their timestamps say', async (t) => {
  const order = [0, 2, 1, 1, 3, 2];
  const pkts = order.map((k, i) => ({ k, ts: 700 + k * 160, atMs: i * 20 }));
  const { left } = await convert(t, records(CALLER, pkts));
  t.same(blocks(left), [0, 1, 2, 3]);
});

t.test('a new SSRC with a timestamp jump follows on at its capture time', async (t) => {
  const pkts = [
    { k: 0, ts: 1000, atMs: 0 }, { k: 1, ts: 1160, atMs: 20 },
    { k: 2, ts: 900_000_000, atMs: 40, ssrc: 0x9999 }, { k: 3, ts: 900_000_160, atMs: 60, ssrc: 0x9999 },
    { k: 4, ts: 77, atMs: 200, ssrc: 0x7777 }, // after 120 ms without packets
  ];
  const { left, res } = await convert(t, records(CALLER, pkts));
  t.same(blocks(left), [0, 1, 2, 3, -1, -1, -1, -1, -1, -1, 4]);
  t.same(res.left.ssrcs, [0x1234, 0x9999, 0x7777]);
});

t.test('the two directions are aligned by capture time; DTMF and comfort noise are skipped', async (t) => {
  const caller = records(CALLER, [0, 1, 2, 3, 4].map((k) => ({ k, ts: 10 + k * 160, atMs: k * 20 })));
  const agent = records(AGENT, [
    { k: 10, ts: 555_000, atMs: 40 }, { k: 11, ts: 555_160, atMs: 60, pt: 101 }, { k: 12, ts: 555_320, atMs: 80, pt: 13 },
    { k: 13, ts: 555_480, atMs: 100 },
  ]);
  const { left, right, res } = await convert(t, [...caller, ...agent]);
  t.same(blocks(left), [0, 1, 2, 3, 4, -1], 'the first stream seen is left (padded to the longer channel)');
  t.same(blocks(right), [-1, -1, 10, -1, -1, 13], 'the agent starts 40 ms later; DTMF and CN leave silence');
  t.same(res.skipped, { dtmf: 1, comfortNoise: 1, otherCodec: 0, notRtp: 0 });
  t.same(res.right.sources, ['10.0.0.2:6000']);

  const swapped = await convert(t, [...caller, ...agent], { left: { address: '10.0.0.2', port: 6000 }, dtmfPayloadTypes: [] });
  t.same(blocks(swapped.left), [-1, -1, 10, -1, -1, 13], 'a selector puts the agent left');
  t.same(blocks(swapped.right), [0, 1, 2, 3, 4, -1]);
  t.equal(swapped.res.skipped.otherCodec, 1, 'with no DTMF types given, PT 101 is just another codec');
});

t.test('a selector that matches nothing is PCAP_STREAM_NOT_FOUND', async (t) => {
  const recs = records(CALLER, [{ k: 0, ts: 0, atMs: 0 }]);
  await t.rejects(convert(t, recs, { left: { ssrc: 42 } }), { code: 'PCAP_STREAM_NOT_FOUND' });
  await t.rejects(convert(t, recs, { right: { port: 1 } }), { code: 'PCAP_STREAM_NOT_FOUND' });
  await t.rejects(convert(t, []), { code: 'PCAP_STREAM_NOT_FOUND' }, 'a pcap without RTP');
});
