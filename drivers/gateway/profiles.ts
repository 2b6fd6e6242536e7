import type { GatewayModel } from './models.js';
import type { GatewayProfile } from './profile-types.js';

export type * from './profile-types.js';

const LINE_N = /^line0*([1-9][0-9]?)$/i;

/** The generic profile: also the base of `generic-inband`, which differs only in DTMF. */
const GENERIC: GatewayProfile = {
  model: 'generic',
  label: 'Generic SIP FXO gateway',
  portUserPattern: 'line{n}',
  configHint: 'give FXO port n the SIP user line{n} (registering to the box or sending to it as a peer)',
  inboundFields: ['request-uri', 'to'],
  inboundPattern: LINE_N,
  dtmf: 'rfc4733', // INTEROP: RFC 4733 is the norm; negotiated from SDP anyway.
  mode: 'register',
  callerId: ['p-asserted-identity', 'remote-party-id', 'from'], // UNCONFIRMED: From is the usual source.
  outbound: { kind: 'per-port-user' },
  disconnect: ['current-disconnect', 'polarity-reversal', 'busy-tone'],
  hookFlash: false, // Only confirmed on AudioCodes.
  unconfirmed: ['caller ID header', 'disconnect supervision'],
};

/**
 * One profile per model of `models.ts`. Every fact INTEROP.md marks UNCONFIRMED for a model is
 * listed in its `unconfirmed` array and flagged in a comment, so that a wrong guess is a data change.
 */
export const GATEWAY_PROFILES: Readonly<Record<GatewayModel, GatewayProfile>> = {
  generic: GENERIC,
  'grandstream-gxw410x': {
    model: 'grandstream-gxw410x',
    label: 'Grandstream GXW4104 / GXW4108',
    portUserPattern: 'line{n}',
    // INTEROP (confirmed syntax): per-channel user IDs, one SIP server profile, Stage Method 1.
    configHint: 'User ID: ch1:line1;ch2:line2;…  SIP Server: ch1-8:p1;  Stage Method 1 (forward directly to VoIP)',
    inboundFields: ['request-uri', 'to'],
    inboundPattern: LINE_N,
    dtmf: 'rfc4733', // UNCONFIRMED: the factory default DTMF mode of the GXW410x.
    mode: 'register',
    callerId: ['from'], // UNCONFIRMED on Grandstream (confirmed on AudioCodes only).
    outbound: { kind: 'per-port-user' },
    disconnect: ['current-disconnect', 'polarity-reversal', 'busy-tone'], // UNCONFIRMED: which ones are on by default.
    hookFlash: false, // UNCONFIRMED: hook-flash only confirmed on AudioCodes.
    unconfirmed: ['default DTMF mode', 'caller ID in From user', 'disconnect defaults', 'hook-flash', 'port in trunk mode'],
  },
  'dinstar-dag': {
    model: 'dinstar-dag',
    label: 'Dinstar DAG FXO',
    portUserPattern: 'line{n}',
    configHint: 'give each FXO port its own SIP account: user line{n} (Port → SIP account), registering to the box',
    inboundFields: ['request-uri', 'to'],
    inboundPattern: LINE_N,
    dtmf: 'rfc4733', // UNCONFIRMED
    mode: 'register', // UNCONFIRMED: peer mode may be the default.
    callerId: ['from'], // UNCONFIRMED
    outbound: { kind: 'per-port-user' },
    disconnect: ['current-disconnect', 'busy-tone'], // UNCONFIRMED
    hookFlash: false, // UNCONFIRMED
    unconfirmed: ['default DTMF mode', 'register vs peer default', 'caller ID in From user', 'disconnect defaults', 'hook-flash', 'port in trunk mode'],
  },
  'synway-smg': {
    model: 'synway-smg',
    label: 'Synway SMG FXO',
    portUserPattern: 'line{n}',
    configHint: 'per-port SIP users line{n} (Port settings), SIP trunk to the box as a peer',
    inboundFields: ['request-uri', 'to'],
    inboundPattern: LINE_N,
    dtmf: 'rfc4733', // UNCONFIRMED
    mode: 'peer', // UNCONFIRMED: Synway is usually set up as a trunk peer.
    callerId: ['from'], // UNCONFIRMED
    outbound: { kind: 'per-port-user' },
    disconnect: ['current-disconnect', 'polarity-reversal', 'busy-tone'], // UNCONFIRMED
    hookFlash: false, // UNCONFIRMED
    unconfirmed: ['default DTMF mode', 'register vs peer default', 'caller ID in From user', 'disconnect defaults', 'hook-flash', 'port in trunk mode'],
  },
  'yeastar-ta': {
    model: 'yeastar-ta',
    label: 'Yeastar TA FXO',
    portUserPattern: 'line{n}',
    configHint: 'FXO port n: account mode, user line{n}, registering to the box',
    inboundFields: ['request-uri', 'to'],
    inboundPattern: LINE_N,
    dtmf: 'rfc4733', // UNCONFIRMED
    mode: 'register', // UNCONFIRMED
    callerId: ['from'], // UNCONFIRMED
    outbound: { kind: 'per-port-user' },
    disconnect: ['current-disconnect', 'polarity-reversal', 'busy-tone'], // UNCONFIRMED
    hookFlash: false, // UNCONFIRMED
    unconfirmed: ['default DTMF mode', 'register vs peer default', 'caller ID in From user', 'disconnect defaults', 'hook-flash', 'port in trunk mode'],
  },
  'generic-inband': {
    ...GENERIC,
    model: 'generic-inband',
    label: 'Generic SIP FXO gateway, DTMF as tones in the audio',
    configHint: 'give FXO port n the SIP user line{n}; for gateways that pass keys as tones (no RFC 4733 / telephone-event)',
    // The box has rtpengine detect the tones on the caller's leg (transcoder); costs one transcoded stream per call.
    dtmf: 'inband',
  },
};

export function gatewayProfile(model: GatewayModel): GatewayProfile {
  return GATEWAY_PROFILES[model];
}

/** SIP user of port `line` under this profile (`line3`). */
export function portUser(profile: GatewayProfile, line: number): string {
  return profile.portUserPattern.replaceAll('{n}', String(line));
}
