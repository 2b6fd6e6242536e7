/**
 * The FXO gateway models Octoline knows (see shared/INTEROP.md). The full per-model profiles
 * (what each sends, port naming, DTMF default, register vs peer) arrive with the calls issue;
 * `setup` already records which model the box talks to.
 */
export const GATEWAY_MODELS = {
  generic: 'Generic SIP FXO gateway',
  'grandstream-gxw410x': 'Grandstream GXW4104 / GXW4108',
  'dinstar-dag': 'Dinstar DAG FXO',
  'synway-smg': 'Synway SMG FXO',
  'yeastar-ta': 'Yeastar TA FXO',
  'generic-inband': 'Generic SIP FXO gateway, DTMF as in-band tones',
} as const;

export type GatewayModel = keyof typeof GATEWAY_MODELS;

export function isGatewayModel(s: string): s is GatewayModel {
  return Object.hasOwn(GATEWAY_MODELS, s);
}
