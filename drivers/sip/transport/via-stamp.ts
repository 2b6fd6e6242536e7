import { formatVia, getTopVia, SipHeaders, splitList, type HeaderField, type SipMessage, type SipRequest, type Via } from '../message/index.js';
import { hostKey } from './address.js';
import type { Remote } from './types.js';

/** Default port of a sent-by without one (RFC 3261 §18.2.2, §19.1.2): 5060 for UDP and TCP. */
export const DEFAULT_SIP_PORT = 5060;

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4 on a received request: add `received` with the source address
 * when the top Via sent-by host differs from it, and when the Via asks for `rport` fill it with the
 * source port and add `received` even when the host matches (RFC 3581 §4 requires both). Changes
 * the request's top Via in place; returns whether it changed. A Via that does not parse is left
 * alone (the parser has validated it, so that does not happen for parsed requests).
 */
export function stampReceived(req: SipRequest, source: Remote): boolean {
  let via: Via;
  try {
    via = getTopVia(req);
  } catch {
    return false;
  }
  const wantsRport = via.params.has('rport') && via.params.get('rport') === null;
  const differs = hostKey(via.host) !== hostKey(source.address);
  if (!wantsRport && !differs) return false;
  const params = new Map(via.params);
  params.set('received', hostKey(source.address));
  if (wantsRport) params.set('rport', String(source.port));
  replaceTopVia(req, { ...via, params });
  return true;
}

/** The top Via sent-by names one of `hosts` (compared as addresses: case, brackets) and `port`. */
export function isOurSentBy(via: Via, hosts: ReadonlySet<string>, port: number): boolean {
  return hosts.has(hostKey(via.host)) && (via.port ?? DEFAULT_SIP_PORT) === port;
}

/**
 * Where a response goes over a stream transport when the request's connection is gone (RFC 3261
 * §18.2.2): the `received` address (else the sent-by host) and the sent-by port.
 */
export function responseTarget(via: Via): { address: string; port: number } {
  const received = via.params.get('received');
  return { address: hostKey(typeof received === 'string' ? received : via.host), port: via.port ?? DEFAULT_SIP_PORT };
}

/** A copy of `msg` whose top Via names `transport` (RFC 3261 §18.1.1); the original is untouched. */
export function withViaTransport(msg: SipMessage, transport: string): SipMessage {
  const copy: SipMessage = { ...msg, headers: new SipHeaders([...msg.headers]) };
  replaceTopVia(copy, { ...getTopVia(msg), transport });
  return copy;
}

/**
 * Write `via` over the first Via element, wherever it is: the first Via field may hold a list
 * ("Via: a, b"), whose other elements and every other field stay as they were.
 */
function replaceTopVia(msg: SipMessage, via: Via): void {
  const fields: HeaderField[] = [...msg.headers];
  const i = fields.findIndex((f) => f.key === 'via');
  const field = fields[i];
  if (field === undefined) return;
  const rest = splitList(field.value).slice(1);
  fields[i] = { name: field.name, key: field.key, value: [formatVia(via), ...rest].join(', ') };
  msg.headers = new SipHeaders(fields);
}
