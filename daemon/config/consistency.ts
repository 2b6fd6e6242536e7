import type { ConfigFile } from './schema.js';
import { ConfigError } from './errors.js';

/**
 * Rules across fields that a per-field schema cannot say: a valid time zone, an RTP range that
 * holds calls, and no two listeners on one port (two boxes' worth of ports on one machine must
 * not collide with each other either, so every listener has its own key).
 */
export function checkConsistency(path: string, file: ConfigFile): void {
  const fail = (field: string, msg: string): never => {
    throw new ConfigError('CONFIG_INVALID', `config ${path}: ${field}: ${msg}`, { field });
  };
  if (!isTimeZone(file.box.time_zone)) {
    fail('box.time_zone', `an IANA time zone name such as Asia/Shanghai; got ${JSON.stringify(file.box.time_zone)}`);
  }
  if (file.sip.t2_ms < file.sip.t1_ms) fail('sip.t2_ms', `must be at least sip.t1_ms (${file.sip.t1_ms}); got ${file.sip.t2_ms}`);
  const rtp = file.rtpengine;
  if (rtp.port_max - rtp.port_min < 3) {
    fail('rtpengine.port_max', `must be at least port_min + 3 (each call leg needs an RTP/RTCP pair); got ${rtp.port_min}-${rtp.port_max}`);
  }
  const udp: Array<[string, number]> = [['sip.port', file.sip.port], ['rtpengine.dtmf_log_port', rtp.dtmf_log_port]];
  if (rtp.mode === 'spawn') udp.push(['rtpengine.ng_port', rtp.ng_port]);
  const seen = new Map<number, string>();
  for (const [field, p] of udp) {
    const other = seen.get(p);
    if (other) fail(field, `port ${p} is already used by ${other}; every listener needs its own port`);
    seen.set(p, field);
    if (p >= rtp.port_min && p <= rtp.port_max) fail(field, `port ${p} lies inside the RTP range ${rtp.port_min}-${rtp.port_max}`);
  }
  if (file.http.port === file.sip.port && file.http.bind === file.sip.bind) {
    fail('http.port', `port ${file.http.port} is already used by sip.port (TCP); every listener needs its own port`);
  }
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
