import type { Test } from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { systemClock } from '../../drivers/clock.js';
import { authorize, digestAuth } from '../../drivers/sip/auth/index.js';
import { replacesFor, type DialogId } from '../../drivers/sip/dialog/index.js';
import { createRequest, getCallId, getFrom, getTo, parseUri, type SipResponse } from '../../drivers/sip/message/index.js';
import { SipStack } from '../../drivers/sip/stack.js';
import { formatReferTo, mediaAddress, type DestroyInfo, type Dialog, type IncomingInvite } from '../../drivers/sip/ua/index.js';
import { testLogger } from './log.js';
import { freePort } from './ports.js';
import { toneStream } from './rtp.js';
import { PeerError, waitUntil } from './sipp.js';

/**
 * An in-process desk phone made of our own SIP stack, for what baresip 1.0 cannot do (attended
 * transfer: REFER with Replaces, also naming a call that still rings) and for looking at the SIP a
 * phone receives (NOTIFY sipfrag, BYE).
 *
 * - `startSipPhone(t, { ext, boxPort })` binds a SipStack on 127.0.0.1 (Contact `sip:EXT@…`) and
 *   REGISTERs to the box with digest (MD5 or SHA-256, whichever the box offers first; the password
 *   is `pass-EXT-ok` unless given), like test/helpers/call-box.ts's phones.
 * - Incoming INVITEs are answered at once (`answerMode: 'auto'`, default: 180 then 200) or wait for
 *   `answer()` (`'manual'`); `waitCall()` gives the next established incoming call (our 200 is
 *   sent: the box bridges a moment later, so wait for its `call.answered` before an instant REFER).
 * - `dial(user)` INVITEs `sip:USER@box` with digest (407 → retried with Proxy-Authorization);
 *   `ringing` resolves at the first 180/183 with a To tag (the early dialog), `answered` at the 200.
 * - A `PhoneCall` REFERs (`refer(target, { replaces })`: Replaces naming another call of this phone,
 *   answered or still ringing), records the NOTIFY sipfrag statuses it gets, knows when the box
 *   hung up, sends INFO digits, hangs up.
 *
 * RTP: each call's SDP names a UDP socket opened for it (µ-law, sendrecv); what arrives on any of
 * them is kept in arrival order (`heardBytes`, `heardSince`), and `PhoneCall.sendTone` makes the
 * call speak a sine. With `register: false` and `port` the phone can stand for the gateway itself
 * (the box knows the gateway by its address and port). Everything is stopped at test end.
 */

export interface SipPhoneOptions {
  ext: string;
  /** The box's SIP port on 127.0.0.1. */
  boxPort: number;
  /** Default `pass-EXT-ok`. */
  password?: string;
  /** Default 'auto'. */
  answerMode?: 'auto' | 'manual';
  /** The SIP port to bind (default: a free one). */
  port?: number;
  /** REGISTER at start (default true). */
  register?: boolean;
}

/** A NOTIFY of a REFER subscription as the phone saw it. */
export interface SipfragNotify {
  /** The status of the sipfrag's status line (`SIP/2.0 200 OK` → 200); 0 when unreadable. */
  status: number;
  /** Subscription-State, e.g. `terminated;reason=noresource`. */
  state: string;
}

/** A call this phone placed that got a 1xx with a To tag: its early dialog, as the phone sees it. */
export interface EarlyCall {
  id: DialogId;
  status: number;
}

export interface OutgoingCall {
  readonly ringing: Promise<EarlyCall>;
  /** Rejects with SipError (SIP_FINAL_RESPONSE, SIP_CANCELLED) when not answered. */
  readonly answered: Promise<PhoneCall>;
  /** CANCEL while it rings. */
  cancel(): void;
}

/** An established call of the phone. */
export class PhoneCall {
  /** NOTIFYs received in this dialog, oldest first. */
  readonly notifies: SipfragNotify[] = [];
  /** Set when the box ended the dialog (BYE, 481, …). */
  endedBy: DestroyInfo | undefined;

  constructor(readonly dialog: Dialog, readonly direction: 'in' | 'out', private readonly box: string, private readonly media?: Socket) {
    dialog.on('notify', (r) => {
      this.notifies.push({ status: sipfragStatus(r.body), state: r.request.headers.get('Subscription-State') ?? '' });
      r.respond(200);
    });
    dialog.on('destroy', (info) => { this.endedBy = info; });
  }

  /**
   * REFER `target` (`sip:USER@box` when a bare user is given); with `replaces` an attended
   * transfer naming that other call of the phone (RFC 3891). Resolves with the REFER's status.
   */
  async refer(target: string, o: { replaces?: PhoneCall | EarlyCall } = {}): Promise<number> {
    const uri = parseUri(target.includes(':') ? target : `sip:${target}@${this.box}`);
    if (o.replaces instanceof PhoneCall) return (await this.dialog.refer(uri, { replaces: o.replaces.dialog })).status;
    const headers: Array<[string, string]> = [['Refer-To', formatReferTo(uri, o.replaces === undefined ? undefined : replacesFor(o.replaces.id))]];
    return (await this.dialog.request('REFER', { headers })).status;
  }

  /** The first NOTIFY whose subscription is over (a final sipfrag status). */
  async waitFinalNotify(timeoutMs = 15_000): Promise<SipfragNotify> {
    await waitUntil(() => this.finalNotify() !== undefined, { timeoutMs, what: `a final NOTIFY sipfrag in ${this.dialog.callId}` });
    return this.finalNotify() as SipfragNotify;
  }

  /** Waits until the box has ended this dialog. */
  async waitEnded(timeoutMs = 15_000): Promise<DestroyInfo> {
    await waitUntil(() => this.endedBy !== undefined, { timeoutMs, what: `the box to end ${this.dialog.callId}` });
    return this.endedBy as DestroyInfo;
  }

  /** A digit by SIP INFO (application/dtmf-relay); resolves with its status. */
  async info(digit: string): Promise<number> {
    const res = await this.dialog.request('INFO', { body: `Signal=${digit}\r\nDuration=160\r\n`, contentType: 'application/dtmf-relay' });
    return res.status;
  }

  /**
   * Sends a µ-law sine of `freqHz` from this call's RTP socket to where the box's current SDP
   * says (a re-INVITE moving the media is followed), until the returned function is called, the
   * call ends or the phone stops.
   */
  sendTone(freqHz: number): () => void {
    const sock = this.media;
    if (sock === undefined) throw new PeerError('PEER_BAD_OPTIONS', `${this.dialog.callId}: this call has no RTP socket`);
    const stop = toneStream(sock, () => (this.up ? mediaAddress(this.dialog.remoteSdp ?? '') : undefined), freqHz);
    this.dialog.on('destroy', stop);
    sock.once('close', stop);
    return stop;
  }

  hangup(): Promise<void> {
    return this.dialog.destroy();
  }

  get up(): boolean {
    return this.endedBy === undefined && this.dialog.state === 'confirmed';
  }

  private finalNotify(): SipfragNotify | undefined {
    return this.notifies.find((n) => n.state.startsWith('terminated'));
  }
}

export interface SipPhone {
  readonly ext: string;
  readonly port: number;
  readonly stack: SipStack;
  /** Incoming INVITEs not answered yet (manual mode). */
  readonly pending: readonly IncomingInvite[];
  /** The next established incoming call (not consumed before). */
  waitCall(timeoutMs?: number): Promise<PhoneCall>;
  /** The next incoming INVITE (manual mode), past or future. */
  waitIncoming(timeoutMs?: number): Promise<IncomingInvite>;
  /** Answer the oldest pending INVITE (manual mode). */
  answer(): Promise<PhoneCall>;
  dial(user: string): OutgoingCall;
  register(): Promise<void>;
  /** Bytes of PCMU received so far (8000 per second), and the µ-law bytes from `from` on. */
  heardBytes(): number;
  heardSince(from: number): Buffer;
}

export async function startSipPhone(t: Test, o: SipPhoneOptions): Promise<SipPhone> {
  const password = o.password ?? `pass-${o.ext}-ok`;
  const box = `127.0.0.1:${o.boxPort}`;
  const stack = new SipStack({ clock: systemClock, log: testLogger() }, {
    address: '127.0.0.1', port: o.port ?? await freePort(), rateLimit: false, contactUser: o.ext, userAgent: `octoline-test-phone ${o.ext}`,
  });
  await stack.start();
  const sockets: Socket[] = [];
  t.teardown(async () => {
    await stack.stop();
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  });
  const heard: Buffer[] = [];
  const media = async (): Promise<{ sdp: string; sock: Socket }> => {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    // What the box sends, PCMU payloads in arrival order (no jitter buffer: nothing is judged late).
    s.on('message', (msg) => {
      if (msg.length <= 12 || (msg[1] ?? 0x7f) & 0x7f) return;
      heard.push(msg.subarray(12 + ((msg[0] ?? 0) & 0x0f) * 4));
    });
    sockets.push(s);
    return { sdp: phoneSdp(o.ext, s.address().port), sock: s };
  };
  const incoming: IncomingInvite[] = [];
  const pending: IncomingInvite[] = [];
  const calls: PhoneCall[] = [];
  let taken = 0;
  let takenInvites = 0;
  const answer = async (inv: IncomingInvite): Promise<PhoneCall> => {
    const m = await media();
    const call = new PhoneCall(await stack.createUAS(inv, { localSdp: m.sdp }), 'in', box, m.sock);
    calls.push(call);
    return call;
  };
  stack.on('invite', (inv) => {
    incoming.push(inv);
    inv.progress(180);
    if (o.answerMode === 'manual') pending.push(inv);
    else void answer(inv).catch(() => undefined);
  });

  const phone: SipPhone = {
    ext: o.ext, port: stack.local.port, stack, pending,
    async waitCall(timeoutMs = 15_000) {
      await waitUntil(() => calls.length > taken, { timeoutMs, what: `an incoming call to ${o.ext}` });
      return calls[taken++] as PhoneCall;
    },
    async waitIncoming(timeoutMs = 15_000) {
      await waitUntil(() => incoming.length > takenInvites, { timeoutMs, what: `an INVITE to ${o.ext}` });
      return incoming[takenInvites++] as IncomingInvite;
    },
    async answer() {
      const inv = pending.shift();
      if (inv === undefined) throw new PeerError('PEER_BAD_OPTIONS', `${o.ext}: no ringing call to answer`);
      return answer(inv);
    },
    dial(user) {
      const abort = new AbortController();
      let early: (e: EarlyCall) => void = () => undefined;
      const ringing = new Promise<EarlyCall>((r) => { early = r; });
      const answered = media().then(async (m) => new PhoneCall(await stack.createUAC(`sip:${user}@${box}`, {
        localSdp: m.sdp, from: `<sip:${o.ext}@${box}>`, signal: abort.signal, auth: digestAuth({ username: o.ext, password }),
        onProvisional: (res) => {
          const id = earlyId(res);
          if (id !== undefined) early({ id, status: res.status });
        },
      }), 'out', box, m.sock));
      answered.catch(() => undefined); // a test that only looks at `ringing` must not see an unhandled rejection
      return { ringing, answered, cancel: () => abort.abort() };
    },
    register: () => register(stack, { ext: o.ext, password, box }),
    heardBytes: () => heard.reduce((n, b) => n + b.length, 0),
    heardSince: (from) => Buffer.concat(heard).subarray(from),
  };
  if (o.register !== false) await phone.register();
  return phone;
}

/** REGISTER from the phone's own socket (the box rings the address the REGISTER came from). */
async function register(stack: SipStack, o: { ext: string; password: string; box: string }): Promise<void> {
  const aor = `sip:${o.ext}@${o.box}`;
  const headers: Array<[string, string]> = [['Contact', `<sip:${o.ext}@${stack.local.address}:${stack.local.port}>`], ['Expires', '600']];
  let res = await stack.request(aor, { method: 'REGISTER', from: `<${aor}>`, headers });
  if (res.status === 401) {
    // The digest covers method and Request-URI only: a probe request with the same two answers it.
    const probe = createRequest({ method: 'REGISTER', uri: aor, via: ['SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-probe'], from: `<${aor}>;tag=p`, to: `<${aor}>`, callId: 'probe', cseq: 1 });
    const auth = authorize(probe, res, { credentials: { username: o.ext, password: o.password } });
    res = await stack.request(aor, { method: 'REGISTER', from: `<${aor}>`, headers: [...headers, ...auth] });
  }
  if (res.status !== 200) throw new PeerError('PEER_REGISTER_FAILED', `${o.ext} failed to register: ${res.status} ${res.reason}`);
}

/** The early dialog a 1xx with a To tag forms, from the caller's side. */
function earlyId(res: SipResponse): DialogId | undefined {
  const remoteTag = getTo(res).params.get('tag');
  if (res.status === 100 || remoteTag === undefined || remoteTag === null) return undefined;
  return { callId: getCallId(res), localTag: getFrom(res).params.get('tag') ?? '', remoteTag };
}

function sipfragStatus(body: string | undefined): number {
  const m = /^SIP\/2\.0 (\d{3})/.exec(body ?? '');
  return m ? Number(m[1]) : 0;
}

function phoneSdp(ext: string, port: number): string {
  return [
    'v=0', `o=${ext} 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=ptime:20', 'a=sendrecv', '',
  ].join('\r\n');
}
