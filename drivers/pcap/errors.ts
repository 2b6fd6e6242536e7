import { CodedError } from '../coded-error.js';

export type PcapErrorCode =
  | 'PCAP_READ_FAILED'         // the pcap file could not be read (missing, permissions)
  | 'PCAP_BAD_MAGIC'           // not a classic libpcap file (garbage, or pcapng)
  | 'PCAP_TRUNCATED'           // the file ends inside its header or a record
  | 'PCAP_CORRUPT'             // a record length that cannot be right
  | 'PCAP_UNSUPPORTED_LINK'    // a link type other than raw IP, Ethernet, Linux SLL or BSD loopback
  | 'PCAP_STREAM_NOT_FOUND'    // no RTP stream matches a channel's selector
  | 'PCAP_WRITE_FAILED';       // the WAV could not be written

export class PcapError extends CodedError<PcapErrorCode> {}
