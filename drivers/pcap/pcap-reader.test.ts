import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasCode } from '../coded-error.js';
import { PcapError } from './errors.js';
import { parsePcap } from './pcap-reader.js';
import { pcapToStereoWav } from './stereo-wav.js';
import { rtpPacket, writePcap } from './pcap-writer.js';
import { udpFromFrame } from './udp-packet.js';
import { parseRtp } from './rtp-header.js';

const one = (o: { ethernet?: boolean; bigEndian?: boolean } = {}) => writePcap([{
  timeUs: 1_700_000_000_123_456, src: '10.0.0.1', srcPort: 4000, dst: '10.0.0.2', dstPort: 5000,
  payload: rtpPacket({ pt: 0, seq: 7, ts: 1234, ssrc: 0xdeadbeef, payload: Buffer.alloc(160, 0xff), marker: true }),
}], o);

t.test('a pcap in either byte order, raw IP or Ethernet, yields the same UDP and RTP fields', async (t) => {
  for (const o of [{}, { bigEndian: true }, { ethernet: true }, { ethernet: true, bigEndian: true }]) {
    const f = parsePcap(one(o));
    t.equal(f.linkType, o.ethernet ? 1 : 101);
    t.equal(f.records.length, 1);
    t.equal(f.records[0]?.timeUs, 1_700_000_000_123_456, 'capture time in µs');
    const udp = udpFromFrame(f.linkType, f.records[0]?.data ?? Buffer.alloc(0));
    t.match(udp, { src: '10.0.0.1', srcPort: 4000, dst: '10.0.0.2', dstPort: 5000 });
    const rtp = parseRtp(udp?.payload ?? Buffer.alloc(0));
    t.match(rtp, { version: 2, payloadType: 0, sequence: 7, timestamp: 1234, ssrc: 0xdeadbeef, marker: true, csrcCount: 0 });
    t.equal(rtp?.payload.length, 160);
  }
});

t.test('RTP with CSRCs, a header extension and padding gives just the media bytes', async (t) => {
  const b = Buffer.concat([
    Buffer.from([0xb1, 8, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]), // V=2 P=1 X=1 CC=1, PT 8
    Buffer.from([0, 0, 0, 9]), // CSRC
    Buffer.from([0xbe, 0xde, 0, 1, 1, 2, 3, 4]), // one-word extension
    Buffer.from([0xaa, 0xbb]), Buffer.from([0, 0, 3]), // payload, 3 bytes of padding
  ]);
  const rtp = parseRtp(b);
  t.match(rtp, { padding: true, extension: true, csrcCount: 1, csrcs: [9], payloadType: 8, sequence: 1, timestamp: 2, ssrc: 3 });
  t.same([...(rtp?.payload ?? [])], [0xaa, 0xbb]);
  t.equal(parseRtp(Buffer.from([0x80, 200, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])), undefined, 'RTCP is not RTP');
  t.equal(parseRtp(Buffer.from([0x40, 0, 0, 1])), undefined, 'short or version 1 is not RTP');
});

t.test('a truncated pcap is a PcapError PCAP_TRUNCATED, wherever it is cut', async (t) => {
  const full = one();
  for (const len of [2, 10, 24 + 8, full.length - 1]) {
    t.throws(() => parsePcap(full.subarray(0, len)), { code: 'PCAP_TRUNCATED' }, `cut at ${len} bytes`);
  }
  const dir = t.testdir({});
  await writeFile(join(dir, 'cut.pcap'), full.subarray(0, full.length - 5));
  await t.rejects(pcapToStereoWav(join(dir, 'cut.pcap'), join(dir, 'out.wav')), { code: 'PCAP_TRUNCATED' }, 'the converter rejects with it too');
});

t.test('garbage is a PcapError, never another exception', async (t) => {
  t.throws(() => parsePcap(Buffer.from('this is no pcap, just text.')), { code: 'PCAP_BAD_MAGIC' });
  t.throws(() => parsePcap(Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0])), { code: 'PCAP_BAD_MAGIC', message: /pcapng/ });
  const huge = one();
  huge.writeUInt32LE(10_000_000, 24 + 8);
  t.throws(() => parsePcap(huge), { code: 'PCAP_CORRUPT' });
  // Seeded pseudo-random bytes behind a valid header (seed = loop index, so a failure replays):
  // only PcapErrors (or a clean parse) may come out.
  for (let seed = 0; seed < 200; seed++) {
    let x = seed + 1;
    const noise = Buffer.from(Array.from({ length: seed * 7 }, () => (x = (x * 1103515245 + 12345) % 2 ** 31) & 0xff));
    const buf = Buffer.concat([one().subarray(0, 24), noise]);
    try {
      const f = parsePcap(buf);
      for (const r of f.records) { const u = udpFromFrame(f.linkType, r.data); if (u) parseRtp(u.payload); }
    } catch (err) {
      if (!hasCode(err) || !(err instanceof PcapError)) t.fail(`not a PcapError: ${String(err)}`);
    }
  }
  const dir = t.testdir({ 'junk.pcap': 'GARBAGE'.repeat(50) });
  await t.rejects(pcapToStereoWav(join(dir, 'junk.pcap'), join(dir, 'o.wav')), { code: 'PCAP_BAD_MAGIC' });
  await t.rejects(pcapToStereoWav(join(dir, 'missing.pcap'), join(dir, 'o.wav')), { code: 'PCAP_READ_FAILED' });
});

t.test('dropCutTail keeps the records before a partial last one (a writer killed mid-record)', async (t) => {
  const full = Buffer.concat([one(), one().subarray(24)]); // two records
  const count = 2;
  const parsed = parsePcap(full.subarray(0, full.length - 5), { dropCutTail: true });
  t.equal(parsed.records.length, count - 1, 'all but the cut record');
  t.equal(parsed.cutTail, true);
  t.throws(() => parsePcap(full.subarray(0, 20), { dropCutTail: true }), { code: 'PCAP_TRUNCATED' }, 'a cut file header is still an error');
});
