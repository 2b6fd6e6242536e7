import type { SipResponse } from '../message/index.js';
import type { Dialog } from './dialog.js';
import { SipError } from './errors.js';
import type { InDialogRequest, ModifyRequest } from './in-dialog.js';
import type { IncomingInvite } from './incoming-invite.js';
import type { DialogRegistry } from './registry.js';
import { bodyText, type HeaderList } from './respond.js';
import { createUAC, type UacOptions } from './uac.js';
import { createUAS } from './uas.js';

/** Which leg an SDP came from: 'a' the caller's (the INVITE we received), 'b' the callee's. */
export type Leg = 'a' | 'b';

/**
 * SDP hooks between the legs: the box inserts rtpengine here (offer → rtpengine `offer`, answer →
 * rtpengine `answer`). Both default to passing the SDP through unchanged.
 */
export interface SdpHooks {
  /** An offer from leg `from`, to be sent to the other leg. */
  offer?: (sdp: string | undefined, from: Leg) => Promise<string | undefined> | string | undefined;
  /** An answer from leg `from`, to be sent to the other leg. */
  answer?: (sdp: string | undefined, from: Leg) => Promise<string | undefined> | string | undefined;
}

export interface B2buaOptions extends SdpHooks {
  /** Request-URI of the B leg. */
  uri: string;
  /** B leg INVITE options (headers, from, to, auth, onProvisional is ours). */
  uac?: Omit<UacOptions, 'localSdp' | 'signal' | 'onProvisional'>;
  /** Headers on the 2xx to A. */
  headers?: HeaderList;
  /** The status A gets when B fails with `status` (default: `defaultFailureMap`). */
  mapFailure?: (status: number) => number;
  /** Abort (ring time-out, the call engine gave up): B is cancelled, A gets 487... unless answered. */
  signal?: AbortSignal;
}

export interface B2buaCall {
  a: Dialog;
  b: Dialog;
  /** Stop relaying between the legs (before re-linking one of them elsewhere, e.g. a transfer). */
  unlink(): void;
}

/**
 * B's failure as A sees it: most statuses pass unchanged (486 → 486, 603 → 603); a time-out (408)
 * becomes 480 Temporarily Unavailable; B's challenges (401/407, which are for us, not for A) and
 * B-leg transaction trouble (481, 482, 483, 491) become 480 or 500; 3xx (we do not follow
 * redirects for A) becomes 480.
 */
export function defaultFailureMap(status: number): number {
  if (status === 408 || status === 401 || status === 407) return 480;
  if (status >= 300 && status < 400) return 480;
  if (status === 481 || status === 482 || status === 483 || status === 491) return 500;
  return status;
}

const identity = (sdp: string | undefined): string | undefined => sdp;

/**
 * Bridge `invite` (leg A) to a new call to `opts.uri` (leg B), drachtio-srf's createB2BUA:
 * provisional responses from B go back to A (180; 183 with its SDP through the answer hook), B's
 * failure is mapped back to A, a CANCEL from A cancels B, B's 2xx answers A. Resolves with both
 * dialogs, linked (see `linkDialogs`); rejects with B's error (A has been answered already).
 */
export async function createB2BUA(reg: DialogRegistry, invite: IncomingInvite, opts: B2buaOptions): Promise<B2buaCall> {
  const hooks = { offer: opts.offer ?? identity, answer: opts.answer ?? identity };
  const cancelB = new AbortController();
  const onCancel = (): void => cancelB.abort();
  invite.signal.addEventListener('abort', onCancel, { once: true });
  opts.signal?.addEventListener('abort', onCancel, { once: true });
  let progress = Promise.resolve();
  let b: Dialog;
  try {
    const offer = await hooks.offer(invite.sdp, 'a');
    b = await createUAC(reg, opts.uri, {
      ...opts.uac,
      ...(offer !== undefined ? { localSdp: offer } : {}),
      signal: cancelB.signal,
      onProvisional: (res) => {
        if (res.status === 100) return;
        // keep provisional answers in order even when the hook is asynchronous
        progress = progress.then(() => relayProvisional(invite, res, hooks.answer)).catch((err: unknown) => {
          invite.log.debug({ err }, 'provisional relay failed');
        });
      },
    });
  } catch (err) {
    cleanup();
    if (invite.state === 'pending') {
      const status = err instanceof SipError && err.status !== undefined ? (opts.mapFailure ?? defaultFailureMap)(err.status) : 500;
      invite.reject(status === 487 ? 480 : status); // A is still there: B gave up or we did (ring time-out)
    }
    throw err;
  }
  cleanup();
  let a: Dialog;
  try {
    await progress;
    const answer = await hooks.answer(b.remoteSdp, 'b');
    a = await createUAS(reg, invite, {
      ...(answer !== undefined ? { localSdp: answer } : {}),
      ...(opts.headers !== undefined ? { headers: opts.headers } : {}),
    });
  } catch (err) {
    void b.destroy(); // A went away (cancelled) while B answered
    throw err;
  }
  const unlink = linkDialogs(a, b, hooks);
  return { a, b, unlink };

  function cleanup(): void {
    invite.signal.removeEventListener('abort', onCancel);
    opts.signal?.removeEventListener('abort', onCancel);
  }
}

async function relayProvisional(invite: IncomingInvite, res: SipResponse, answer: NonNullable<SdpHooks['answer']>): Promise<void> {
  if (invite.state !== 'pending') return;
  const sdp = bodyText(res);
  const body = sdp === undefined ? undefined : await answer(sdp, 'b');
  if (invite.state !== 'pending') return;
  invite.progress(res.status, { reason: res.reason, ...(body !== undefined ? { body } : {}) });
}

/**
 * Relay between two established dialogs until `unlink()`: BYE (or any end) on one ends the other,
 * a re-INVITE or UPDATE on one becomes a re-INVITE on the other (hold passes through: a=sendonly
 * arrives as a=sendonly) and its answer or failure goes back, INFO (DTMF relay) is passed with its
 * body and its final status returned. REFER is left to the application (listen on the dialog).
 */
export function linkDialogs(a: Dialog, b: Dialog, hooks: SdpHooks = {}): () => void {
  const offer = hooks.offer ?? identity;
  const answer = hooks.answer ?? identity;
  const pairs: Array<[Dialog, Dialog, Leg]> = [[a, b, 'a'], [b, a, 'b']];
  const detach: Array<() => void> = [];
  for (const [from, to, leg] of pairs) {
    const onDestroy = (): void => { void to.destroy(); };
    const onModify = (m: ModifyRequest): void => { void relayModify(m, to, leg, { offer, answer }); };
    const onInfo = (r: InDialogRequest): void => { void relayInfo(r, to); };
    from.on('destroy', onDestroy);
    from.on('modify', onModify);
    from.on('info', onInfo);
    detach.push(() => {
      from.off('destroy', onDestroy);
      from.off('modify', onModify);
      from.off('info', onInfo);
    });
  }
  return () => { for (const d of detach.splice(0)) d(); };
}

async function relayModify(m: ModifyRequest, to: Dialog, leg: Leg, hooks: Required<SdpHooks>): Promise<void> {
  try {
    if (m.sdp === undefined && m.method === 'UPDATE') {
      m.accept();
      return;
    }
    const offered = await hooks.offer(m.sdp ?? to.localSdp, leg);
    if (offered === undefined) {
      m.reject(488);
      return;
    }
    const theirs = await to.modify(offered, { signal: m.cancelled });
    if (m.cancelled.aborted) return;
    m.accept(await hooks.answer(theirs, leg === 'a' ? 'b' : 'a'));
  } catch (err) {
    if (m.answered) return;
    const status = err instanceof SipError && err.status !== undefined ? err.status : 500;
    m.reject(status >= 300 ? status : 500);
  }
}

async function relayInfo(r: InDialogRequest, to: Dialog): Promise<void> {
  try {
    const type = r.request.headers.get('Content-Type') ?? 'application/octet-stream';
    const res = await to.request('INFO', r.body === undefined ? {} : { body: r.body, contentType: type });
    if (!r.answered) r.respond(res.status);
  } catch (err) {
    if (!r.answered) r.respond(err instanceof SipError && err.code === 'SIP_DIALOG_GONE' ? 481 : 500);
  }
}
