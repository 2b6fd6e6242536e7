import {
  createRequest, getCSeq, getTo, parseNameAddr, parseUri, formatNameAddr,
  type NameAddr, type SipRequest, type SipResponse, type Uri,
} from '../message/index.js';
import { dialogKey, resolveUri, uacRecord } from '../dialog/index.js';
import type { ClientTransaction } from '../transaction/types.js';
import type { Remote } from '../transport/types.js';
import type { Dialog } from './dialog.js';
import { SipError } from './errors.js';
import { newCallId, newTag } from './ids.js';
import type { DialogRegistry } from './registry.js';
import { bodyText, headerPairs, type HeaderList } from './respond.js';

export interface UacOptions {
  /** Our SDP offer (none: a late-offer INVITE; the 2xx then carries the peer's offer). */
  localSdp?: string;
  headers?: HeaderList;
  /** From: a name-addr or URI (any tag is replaced by ours); default `<sip:octoline@our-address>`. */
  from?: string;
  /** To: a name-addr or URI; default the Request-URI. */
  to?: string;
  callId?: string;
  /**
   * Answer a 401/407 challenge once: given the challenge and the request, return the
   * Authorization / Proxy-Authorization header to add (the digest client computes it), or
   * undefined to give up (the call then fails with the 401/407).
   */
  auth?: (challenge: SipResponse, request: SipRequest) => readonly [string, string] | undefined;
  /** Abort before the answer: CANCEL is sent, the promise rejects with SIP_CANCELLED. */
  signal?: AbortSignal;
  /** Every provisional response (180 Ringing, 183 with early media SDP, ...). */
  onProvisional?: (res: SipResponse) => void;
  /**
   * Where to send the INVITE when it is not the Request-URI's host: a phone behind NAT is reached
   * at the address its REGISTER came from, with its Contact as the Request-URI.
   */
  destination?: Remote;
}

function asNameAddr(value: string): NameAddr {
  const na = parseNameAddr(value, 'From');
  const params = new Map(na.params);
  params.delete('tag');
  return { ...na, params };
}

/**
 * An INVITE we send and its outcome (RFC 3261 §13.2): early dialogs from 1xx with a To tag, a
 * dialog and its ACK on 2xx (a retransmitted 2xx is ACKed again; a second 2xx from a fork, or a 2xx
 * after our CANCEL, is ACKed and then ended with BYE: §13.2.2.4, §9.1), SipError on failure.
 */
class OutgoingInvite {
  private tx: ClientTransaction | undefined;
  private invite: SipRequest | undefined;
  private readonly dialogs = new Map<string, Dialog>();
  private readonly early = new Set<string>();
  private readonly handled = new WeakSet<SipResponse>();
  private settled = false;
  private cancelled = false;
  private authTried = false;
  private readonly dest: Remote;
  private readonly base: { from: NameAddr; to: string; callId: string; uri: Uri };

  constructor(
    private readonly reg: DialogRegistry,
    uri: Uri,
    private readonly opts: UacOptions,
    private readonly done: { resolve: (d: Dialog) => void; reject: (e: Error) => void },
  ) {
    this.dest = opts.destination ?? resolveUri(uri);
    const from = opts.from !== undefined
      ? asNameAddr(opts.from)
      : { uri: parseUri(`sip:octoline@${reg.ctx.hostPort}`), params: new Map<string, string | null>() };
    from.params.set('tag', newTag());
    this.base = { from, to: opts.to ?? formatNameAddr({ uri, params: new Map() }), callId: opts.callId ?? newCallId(), uri };
  }

  private readonly onAbort = (): void => this.abort();

  start(): void {
    this.send(1, []);
    this.opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The outcome is known: stop listening to the caller's signal. */
  private settle(): void {
    this.settled = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
  }

  abort(): void {
    if (this.settled || this.cancelled || this.tx === undefined) return;
    this.cancelled = true;
    this.reg.ctx.cancel(this.tx).catch(() => undefined); // the layer waits for a 1xx before sending it (§9.1)
  }

  private send(cseq: number, extra: Array<readonly [string, string]>): void {
    const ctx = this.reg.ctx;
    const body = this.opts.localSdp === undefined ? undefined : Buffer.from(this.opts.localSdp, 'latin1');
    const req = createRequest({
      method: 'INVITE', uri: this.base.uri, via: [ctx.via(this.dest.transport)],
      from: formatNameAddr(this.base.from), to: this.base.to, callId: this.base.callId, cseq,
      contact: ctx.contact(this.dest.transport),
      headers: [
        ...ctx.capabilityHeaders(),
        ...(ctx.userAgent !== '' ? [['User-Agent', ctx.userAgent] as const] : []),
        ...extra, ...headerPairs(this.opts.headers),
      ],
      ...(body !== undefined ? { body, contentType: 'application/sdp' } : {}),
    });
    this.invite = req;
    const tx = ctx.request(req, this.dest, { onResponse: (r) => this.onResponse(req, r) });
    this.tx = tx;
    tx.final.then((r) => this.onFinal(req, r), (err: unknown) => this.fail(err));
  }

  private onResponse(req: SipRequest, res: SipResponse): void {
    try {
      if (res.status < 200) this.onProvisional(req, res);
      else if (res.status < 300) this.on2xx(req, res);
    } catch (err) {
      this.reg.ctx.log.warn({ err, callId: this.base.callId }, 'response handling failed');
    }
  }

  private onProvisional(req: SipRequest, res: SipResponse): void {
    if (res.status === 100 || req !== this.invite) return;
    const toTag = getTo(res).params.get('tag');
    if (toTag !== undefined && toTag !== null && !this.settled) {
      const id = { callId: this.base.callId, localTag: this.base.from.params.get('tag') ?? '', remoteTag: toTag };
      const key = dialogKey(id);
      if (!this.early.has(key)) {
        this.early.add(key);
        this.reg.trackEarly(key, { id, cancel: () => this.abort() });
      }
    }
    this.opts.onProvisional?.(res);
  }

  private on2xx(req: SipRequest, res: SipResponse): void {
    if (this.handled.has(res)) return;
    this.handled.add(res);
    const toTag = getTo(res).params.get('tag') ?? '';
    const key = dialogKey({ callId: this.base.callId, localTag: this.base.from.params.get('tag') ?? '', remoteTag: toTag });
    const known = this.dialogs.get(key);
    if (known !== undefined) {
      known.acknowledge(req, res); // a retransmitted 2xx: ACK again (§13.2.2.4)
      return;
    }
    const record = uacRecord(req, res, { localContact: this.reg.ctx.contact(this.dest.transport), state: 'confirmed' });
    if (this.opts.destination !== undefined) record.flow = this.opts.destination;
    const dialog = this.reg.newDialog(record, { local: this.opts.localSdp, remote: bodyText(res) });
    this.dialogs.set(key, dialog);
    dialog.acknowledge(req, res);
    this.clearEarly();
    if (this.settled || this.cancelled) {
      // A second 2xx (forking) or a 2xx that crossed our CANCEL: ACK it, then BYE (§13.2.2.4, §9.1).
      dialog.log.info({ status: res.status, cancelled: this.cancelled }, 'unwanted 2xx: ACK and BYE');
      void dialog.destroy();
      if (!this.settled) {
        this.settle();
        this.done.reject(new SipError('SIP_CANCELLED', 'INVITE cancelled (the 2xx that crossed the CANCEL was ended with BYE)', { response: res }));
      }
      return;
    }
    this.settle();
    this.done.resolve(dialog);
  }

  private onFinal(req: SipRequest, res: SipResponse): void {
    if (res.status >= 200 && res.status < 300) {
      this.onResponse(req, res);
      return;
    }
    if (req !== this.invite) return;
    this.clearEarly();
    if (this.settled) return;
    if ((res.status === 401 || res.status === 407) && this.opts.auth && !this.authTried && !this.cancelled) {
      this.authTried = true;
      const header = this.opts.auth(res, req);
      if (header !== undefined) {
        this.send(getCSeq(req).seq + 1, [header]); // §22.2: same Call-ID and From tag, CSeq + 1
        return;
      }
    }
    this.settle();
    this.done.reject(this.cancelled
      ? new SipError('SIP_CANCELLED', `INVITE cancelled: ${res.status} ${res.reason}`, { response: res })
      : SipError.finalResponse(res, 'INVITE'));
  }

  private fail(err: unknown): void {
    this.clearEarly();
    if (this.settled) return;
    this.settle();
    this.done.reject(err instanceof Error ? err : new Error(String(err)));
  }

  private clearEarly(): void {
    for (const key of this.early) this.reg.untrackEarly(key);
    this.early.clear();
  }
}

/**
 * INVITE `uri` (RFC 3261 §13.2): resolves with the dialog at the first 2xx (already ACKed);
 * rejects with SipError SIP_FINAL_RESPONSE holding a non-2xx final response (408 when the peer
 * never answered, 503 on a transport error), SIP_CANCELLED when `signal` aborted it.
 */
export function createUAC(reg: DialogRegistry, uri: string | Uri, opts: UacOptions = {}): Promise<Dialog> {
  return new Promise((resolve, reject) => {
    if (reg.stopped) throw new SipError('SIP_UA_STOPPED', 'the SIP stack is stopped');
    if (opts.signal?.aborted) throw new SipError('SIP_CANCELLED', 'aborted before the INVITE was sent');
    const target = typeof uri === 'string' ? parseUri(uri) : uri;
    new OutgoingInvite(reg, target, opts, { resolve, reject }).start();
  });
}
