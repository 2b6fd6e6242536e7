import { connect, isIPv6, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { hostKey, isWildcard, normalizeAddress, remoteKey } from './address.js';
import { TransportError } from './errors.js';
import { TcpConnection, type TcpConnectionHandlers } from './tcp-connection.js';

export interface PoolOptions {
  /** Our bind address: outbound connections leave from it when the families match. */
  localAddress: string;
  /** Inbound connections at once; as many outbound ones again. */
  maxConnections: number;
  /** Inbound connections at once from one IP address. */
  maxPerIp: number;
  /** Close connections we opened after this long unused. */
  idleMs: number;
  /** Close connections the remote opened after this long unused (the remote should close first). */
  inboundIdleMs: number;
  /** Node socket time-out on connect(). */
  connectTimeoutMs: number;
}

/**
 * The open SIP TCP connections, both ways, keyed by the remote "address:port", so a response to a
 * request that came over TCP goes back on its connection (RFC 3261 §18.2.2) and requests to a peer
 * reuse the connection to it (§18.1.1). Bounded: inbound connections beyond the caps are refused.
 */
export class ConnectionPool {
  private readonly byKey = new Map<string, TcpConnection>();
  private readonly all = new Set<TcpConnection>();
  private readonly pending = new Map<string, Promise<TcpConnection>>();
  private readonly perIp = new Map<string, number>();
  private readonly connecting = new Set<Socket>();
  private inbound = 0;
  private outbound = 0;
  private seq = 0;
  private stopped = false;
  private refusedSinceLog = 0;
  private refusedLoggedAt = -Infinity;

  constructor(
    private readonly deps: { clock: Clock; log: Logger },
    private readonly opts: PoolOptions,
    private readonly onEvents: TcpConnectionHandlers['onEvents'],
  ) {}

  /** Connections open now (one being closed no longer counts). */
  get size(): number {
    let n = 0;
    for (const c of this.all) if (c.open) n++;
    return n;
  }

  /** An open connection to or from `address:port`. */
  get(address: string, port: number): TcpConnection | undefined {
    const c = this.byKey.get(remoteKey(address, port));
    return c?.open === true ? c : undefined;
  }

  /** Take an inbound connection, or refuse it (destroyed, logged) when over a cap. */
  adopt(socket: Socket): TcpConnection | undefined {
    if (this.stopped) {
      socket.destroy();
      return undefined;
    }
    const ip = normalizeAddress(socket.remoteAddress ?? '');
    const fromIp = this.perIp.get(ip) ?? 0;
    if (this.inbound >= this.opts.maxConnections || fromIp >= this.opts.maxPerIp) {
      // One line a second at most, however fast connections come.
      this.refusedSinceLog++;
      const now = this.deps.clock.monotonic();
      if (now - this.refusedLoggedAt >= 1000) {
        const which = this.inbound >= this.opts.maxConnections ? 'all sources' : 'one source';
        this.deps.log.warn({ source: ip, inbound: this.inbound, fromSource: fromIp, refused: this.refusedSinceLog },
          `SIP TCP connection refused: too many connections from ${which}`);
        this.refusedLoggedAt = now;
        this.refusedSinceLog = 0;
      }
      socket.destroy();
      return undefined;
    }
    this.perIp.set(ip, fromIp + 1);
    this.inbound++;
    return this.track(socket, 'inbound');
  }

  /** The open connection to `address:port`, else a new one (one connect for concurrent callers). */
  async connect(address: string, port: number): Promise<TcpConnection> {
    const open = this.get(address, port);
    if (open !== undefined) return open;
    const key = remoteKey(address, port);
    let p = this.pending.get(key);
    if (p === undefined) {
      p = this.open(hostKey(address), port).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  /** Take connections again (after closeAll, when the transport is started again). */
  resume(): void {
    this.stopped = false;
  }

  /** Close every connection and abandon connects in progress; the pool takes no more until resume(). */
  closeAll(): void {
    this.stopped = true;
    for (const s of this.connecting) s.destroy(new Error('transport stopping'));
    for (const c of this.all) c.close('transport stopping');
  }

  private open(address: string, port: number): Promise<TcpConnection> {
    if (this.stopped) return Promise.reject(new TransportError('SIP_NOT_RUNNING', 'SIP transport is not running'));
    if (this.outbound + this.pending.size >= this.opts.maxConnections) {
      return Promise.reject(new TransportError('SIP_CONNECT_FAILED', `cannot connect to ${remoteKey(address, port)}/tcp: ${this.opts.maxConnections} outbound connections already open`));
    }
    const local = this.opts.localAddress;
    const sameFamily = !isWildcard(local) && isIPv6(local) === isIPv6(address);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: address, port, ...(sameFamily ? { localAddress: local } : {}) });
      this.connecting.add(socket);
      const fail = (why: string, cause?: Error): void => {
        this.connecting.delete(socket);
        socket.destroy();
        reject(new TransportError('SIP_CONNECT_FAILED', `cannot connect to ${remoteKey(address, port)}/tcp: ${why}`, cause === undefined ? undefined : { cause }));
      };
      socket.setTimeout(this.opts.connectTimeoutMs, () => fail(`no answer within ${this.opts.connectTimeoutMs} ms`));
      socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message, err));
      socket.once('connect', () => {
        this.connecting.delete(socket);
        socket.setTimeout(0);
        socket.removeAllListeners('timeout');
        socket.removeAllListeners('error');
        this.outbound++;
        resolve(this.track(socket, 'outbound'));
      });
    });
  }

  private track(socket: Socket, origin: 'inbound' | 'outbound'): TcpConnection {
    const conn = new TcpConnection(this.deps, socket, {
      id: `tcp-${++this.seq}`,
      origin,
      idleMs: origin === 'outbound' ? this.opts.idleMs : this.opts.inboundIdleMs,
      firstMessageMs: this.opts.idleMs,
    }, { onEvents: this.onEvents, onClose: (c) => this.forget(c) });
    this.all.add(conn);
    this.byKey.set(conn.key, conn);
    this.deps.log.debug({ remote: conn.key, id: conn.id, origin }, 'SIP TCP connection open');
    return conn;
  }

  private forget(conn: TcpConnection): void {
    if (!this.all.delete(conn)) return;
    if (this.byKey.get(conn.key) === conn) this.byKey.delete(conn.key);
    if (conn.opts.origin === 'outbound') {
      this.outbound--;
    } else {
      this.inbound--;
      const n = (this.perIp.get(conn.remote.address) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(conn.remote.address);
      else this.perIp.set(conn.remote.address, n);
    }
  }
}
