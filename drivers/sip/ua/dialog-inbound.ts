import { getCSeq } from '../message/index.js';
import { checkRemoteCSeq, refreshTarget } from '../dialog/index.js';
import type { ServerTransaction } from '../transaction/types.js';
import { ACCEPTED_TYPES } from './context.js';
import type { Dialog } from './dialog.js';
import { InDialogRequest, ModifyRequest, type ModifyHooks } from './in-dialog.js';
import { ReferRequest } from './refer.js';
import { buildResponse, headerPairs, type ResponseInit } from './respond.js';
import { answerDirection, bumpVersion, mediaDirection, withDirection } from './sdp.js';
import { sessionTimerHeaders } from './session-timer.js';

/** Per-dialog bookkeeping of overlapping INVITEs (RFC 3261 §14) and REFER subscriptions. */
export interface InboundState {
  /** Our re-INVITE is pending: an incoming one gets 491 (§14.2). */
  outgoingInvite: boolean;
  /** The peer's re-INVITE is not answered yet: another one gets 500 + Retry-After (§14.2). */
  incomingInvite: { tx: ServerTransaction; cancelled: AbortController } | undefined;
  /** REFERs received so far: the second and later ones get `Event: refer;id=<CSeq>` (RFC 3515 §2.4.6). */
  referCount: number;
}

function answer(d: Dialog, tx: ServerTransaction, status: number, init: ResponseInit = {}): void {
  if (tx.finished) return;
  tx.respond(buildResponse(tx.request, status, { ...init, toTag: d.id.localTag }));
}

function retryLater(d: Dialog, tx: ServerTransaction): void {
  // §14.2: a re-INVITE while another is still unanswered; Retry-After 0-10 s.
  answer(d, tx, 500, { headers: [['Retry-After', String(Math.floor(Math.random() * 10))]] });
}

/** Hand an event to the application; with no listener (or a throwing one) answer it ourselves. */
function offer<R extends InDialogRequest>(d: Dialog, req: R, emit: () => boolean, fallback: (r: R) => void): void {
  try {
    if (emit()) return;
    fallback(req);
  } catch (err) {
    d.log.error({ err, method: req.method }, 'in-dialog request handler failed');
    if (!req.answered) answer(d, req.transaction, 500);
  }
}

/**
 * A request inside an existing dialog (RFC 3261 §12.2.2): CSeq order, then per method. Called by
 * the UA core after matching the dialog by Call-ID and tags.
 */
export function handleInDialog(d: Dialog, tx: ServerTransaction): void {
  const req = tx.request;
  const rec = d.record;
  if (rec.state === 'terminated') return answer(d, tx, 481);
  const cseq = checkRemoteCSeq(rec.remoteSeq, getCSeq(req).seq);
  if (!cseq.ok) return answer(d, tx, 500, { reason: 'CSeq Out of Order' }); // §12.2.2
  rec.remoteSeq = cseq.remoteSeq;
  const tag = d.id.localTag;
  switch (req.method) {
    case 'BYE':
      answer(d, tx, 200);
      d.remoteBye(req);
      return;
    case 'INVITE':
    case 'UPDATE':
      return onModify(d, tx);
    case 'REFER':
      return onRefer(d, tx);
    case 'INFO':
    case 'NOTIFY': {
      const r = new InDialogRequest(tx, tag);
      const event = req.method === 'INFO' ? 'info' : 'notify';
      return offer(d, r, () => d.emit(event, r), (x) => x.respond(200));
    }
    case 'OPTIONS':
      return answer(d, tx, 200, { headers: [...d.ctx.capabilityHeaders(), ['Accept', ACCEPTED_TYPES.join(', ')]] });
    default:
      return answer(d, tx, 405, { headers: d.ctx.capabilityHeaders().filter(([n]) => n === 'Allow') });
  }
}

/** A re-INVITE (§14.2) or an UPDATE (RFC 3311): glare, target refresh, then the `modify` event. */
function onModify(d: Dialog, tx: ServerTransaction): void {
  const req = tx.request;
  const isInvite = req.method === 'INVITE';
  const hasOffer = req.body.length > 0;
  if (isInvite || hasOffer) {
    if (d.inbound.outgoingInvite) return answer(d, tx, 491); // §14.2, RFC 3311 §5.2
    if (d.inbound.incomingInvite !== undefined) return retryLater(d, tx);
  }
  refreshTarget(d.record, req); // §12.2.2: re-INVITE and UPDATE are target refresh requests
  const refresh: Array<readonly [string, string]> = [['Contact', d.record.localContact], ...sessionTimerHeaders(req)];
  if (!isInvite && !hasOffer) return answer(d, tx, 200, { headers: refresh }); // a bare session refresh
  const cancelled = new AbortController();
  if (isInvite) d.inbound.incomingInvite = { tx, cancelled };
  const hooks: ModifyHooks = {
    accept(m, sdp, init) {
      const body = sdp ?? d.localSdp;
      const res = m.send(200, {
        ...init,
        headers: [...refresh, ...d.ctx.capabilityHeaders(), ...headerPairs(init.headers)],
        ...(body !== undefined ? { body } : {}),
      });
      if (body !== undefined) d.localSdp = body;
      if (m.sdp !== undefined) d.remoteSdp = m.sdp;
      if (isInvite) {
        d.inbound.incomingInvite = undefined;
        d.awaitAck(res, tx.source);
      }
      return res;
    },
    reject(m, status, init) {
      const res = m.send(status, init);
      if (isInvite) d.inbound.incomingInvite = undefined;
      return res;
    },
  };
  const m = new ModifyRequest(tx, d.id.localTag, hooks, cancelled.signal);
  offer(d, m, () => d.emit('modify', m), (x) => autoAnswer(d, x));
}

/** No `modify` listener: answer with our SDP, its direction mirroring the offer's (hold → recvonly). */
function autoAnswer(d: Dialog, m: ModifyRequest): void {
  const local = d.localSdp;
  const offered = m.direction;
  if (local === undefined) {
    if (m.sdp !== undefined) m.reject(488);
    else m.accept();
    return;
  }
  if (offered === undefined) {
    m.accept(local);
    return;
  }
  const want = answerDirection(offered);
  m.accept(mediaDirection(local) === want ? local : withDirection(bumpVersion(local), want));
}

/** REFER (RFC 3515 §2.4.2): exactly one Refer-To, else 400; no listener: 603. */
function onRefer(d: Dialog, tx: ServerTransaction): void {
  const referTo = ReferRequest.referTo(tx);
  if (referTo === undefined) return answer(d, tx, 400, { reason: 'Missing or Bad Refer-To' });
  const n = d.inbound.referCount++;
  const event = n === 0 ? 'refer' : `refer;id=${getCSeq(tx.request).seq}`;
  const r = new ReferRequest(tx, d.id.localTag, d, { referTo, event });
  offer(d, r, () => d.emit('refer', r), (x) => x.reject(603));
}

/** A CANCEL for the peer's pending re-INVITE (§9.2): 487 to it, `cancelled` aborted. */
export function cancelReInvite(d: Dialog, tx: ServerTransaction): boolean {
  const pending = d.inbound.incomingInvite;
  if (pending === undefined || pending.tx !== tx) return false;
  d.inbound.incomingInvite = undefined;
  answer(d, tx, 487);
  pending.cancelled.abort();
  return true;
}
