import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { RtpengineError } from './errors.js';

/** One digit as rtpengine reports it (RFC 4733 event, or in-band via its transcoder). */
export interface DtmfEvent {
  callId: string;
  /** The leg (from-tag) the digit came from. */
  sourceTag: string;
  /** '0'-'9', '*', '#', 'A'-'D'; other RFC 4733 events (flash = 16) as their number. */
  digit: string;
  event: number;
  durationMs: number;
  volume: number;
}

const DIGITS = '0123456789*#ABCD';

/** rtpengine's datagram → DtmfEvent; undefined for anything else (never throws). */
export function parseDtmfDatagram(buf: Buffer): DtmfEvent | undefined {
  let o: unknown;
  try {
    o = JSON.parse(buf.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null) return undefined;
  const r = o as Record<string, unknown>;
  if (r['type'] !== undefined && r['type'] !== 'DTMF') return undefined;
  const event = r['event'];
  if (typeof r['callid'] !== 'string' || typeof event !== 'number' || !Number.isInteger(event) || event < 0 || event > 255) return undefined;
  return {
    callId: r['callid'],
    sourceTag: typeof r['source_tag'] === 'string' ? r['source_tag'] : '',
    digit: DIGITS[event] ?? String(event),
    event,
    durationMs: typeof r['duration'] === 'number' ? r['duration'] : 0,
    volume: typeof r['volume'] === 'number' ? r['volume'] : 0,
  };
}

/** Receives rtpengine's `dtmf-log-dest` datagrams on 127.0.0.1 and emits typed digits. */
export class DtmfLogListener extends EventEmitter<{ dtmf: [DtmfEvent] }> {
  private sock: Socket | undefined;

  constructor(private readonly deps: { log: Logger }, private readonly opts: { port: number }) {
    super();
  }

  start(): Promise<void> {
    const sock = createSocket('udp4');
    return new Promise((resolve, reject) => {
      sock.once('error', (err) => {
        sock.close();
        const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        reject(new RtpengineError('RTPENGINE_DTMF_PORT_IN_USE',
          `DTMF log port 127.0.0.1:${this.opts.port}/udp ${inUse ? 'is already in use' : `cannot be bound (${err.message})`}; set rtpengine.dtmf_log_port`, { cause: err }));
      });
      sock.bind(this.opts.port, '127.0.0.1', () => {
        sock.removeAllListeners('error');
        sock.on('error', (err) => this.deps.log.warn({ err }, 'DTMF log socket error'));
        sock.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo.address));
        this.sock = sock;
        resolve();
      });
    });
  }

  stop(): Promise<void> {
    const sock = this.sock;
    this.sock = undefined;
    return new Promise((r) => (sock ? sock.close(() => r()) : r()));
  }

  private onDatagram(msg: Buffer, from: string): void {
    // Only rtpengine on this host may inject digits: a LAN sender could otherwise drive the IVR.
    if (from !== '127.0.0.1') return;
    const ev = parseDtmfDatagram(msg);
    if (!ev) {
      this.deps.log.debug({ bytes: msg.length }, 'ignored a datagram on the DTMF log port');
      return;
    }
    this.deps.log.debug({ callId: ev.callId, digit: ev.digit }, 'dtmf');
    this.emit('dtmf', ev);
  }
}
