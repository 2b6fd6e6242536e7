import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { ClientRequestOptions, ClientTransaction, TimerConfig, TransactionLayerApi } from '../transaction/types.js';
import type { SipRequest } from '../message/index.js';
import type { Remote, SipSender, TransportKind } from '../transport/types.js';
import { viaProtocol } from '../dialog/index.js';
import { newBranch } from './ids.js';

/** Methods the UA core answers (Allow, RFC 3261 §20.5). PRACK is not among them (no 100rel). */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'REFER', 'NOTIFY', 'UPDATE'] as const;
/** Body types we take (Accept, §20.1). */
export const ACCEPTED_TYPES = ['application/sdp', 'application/dtmf-relay', 'message/sipfrag', 'text/plain'] as const;
/** Extensions we support (Supported, §20.37): Replaces (RFC 3891) and session timer refreshes (RFC 4028). */
export const SUPPORTED_EXTENSIONS = ['replaces', 'timer'] as const;

export interface UaOptions {
  /** T1/T2/T4 (RFC 3261 §17); the 2xx retransmission uses T1 and T2. */
  timers?: Partial<TimerConfig>;
  /** User part of our Contact (default `octoline`). */
  contactUser?: string;
  /** Address written in Via and Contact instead of the transport's own (NAT, a public address). */
  publicAddress?: string;
  /** User-Agent / Server header value (default `Octoline`). */
  userAgent?: string;
}

/** What the dialogs and call helpers need from the UA core; implemented by UaCore. */
export interface UaContext {
  readonly clock: Clock;
  readonly log: Logger;
  readonly timers: TimerConfig;
  readonly userAgent: string;
  /** Our address as `host:port` (IPv6 in brackets), for From and Contact. */
  readonly hostPort: string;
  /** A Via value with a fresh branch for a request sent over `transport` (with rport, RFC 3581). */
  via(transport: TransportKind): string;
  /** Our Contact value for a dialog on `transport`. */
  contact(transport: TransportKind): string;
  /** Allow and Supported (and Allow-Events when an event package is served), for INVITE and its 2xx. */
  capabilityHeaders(): Array<[string, string]>;
  /** A request in its own client transaction. */
  request(req: SipRequest, dest: Remote, opts?: ClientRequestOptions): ClientTransaction;
  cancel(tx: ClientTransaction): Promise<unknown>;
  /** A message outside any transaction: ACK of a 2xx, 2xx retransmissions (§13.2.2.4, §13.3.1.4). */
  sendRaw(msg: Parameters<SipSender['send']>[0], dest: Remote): void;
}

export function hostPort(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** Builds the UaContext pieces that only depend on the transport and the options. */
export class Addressing {
  constructor(private readonly sender: SipSender, private readonly opts: UaOptions) {}

  get hostPort(): string {
    return hostPort(this.opts.publicAddress ?? this.sender.local.address, this.sender.local.port);
  }

  via(transport: TransportKind): string {
    return `${viaProtocol(transport)} ${this.hostPort};branch=${newBranch()};rport`;
  }

  contact(transport: TransportKind): string {
    const t = transport === 'tcp' ? ';transport=tcp' : '';
    return `<sip:${this.opts.contactUser ?? 'octoline'}@${this.hostPort}${t}>`;
  }
}
