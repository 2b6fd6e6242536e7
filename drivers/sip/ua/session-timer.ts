import { getTokens, type SipRequest } from '../message/index.js';

/**
 * Session timers (RFC 4028) are accepted, not run: a refresh (re-INVITE or UPDATE) is answered
 * like any other, and when the peer supports `timer` our 2xx repeats its Session-Expires with a
 * refresher (the peer's choice, else `uac`: the peer refreshes, §9) and `Require: timer`. The box
 * never tears a call down for a missed refresh; the call engine's maximum call length does that.
 */
export function sessionTimerHeaders(req: SipRequest): Array<[string, string]> {
  const se = req.headers.get('Session-Expires');
  if (se === undefined) return [];
  let supported: string[];
  try {
    supported = getTokens(req, 'Supported').map((t) => t.toLowerCase());
  } catch {
    return [];
  }
  if (!supported.includes('timer')) return [];
  const m = /^\s*(\d+)\s*(?:;(.*))?$/.exec(se);
  if (!m) return [];
  const refresher = /refresher\s*=\s*(uac|uas)/i.exec(m[2] ?? '')?.[1]?.toLowerCase() ?? 'uac';
  return [['Session-Expires', `${m[1]};refresher=${refresher}`], ['Require', 'timer']];
}
