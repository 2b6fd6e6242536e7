import {
  getCallId,
  getCSeq,
  getFrom,
  getMaxForwards,
  getTo,
  getVias,
} from './accessors.js';
import { SipParseError } from './errors.js';
import type { SipMessage } from './message.js';

/**
 * The checks that must pass before the transaction layer may use a message (RFC 3261 §8.1.1,
 * §8.2.2, §17.1.3, §17.2.3 rely on them): Via (at least one, all well-formed), CSeq (number up to
 * 2**32-1, and for requests the same method as the start line), Call-ID, From and To (exactly one
 * each, well-formed) and, for requests, Max-Forwards when present (0-255). The parsed values stay
 * cached, so the layers above read them for free.
 *
 * Decisions (documented in docs/sip-message.md):
 * - A missing Max-Forwards is tolerated (RFC 2543 peers; RFC 4475 §3.4.1 inv2543).
 * - A Via without an RFC 3261 branch is accepted here (RFC 2543 matching, §17.2.3); a branch that
 *   is only the magic cookie is refused by `checkRequest` (RFC 4475 §3.2.1 badbranch).
 * - A CSeq method that differs from the request method is refused here with 400, before any
 *   transaction matching uses it (RFC 4475 §3.1.2.17 mismatch01; for §3.1.2.18 mismatch02 the RFC
 *   accepts 400 as well as the 501 it prefers).
 *
 * Throws SipParseError; the order of the checks fixes which error is reported first.
 */
export function validateMessage(msg: SipMessage): void {
  const vias = getVias(msg);
  if (vias.length === 0) {
    throw new SipParseError('SIP_MISSING_HEADER', 'missing Via header', { reason: 'Missing Via header' });
  }
  const cseq = getCSeq(msg);
  if (msg.kind === 'request' && cseq.method !== msg.method) {
    throw new SipParseError('SIP_BAD_CSEQ', `CSeq method ${cseq.method} does not match ${msg.method}`, {
      reason: 'CSeq method does not match',
    });
  }
  getCallId(msg);
  getFrom(msg);
  getTo(msg);
  if (msg.kind === 'request') getMaxForwards(msg);
}
