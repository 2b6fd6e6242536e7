import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { isIPv6, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { hasCode } from '../../coded-error.js';
import {
  checkResponse,
  createErrorResponse,
  getCSeq,
  getTopVia,
  parseMessage,
  serialize,
  SipParseError,
  type FramerEvent,
  type SipMessage,
  type Via,
} from '../message/index.js';
import { hostKey, isWildcard, remoteKey } from './address.js';
import { ConnectionPool } from './connection-pool.js';
import { TransportError } from './errors.js';
import { SipListeners } from './listeners.js';
import { RateLimiter, type RateLimitOptions, type RateLimitStats } from './rate-limit.js';
import type { TcpConnection } from './tcp-connection.js';
import type { Inbound, Remote, SipSender } from './types.js';
import { isOurSentBy, responseTarget, stampReceived, withViaTransport } from './via-stamp.js';

export interface TransportOptions {
  /** Bind address: an IPv4 or IPv6 address of this machine, or 0.0.0.0 / "::" for all. */
  address: string;
  /** UDP and TCP port (5060 in the field). */
  port: number;
  /** The address peers reach us at (Via sent-by, Contact), when it is not the bind address. */
  publicAddress?: string;
  /** Inbound limits; `false` turns them off (tests, benches). */
  rateLimit?: Partial<RateLimitOptions> | false;
  /** Inbound TCP connections at once (as many outbound again); default 256. */
  maxTcpConnections?: number;
  /** Inbound TCP connections at once from one IP; default 32. */
  maxTcpConnectionsPerIp?: number;
  /** Close TCP connections we opened after this long unused; default 32 s (64·T1). */
  tcpIdleMs?: number;
  /** Close TCP connections a peer opened after this long without a message or ping; default 10 min. */
  tcpInboundIdleMs?: number;
  /** Give up opening a TCP connection after this long; default 5 s. */
  tcpConnectTimeoutMs?: number;
  /** Requests over this many bytes for a UDP destination go over TCP (RFC 3261 §18.1.1); default 1300. */
  udpMaxRequest?: number;
}

type Tunables = 'maxTcpConnections' | 'maxTcpConnectionsPerIp' | 'tcpIdleMs' | 'tcpInboundIdleMs' | 'tcpConnectTimeoutMs' | 'udpMaxRequest';

export const DEFAULT_TRANSPORT_OPTIONS: Readonly<Required<Pick<TransportOptions, Tunables>>> = Object.freeze({
  maxTcpConnections: 256,
  maxTcpConnectionsPerIp: 32,
  tcpIdleMs: 32_000,
  tcpInboundIdleMs: 600_000,
  tcpConnectTimeoutMs: 5_000,
  udpMaxRequest: 1300,
});

/** After a TCP connect for a large request fails, send that peer large requests on UDP this long. */
const NO_TCP_MS = 5 * 60_000;
const NO_TCP_MAX = 1024;

export interface TransportStats {
  received: number;
  sent: number;
  /** UDP datagrams holding only line ends (keep-alives), dropped silently. */
  keepAlives: number;
  /** Messages the parser refused, and how many of those were answered (400/505/513). */
  parseErrors: number;
  answered: number;
  /** Responses dropped because their top Via is not ours or has more than one Via. */
  strayResponses: number;
  tcpConnections: number;
  rateLimit: RateLimitStats | undefined;
}

/**
 * SIP over UDP and TCP on one address and port (RFC 3261 §18): parses what comes in, answers or
 * drops what does not parse, stamps received/rport (RFC 3581), drops responses not meant for us,
 * rate-limits per source, and sends on UDP or on a reused TCP connection. Emits `message` with
 * every usable message; never emits `error`. See docs/sip-transport.md.
 */
export class SipTransport extends EventEmitter<{ message: [Inbound] }> implements SipSender {
  readonly local: { address: string; port: number };
  private readonly opts: TransportOptions & Required<Pick<TransportOptions, Tunables>>;
  private readonly sockets: SipListeners;
  private readonly pool: ConnectionPool;
  private readonly limiter: RateLimiter | undefined;
  private readonly ours: ReadonlySet<string>;
  private readonly noTcp = new Map<string, number>();
  private readonly counts = { received: 0, sent: 0, keepAlives: 0, parseErrors: 0, answered: 0, strayResponses: 0 };

  constructor(private readonly deps: { clock: Clock; log: Logger }, options: TransportOptions) {
    super();
    const opts = { ...DEFAULT_TRANSPORT_OPTIONS, ...options };
    this.opts = opts;
    const bound = hostKey(opts.address);
    const wild = isWildcard(bound);
    const addresses = wild ? machineAddresses() : [];
    const fallback = addresses.find((a) => isIPv6(a) === isIPv6(bound) && a !== '127.0.0.1' && a !== '::1') ?? (isIPv6(bound) ? '::1' : '127.0.0.1');
    const publicAddress = opts.publicAddress === undefined ? undefined : hostKey(opts.publicAddress);
    this.local = { address: publicAddress ?? (wild ? fallback : bound), port: opts.port };
    this.ours = new Set([bound, this.local.address, ...addresses]);
    this.sockets = new SipListeners({ log: deps.log }, { address: opts.address, port: opts.port });
    this.sockets.on('datagram', (buf, source) => this.onDatagram(buf, source));
    this.sockets.on('connection', (socket) => this.onConnection(socket));
    this.pool = new ConnectionPool(deps, {
      localAddress: bound,
      maxConnections: opts.maxTcpConnections,
      maxPerIp: opts.maxTcpConnectionsPerIp,
      idleMs: opts.tcpIdleMs,
      inboundIdleMs: opts.tcpInboundIdleMs,
      connectTimeoutMs: opts.tcpConnectTimeoutMs,
    }, (conn, events) => this.onTcpEvents(conn, events));
    this.limiter = opts.rateLimit === false ? undefined : new RateLimiter(deps, opts.rateLimit ?? {});
  }

  /** Bind UDP and TCP; rejects with SIP_PORT_IN_USE or SIP_BIND_FAILED and leaves nothing bound. */
  async start(): Promise<void> {
    this.pool.resume();
    await this.sockets.start();
  }

  /** Close every connection and both sockets. */
  async stop(): Promise<void> {
    this.pool.closeAll();
    await this.sockets.stop();
  }

  stats(): TransportStats {
    return { ...this.counts, tcpConnections: this.pool.size, rateLimit: this.limiter?.stats() };
  }

  /**
   * Send one message. UDP: one datagram to dest (a request over `udpMaxRequest` bytes goes over TCP
   * with its top Via saying so, back to UDP if the peer takes no TCP: RFC 3261 §18.1.1). TCP: on the
   * open connection to or from dest, else a new one; a response whose connection is gone goes to
   * its Via's received/sent-by (§18.2.2). Rejects with TransportError (SIP_NOT_RUNNING,
   * SIP_CONNECT_FAILED, SIP_SEND_FAILED); a message that cannot be written as SIP throws SipBuildError.
   */
  async send(msg: SipMessage, dest: Remote): Promise<void> {
    if (!this.sockets.running) throw new TransportError('SIP_NOT_RUNNING', 'SIP transport is not running');
    const buf = serialize(msg);
    this.limiter?.markPeer(hostKey(dest.address), settles(msg));
    if (dest.transport === 'tcp') {
      await this.sendTcp(buf, dest, msg);
    } else if (msg.kind === 'request' && buf.length > this.opts.udpMaxRequest && this.tcpWorth(dest)) {
      await this.sendLarge(msg, dest, buf);
    } else {
      await this.sockets.sendUdp(buf, dest);
    }
    this.counts.sent++;
  }

  private async sendLarge(msg: SipMessage, dest: Remote, buf: Buffer): Promise<void> {
    let viaTcp: SipMessage;
    try {
      viaTcp = withViaTransport(msg, 'TCP');
    } catch {
      await this.sockets.sendUdp(buf, dest); // no usable Via: nothing to rewrite, send as given
      return;
    }
    try {
      await this.sendTcp(serialize(viaTcp), { ...dest, transport: 'tcp' }, viaTcp);
    } catch (err) {
      if (!hasCode(err, 'SIP_CONNECT_FAILED')) throw err;
      this.deps.log.debug({ dest: remoteKey(dest.address, dest.port), bytes: buf.length, err: err.message },
        'no TCP to this peer: sending a large request on UDP');
      if (this.noTcp.size >= NO_TCP_MAX) this.noTcp.delete(this.noTcp.keys().next().value ?? '');
      this.noTcp.set(remoteKey(dest.address, dest.port), this.deps.clock.monotonic() + NO_TCP_MS);
      await this.sockets.sendUdp(buf, dest);
    }
  }

  /** False while a recent TCP connect to dest failed. */
  private tcpWorth(dest: Remote): boolean {
    const key = remoteKey(dest.address, dest.port);
    const until = this.noTcp.get(key);
    if (until === undefined) return true;
    if (until > this.deps.clock.monotonic()) return false;
    this.noTcp.delete(key);
    return true;
  }

  private async sendTcp(buf: Buffer, dest: Remote, msg: SipMessage): Promise<void> {
    let conn = this.pool.get(dest.address, dest.port);
    if (conn === undefined && msg.kind === 'response') {
      const via = topVia(msg);
      if (via !== undefined) {
        const target = responseTarget(via);
        conn = await this.pool.connect(target.address, target.port);
      }
    }
    conn ??= await this.pool.connect(dest.address, dest.port);
    await conn.write(buf);
  }

  private onDatagram(buf: Buffer, source: Remote): void {
    if (this.limiter !== undefined && this.limiter.admit(source.address, peekKind(buf)) !== 'accept') return;
    let msg: SipMessage;
    try {
      msg = parseMessage(buf, { transport: 'udp' });
    } catch (err) {
      this.refused(err, source, (answer) => this.sockets.sendUdp(answer, source));
      return;
    }
    this.deliver(msg, source, undefined);
  }

  private onConnection(socket: Socket): void {
    const ip = hostKey(socket.remoteAddress ?? '');
    if (this.limiter !== undefined && this.limiter.admit(ip, 'request') !== 'accept') {
      socket.destroy();
      return;
    }
    this.pool.adopt(socket);
  }

  private onTcpEvents(conn: TcpConnection, events: FramerEvent[]): void {
    for (const e of events) {
      const kind = e.type === 'message' ? e.message.kind : 'request';
      if (this.limiter !== undefined && this.limiter.admit(conn.remote.address, kind) !== 'accept') {
        if (e.type === 'error' && e.fatal) conn.close('unframeable input');
        continue;
      }
      if (e.type === 'message') {
        this.deliver(e.message, conn.remote, conn.id);
      } else if (e.type === 'error') {
        this.refused(e.error, conn.remote, (answer) => conn.write(answer));
        if (e.fatal) conn.end(`cannot frame the stream: ${e.error.code}`);
      }
      // pings were answered by the connection
    }
  }

  /** A message the parser refused: answer it statelessly to its source if it can be, else drop it. */
  private refused(err: unknown, source: Remote, reply: (answer: Buffer) => Promise<void>): void {
    if (!(err instanceof SipParseError)) {
      this.deps.log.error({ err, source }, 'SIP parser failed unexpectedly; message dropped');
      return;
    }
    if (err.code === 'SIP_EMPTY') {
      this.counts.keepAlives++; // "\r\n\r\n" or "\r\n" datagrams (RFC 5626 §4.4.1 style): nothing to do
      return;
    }
    this.counts.parseErrors++;
    let answer: Buffer | undefined;
    try {
      const res = createErrorResponse(err, { toTag: randomBytes(6).toString('hex') });
      answer = res === undefined ? undefined : serialize(res);
    } catch {
      answer = undefined;
    }
    this.deps.log.debug({ code: err.code, source: remoteKey(source.address, source.port), transport: source.transport, answered: answer !== undefined },
      'SIP message refused');
    if (answer === undefined) return;
    this.counts.answered++;
    reply(answer).catch((e: unknown) => this.deps.log.debug({ err: e }, 'could not send the answer to a refused message'));
  }

  private deliver(msg: SipMessage, source: Remote, connectionId: string | undefined): void {
    if (msg.kind === 'request') {
      stampReceived(msg, source);
    } else {
      const via = topVia(msg);
      // RFC 3261 §18.1.2: a response whose top Via sent-by is not ours is discarded; §8.1.3.3: so is
      // one with more than one Via (we are a UA, never a proxy).
      const why = via === undefined ? 'no usable Via'
        : !isOurSentBy(via, this.ours, this.local.port) ? 'top Via sent-by is not ours'
          : checkResponse(msg).action === 'drop' ? 'more than one Via' : undefined;
      if (why !== undefined) {
        this.counts.strayResponses++;
        this.deps.log.debug({ source: remoteKey(source.address, source.port), status: msg.status, why }, 'SIP response dropped');
        return;
      }
    }
    this.counts.received++;
    const inbound: Inbound = connectionId === undefined ? { message: msg, source } : { message: msg, source, connectionId };
    try {
      this.emit('message', inbound);
    } catch (err) {
      this.deps.log.error({ err, source }, 'SIP message handler threw; the transport goes on');
    }
  }
}

function topVia(msg: SipMessage): Via | undefined {
  try {
    return getTopVia(msg);
  } catch {
    return undefined;
  }
}

/** Requests we send and our 2xx (other than to OPTIONS, which scanners get too) settle a peer. */
function settles(msg: SipMessage): boolean {
  if (msg.kind === 'request') return true;
  if (msg.status < 200 || msg.status >= 300) return false;
  try {
    return getCSeq(msg).method !== 'OPTIONS';
  } catch {
    return false;
  }
}

/** Request or response from the first bytes, before parsing (responses start "SIP/"). */
function peekKind(buf: Buffer): 'request' | 'response' {
  let i = 0;
  while (i < buf.length && (buf[i] === 13 || buf[i] === 10)) i++;
  return buf.length - i >= 4 && buf.toString('latin1', i, i + 4).toUpperCase() === 'SIP/' ? 'response' : 'request';
}

/** Every address of this machine's interfaces (bound to a wildcard, each of them is "us"). */
function machineAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => hostKey(i.address.split('%')[0] ?? i.address)));
}
