import { linearToAlaw, linearToUlaw } from '../pcap/g711.js';
import type { G711 } from './audio-sdp.js';

/**
 * G.711 encoding by lookup: a 64 Ki-entry table per codec, indexed by the 16-bit sample's bit
 * pattern (`sample & 0xffff`), so the mixer's tick encodes a frame with 160 loads instead of 160
 * segment searches. Each table (64 KiB) is built on first use.
 */
const tables: Partial<Record<G711, Uint8Array>> = {};

export function encodeTable(codec: G711): Uint8Array {
  const known = tables[codec];
  if (known) return known;
  const encode = codec === 'PCMU' ? linearToUlaw : linearToAlaw;
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode((i << 16) >> 16);
  tables[codec] = table;
  return table;
}
