import { PcapError } from './errors.js';

export interface PcapRecord {
  /** Capture time, microseconds since the epoch (nanosecond files are rounded down). */
  timeUs: number;
  /** The captured bytes (a view into the file's buffer). */
  data: Buffer;
}

export interface PcapFile {
  /** LINKTYPE_* of the file's header. */
  linkType: number;
  records: PcapRecord[];
  /** True when a partial last record was dropped (`dropCutTail`). */
  cutTail?: boolean;
}

const MAX_RECORD = 262_144; // libpcap's own upper bound for a snapshot length

/**
 * Parse a classic libpcap file (not pcapng): both byte orders, micro- and nanosecond time stamps.
 * Anything else, or a file cut short, is a PcapError, never an exception of another kind.
 */
export function parsePcap(buf: Buffer, opts: { dropCutTail?: boolean } = {}): PcapFile {
  if (buf.length < 4) throw new PcapError('PCAP_TRUNCATED', `pcap file is ${buf.length} bytes, shorter than its magic number`);
  const magicBE = buf.readUInt32BE(0);
  let le: boolean;
  let nano: boolean;
  switch (magicBE) {
    case 0xa1b2c3d4: le = false; nano = false; break;
    case 0xd4c3b2a1: le = true; nano = false; break;
    case 0xa1b23c4d: le = false; nano = true; break;
    case 0x4d3cb2a1: le = true; nano = true; break;
    case 0x0a0d0d0a: throw new PcapError('PCAP_BAD_MAGIC', 'pcapng files are not supported (classic libpcap only)');
    default: throw new PcapError('PCAP_BAD_MAGIC', `not a pcap file (magic 0x${magicBE.toString(16).padStart(8, '0')})`);
  }
  if (buf.length < 24) throw new PcapError('PCAP_TRUNCATED', `pcap file ends inside its 24-byte header (${buf.length} bytes)`);
  const u32 = (off: number) => (le ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  const linkType = u32(20) & 0x0fffffff; // upper bits: FCS length flags
  const records: PcapRecord[] = [];
  let off = 24;
  while (off < buf.length) {
    // A writer killed mid-record (rtpengine on a crash) leaves one partial record at the end: the
    // caller may keep everything before it rather than lose the whole call.
    if (opts.dropCutTail && records.length > 0 && (off + 16 > buf.length || off + 16 + u32(off + 8) > buf.length)) {
      return { linkType, records, cutTail: true };
    }
    if (off + 16 > buf.length) throw new PcapError('PCAP_TRUNCATED', `pcap file ends inside the header of record ${records.length + 1} (offset ${off})`);
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    if (incl > MAX_RECORD) throw new PcapError('PCAP_CORRUPT', `record ${records.length + 1} claims ${incl} bytes (offset ${off})`);
    if (off + 16 + incl > buf.length) throw new PcapError('PCAP_TRUNCATED', `pcap file ends inside record ${records.length + 1} (offset ${off})`);
    const timeUs = sec * 1_000_000 + (nano ? Math.floor(frac / 1000) : frac);
    records.push({ timeUs, data: buf.subarray(off + 16, off + 16 + incl) });
    off += 16 + incl;
  }
  return { linkType, records };
}
