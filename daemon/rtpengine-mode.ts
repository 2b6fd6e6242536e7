import { join } from 'node:path';
import type { RtpengineMode } from '../drivers/rtpengine/supervisor.js';
import type { Config } from './config/index.js';

/** Config → how the supervisor runs rtpengine. The spool dir is where pcap recordings land. */
export function rtpengineMode(config: Config): RtpengineMode {
  const r = config.rtpengine;
  if (r.mode === 'external') {
    const i = r.ng.lastIndexOf(':');
    return { kind: 'external', host: r.ng.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(r.ng.slice(i + 1)) };
  }
  return {
    kind: 'spawn',
    binary: r.binary,
    runtimeDir: config.box.runtime_dir,
    settings: {
      interface: r.interface, ngPort: r.ng_port, portMin: r.port_min, portMax: r.port_max, table: r.table,
      dtmfLogPort: r.dtmf_log_port, timeout: r.timeout, spoolDir: join(config.box.data_dir, 'spool'),
    },
  };
}
