import { authorize } from '../../auth/index.js';
import { createRequest, parseMessage, serialize, type SipRequest, type SipResponse } from '../../message/index.js';
import type { Remote } from '../../transport/types.js';

export interface TestPhoneOptions {
  ext: string;
  password: string;
  /** Digest username; default ext. */
  username?: string;
  source?: Remote;
  /** Default Contact value(s); default `<sip:EXT@192.168.1.50:5060>`. */
  contact?: string;
  callId?: string;
  /** From tag; default `phEXT`. */
  fromTag?: string;
  userAgent?: string;
  /** Request-URI host; default 192.0.2.10 (the box). */
  domain?: string;
}

export interface RequestShape {
  /** Contact values; '*' for the wildcard; [] for a query. Default the phone's contact. */
  contacts?: string[];
  /** Expires header; absent when undefined. */
  expires?: number;
  headers?: Array<[string, string]>;
}

/** The handle() half of a registrar, as a phone sees it. */
export interface RegistrarLike {
  handle(req: SipRequest, source: Remote): SipResponse | undefined;
}

/**
 * A desk phone for registrar tests: builds REGISTERs (through serialize and parseMessage, as they
 * would arrive), answers challenges with the client digest, increments CSeq per request.
 */
export class TestPhone {
  cseq = 0;
  readonly source: Remote;
  private branch = 0;

  constructor(private readonly registrar: RegistrarLike, readonly o: TestPhoneOptions) {
    this.source = o.source ?? { transport: 'udp', address: '203.0.113.5', port: 40000 };
  }

  build(shape: RequestShape = {}, auth: Array<[string, string]> = []): SipRequest {
    const contacts = shape.contacts ?? [this.o.contact ?? `<sip:${this.o.ext}@192.168.1.50:5060>`];
    const headers: Array<[string, string]> = [...contacts.map((c): [string, string] => ['Contact', c])];
    if (shape.expires !== undefined) headers.push(['Expires', String(shape.expires)]);
    if (this.o.userAgent !== undefined) headers.push(['User-Agent', this.o.userAgent]);
    headers.push(...(shape.headers ?? []), ...auth);
    const aor = `sip:${this.o.ext}@${this.o.domain ?? '192.0.2.10'}`;
    const req = createRequest({
      method: 'REGISTER',
      uri: `sip:${this.o.domain ?? '192.0.2.10'}`,
      via: [`SIP/2.0/${this.source.transport.toUpperCase()} ${this.source.address}:${this.source.port};branch=z9hG4bK-${++this.branch};rport`],
      from: `<${aor}>;tag=${this.o.fromTag ?? `ph${this.o.ext}`}`,
      to: `<${aor}>`,
      callId: this.o.callId ?? `reg-${this.o.ext}@192.168.1.50`,
      cseq: ++this.cseq,
      headers,
    });
    return wire(req);
  }

  send(req: SipRequest): SipResponse | undefined {
    const res = this.registrar.handle(req, this.source);
    return res === undefined ? undefined : wire(res);
  }

  /** REGISTER; on a 401 answer the challenge once (new CSeq) and return the second answer. */
  register(shape: RequestShape = {}): SipResponse | undefined {
    const first = this.send(this.build(shape));
    if (first?.status !== 401) return first;
    return this.send(this.build(shape, this.answer(first)));
  }

  /** Authorization header fields answering `challenge` for the request about to be built. */
  answer(challenge: SipResponse, password = this.o.password): Array<[string, string]> {
    const probe = this.build({}); this.cseq--; this.branch--;
    return authorize(probe, challenge, { credentials: { username: this.o.username ?? this.o.ext, password } });
  }
}

/** Through the wire format and back, as the transport would deliver it. */
export function wire<T extends SipRequest | SipResponse>(msg: T): T {
  return parseMessage(serialize(msg), { transport: 'udp' }) as T;
}
