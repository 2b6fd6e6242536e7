import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { StreamFramer, type SipMessage } from '../../message/index.js';

/**
 * Plain-socket peers for the transport tests: they speak bytes, not our stack, so what the tests
 * check is what goes over the wire. Loopback only. Every wait is bounded.
 */

export interface WireOptions {
  method?: string;
  /** Full top Via value. */
  via: string;
  callId?: string;
  cseq?: number;
  body?: string;
  /** false: no Content-Length header at all. */
  contentLength?: boolean;
  extra?: string[];
}

/** A request as text (CRLF line ends). */
export function wireRequest(o: WireOptions): string {
  const method = o.method ?? 'OPTIONS';
  const body = o.body ?? '';
  return [
    `${method} sip:box@127.0.0.1 SIP/2.0`,
    `Via: ${o.via}`,
    'Max-Forwards: 70',
    'From: <sip:probe@example.invalid>;tag=f1',
    'To: <sip:box@example.invalid>',
    `Call-ID: ${o.callId ?? 'call-1'}`,
    `CSeq: ${o.cseq ?? 1} ${method}`,
    ...(o.extra ?? []),
    ...(o.contentLength === false ? [] : [`Content-Length: ${Buffer.byteLength(body, 'latin1')}`]),
    '',
    body,
  ].join('\r\n');
}

/** A response as text. */
export function wireResponse(o: { status?: number; via: string; callId?: string; method?: string }): string {
  return [
    `SIP/2.0 ${o.status ?? 200} OK`,
    `Via: ${o.via}`,
    'From: <sip:box@example.invalid>;tag=b1',
    'To: <sip:peer@example.invalid>;tag=p1',
    `Call-ID: ${o.callId ?? 'call-1'}`,
    `CSeq: 1 ${o.method ?? 'OPTIONS'}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Resolve when `check` returns a value other than undefined, polling each `every` ms; reject after `ms`. */
export async function waitUntil<T>(what: string, check: () => T | undefined, ms = 3000, every = 5): Promise<T> {
  const until = performance.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (performance.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** A UDP socket on loopback that records what it receives. */
export class UdpPeer {
  readonly received: Buffer[] = [];

  private constructor(private readonly sock: UdpSocket) {
    sock.on('message', (m: Buffer) => this.received.push(m));
  }

  static open(address = '127.0.0.1'): Promise<UdpPeer> {
    const sock = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, address, () => resolve(new UdpPeer(sock)));
    });
  }

  get port(): number {
    return this.sock.address().port;
  }

  send(data: string | Buffer, port: number, address = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => this.sock.send(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, port, address, (err) => (err ? reject(err) : resolve())));
  }

  /** The n-th datagram received (0-based), waiting for it. */
  nth(n: number, ms = 3000): Promise<string> {
    return waitUntil(`datagram #${n}`, () => this.received[n]?.toString('latin1'), ms);
  }

  close(): Promise<void> {
    return new Promise((r) => this.sock.close(() => r()));
  }
}

/** A TCP client on loopback that records the bytes it gets and whether the server closed. */
export class TcpClient {
  private data = Buffer.alloc(0);
  ended = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => { this.data = Buffer.concat([this.data, c]); });
    socket.on('close', () => { this.ended = true; });
    socket.on('error', () => { this.ended = true; });
  }

  static open(port: number, host = '127.0.0.1'): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host });
      s.once('error', reject);
      s.once('connect', () => { s.removeListener('error', reject); resolve(new TcpClient(s)); });
    });
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  get text(): string {
    return this.data.toString('latin1');
  }

  write(data: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(Buffer.from(data, 'latin1'), (err) => (err ? reject(err) : resolve())));
  }

  /** Wait until what was received contains `s`. */
  async waitFor(s: string, ms = 3000): Promise<string> {
    return waitUntil(`${JSON.stringify(s)} from the server`, () => (this.text.includes(s) ? this.text : undefined), ms);
  }

  waitClosed(ms = 3000): Promise<true> {
    return waitUntil('the server to close the connection', () => (this.ended ? true : undefined), ms);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A TCP server on loopback that frames what it receives as SIP and counts connections. */
export class TcpServerPeer {
  readonly messages: SipMessage[] = [];
  readonly sockets: Socket[] = [];
  connections = 0;
  closedConnections = 0;

  private constructor(private readonly server: Server) {}

  static listen(port: number, host = '127.0.0.1'): Promise<TcpServerPeer> {
    const server = createServer();
    const peer = new TcpServerPeer(server);
    server.on('connection', (s) => {
      peer.connections++;
      peer.sockets.push(s);
      const framer = new StreamFramer();
      s.on('data', (c: Buffer) => {
        for (const e of framer.push(c)) if (e.type === 'message') peer.messages.push(e.message);
      });
      s.on('close', () => { peer.closedConnections++; });
      s.on('error', () => undefined);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(peer));
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}
