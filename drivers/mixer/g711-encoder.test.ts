import t from 'tap';
import { ALAW_TABLE, ULAW_TABLE, linearToAlaw } from '../pcap/g711.js';
import { encodeTable } from './g711-encoder.js';

t.test('A-law encoding is the inverse of the reference decoder', async (t) => {
  const wrong = [...Array(256).keys()].filter((code) => linearToAlaw(ALAW_TABLE[code] as number) !== code);
  t.same(wrong, [], 'every A-law code encodes back to itself from its decoded value');
  t.equal(linearToAlaw(0), 0xd5, 'zero is 0xD5');
  t.equal(linearToAlaw(40000), 0xaa, 'clipped to the most positive');
  t.equal(linearToAlaw(-40000), 0x2a, 'and the most negative');
});

t.test('the lookup tables encode every 16-bit sample within half a segment step', async (t) => {
  for (const [codec, decode] of [['PCMU', ULAW_TABLE], ['PCMA', ALAW_TABLE]] as const) {
    const table = encodeTable(codec);
    // Segments double their step with their magnitude: the error stays under 1/16 of the value, or 16 near zero.
    const off: number[] = [];
    for (let v = -32768; v < 32768; v++) {
      const back = decode[table[v & 0xffff] as number] as number;
      if (Math.abs(back - v) > Math.max(16, Math.abs(v) / 16)) off.push(v);
    }
    t.same(off.slice(0, 5), [], `${codec}: every sample within bounds`);
    t.equal(encodeTable(codec), table, `${codec}: built once`);
  }
  t.equal(ULAW_TABLE[encodeTable('PCMU')[0] as number], 0, 'µ-law silence decodes to 0');
});
