import { Type, type Static } from '@sinclair/typebox';

/**
 * The box settings file (network, ports, paths, rtpengine). Business settings (lines, agents,
 * queues, flows) live in SQLite, not here. Every field has a default, so an empty file or no file
 * at all gives a working dev box on loopback. Descriptions double as the "allowed" text in errors
 * and as the reference in docs/config.md.
 */
const port = (def: number, what: string) =>
  Type.Integer({ minimum: 1, maximum: 65535, default: def, description: `${what}: a port number 1-65535` });

const ipAddress = (def: string, what: string) =>
  Type.String({ default: def, minLength: 2, pattern: '^[0-9a-fA-F:.]+$', description: `${what}: an IPv4 or IPv6 address` });

const LogLevel = Type.Union([
  Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
  Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent'),
], { default: 'info', description: 'one of fatal, error, warn, info, debug, trace, silent' });

export const BoxSection = Type.Object({
  name: Type.String({ default: 'octoline', minLength: 1, maxLength: 64, description: 'a name for this box (1-64 characters)' }),
  time_zone: Type.String({ default: 'Asia/Shanghai', minLength: 1, description: 'an IANA time zone name such as Asia/Shanghai' }),
  data_dir: Type.String({ default: '', description: 'a directory path; empty = /var/lib/octoline for a config under /etc, else <config dir>/data' }),
  runtime_dir: Type.String({ default: '', description: 'a directory path; empty = /run/octoline for a config under /etc, else <data_dir>/run' }),
  log_level: LogLevel,
}, { additionalProperties: false, default: {} });

export const SipSection = Type.Object({
  bind: ipAddress('127.0.0.1', 'SIP bind address'),
  port: port(5060, 'SIP port (UDP and TCP)'),
  realm: Type.String({ default: 'octoline', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$', description: 'digest realm: letters, digits, dot, dash, underscore' }),
  public_address: Type.String({ default: '', description: 'address put in Via/Contact/SDP when it differs from bind (empty = bind)' }),
  t1_ms: Type.Integer({ minimum: 10, maximum: 10000, default: 500, description: 'SIP timer T1 (RTT estimate) in ms, 10-10000; RFC 3261 default 500' }),
  t2_ms: Type.Integer({ minimum: 10, maximum: 60000, default: 4000, description: 'SIP timer T2 (longest retransmit interval) in ms, 10-60000, at least t1_ms; RFC 3261 default 4000' }),
  t4_ms: Type.Integer({ minimum: 10, maximum: 60000, default: 5000, description: 'SIP timer T4 (longest a message lives in the network) in ms, 10-60000; RFC 3261 default 5000' }),
  digest_algorithms: Type.Array(Type.Union([Type.Literal('SHA-256'), Type.Literal('MD5')]), {
    default: ['SHA-256', 'MD5'], minItems: 1, uniqueItems: true,
    description: 'digest algorithms offered to phones, preferred first: a list of "SHA-256" and/or "MD5"',
  }),
  md5_only_user_agents: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
    default: [], maxItems: 64,
    description: 'User-Agent prefixes of phones that fail on a SHA-256 challenge: offered MD5 alone (added to the built-in list)',
  }),
}, { additionalProperties: false, default: {} });

export const HttpSection = Type.Object({
  bind: ipAddress('127.0.0.1', 'HTTP bind address'),
  port: port(8080, 'HTTP port'),
}, { additionalProperties: false, default: {} });

export const RtpengineSection = Type.Object({
  mode: Type.Union([Type.Literal('spawn'), Type.Literal('external')], {
    default: 'spawn', description: '"spawn" (the daemon runs rtpengine) or "external" (a running rtpengine at rtpengine.ng)',
  }),
  binary: Type.String({ default: '/usr/bin/rtpengine', minLength: 1, description: 'path of the rtpengine executable (spawn mode)' }),
  interface: ipAddress('127.0.0.1', 'media address rtpengine binds and advertises'),
  ng_port: port(22222, 'ng control port rtpengine listens on (spawn mode, on 127.0.0.1)'),
  ng: Type.String({ default: '127.0.0.1:22222', pattern: '^[0-9a-fA-F:.\\[\\]]+:[0-9]{1,5}$', description: 'HOST:PORT of an external rtpengine ng socket (external mode)' }),
  port_min: port(30000, 'first RTP port'),
  port_max: port(30999, 'last RTP port'),
  table: Type.Integer({ minimum: -1, maximum: 255, default: -1, description: 'kernel forwarding table: -1 = userspace only (no kernel module), 0-255 = xt_RTPENGINE table' }),
  dtmf_log_port: port(5999, 'UDP port on 127.0.0.1 where rtpengine sends DTMF events'),
  timeout: Type.Integer({ minimum: 5, maximum: 3600, default: 60, description: 'seconds without RTP before rtpengine drops a stream (5-3600)' }),
  command_timeout_ms: Type.Integer({ minimum: 100, maximum: 30000, default: 2000, description: 'ng command time-out in ms (100-30000)' }),
}, { additionalProperties: false, default: {} });

const seconds = (def: number, min: number, max: number, what: string) =>
  Type.Integer({ minimum: min, maximum: max, default: def, description: `${what}: seconds, ${min}-${max}` });

const featureCode = (def: string, what: string) =>
  Type.String({ default: def, minLength: 1, maxLength: 8, pattern: '^[0-9*#]+$', description: `${what}: digits, * and # (1-8)` });

export const CallsSection = Type.Object({
  ring_timeout_s: seconds(30, 5, 600, 'how long a target rings before the line\'s fallback'),
  max_call_s: seconds(7200, 60, 86400, 'longest a call may last before the box ends it (stuck analog lines)'),
  retry_after_s: seconds(30, 1, 3600, 'Retry-After sent with 503 when no outbound line is free'),
  pickup_code: featureCode('*8', 'group pickup feature code'),
  directed_pickup_prefix: featureCode('**', 'directed pickup prefix, followed by the extension'),
  blocked_prefixes: Type.Array(Type.String({ minLength: 1, maxLength: 16, pattern: '^[0-9+*#]+$' }), {
    default: ['00', '+', '1900', '0900'], maxItems: 64,
    description: 'dialled-number prefixes no extension may call unless its own allow list names them (international, premium rate)',
  }),
  moh_file: Type.String({ default: '', description: 'music on hold: an 8 kHz mono WAV path; empty = the built-in music' }),
  hunt: Type.Union([Type.Literal('linear'), Type.Literal('round-robin')], {
    default: 'linear', description: '"linear" (lowest free line first) or "round-robin" (the next after the last used)',
  }),
  disconnect_tone_hz: Type.Integer({ minimum: 300, maximum: 3400, default: 450, description: 'frequency of the exchange\'s busy / disconnect tone on a line (Hz, 300-3400)' }),
  disconnect_tone_on_ms: Type.Integer({ minimum: 100, maximum: 5000, default: 350, description: 'length of each burst of the disconnect tone (ms, 100-5000)' }),
  disconnect_tone_off_ms: Type.Integer({ minimum: 0, maximum: 5000, default: 350, description: 'pause between bursts (ms, 0-5000; 0 = a steady tone)' }),
  disconnect_tone_cycles: Type.Integer({ minimum: 0, maximum: 20, default: 3, description: 'on/off cycles heard in a row before the box ends the call (0-20; 0 = no disconnect-tone detection)' }),
}, { additionalProperties: false, default: {} });

export const AcdSection = Type.Object({
  agent_toggle_code: featureCode('*45', 'desk-phone code that logs the agent in or out of its queues'),
  pause_code: featureCode('*46', 'desk-phone code that pauses the agent (busy, 示忙)'),
  unpause_code: featureCode('*47', 'desk-phone code that makes a paused agent available again (示闲)'),
  spy_prefix: featureCode('555', 'supervisor listen-in prefix, followed by the agent\'s extension'),
  whisper_prefix: featureCode('556', 'supervisor whisper prefix (the agent hears the supervisor, the caller does not)'),
  barge_prefix: featureCode('557', 'supervisor barge prefix (three-way: everyone hears everyone)'),
  mixer_jitter_frames: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'playout depth of the conference mixer in 20 ms frames (1-10): more absorbs more jitter, adds delay' }),
}, { additionalProperties: false, default: {} });

export const RecordingSection = Type.Object({
  format: Type.Union([Type.Literal('opus'), Type.Literal('mp3')], {
    default: 'opus', description: '"opus" (smallest, plays in browsers) or "mp3" (plays everywhere)',
  }),
  retention_days: Type.Integer({ minimum: 0, maximum: 3650, default: 180, description: 'days a recording is kept, 0-3650 (0 = forever)' }),
  min_free_mb: Type.Integer({ minimum: 0, maximum: 1048576, default: 1024, description: 'free space (MB) below which new recordings pause with an alert; calls go on' }),
}, { additionalProperties: false, default: {} });

export const ConfigSchema = Type.Object({
  box: BoxSection,
  sip: SipSection,
  http: HttpSection,
  rtpengine: RtpengineSection,
  calls: CallsSection,
  recording: RecordingSection,
  acd: AcdSection,
}, { additionalProperties: false, default: {} });

/** The file as written: every section and field optional. */
export type ConfigFile = Static<typeof ConfigSchema>;

/** Validated config with derived absolute paths filled in. */
export interface Config extends ConfigFile {
  /** The file this came from (absolute), or the path that would be used when running on defaults. */
  readonly path: string;
  /** True when no file existed and the embedded defaults are in force. */
  readonly fromDefaults: boolean;
}
