import { unquote } from '../message/index.js';
import type { DialogId } from './record.js';

/**
 * The Replaces header (RFC 3891 §6.1): `callid ;to-tag=x ;from-tag=y [;early-only]`. The tags are
 * seen from the UA that receives it: to-tag is its local tag, from-tag its remote tag (§3).
 */
export interface Replaces {
  callId: string;
  toTag: string;
  fromTag: string;
  earlyOnly: boolean;
}

/** Parse a Replaces value (also as found, unescaped, in a Refer-To URI's `?Replaces=`); undefined when malformed. */
export function parseReplaces(value: string): Replaces | undefined {
  const parts = value.split(';').map((p) => p.trim());
  const callId = parts[0];
  if (callId === undefined || callId === '' || /\s/.test(callId)) return undefined;
  let toTag: string | undefined;
  let fromTag: string | undefined;
  let earlyOnly = false;
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    const v = eq < 0 ? undefined : unquote(p.slice(eq + 1).trim());
    if (name === 'to-tag') toTag = v;
    else if (name === 'from-tag') fromTag = v;
    else if (name === 'early-only') earlyOnly = true;
  }
  if (toTag === undefined || fromTag === undefined || toTag === '' || fromTag === '') return undefined;
  return { callId, toTag, fromTag, earlyOnly };
}

export function formatReplaces(r: Replaces): string {
  return `${r.callId};to-tag=${r.toTag};from-tag=${r.fromTag}${r.earlyOnly ? ';early-only' : ''}`;
}

/** The id of the dialog a Replaces header names, from the receiving UA's side (RFC 3891 §3). */
export function replacedDialogId(r: Replaces): DialogId {
  return { callId: r.callId, localTag: r.toTag, remoteTag: r.fromTag };
}

/**
 * The Replaces value naming our dialog `id` as its peer sees it (the Refer-To of an attended
 * transfer we originate: the transferee's INVITE goes to that peer, whose local tag is our remote
 * tag).
 */
export function replacesFor(id: DialogId): Replaces {
  return { callId: id.callId, toTag: id.remoteTag, fromTag: id.localTag, earlyOnly: false };
}
