import { createSocket, type Socket as UdpSocket, type RemoteInfo } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { TransportError } from './errors.js';

export interface Remote {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
}

export interface ListenerEvents {
  /** A UDP datagram (one message) or a chunk of a TCP stream (framing is the parser's job). */
  data: [Buffer, Remote, Socket | undefined];
}

/**
 * The SIP sockets on the configured address and port: UDP and TCP, same number. Bind errors are
 * typed and name the port, so a second box (or a stray Asterisk) on 5060 is a one-line error.
 */
export class SipListeners extends EventEmitter<ListenerEvents> {
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly conns = new Set<Socket>();

  constructor(private readonly deps: { log: Logger }, private readonly opts: { address: string; port: number }) {
    super();
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

  sendUdp(buf: Buffer, to: { address: string; port: number }): void {
    this.udp?.send(buf, to.port, to.address);
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
    this.udp = undefined;
    this.tcp = undefined;
  }

  private bindUdp(): Promise<UdpSocket> {
    const sock = createSocket(isIPv6(this.opts.address) ? 'udp6' : 'udp4');
    return new Promise((resolve, reject) => {
      sock.once('error', (err) => { sock.close(); reject(this.bindError('udp', err)); });
      sock.bind(this.opts.port, this.opts.address, () => {
        sock.removeAllListeners('error');
        sock.on('error', (err) => this.deps.log.warn({ err }, 'SIP UDP socket error'));
        sock.on('message', (msg: Buffer, rinfo: RemoteInfo) =>
          this.emit('data', msg, { transport: 'udp', address: rinfo.address, port: rinfo.port }, undefined));
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
    const remote: Remote = { transport: 'tcp', address: conn.remoteAddress ?? '', port: conn.remotePort ?? 0 };
    conn.on('data', (chunk: Buffer) => this.emit('data', chunk, remote, conn));
    conn.on('error', (err) => this.deps.log.debug({ err, remote }, 'SIP TCP connection error'));
    conn.on('close', () => this.conns.delete(conn));
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
