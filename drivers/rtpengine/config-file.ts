/** What the daemon tells rtpengine when it runs it (spawn mode). */
export interface RtpengineSpawnSettings {
  /** Media address rtpengine binds and advertises in SDP. */
  interface: string;
  /** ng control port, always on 127.0.0.1: only this host drives rtpengine. */
  ngPort: number;
  portMin: number;
  portMax: number;
  /** -1 = userspace only; 0-255 = kernel table (needs xt_RTPENGINE). */
  table: number;
  /** UDP port on 127.0.0.1 that receives one datagram per DTMF event. */
  dtmfLogPort: number;
  /** Seconds without RTP before rtpengine drops a stream. */
  timeout: number;
  /** Where pcap recordings and their metadata land. */
  spoolDir: string;
  pidFile: string;
}

/**
 * rtpengine's ini file. Always passed with --config-file so /etc/rtpengine is never read (its
 * Debian default `interface = any`, `table = 0` is wrong for the box).
 */
export function renderRtpengineConfig(s: RtpengineSpawnSettings): string {
  const lines = [
    '# Written by octoline at start; edits here are overwritten. Settings: [rtpengine] in octoline.conf.',
    '[rtpengine]',
    `table = ${s.table}`,
    `interface = ${s.interface}`,
    `listen-ng = 127.0.0.1:${s.ngPort}`,
    `port-min = ${s.portMin}`,
    `port-max = ${s.portMax}`,
    `timeout = ${s.timeout}`,
    'foreground = true',
    'log-stderr = true',
    'log-level = 5',
    `dtmf-log-dest = 127.0.0.1:${s.dtmfLogPort}`,
    `recording-dir = ${s.spoolDir}`,
    'recording-method = pcap',
    // Metadata files are written when a call is removed: without this they wait 30 s after delete.
    'delete-delay = 0',
    `pidfile = ${s.pidFile}`,
  ];
  return `${lines.join('\n')}\n`;
}
