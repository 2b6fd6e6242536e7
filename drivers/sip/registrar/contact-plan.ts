import {
  formatUri,
  getContacts,
  getExpires,
  unquote,
  uriEquals,
  type SipRequest,
  type SipUri,
} from '../message/index.js';

export interface ExpiryLimits {
  /** Shortest lifetime accepted (s); shorter, non-zero requests get 423 with Min-Expires. */
  minExpires: number;
  /** Longest lifetime granted (s); longer requests are shortened to it. */
  maxExpires: number;
  /** Lifetime when neither the contact nor the request gives one (s). */
  defaultExpires: number;
}

/** One Contact of a REGISTER with the lifetime it gets (0 = remove). */
export interface PlannedContact {
  uri: SipUri;
  /** The contact as stored: the URI text without header parameters. */
  key: string;
  expires: number;
}

/** What a REGISTER asks for, after RFC 3261 §10.3 steps 6 and 7 (the part that needs no state). */
export type RegisterPlan =
  | { kind: 'query' }
  | { kind: 'remove-all' }
  | { kind: 'update'; contacts: PlannedContact[] }
  | { kind: 'reject'; status: number; reason: string; headers: Array<[string, string]> };

function reject(status: number, reason: string, headers: Array<[string, string]> = []): RegisterPlan {
  return { kind: 'reject', status, reason, headers };
}

/**
 * Read the Contact and Expires header fields of a REGISTER. Throws SipParseError on a malformed
 * Contact (the caller answers 400).
 * - No Contact: a query (§10.2.3).
 * - `Contact: *` (§10.2.2, §10.3 step 6): only alone and only with `Expires: 0`, else 400.
 * - Each contact's lifetime: its `expires` parameter, else the Expires header, else the default
 *   (§10.2.1.1); a value that is not a number counts as absent (RFC 4475 §3.1.2.4). A non-zero
 *   lifetime below minExpires refuses the whole request with 423 + Min-Expires (§10.3 step 7,
 *   §21.4.17); above maxExpires it is shortened. A URI given twice: the last one counts.
 */
export function planRegister(req: SipRequest, limits: ExpiryLimits): RegisterPlan {
  const values = req.headers.list('Contact');
  if (values.length === 0) return { kind: 'query' };
  const headerExpires = req.headers.has('Expires') ? getExpires(req) : undefined;
  if (values.includes('*')) {
    if (values.length !== 1) return reject(400, 'Wildcard Contact must be the only Contact');
    if (headerExpires !== 0) return reject(400, 'Wildcard Contact needs Expires: 0');
    return { kind: 'remove-all' };
  }
  const contacts = getContacts(req);
  if (contacts === '*') return { kind: 'remove-all' };
  const planned: PlannedContact[] = [];
  for (const c of contacts) {
    if (c.uri.kind !== 'sip') return reject(400, 'Contact must be a SIP or SIPS URI');
    const own = unquote(c.params.get('expires'));
    let expires = deltaSeconds(own) ?? headerExpires ?? limits.defaultExpires;
    if (expires !== 0 && expires < limits.minExpires) {
      return reject(423, 'Interval Too Brief', [['Min-Expires', String(limits.minExpires)]]);
    }
    expires = Math.min(expires, limits.maxExpires);
    const uri = c.uri;
    const i = planned.findIndex((p) => uriEquals(p.uri, uri));
    if (i >= 0) planned.splice(i, 1);
    planned.push({ uri, key: formatUri(uri), expires });
  }
  return { kind: 'update', contacts: planned };
}

/** delta-seconds (RFC 3261 §25.1), 0 .. 2**32-1; undefined when absent or not a number. */
function deltaSeconds(s: string | undefined): number | undefined {
  if (s === undefined || !/^[0-9]{1,10}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 0xffffffff ? n : undefined;
}
