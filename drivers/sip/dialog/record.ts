import {
  createRequest,
  formatNameAddr,
  getCallId,
  getContacts,
  getCSeq,
  getFrom,
  getRecordRoutes,
  getTo,
  parseNameAddr,
  type NameAddr,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type Uri,
} from '../message/index.js';
import type { Remote } from '../transport/types.js';
import { DialogError } from './errors.js';
import type { DialogState } from './state.js';

/** A dialog is identified by Call-ID, local tag and remote tag (RFC 3261 §12). */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

/** The lookup key of a dialog id (tags compare case-sensitively, §19.3). */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

/** The dialog state of §12.1: everything needed to send and check requests inside it. */
export interface DialogRecord {
  readonly id: DialogId;
  readonly key: string;
  /** Who sent the dialog-forming INVITE: 'uac' means we did. */
  readonly role: 'uac' | 'uas';
  state: DialogState;
  /** Our URI with our tag: the From of our requests. */
  readonly local: NameAddr;
  /** The peer's URI with its tag: the To of our requests. */
  readonly remote: NameAddr;
  /** Where our requests go: the peer's Contact, refreshed by target refresh requests (§12.2). */
  remoteTarget: Uri;
  /** Route header values for our requests, in the order to write them (§12.1.1, §12.1.2). */
  readonly routeSet: readonly string[];
  /** CSeq of our last request (0: none yet). */
  localSeq: number;
  /** CSeq of the peer's last request; undefined until one came (§12.1.2). */
  remoteSeq: number | undefined;
  /** Request-URI of the dialog-forming request was sips: (§12.1.1). */
  readonly secure: boolean;
  /** Our Contact header value. */
  readonly localContact: string;
  /**
   * Where the peer is really reached when its Contact is not (a phone behind NAT): the address its
   * REGISTER or INVITE came from. Used while the route set is empty.
   */
  flow?: Remote;
}

function contactUri(msg: SipMessage, what: string): Uri {
  let contacts: NameAddr[] | '*';
  try {
    contacts = getContacts(msg);
  } catch (err) {
    throw new DialogError('SIP_NO_CONTACT', `${what} has a bad Contact`, { cause: err });
  }
  const first = contacts === '*' ? undefined : contacts[0];
  if (first === undefined) throw new DialogError('SIP_NO_CONTACT', `${what} has no Contact (RFC 3261 §12.1)`);
  return first.uri;
}

/** A 2xx without a usable Contact still gets its ACK and BYE: sent to the Request-URI then. */
function contactOr(res: SipResponse, fallback: Uri): Uri {
  try {
    return contactUri(res, 'response');
  } catch {
    return fallback;
  }
}

function withTag(na: NameAddr, tag: string): NameAddr {
  const params = new Map(na.params);
  params.set('tag', tag);
  return { ...na, params };
}

/**
 * The UAS side of a dialog formed by `req` (§12.1.1): route set = Record-Route in order, remote
 * target = the request's Contact, remote CSeq = the request's, local tag = the one our responses
 * carry.
 */
export function uasRecord(req: SipRequest, o: { localTag: string; localContact: string; state: DialogState }): DialogRecord {
  const from = getFrom(req);
  const remoteTag = from.params.get('tag') ?? '';
  const id: DialogId = { callId: getCallId(req), localTag: o.localTag, remoteTag };
  return {
    id, key: dialogKey(id), role: 'uas', state: o.state,
    local: withTag(getTo(req), o.localTag), remote: from,
    remoteTarget: contactUri(req, `${req.method} request`),
    routeSet: getRecordRoutes(req).map(formatNameAddr),
    localSeq: 0, remoteSeq: getCSeq(req).seq,
    secure: req.uri.scheme === 'sips', localContact: o.localContact,
  };
}

/**
 * The UAC side of a dialog formed by our `req` and its response `res` (§12.1.2): route set =
 * Record-Route reversed, remote target = the response's Contact, local CSeq = the request's,
 * remote CSeq empty. A response without a To tag gets the null tag (RFC 2543 peers); one without
 * Contact keeps the Request-URI as remote target.
 */
export function uacRecord(req: SipRequest, res: SipResponse, o: { localContact: string; state: DialogState }): DialogRecord {
  const to = getTo(res);
  const from = getFrom(req);
  const id: DialogId = { callId: getCallId(req), localTag: from.params.get('tag') ?? '', remoteTag: to.params.get('tag') ?? '' };
  return {
    id, key: dialogKey(id), role: 'uac', state: o.state,
    local: from, remote: to,
    remoteTarget: contactOr(res, req.uri),
    routeSet: getRecordRoutes(res).map(formatNameAddr).reverse(),
    localSeq: getCSeq(req).seq, remoteSeq: undefined,
    secure: req.uri.scheme === 'sips', localContact: o.localContact,
  };
}

/**
 * §12.2.2: a request whose CSeq is lower than the last one from the peer is out of order (answer
 * 500); otherwise it becomes the new remote CSeq. Pure: returns the new value.
 */
export function checkRemoteCSeq(remoteSeq: number | undefined, seq: number): { ok: true; remoteSeq: number } | { ok: false } {
  if (remoteSeq !== undefined && seq < remoteSeq) return { ok: false };
  return { ok: true, remoteSeq: seq };
}

/**
 * Target refresh (§12.2.1.2, §12.2.2): a re-INVITE or UPDATE and their 2xx replace the remote
 * target with their Contact. A message without Contact leaves it as it was.
 */
export function refreshTarget(rec: DialogRecord, msg: SipMessage): void {
  const contacts = getContacts(msg);
  if (contacts === '*') return;
  const first = contacts[0];
  if (first !== undefined) rec.remoteTarget = first.uri;
}

export interface InDialogRequestInit {
  /** The Via value (with a fresh branch) for this request. */
  via: string;
  /** CSeq number to use instead of the next one: ACK of a 2xx reuses the INVITE's (§13.2.2.4). */
  cseq?: number;
  headers?: Iterable<readonly [string, string]>;
  body?: Buffer;
  contentType?: string;
}

/** True when this Route value is a loose router (";lr", §16.12). */
function isLoose(route: string): boolean {
  const uri = parseNameAddr(route, 'Route').uri;
  return uri.kind === 'sip' && uri.params.has('lr');
}

/** The URI of a Route value without the parameters a Request-URI may not carry (§12.2.1.1, §19.1.1). */
function asRequestUri(route: string): Uri {
  const uri = parseNameAddr(route, 'Route').uri;
  if (uri.kind !== 'sip') return uri;
  const params = new Map(uri.params);
  params.delete('method');
  params.delete('ttl');
  return { ...uri, params, headers: new Map() };
}

/**
 * A request inside the dialog (§12.2.1.1): Request-URI = remote target and Route = route set when
 * the first route is a loose router; with a strict router the first route becomes the
 * Request-URI and the remote target the last Route. From/To carry the tags, Call-ID the dialog's,
 * CSeq is one more than the last (except for ACK, which gives its own), Contact is ours.
 */
export function buildRequest(rec: DialogRecord, method: string, init: InDialogRequestInit): SipRequest {
  let seq: number;
  if (init.cseq !== undefined) seq = init.cseq;
  else seq = rec.localSeq = rec.localSeq + 1;
  let uri: Uri = rec.remoteTarget;
  let routes: string[] = [...rec.routeSet];
  const first = routes[0];
  if (first !== undefined && !isLoose(first)) {
    uri = asRequestUri(first);
    routes = [...routes.slice(1), formatNameAddr({ uri: rec.remoteTarget, params: new Map() })];
  }
  const headers: Array<readonly [string, string]> = routes.map((r) => ['Route', r] as const);
  for (const h of init.headers ?? []) headers.push(h);
  const req = createRequest({
    method, uri, via: [init.via],
    from: formatNameAddr(rec.local), to: formatNameAddr(rec.remote),
    callId: rec.id.callId, cseq: seq,
    contact: method === 'ACK' || method === 'BYE' || method === 'CANCEL' ? undefined : rec.localContact,
    headers,
    ...(init.body !== undefined ? { body: init.body } : {}),
    ...(init.contentType !== undefined ? { contentType: init.contentType } : {}),
  });
  return req;
}
