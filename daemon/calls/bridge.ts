import { SipError, answerDirection, bumpVersion, mediaDirection, withDirection } from '../../drivers/sip/ua/index.js';
import type { InDialogRequest, ModifyRequest, ReferRequest } from '../../drivers/sip/ua/index.js';
import type { Call, Leg } from './call.js';

/** What the bridge asks of the engine (it owns the call's life, events and media policy). */
export interface BridgeHost {
  /** The leg hung up (BYE) or was lost: end the whole call. */
  legGone(call: Call, leg: Leg): void;
  /** Hold (`on`) or resume from `leg`'s phone. */
  hold(call: Call, leg: Leg, on: boolean): Promise<void>;
  /** A digit from SIP INFO on `leg`. */
  infoDigit(call: Call, leg: Leg, digit: string): void;
  /** A REFER from `leg`: blind or attended transfer. */
  refer(call: Call, leg: Leg, refer: ReferRequest): void;
}

/**
 * Relays between the call's two established legs until the returned function is called: an end on
 * one ends the call, a hold re-INVITE is answered by the box (the other side gets music, not the
 * re-INVITE), any other re-INVITE goes through rtpengine to the other leg, INFO is relayed and
 * reported, REFER goes to the engine. One bridge per pair of legs; a transfer unlinks and relinks.
 */
export function bridgeLegs(call: Call, host: BridgeHost): () => void {
  const a = call.a;
  const b = call.b;
  if (!a || !b) throw new SipError('SIP_INVALID_STATE', `call ${call.id}: bridge needs both legs`);
  const detach: Array<() => void> = [];
  for (const leg of [a, b]) {
    const d = leg.dialog;
    const onDestroy = (): void => host.legGone(call, leg);
    const onModify = (m: ModifyRequest): void => void onReinvite(call, leg, m, host);
    const onInfo = (r: InDialogRequest): void => void onInfoRequest(call, leg, r, host);
    const onRefer = (r: ReferRequest): void => host.refer(call, leg, r);
    d.on('destroy', onDestroy);
    d.on('modify', onModify);
    d.on('info', onInfo);
    d.on('refer', onRefer);
    // The leg hung up before the bridge was set (a BYE right after the answer): end the call now.
    if (d.state === 'terminated') queueMicrotask(onDestroy);
    detach.push(() => {
      d.off('destroy', onDestroy);
      d.off('modify', onModify);
      d.off('info', onInfo);
      d.off('refer', onRefer);
    });
  }
  return () => { for (const f of detach.splice(0)) f(); };
}

const HOLDING = new Set(['sendonly', 'inactive']);

async function onReinvite(call: Call, leg: Leg, m: ModifyRequest, host: BridgeHost): Promise<void> {
  try {
    if (m.sdp === undefined) {
      m.accept(m.method === 'UPDATE' ? undefined : leg.dialog.localSdp);
      return;
    }
    const dir = mediaDirection(m.sdp);
    const holding = HOLDING.has(dir);
    // Hold and resume are answered here: the far side keeps its media with rtpengine and hears music.
    if (holding || call.heldBy === leg) {
      await host.hold(call, leg, holding);
      m.accept(ourAnswer(leg, answerDirection(dir)));
      return;
    }
    const other = call.other(leg);
    if (!other) {
      m.reject(481);
      return;
    }
    const offered = await call.media.offer(m.sdp, leg.tag, other.tag);
    const theirs = await other.dialog.modify(offered, { signal: m.cancelled });
    if (m.cancelled.aborted) return;
    m.accept(theirs === undefined ? undefined : await call.media.answer(theirs, leg.tag, other.tag));
  } catch (err) {
    if (m.answered) return;
    const status = err instanceof SipError && err.status !== undefined && err.status >= 300 ? err.status : 500;
    call.log.info({ callId: call.id, err }, 're-INVITE not relayed');
    m.reject(status);
  }
}

/** The SDP we gave `leg` last (rtpengine's), in the direction the answer needs, as a new version. */
function ourAnswer(leg: Leg, dir: ReturnType<typeof answerDirection>): string | undefined {
  const sdp = leg.dialog.localSdp;
  return sdp === undefined ? undefined : bumpVersion(withDirection(sdp, dir));
}

/** `Signal=5` (application/dtmf-relay) or a bare digit (application/dtmf). */
export function infoDigit(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  const m = /^\s*Signal\s*=\s*([0-9*#A-D])\s*$/im.exec(body) ?? /^\s*([0-9*#A-D])\s*$/.exec(body);
  return m?.[1];
}

async function onInfoRequest(call: Call, leg: Leg, r: InDialogRequest, host: BridgeHost): Promise<void> {
  const digit = infoDigit(r.body === undefined ? undefined : r.body.toString());
  if (digit !== undefined) host.infoDigit(call, leg, digit);
  const other = call.other(leg);
  if (!other) {
    if (!r.answered) r.respond(200);
    return;
  }
  try {
    const type = r.request.headers.get('Content-Type') ?? 'application/octet-stream';
    const res = await other.dialog.request('INFO', r.body === undefined ? {} : { body: r.body, contentType: type });
    if (!r.answered) r.respond(res.status);
  } catch {
    // The digit is ours anyway; the far side not taking INFO must not fail the phone's request.
    if (!r.answered) r.respond(200);
  }
}

/**
 * While a transfer is under way only the staying party matters: its hang-up ends the call, the
 * transferor's (many phones hang up right after the 202) does not.
 */
export function watchStaying(stays: Leg, onGone: () => void): () => void {
  stays.dialog.on('destroy', onGone);
  return () => stays.dialog.off('destroy', onGone);
}
