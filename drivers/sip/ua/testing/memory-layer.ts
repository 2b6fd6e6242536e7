import {
  createResponse, getCSeq, parseMessage, type SipMessage, type SipRequest, type SipResponse,
} from '../../message/index.js';
import type {
  ClientRequestOptions, ClientTransaction, ServerTransaction, TransactionLayerApi, TransactionUser,
} from '../../transaction/types.js';
import type { Remote, SipSender } from '../../transport/types.js';

/**
 * Fakes below the UA core's boundary, for unit tests: a transaction layer that records the
 * requests the UA sends and lets the test answer them, and hands the UA requests as if from the
 * network; a sender that records what goes out outside transactions (ACK of 2xx, 2xx
 * retransmissions).
 */
export class MemorySender implements SipSender {
  readonly local = { address: '127.0.0.1', port: 5060 };
  readonly sent: Array<{ msg: SipMessage; dest: Remote }> = [];

  async send(msg: SipMessage, dest: Remote): Promise<void> {
    this.sent.push({ msg, dest });
  }

  /** Requests of `method` sent outside transactions (ACK). */
  requests(method: string): SipRequest[] {
    return this.sent.flatMap(({ msg }) => (msg.kind === 'request' && msg.method === method ? [msg] : []));
  }

  responses(status: number): SipResponse[] {
    return this.sent.flatMap(({ msg }) => (msg.kind === 'response' && msg.status === status ? [msg] : []));
  }
}

export interface FakeClientTx extends ClientTransaction {
  readonly dest: Remote;
  readonly opts: ClientRequestOptions | undefined;
  /** Deliver a response as the layer would: onResponse, and `final` for the first final one. */
  answer(res: SipResponse): void;
  readonly settled: boolean;
}

export class FakeServerTx implements ServerTransaction {
  readonly responses: SipResponse[] = [];
  finished = false;

  constructor(readonly id: string, readonly request: SipRequest, readonly source: Remote) {}

  respond(res: SipResponse): void {
    if (this.finished) throw new Error(`${this.request.method} already answered`);
    this.responses.push(res);
    if (res.status >= 200) this.finished = true;
  }

  get last(): SipResponse | undefined {
    return this.responses.at(-1);
  }
}

export const PEER: Remote = { transport: 'udp', address: '127.0.0.1', port: 5070 };

export class MemoryLayer implements TransactionLayerApi {
  readonly sent: FakeClientTx[] = [];
  readonly cancelled: FakeClientTx[] = [];
  private tu: TransactionUser | undefined;
  private seq = 0;

  setUser(tu: TransactionUser): void {
    this.tu = tu;
  }

  get size(): number {
    return this.sent.filter((t) => !t.settled).length;
  }

  close(): void {}

  request(req: SipRequest, dest: Remote, opts?: ClientRequestOptions): FakeClientTx {
    let resolve!: (r: SipResponse) => void;
    const final = new Promise<SipResponse>((r) => { resolve = r; });
    let settled = false;
    const tx: FakeClientTx = {
      id: `c${++this.seq}`, request: req, final, dest, opts,
      get settled() { return settled; },
      answer(res) {
        opts?.onResponse?.(res);
        if (res.status >= 200 && !settled) {
          settled = true;
          resolve(res);
        }
      },
    };
    this.sent.push(tx);
    return tx;
  }

  async cancel(tx: ClientTransaction): Promise<SipResponse> {
    this.cancelled.push(tx as FakeClientTx);
    return createResponse(tx.request, 200);
  }

  /** Requests of `method` the UA sent in transactions, oldest first. */
  requests(method: string): FakeClientTx[] {
    return this.sent.filter((t) => t.request.method === method);
  }

  /** A request from the network, handed to the UA as a new server transaction. */
  incoming(text: string, source: Remote = PEER): FakeServerTx {
    const req = parse(text) as SipRequest;
    const tx = new FakeServerTx(`s${++this.seq}`, req, source);
    this.tu?.onRequest(tx);
    return tx;
  }

  ack(text: string, source: Remote = PEER): void {
    this.tu?.onAck(parse(text) as SipRequest, source);
  }

  cancelIncoming(invite: FakeServerTx, text: string): void {
    this.tu?.onCancel(invite, parse(text) as SipRequest);
  }

  strayResponse(res: SipResponse): void {
    this.tu?.onStrayResponse?.(res, PEER);
  }
}

/** Parse a message written with \n line ends and leading indentation removed. */
export function parse(text: string): SipMessage {
  const lines = text.replace(/^\n/, '').split('\n').map((l) => l.trimStart());
  const blank = lines.indexOf('');
  const head = (blank < 0 ? lines : lines.slice(0, blank)).join('\r\n');
  const body = blank < 0 ? '' : lines.slice(blank + 1).join('\r\n');
  return parseMessage(Buffer.from(`${head}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, 'latin1'), { transport: 'udp' });
}

/** A response to `req` (one the UA sent) with a To tag, Contact and optional Record-Route/body. */
export function reply(req: SipRequest, status: number, o: { toTag?: string; contact?: string; recordRoute?: string[]; sdp?: string } = {}): SipResponse {
  const headers: Array<[string, string]> = [];
  for (const rr of o.recordRoute ?? []) headers.push(['Record-Route', rr]);
  if (o.contact !== undefined) headers.push(['Contact', o.contact]);
  return createResponse(req, status, {
    ...(o.toTag !== undefined ? { toTag: o.toTag } : {}),
    headers,
    ...(o.sdp !== undefined ? { body: Buffer.from(o.sdp), contentType: 'application/sdp' } : {}),
  });
}

export function cseqOf(msg: SipMessage): number {
  return getCSeq(msg).seq;
}
