import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { SipResponse } from './message/index.js';
import type { DialogId, Replaces } from './dialog/index.js';
import { TransactionLayer } from './transaction/index.js';
import type { TimerConfig } from './transaction/index.js';
import { SipTransport, type TransportOptions } from './transport/index.js';
import {
  UaCore,
  type B2buaCall, type B2buaOptions, type Dialog, type DialogMatch, type IncomingInvite, type OptionsPinger,
  type OutOfDialogInit, type PingerOptions, type RequestHandler, type SubscribeHandler, type UacOptions, type UasOptions, type UaEvents,
} from './ua/index.js';

export interface SipStackOptions {
  /** Bind address (127.0.0.1 in tests and dev). */
  address: string;
  port: number;
  /** The address peers reach us at, for Via and Contact, when it is not the bind address. */
  publicAddress?: string;
  timers?: Partial<TimerConfig>;
  /** Inbound rate limits of the transport; `false` turns them off (tests, benches). */
  rateLimit?: TransportOptions['rateLimit'];
  /** User part of our Contact (default `octoline`). */
  contactUser?: string;
  /** User-Agent / Server header (default `Octoline`). */
  userAgent?: string;
}

/**
 * The SIP stack: transport (UDP+TCP) → transaction layer → UA core, composed and started as one,
 * with the call-control API on top (createUAS, createUAC, createB2BUA, request, handle).
 */
export class SipStack {
  readonly transport: SipTransport;
  readonly layer: TransactionLayer;
  readonly ua: UaCore;
  private started = false;

  constructor(private readonly deps: { clock: Clock; log: Logger }, opts: SipStackOptions) {
    const log = deps.log;
    this.transport = new SipTransport({ clock: deps.clock, log }, {
      address: opts.address, port: opts.port,
      ...(opts.publicAddress !== undefined ? { publicAddress: opts.publicAddress } : {}),
      ...(opts.rateLimit !== undefined ? { rateLimit: opts.rateLimit } : {}),
    });
    this.layer = new TransactionLayer({ clock: deps.clock, log, sender: this.transport }, opts.timers ? { timers: opts.timers } : {});
    this.ua = new UaCore({ clock: deps.clock, log, layer: this.layer, sender: this.transport }, {
      ...(opts.timers ? { timers: opts.timers } : {}),
      ...(opts.contactUser !== undefined ? { contactUser: opts.contactUser } : {}),
      ...(opts.userAgent !== undefined ? { userAgent: opts.userAgent } : {}),
    });
    this.layer.setUser(this.ua);
    this.transport.on('message', (m) => this.layer.receive(m.message, m.source));
  }

  /** Where we listen and what we write in Via/Contact. */
  get local(): { address: string; port: number } {
    return this.transport.local;
  }

  /** Bind the sockets; rejects with SIP_PORT_IN_USE / SIP_BIND_FAILED (nothing left bound). */
  async start(): Promise<void> {
    await this.transport.start();
    this.started = true;
    this.deps.log.info(this.local, 'SIP stack started');
  }

  /** Pending INVITEs get 503, dialogs end ('shutdown'), transactions stop, sockets close. */
  async stop(): Promise<void> {
    this.ua.close();
    this.layer.close();
    if (this.started) await this.transport.stop();
    this.started = false;
  }

  on<E extends keyof UaEvents>(event: E, listener: (...args: UaEvents[E]) => void): this {
    this.ua.on(event, listener as never);
    return this;
  }

  createUAS(invite: IncomingInvite, opts: UasOptions = {}): Promise<Dialog> {
    return this.ua.createUAS(invite, opts);
  }

  createUAC(uri: string, opts: UacOptions = {}): Promise<Dialog> {
    return this.ua.createUAC(uri, opts);
  }

  createB2BUA(invite: IncomingInvite, uri: string, opts: Omit<B2buaOptions, 'uri'> = {}): Promise<B2buaCall> {
    return this.ua.createB2BUA(invite, uri, opts);
  }

  request(uri: string, init: OutOfDialogInit): Promise<SipResponse> {
    return this.ua.request(uri, init);
  }

  /** Out-of-dialog requests of `method` (REGISTER → the registrar) go to `handler`. */
  handle(method: string, handler: RequestHandler): void {
    this.ua.handle(method, handler);
  }

  /** New SUBSCRIBEs with `Event: <pkg>` (RFC 6665) go to `handler`; other packages get 489. */
  handleSubscribe(pkg: string, handler: SubscribeHandler): void {
    this.ua.handleSubscribe(pkg, handler);
  }

  findDialog(target: DialogId | Replaces): DialogMatch | undefined {
    return this.ua.findDialog(target);
  }

  createPinger(opts: PingerOptions = {}): OptionsPinger {
    return this.ua.createPinger(opts);
  }
}
