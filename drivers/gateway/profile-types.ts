/**
 * The shape of a gateway profile: what one FXO gateway model sends and expects, as data, so that a
 * wrong guess about a model is a change to `profiles.ts`, not to code (shared/INTEROP.md).
 */
export type DtmfMode = 'rfc4733' | 'inband' | 'info';
export type GatewayMode = 'register' | 'peer';
export type CallerIdSource = 'from' | 'p-asserted-identity' | 'remote-party-id';
export type InviteField = 'request-uri' | 'to';
export type DisconnectSignal = 'current-disconnect' | 'polarity-reversal' | 'busy-tone';

/** How the box chooses the analog port of an outbound call. */
export type OutboundSelection =
  /** Send to the port's own SIP user (`line3`): the box picks the port. */
  | { kind: 'per-port-user' }
  /** Dial `<prefix><number>`, `{n}` in the prefix naming the port (e.g. `{n}#`): the box picks the port. */
  | { kind: 'prefix'; prefix: string }
  /** Send the bare number; the gateway hunts a free port (the box still tracks busy lines). */
  | { kind: 'gateway-hunting' };

export interface GatewayProfile {
  readonly model: string;
  readonly label: string;
  /** SIP user of FXO port n: `{n}` is replaced by the 1-based port number. */
  readonly portUserPattern: string;
  /** What to type in the gateway's web page for ports 1..n (free text for the docs and setup). */
  readonly configHint: string;
  /** Where the port's user is found in an inbound INVITE, in order of preference. */
  readonly inboundFields: readonly InviteField[];
  /** Extracts the port number (group 1) from that user. */
  readonly inboundPattern: RegExp;
  readonly dtmf: DtmfMode;
  readonly mode: GatewayMode;
  /** Caller ID sources, in order of preference; the first one present wins. */
  readonly callerId: readonly CallerIdSource[];
  readonly outbound: OutboundSelection;
  /** How the gateway may learn the far end hung up; the box enforces its own time-outs anyway. */
  readonly disconnect: readonly DisconnectSignal[];
  /** Whether the gateway can flash the hook on request (never used for transfers: INTEROP.md). */
  readonly hookFlash: boolean;
  /** Facts about this model not yet checked on a real unit (INTEROP.md); for the docs and doctor. */
  readonly unconfirmed: readonly string[];
}
