/** One UDP datagram to write, with its capture time. */
export interface PcapUdpRecord {
  timeUs: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Buffer;
}

/**
 * Write a classic libpcap file of IPv4/UDP datagrams, in rtpengine's own layout (LINKTYPE_RAW) or
 * behind an Ethernet header; `bigEndian` writes the other byte order. Builds test fixtures.
 */
export function writePcap(records: readonly PcapUdpRecord[], o: { ethernet?: boolean; bigEndian?: boolean } = {}): Buffer {
  const be = o.bigEndian ?? false;
  const u32 = (b: Buffer, v: number, off: number) => (be ? b.writeUInt32BE(v >>> 0, off) : b.writeUInt32LE(v >>> 0, off));
  const u16 = (b: Buffer, v: number, off: number) => (be ? b.writeUInt16BE(v, off) : b.writeUInt16LE(v, off));
  const head = Buffer.alloc(24);
  u32(head, 0xa1b2c3d4, 0);
  u16(head, 2, 4);
  u16(head, 4, 6);
  u32(head, 65535, 16);
  u32(head, o.ethernet ? 1 : 101, 20);
  const parts = [head];
  for (const r of records) {
    const ip = Buffer.alloc(28 + r.payload.length);
    ip[0] = 0x45;
    ip.writeUInt16BE(ip.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    r.src.split('.').forEach((x, i) => { ip[12 + i] = Number(x); });
    r.dst.split('.').forEach((x, i) => { ip[16 + i] = Number(x); });
    ip.writeUInt16BE(r.srcPort, 20);
    ip.writeUInt16BE(r.dstPort, 22);
    ip.writeUInt16BE(8 + r.payload.length, 24);
    r.payload.copy(ip, 28);
    const frame = o.ethernet ? Buffer.concat([Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]), ip]) : ip;
    const rec = Buffer.alloc(16);
    u32(rec, Math.floor(r.timeUs / 1e6), 0);
    u32(rec, r.timeUs % 1e6, 4);
    u32(rec, frame.length, 8);
    u32(rec, frame.length, 12);
    parts.push(rec, frame);
  }
  return Buffer.concat(parts);
}

/** An RTP packet (version 2, no CSRC, no extension) around `payload`. */
export function rtpPacket(p: { pt: number; seq: number; ts: number; ssrc: number; payload: Buffer; marker?: boolean }): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (p.marker ? 0x80 : 0) | p.pt;
  h.writeUInt16BE(p.seq & 0xffff, 2);
  h.writeUInt32BE(p.ts >>> 0, 4);
  h.writeUInt32BE(p.ssrc >>> 0, 8);
  return Buffer.concat([h, p.payload]);
}
