import { createSocket, type Socket as UdpSocket, type RemoteInfo } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { destFor, normalizeAddress } from './address.js';
import { TransportError } from './errors.js';
import type { Remote } from './types.js';

export interface ListenerEvents {
  /** One UDP datagram (one message, or a keep-alive). */
  datagram: [Buffer, Remote];
  /**
   * A TCP connection someone opened to us. The listener keeps track of it only to destroy it in
   * stop(); reading, framing and limits are the user's (SipTransport's) job.
   */
  connection: [Socket];
}

/**
 * The SIP sockets on the configured address and port: UDP and TCP, same number. Bind errors are
 * typed and name the port, so a second box (or a stray Asterisk) on 5060 is a one-line error.
 * An IPv6 address binds IPv6 sockets ("::" is dual-stack on Linux: IPv4 peers then arrive as
 * plain IPv4 addresses, see address.ts).
 */
export class SipListeners extends EventEmitter<ListenerEvents> {
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly conns = new Set<Socket>();
  private readonly family: 4 | 6;

  constructor(private readonly deps: { log: Logger }, private readonly opts: { address: string; port: number }) {
    super();
    this.family = isIPv6(opts.address) ? 6 : 4;
  }

  get running(): boolean {
    return this.udp !== undefined;
  }

  /** On failure nothing stays bound (stop() is safe either way). */
  async start(): Promise<void> {
    this.udp = await this.bindUdp();
    try {
      this.tcp = await this.bindTcp();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.deps.log.info({ address: this.opts.address, port: this.opts.port }, 'SIP listening (udp, tcp)');
  }

  /** Send one datagram from the SIP port. Rejects with SIP_NOT_RUNNING or SIP_SEND_FAILED. */
  sendUdp(buf: Buffer, to: { address: string; port: number }): Promise<void> {
    const udp = this.udp;
    if (udp === undefined) return Promise.reject(new TransportError('SIP_NOT_RUNNING', 'SIP transport is not running'));
    return new Promise((resolve, reject) => {
      const done = (err: Error | null): void => {
        if (err === null) resolve();
        else reject(new TransportError('SIP_SEND_FAILED', `cannot send to ${to.address}:${to.port}/udp: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err }));
      };
      try {
        udp.send(buf, to.port, destFor(to.address, this.family), done);
      } catch (err) {
        done(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
    this.udp = undefined;
    this.tcp = undefined;
  }

  private bindUdp(): Promise<UdpSocket> {
    const sock = createSocket(this.family === 6 ? 'udp6' : 'udp4');
    return new Promise((resolve, reject) => {
      sock.once('error', (err) => { sock.close(); reject(this.bindError('udp', err)); });
      sock.bind(this.opts.port, this.opts.address, () => {
        sock.removeAllListeners('error');
        sock.on('error', (err) => this.deps.log.warn({ err }, 'SIP UDP socket error'));
        sock.on('message', (msg: Buffer, rinfo: RemoteInfo) =>
          this.emit('datagram', msg, { transport: 'udp', address: normalizeAddress(rinfo.address), port: rinfo.port }));
        resolve(sock);
      });
    });
  }

  private bindTcp(): Promise<Server> {
    const srv = createServer((conn) => this.onConnection(conn));
    return new Promise((resolve, reject) => {
      srv.once('error', (err) => reject(this.bindError('tcp', err)));
      srv.listen(this.opts.port, this.opts.address, () => {
        srv.removeAllListeners('error');
        srv.on('error', (err) => this.deps.log.warn({ err }, 'SIP TCP server error'));
        resolve(srv);
      });
    });
  }

  private onConnection(conn: Socket): void {
    this.conns.add(conn);
    conn.on('close', () => this.conns.delete(conn));
    if (this.listenerCount('connection') === 0) {
      // Nobody reads SIP over TCP (listeners alone): keep the socket quiet until stop().
      conn.on('error', (err) => this.deps.log.debug({ err }, 'SIP TCP connection error'));
      return;
    }
    this.emit('connection', conn);
  }

  private bindError(transport: 'udp' | 'tcp', err: Error): TransportError {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${this.opts.address}:${this.opts.port}/${transport}`;
    if (code === 'EADDRINUSE') {
      return new TransportError('SIP_PORT_IN_USE', `SIP port ${where} is already in use (another octoline, Asterisk or softphone?); free it or set sip.port`, { cause: err });
    }
    return new TransportError('SIP_BIND_FAILED', `cannot bind SIP ${where}: ${code ?? err.message}; check sip.bind is an address of this machine`, { cause: err });
  }
}
