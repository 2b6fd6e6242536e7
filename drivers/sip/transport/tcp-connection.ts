import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.js';
import { StreamFramer, type FramerEvent } from '../message/index.js';
import { normalizeAddress, remoteKey } from './address.js';
import { TransportError } from './errors.js';
import type { Remote } from './types.js';

const CRLF = Buffer.from('\r\n');
/** A peer that does not read what we write is cut off past this many queued bytes. */
const MAX_QUEUED_BYTES = 1024 * 1024;

export interface TcpConnectionOptions {
  id: string;
  /** Who opened it: we close our own after `idleMs` unused; the remote's after `idleMs` too, but a longer one. */
  origin: 'inbound' | 'outbound';
  idleMs: number;
  /** An inbound connection must bring its first message (or ping) within this, else it is closed. */
  firstMessageMs: number;
}

export interface TcpConnectionHandlers {
  /** Framed messages and errors; pings are answered here. Called synchronously from 'data'. */
  onEvents(conn: TcpConnection, events: FramerEvent[]): void;
  onClose(conn: TcpConnection): void;
}

/**
 * One SIP-over-TCP connection (RFC 3261 §18.3): a StreamFramer on what comes in, CRLF pongs to
 * CRLFCRLF pings (RFC 5626 §3.5.1), writes as promises, and an idle time-out on the injected clock.
 */
export class TcpConnection {
  readonly remote: Remote;
  readonly key: string;
  private readonly framer = new StreamFramer();
  private lastUsed: number;
  private idle: TimerHandle | undefined;
  private heard = false;
  private closed = false;

  constructor(
    private readonly deps: { clock: Clock; log: Logger },
    private readonly socket: Socket,
    readonly opts: TcpConnectionOptions,
    private readonly handlers: TcpConnectionHandlers,
  ) {
    this.remote = { transport: 'tcp', address: normalizeAddress(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
    this.key = remoteKey(this.remote.address, this.remote.port);
    this.lastUsed = deps.clock.monotonic();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.deps.log.debug({ err, remote: this.key, id: opts.id }, 'SIP TCP connection error'));
    socket.on('close', () => this.onClosed());
    this.schedule(opts.origin === 'inbound' ? Math.min(opts.firstMessageMs, opts.idleMs) : opts.idleMs);
  }

  get id(): string {
    return this.opts.id;
  }

  get open(): boolean {
    return !this.closed;
  }

  /** Resolves once the bytes are queued on the socket; SIP_SEND_FAILED when it is closed or stuck. */
  write(buf: Buffer): Promise<void> {
    if (this.closed || this.socket.destroyed || !this.socket.writable) {
      return Promise.reject(new TransportError('SIP_SEND_FAILED', `cannot send to ${this.key}/tcp: connection closed`));
    }
    if (this.socket.writableLength > MAX_QUEUED_BYTES) {
      this.close('peer does not read');
      return Promise.reject(new TransportError('SIP_SEND_FAILED', `cannot send to ${this.key}/tcp: peer does not read, connection closed`));
    }
    this.touch();
    return new Promise((resolve, reject) => {
      this.socket.write(buf, (err) => {
        if (err === null || err === undefined) resolve();
        else reject(new TransportError('SIP_SEND_FAILED', `cannot send to ${this.key}/tcp: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err }));
      });
    });
  }

  /** Finish writing what is queued (an error answer), then close. */
  end(reason: string): void {
    if (this.closed) return;
    this.deps.log.debug({ remote: this.key, id: this.id, reason }, 'closing SIP TCP connection');
    this.closed = true;
    this.socket.end(() => this.socket.destroy());
  }

  /** Close now. */
  close(reason: string): void {
    if (this.socket.destroyed) return;
    this.deps.log.debug({ remote: this.key, id: this.id, reason }, 'closing SIP TCP connection');
    this.closed = true;
    this.socket.destroy();
  }

  private touch(): void {
    this.lastUsed = this.deps.clock.monotonic();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    const events = this.framer.push(chunk);
    if (events.length === 0) return;
    if (!this.heard) {
      this.heard = true;
      this.schedule(this.opts.idleMs);
    }
    this.touch();
    for (const e of events) {
      if (e.type === 'ping') this.socket.write(CRLF);
    }
    this.handlers.onEvents(this, events);
  }

  /** Check again at `ms`; close if unused for idleMs by then (one timer per connection, re-armed lazily). */
  private schedule(ms: number): void {
    this.idle?.cancel();
    this.idle = this.deps.clock.setTimeout(() => {
      this.idle = undefined;
      if (this.closed) return;
      const limit = this.heard || this.opts.origin === 'outbound' ? this.opts.idleMs : this.opts.firstMessageMs;
      const left = this.lastUsed + limit - this.deps.clock.monotonic();
      if (left > 0) this.schedule(left);
      else this.close(this.heard || this.opts.origin === 'outbound' ? 'idle' : 'no message in time');
    }, ms);
  }

  private onClosed(): void {
    this.closed = true;
    this.idle?.cancel();
    this.idle = undefined;
    this.handlers.onClose(this);
  }
}
