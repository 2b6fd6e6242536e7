import rtpengine from 'rtpengine-client';
import type { Logger } from 'pino';
import { RtpengineError } from './errors.js';
import type { NgCommand, NgParams, NgReply, NgSdpReply } from './ng-types.js';

export interface NgClientOptions {
  host: string;
  port: number;
  /** Per-command time-out (ms). */
  timeoutMs: number;
  log?: Logger;
}

interface RawClient {
  close(): void;
  /** rtpengine-client's pending time-outs by cookie (cleared on close so none keeps Node alive). */
  timers?: Map<string, NodeJS.Timeout>;
  on(event: 'error', fn: (err: unknown) => void): void;
  [command: string]: unknown;
}

type RawCommand = (port: number, host: string, params?: NgParams) => Promise<unknown>;

/**
 * The one typed door to rtpengine's ng socket (over rtpengine-client): every command has a
 * time-out, and every failure leaves through `settle` as an RtpengineError with a code.
 */
export class NgClient {
  private readonly raw: RawClient;
  private closed = false;

  constructor(private readonly opts: NgClientOptions) {
    // We time out ourselves; the library's own time-out (much longer) only frees its pending map
    // for commands rtpengine never answers (a reply later than that is printed by the library).
    this.raw = new rtpengine.Client({
      ...(opts.host.startsWith('127.') ? { localAddress: '127.0.0.1' } : {}), localPort: 0, timeout: opts.timeoutMs * 10,
    }) as unknown as RawClient;
    this.raw.on('error', (err) => opts.log?.warn({ err }, 'rtpengine control socket error'));
  }

  /** A short `timeoutMs` suits readiness polling: UDP to a port nobody listens on just vanishes. */
  ping(timeoutMs = this.opts.timeoutMs): Promise<NgReply> {
    return this.command('ping', undefined, timeoutMs);
  }

  async offer(params: NgParams): Promise<NgSdpReply> {
    return this.withSdp(await this.command('offer', params), 'offer');
  }

  async answer(params: NgParams): Promise<NgSdpReply> {
    return this.withSdp(await this.command('answer', params), 'answer');
  }

  delete(params: NgParams): Promise<NgReply> {
    return this.command('delete', params);
  }

  /** Any ng command; resolves only on success (`ok` / `pong`). */
  async command(name: NgCommand, params?: NgParams, timeoutMs = this.opts.timeoutMs): Promise<NgReply> {
    if (this.closed) throw new RtpengineError('RTPENGINE_STOPPED', `rtpengine ${name}: client closed`);
    const fn = this.raw[name] as RawCommand | undefined;
    if (typeof fn !== 'function') throw new RtpengineError('RTPENGINE_ERROR', `rtpengine-client has no command ${name}`);
    const sent = params === undefined ? fn.call(this.raw, this.opts.port, this.opts.host) : fn.call(this.raw, this.opts.port, this.opts.host, params);
    return settle(name, await this.withTimeout(name, sent, timeoutMs));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.raw.timers?.values() ?? []) clearTimeout(timer);
    this.raw.close();
  }

  private withTimeout(name: string, p: Promise<unknown>, ms: number): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RtpengineError('RTPENGINE_TIMEOUT',
        `rtpengine ${name}: no answer from ${this.opts.host}:${this.opts.port} within ${ms} ms`)), ms);
    });
    const sent = p.catch((err: unknown) => {
      throw new RtpengineError('RTPENGINE_UNREACHABLE', `rtpengine ${name}: cannot reach ${this.opts.host}:${this.opts.port}: ${String(err)}`, { cause: err });
    });
    return Promise.race([sent, timeout]).finally(() => clearTimeout(timer));
  }

  private withSdp(reply: NgReply, name: string): NgSdpReply {
    if (typeof reply['sdp'] !== 'string') throw new RtpengineError('RTPENGINE_ERROR', `rtpengine ${name}: reply has no SDP`);
    return reply as NgSdpReply;
  }
}

/** The single exit path from an ng reply to success or a typed error. */
export function settle(name: string, raw: unknown): NgReply {
  if (typeof raw !== 'object' || raw === null || typeof (raw as NgReply).result !== 'string') {
    throw new RtpengineError('RTPENGINE_ERROR', `rtpengine ${name}: malformed reply`);
  }
  const reply = raw as NgReply;
  if (reply.result === 'ok' || reply.result === 'pong') return reply;
  const reason = reply['error-reason'];
  const code = reply.result === 'load limit' ? 'RTPENGINE_LOAD_LIMIT' : 'RTPENGINE_ERROR';
  throw new RtpengineError(code, `rtpengine ${name}: ${reason ?? reply.result}`, reason ? { reason } : {});
}
