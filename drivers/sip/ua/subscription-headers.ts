/**
 * The header rules of SIP-specific event notification (RFC 6665) the notifier applies: the Event
 * header, the Expires negotiation of a SUBSCRIBE and the Subscription-State of a NOTIFY.
 */

/** An Event header: the package (lower case, e.g. `dialog`) and its `id` parameter (§8.2.1). */
export interface EventHeader {
  readonly package: string;
  readonly id: string | undefined;
}

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** Parse `dialog;id=abc`; undefined when absent or not a token followed by parameters. */
export function parseEvent(value: string | undefined): EventHeader | undefined {
  if (value === undefined) return undefined;
  const [head = '', ...params] = value.split(';');
  const pkg = head.trim();
  if (!TOKEN.test(pkg)) return undefined;
  let id: string | undefined;
  for (const p of params) {
    const [name = '', v] = p.split('=', 2);
    if (name.trim().toLowerCase() === 'id' && v !== undefined) id = v.trim();
  }
  return { package: pkg.toLowerCase(), id };
}

/** The Event value a NOTIFY of this subscription carries: the package and the SUBSCRIBE's id. */
export function formatEvent(e: EventHeader): string {
  return e.id === undefined ? e.package : `${e.package};id=${e.id}`;
}

/** Seconds a notifier grants (§4.2.1.1): below the minimum is refused 423, above the maximum cut. */
export interface ExpiryPolicy {
  minExpires: number;
  maxExpires: number;
  /** When the SUBSCRIBE has no Expires: the package's default (3600 for `dialog`, RFC 4235 §3.3). */
  defaultExpires: number;
}

export type ExpiryPlan =
  /** Expires: 0: a fetch (new subscription) or an unsubscribe (refresh): 200, one final NOTIFY. */
  | { kind: 'end' }
  /** 423 Interval Too Brief with `Min-Expires: minExpires`. */
  | { kind: 'too-brief'; minExpires: number }
  | { kind: 'grant'; expires: number };

export function planExpires(requested: number | undefined, policy: ExpiryPolicy): ExpiryPlan {
  const asked = requested ?? policy.defaultExpires;
  if (asked === 0) return { kind: 'end' };
  if (asked < policy.minExpires) return { kind: 'too-brief', minExpires: policy.minExpires };
  return { kind: 'grant', expires: Math.min(asked, policy.maxExpires) };
}

/** Why a subscription ended, as the final NOTIFY says it (§4.2.2, reason codes of §6.2). */
export type TerminationReason = 'deactivated' | 'probation' | 'rejected' | 'timeout' | 'giveup' | 'noresource' | 'invariant';

/** The Subscription-State value (§8.2.3). */
export function formatSubscriptionState(s: { active: true; expires: number } | { active: false; reason: TerminationReason }): string {
  return s.active ? `active;expires=${s.expires}` : `terminated;reason=${s.reason}`;
}
