import t from 'tap';
import { ALAW_TABLE, ULAW_TABLE, decodeG711, linearToUlaw } from './g711.js';

t.test('µ-law bytes decode to the G.711 reference values', async (t) => {
  t.equal(ULAW_TABLE[0xff], 0, '0xFF is zero');
  t.equal(ULAW_TABLE[0x7f], 0, '0x7F is (negative) zero');
  t.equal(ULAW_TABLE[0x00], -32124, '0x00 is the most negative');
  t.equal(ULAW_TABLE[0x80], 32124, '0x80 is the most positive');
  t.equal(ULAW_TABLE[0xfe], 8, '0xFE is the smallest positive step');
  t.equal(ULAW_TABLE[0x7e], -8, '0x7E is the smallest negative step');
});

t.test('A-law bytes decode to the G.711 reference values', async (t) => {
  t.equal(ALAW_TABLE[0xd5], 8, '0xD5 is the smallest positive step');
  t.equal(ALAW_TABLE[0x55], -8, '0x55 is the smallest negative step');
  t.equal(ALAW_TABLE[0xaa], 32256, '0xAA is the most positive');
  t.equal(ALAW_TABLE[0x2a], -32256, '0x2A is the most negative');
});

t.test('encoding to µ-law and decoding again stays within one quantisation step', async (t) => {
  for (const v of [0, 100, -100, 1000, -5000, 12000, 32000, -32768]) {
    const back = ULAW_TABLE[linearToUlaw(v)] as number;
    t.ok(Math.abs(back - v) <= Math.max(8, Math.abs(v) / 16), `${v} → ${back}`);
  }
  t.same([...decodeG711(Uint8Array.from([0xff, 0x80]), ULAW_TABLE)], [0, 32124], 'a payload decodes byte by byte');
});
