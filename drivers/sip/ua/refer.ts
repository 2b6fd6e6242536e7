import { formatNameAddr, parseNameAddr, reasonPhrase, type NameAddr, type SipResponse, type Uri } from '../message/index.js';
import { formatReplaces, parseReplaces, type Replaces } from '../dialog/index.js';
import type { ServerTransaction } from '../transaction/types.js';
import { SipError } from './errors.js';
import { InDialogRequest } from './in-dialog.js';
import type { ResponseInit, HeaderList } from './respond.js';

/** What a subscription needs from its dialog: sending NOTIFY. */
export interface NotifySender {
  request(method: string, init: { headers?: HeaderList; body?: string; contentType?: string }): Promise<SipResponse>;
}

/**
 * The implicit subscription a REFER creates (RFC 3515 §2.4.4-2.4.7): NOTIFYs with `Event: refer`
 * and a `message/sipfrag` body holding the status line of the referred call; the one with a
 * final status (>= 200) terminates it.
 */
export class ReferSubscription {
  private finished = false;

  constructor(private readonly dialog: NotifySender, private readonly event: string) {}

  get done(): boolean {
    return this.finished;
  }

  /** NOTIFY `SIP/2.0 <status> <reason>`; resolves with the NOTIFY's response (any status). */
  notify(status: number, reason = reasonPhrase(status)): Promise<SipResponse> {
    if (this.finished) return Promise.reject(new SipError('SIP_INVALID_STATE', 'the refer subscription has already terminated'));
    const final = status >= 200;
    this.finished = final;
    return this.dialog.request('NOTIFY', {
      headers: [
        ['Event', this.event],
        ['Subscription-State', final ? 'terminated;reason=noresource' : 'active;expires=60'],
      ],
      body: `SIP/2.0 ${status} ${reason}\r\n`,
      contentType: 'message/sipfrag;version=2.0',
    });
  }
}

/** The Replaces carried in a Refer-To URI's headers (`?Replaces=...`, RFC 3891 §7). */
function replacesOf(uri: Uri): Replaces | undefined {
  if (uri.kind !== 'sip') return undefined;
  for (const [name, value] of uri.headers) if (name.toLowerCase() === 'replaces') return parseReplaces(value);
  return undefined;
}

/** The Refer-To target with its URI headers removed: where the new INVITE goes. */
function bareTarget(uri: Uri): Uri {
  return uri.kind === 'sip' ? { ...uri, headers: new Map() } : uri;
}

/**
 * An incoming REFER (`refer` event). `accept()` answers 202 and sends the first NOTIFY (100
 * Trying); the handler then reports the new call's outcome with `notify(200)` or `notify(486)`.
 * `reject(status)` refuses it. With no handler the dialog answers 603 Decline.
 */
export class ReferRequest extends InDialogRequest {
  readonly referTo: NameAddr;
  /** Where the referred INVITE goes (the Refer-To URI without its headers). */
  readonly target: Uri;
  /** Set for an attended transfer: the dialog to replace (RFC 3891), possibly still ringing. */
  readonly replaces: Replaces | undefined;
  /** Referred-By (RFC 3892), as received. */
  readonly referredBy: string | undefined;

  constructor(
    tx: ServerTransaction,
    toTag: string,
    private readonly dialog: NotifySender,
    o: { referTo: NameAddr; event: string },
  ) {
    super(tx, toTag);
    this.referTo = o.referTo;
    this.target = bareTarget(o.referTo.uri);
    this.replaces = replacesOf(o.referTo.uri);
    this.referredBy = tx.request.headers.get('Referred-By');
    this.event = o.event;
  }

  private readonly event: string;

  /** The Refer-To header value of this REFER, parsed; undefined (answer 400) when absent or bad. */
  static referTo(tx: ServerTransaction): NameAddr | undefined {
    const values = tx.request.headers.getAll('Refer-To');
    if (values.length !== 1) return undefined;
    try {
      return parseNameAddr(values[0] as string, 'Refer-To');
    } catch {
      return undefined;
    }
  }

  accept(init: ResponseInit = {}): ReferSubscription {
    this.respond(202, init);
    const sub = new ReferSubscription(this.dialog, this.event);
    // §2.4.4: the first NOTIFY follows the 202 at once. A response given from inside the request
    // handler is sent when the handler returns, so the NOTIFY waits a microtask to go after it.
    queueMicrotask(() => { sub.notify(100).catch(() => undefined); });
    return sub;
  }

  reject(status: number, init: ResponseInit = {}): void {
    this.respond(status, init);
  }
}

/** The Refer-To value for `target`, with `?Replaces=` when an attended transfer names a dialog. */
export function formatReferTo(target: Uri, replaces?: Replaces): string {
  if (target.kind !== 'sip' || replaces === undefined) return formatNameAddr({ uri: target, params: new Map() });
  const headers = new Map(target.headers);
  headers.set('Replaces', formatReplaces(replaces));
  return formatNameAddr({ uri: { ...target, headers }, params: new Map() });
}
