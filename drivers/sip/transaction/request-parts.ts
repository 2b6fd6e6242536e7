import type { SipRequest } from '../message/index.js';

/**
 * The parts of an INVITE that its ACK (§17.1.1.3) and its CANCEL (§9.1) copy as written: the top
 * Via value (a comma list is split first) and the Route header fields, in order.
 */
export function topViaText(req: SipRequest): string {
  return req.headers.list('Via')[0] ?? '';
}

export function routeFields(req: SipRequest): Array<[string, string]> {
  return req.headers.getAll('Route').map((v): [string, string] => ['Route', v]);
}
