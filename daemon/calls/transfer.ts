import { errorMessage } from '../../drivers/coded-error.js';
import { SipError, mediaAddress, type Dialog, type ReferRequest, type ReferSubscription } from '../../drivers/sip/ua/index.js';
import type { Call, Leg } from './call.js';
import type { CallEngine } from './call-engine.js';
import { bridgeLegs, watchStaying } from './bridge.js';
import { classifyDial } from './dial-plan.js';
import type { SeizedLine } from './gateway-calls.js';

/**
 * REFER from a phone on `call` (DESIGN.md step 6): blind (Refer-To an extension) or attended
 * (Refer-To with Replaces naming the transferor's other call, answered or still ringing). The
 * party who stays (the caller, usually) is re-anchored in rtpengine to the new leg; the
 * transferor's legs are hung up; NOTIFY sipfrag tells the transferor how it went.
 */
export async function transferCall(engine: CallEngine, call: Call, from: Leg, refer: ReferRequest): Promise<void> {
  const stays = call.other(from);
  if (!stays || call.phase !== 'up') return refer.reject(488);
  if (from.ext === undefined) return refer.reject(403);
  if (refer.replaces !== undefined) return attended(engine, call, from, stays, refer);
  const dialled = refer.target.kind === 'sip' ? refer.target.user ?? '' : '';
  const c = engine.opts.calls;
  const target = classifyDial(dialled, {
    pickupCode: c.pickup_code, directedPickupPrefix: c.directed_pickup_prefix,
    isExtension: (s) => engine.deps.store.extensions.get(s)?.enabled === true,
  });
  if (target.kind === 'extension') return blind(engine, call, from, stays, target.ext, refer.accept());
  if (target.kind !== 'external') return refer.reject(404, { reason: 'No Such Transfer Target' });
  // An outside number: the transferor's own permissions apply, as if it dialled the number itself.
  const seized = engine.gateways.seizeLine(call, from.ext, target.number);
  if (seized.kind === 'refused') return refer.reject(403, { reason: seized.reason });
  if (seized.kind === 'no-line') return refer.reject(503, { reason: 'No Free Line', headers: [['Retry-After', String(c.retry_after_s)]] });
  await blindExternal(engine, call, from, stays, target.number, seized.line, refer.accept());
}

/** Blind transfer to an outside number over the line just seized. */
async function blindExternal(engine: CallEngine, call: Call, from: Leg, stays: Leg, number: string, line: SeizedLine, sub: ReferSubscription): Promise<void> {
  const staysSdp = stays.dialog.remoteSdp;
  const tag = call.nextTag();
  await holdForTransfer(engine, call, from, stays);
  let dialog: Dialog;
  try {
    if (staysSdp === undefined) throw new Error('the remaining party has no SDP');
    const offer = await call.media.offer(staysSdp, stays.tag, tag);
    const abort = new AbortController();
    dialog = await engine.gateways.dial(call, line, number, offer, { signal: abort.signal });
    await call.media.stopPlay(stays.tag).catch(() => undefined);
    await reanchor(call, stays, dialog, tag);
  } catch (err) {
    call.log.info({ callId: call.id, reason: errorMessage(err) }, 'transfer to an outside number failed');
    const status = err instanceof SipError && err.status !== undefined ? err.status : 500;
    await sub.notify(status >= 300 ? status : 500).catch(() => undefined);
    await engine.end(call, { cause: 'failed', by: 'system' });
    return;
  }
  await sub.notify(200).catch(() => undefined);
  engine.deps.bus.publish('call.line_used', { line: line.row.id, for: 'transfer' }, call.id);
  await swapLeg(engine, call, from, stays, { dialog, tag }, 'blind', number);
}

/** While the new party is called, the staying party hears music and the transferor is cut off (free to hang up). */
async function holdForTransfer(engine: CallEngine, call: Call, from: Leg, stays: Leg): Promise<void> {
  call.setBridge(watchStaying(stays, () => void engine.end(call, { cause: 'caller_hangup', by: 'caller' })));
  await call.media.block(from.tag).catch(() => undefined);
  await call.media.play(stays.tag, engine.opts.mohFile).catch(() => undefined);
}

async function blind(engine: CallEngine, call: Call, from: Leg, stays: Leg, target: string, sub: ReferSubscription, kind: 'blind' | 'attended' = 'blind'): Promise<void> {
  const { targets } = engine.ringTargets([target]);
  const staysSdp = stays.dialog.remoteSdp;
  if (targets.length === 0 || staysSdp === undefined) {
    await sub.notify(480).catch(() => undefined);
    return;
  }
  const tag = call.nextTag();
  await holdForTransfer(engine, call, from, stays);
  const offer = await call.media.offer(staysSdp, stays.tag, tag);
  const outcome = await engine.ringAnswered(call, offer, [target], { tag, transfer: true });
  await call.media.stopPlay(stays.tag).catch(() => undefined);
  if (outcome.kind !== 'answered') {
    await sub.notify(outcome.kind === 'failed' ? outcome.status : 480).catch(() => undefined);
    await engine.end(call, { cause: 'no_answer', by: 'system' });
    return;
  }
  try {
    await reanchor(call, stays, outcome.dialog, tag);
  } catch (err) {
    call.log.info({ callId: call.id, reason: errorMessage(err) }, 'blind transfer: media not re-anchored');
    void outcome.dialog.destroy();
    await sub.notify(500).catch(() => undefined);
    await engine.end(call, { cause: 'media_error', by: 'system' });
    return;
  }
  await sub.notify(200).catch(() => undefined);
  await swapLeg(engine, call, from, stays, { dialog: outcome.dialog, tag, ext: outcome.ext }, kind);
}

async function attended(engine: CallEngine, call: Call, from: Leg, stays: Leg, refer: ReferRequest): Promise<void> {
  const replaces = refer.replaces;
  const match = replaces === undefined ? undefined : engine.deps.stack.findDialog(replaces);
  if (match?.state === 'early' && match.role === 'uas') {
    // Onto a consultation call still ringing: the caller takes over the ringing (the target rings anew).
    const ringing = engine.ringingFor(match.invite);
    const ext = ringing ? [...ringing.call.ringing][0] : undefined;
    if (!ringing || ext === undefined) return refer.reject(481, { reason: 'Replaced Dialog Not Found' });
    ringing.ringer.take();
    if (match.invite.state === 'pending') match.invite.reject(487);
    await engine.end(ringing.call, { cause: 'transferred', disposition: 'abandoned', by: 'callee' });
    await blind(engine, call, from, stays, ext, refer.accept(), 'attended');
    return;
  }
  const other = match?.state === 'confirmed' ? findCallOf(engine, match.dialog) : undefined;
  if (!other || other.call === call) return refer.reject(481, { reason: 'Replaced Dialog Not Found' });
  const target = other.call.other(other.leg);
  if (!target) return refer.reject(481);
  const sub = refer.accept();
  call.setBridge(watchStaying(stays, () => void engine.end(call, { cause: 'caller_hangup', by: 'caller' })));
  const staysSdp = stays.dialog.remoteSdp;
  try {
    if (staysSdp === undefined) throw new Error('the remaining party has no SDP');
    // The new party joins this call's media: an offer of the remaining party's SDP towards it.
    const tag = call.nextTag();
    const offer = await call.media.offer(staysSdp, stays.tag, tag);
    // Detach the consultation call first so its legs' BYEs do not end the new pairing.
    const theirs = await target.dialog.modify(offer);
    if (theirs === undefined) throw new Error('no answer SDP from the transfer target');
    await reanchor(call, stays, undefined, tag, theirs);
    other.call.a = other.call.a === target ? undefined : other.call.a;
    other.call.b = other.call.b === target ? undefined : other.call.b;
    await engine.end(other.call, { cause: 'transferred', by: 'callee' });
    await sub.notify(200).catch(() => undefined);
    await swapLeg(engine, call, from, stays, { dialog: target.dialog, tag, ...(target.ext !== undefined ? { ext: target.ext } : {}) }, 'attended');
  } catch (err) {
    call.log.info({ callId: call.id, reason: errorMessage(err) }, 'attended transfer failed');
    await sub.notify(500).catch(() => undefined);
  }
}

/** Replaces `from` by `to` on the call: the bridge is rebuilt, the transferor hung up, events written. */
async function swapLeg(engine: CallEngine, call: Call, from: Leg, stays: Leg, to: { dialog: Dialog; tag: string; ext?: string }, kind: 'blind' | 'attended', number?: string): Promise<void> {
  const leg: Leg = { dialog: to.dialog, tag: to.tag, ...(to.ext !== undefined ? { ext: to.ext } : {}), media: to.dialog.remoteSdp === undefined ? undefined : mediaAddress(to.dialog.remoteSdp) };
  call.relink(() => {
    if (call.a === from) call.a = leg;
    else call.b = leg;
  }, () => bridgeLegs(call, engine));
  await call.media.unblock(from.tag).catch(() => undefined);
  void from.dialog.destroy();
  engine.transferred(call, from, leg, stays);
  engine.deps.bus.publish('call.transferred', { kind, by: from.ext ?? null, to: to.ext ?? number ?? null }, call.id);
}

/** The new leg's answer completes rtpengine's re-pairing; the staying party is re-INVITEd only if its ports moved. */
async function reanchor(call: Call, stays: Leg, newLeg: Dialog | undefined, tag: string, answer = newLeg?.remoteSdp): Promise<void> {
  if (answer === undefined) throw new Error('the new leg has no SDP');
  const forStays = await call.media.answer(answer, stays.tag, tag);
  if (changedMedia(stays.dialog.localSdp, forStays)) await stays.dialog.modify(forStays);
}

function findCallOf(engine: CallEngine, dialog: Dialog): { call: Call; leg: Leg } | undefined {
  for (const c of engine.allCalls()) {
    for (const leg of [c.a, c.b]) if (leg?.dialog === dialog) return { call: c, leg };
  }
  return undefined;
}

function changedMedia(before: string | undefined, after: string): boolean {
  if (before === undefined) return true;
  const a = mediaAddress(before);
  const b = mediaAddress(after);
  return a?.address !== b?.address || a?.port !== b?.port;
}
