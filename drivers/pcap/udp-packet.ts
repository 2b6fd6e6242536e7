import { PcapError } from './errors.js';

export interface UdpPacket {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Buffer;
}

/** LINKTYPE_* values: raw IP (101, and the DLT_RAW numbers 12/14 some writers leave), IPv4 228, IPv6 229. */
const RAW_IP = new Set([101, 12, 14, 228, 229]);
const ETHERNET = 1;
const LINUX_SLL = 113;
const NULL_LOOPBACK = 0;

/** Throws PCAP_UNSUPPORTED_LINK for a link type `udpFromFrame` cannot read. */
export function assertLinkType(linkType: number): void {
  if (!RAW_IP.has(linkType) && linkType !== ETHERNET && linkType !== LINUX_SLL && linkType !== NULL_LOOPBACK) {
    throw new PcapError('PCAP_UNSUPPORTED_LINK', `pcap link type ${linkType} is not supported (raw IP, Ethernet, Linux SLL, loopback are)`);
  }
}

/** The UDP datagram in one captured frame, or undefined for anything else (ARP, TCP, fragments, short frames). */
export function udpFromFrame(linkType: number, frame: Buffer): UdpPacket | undefined {
  if (RAW_IP.has(linkType)) return fromIp(frame);
  if (linkType === ETHERNET) {
    let off = 12;
    let type = frame.length >= 14 ? frame.readUInt16BE(off) : 0;
    while ((type === 0x8100 || type === 0x88a8) && frame.length >= off + 6) { off += 4; type = frame.readUInt16BE(off); } // VLAN tags
    return type === 0x0800 || type === 0x86dd ? fromIp(frame.subarray(off + 2)) : undefined;
  }
  if (linkType === LINUX_SLL) return frame.length >= 16 ? fromIp(frame.subarray(16)) : undefined;
  if (linkType === NULL_LOOPBACK) return frame.length >= 4 ? fromIp(frame.subarray(4)) : undefined;
  return undefined;
}

function fromIp(ip: Buffer): UdpPacket | undefined {
  if (ip.length < 1) return undefined;
  const version = (ip[0] as number) >> 4;
  if (version === 4) {
    const ihl = ((ip[0] as number) & 0x0f) * 4;
    if (ip.length < 20 || ihl < 20 || ip.length < ihl + 8) return undefined;
    if (ip[9] !== 17) return undefined;
    if ((ip.readUInt16BE(6) & 0x3fff) !== 0) return undefined; // a fragment: RTP never needs one
    const total = Math.min(ip.readUInt16BE(2) || ip.length, ip.length);
    return fromUdp(ip.subarray(ihl, total), `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`, `${ip[16]}.${ip[17]}.${ip[18]}.${ip[19]}`);
  }
  if (version === 6) {
    if (ip.length < 48 || ip[6] !== 17) return undefined; // no extension headers
    const end = Math.min(40 + ip.readUInt16BE(4), ip.length);
    return fromUdp(ip.subarray(40, end), ipv6(ip.subarray(8, 24)), ipv6(ip.subarray(24, 40)));
  }
  return undefined;
}

function fromUdp(udp: Buffer, src: string, dst: string): UdpPacket | undefined {
  if (udp.length < 8) return undefined;
  const len = udp.readUInt16BE(4);
  const end = len >= 8 && len <= udp.length ? len : udp.length;
  return { src, srcPort: udp.readUInt16BE(0), dst, dstPort: udp.readUInt16BE(2), payload: udp.subarray(8, end) };
}

function ipv6(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}
