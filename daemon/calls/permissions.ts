import { CodedError } from '../../drivers/coded-error.js';
import type { ExtensionPermissions } from '../store/extensions-repo.js';

export type { ExtensionPermissions } from '../store/extensions-repo.js';

/** Why an extension may not dial an outside number (the engine answers the phone 403). */
export type PermissionErrorCode = 'OUTBOUND_DISABLED' | 'PREFIX_BLOCKED';

export class PermissionError extends CodedError<PermissionErrorCode> {}

export type OutboundDecision =
  /** `lines` undefined = any line. */
  | { allowed: true; lines: number[] | undefined }
  | { allowed: false; code: PermissionErrorCode; prefix?: string; message: string };

/** The longest of `prefixes` that `number` starts with; undefined when none does. */
function longestMatch(number: string, prefixes: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const p of prefixes) {
    if (p !== '' && number.startsWith(p) && (best === undefined || p.length > best.length)) best = p;
  }
  return best;
}

const kind = (prefix: string) => (prefix.startsWith('00') || prefix.startsWith('+') ? ' (international)' : '');

/**
 * May an extension dial `number` (as classified by the dial plan, `+` kept as written)? Its own
 * deny prefixes always block. A box-wide blocked prefix blocks unless one of the extension's allow
 * prefixes matches the number at least as specifically (box blocks `00`, extension allows `00852`:
 * 00852… is allowed, 0044… is not; an allow of `00` lifts the whole block).
 */
export function outboundDecision(perm: ExtensionPermissions, number: string, boxBlockedPrefixes: readonly string[], ext?: string): OutboundDecision {
  const who = ext === undefined ? 'this extension' : `extension ${ext}`;
  if (!perm.outbound) {
    return { allowed: false, code: 'OUTBOUND_DISABLED', message: `${who} may not dial ${number}: outbound calls are turned off for it` };
  }
  const denied = longestMatch(number, perm.denyPrefixes);
  if (denied !== undefined) {
    return { allowed: false, code: 'PREFIX_BLOCKED', prefix: denied, message: `${who} may not dial ${number}: prefix ${denied} is denied for it${kind(denied)}` };
  }
  const blocked = longestMatch(number, boxBlockedPrefixes);
  const allowed = longestMatch(number, perm.allowPrefixes);
  if (blocked !== undefined && (allowed === undefined || allowed.length < blocked.length)) {
    return { allowed: false, code: 'PREFIX_BLOCKED', prefix: blocked, message: `${who} may not dial ${number}: prefix ${blocked} is blocked${kind(blocked)}` };
  }
  return { allowed: true, lines: perm.allowedLines.length > 0 ? [...perm.allowedLines] : undefined };
}
