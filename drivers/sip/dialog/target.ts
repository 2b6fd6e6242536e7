import { isIP } from 'node:net';
import { getRoutes, parseNameAddr, type SipRequest, type Uri } from '../message/index.js';
import type { Remote, TransportKind } from '../transport/types.js';
import { DialogError } from './errors.js';

/**
 * Where a URI points (RFC 3263 without DNS): the box talks to peers by IP address, so the host
 * must be an IPv4 or IPv6 literal ("localhost" is taken as 127.0.0.1). Port 5060 (5061 for sips)
 * when absent; `;transport=tcp` (and sips:) select TCP, anything else UDP.
 */
export function resolveUri(uri: Uri): Remote {
  if (uri.kind !== 'sip') throw new DialogError('SIP_BAD_TARGET', `cannot send to a ${uri.scheme}: URI`);
  let host = uri.host;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.toLowerCase() === 'localhost') host = '127.0.0.1';
  if (isIP(host) === 0) {
    throw new DialogError('SIP_BAD_TARGET', `cannot send to host ${JSON.stringify(uri.host)}: peers are addressed by IP`);
  }
  const param = uri.params.get('transport')?.toLowerCase();
  const transport: TransportKind = param === 'tcp' || param === 'tls' || uri.scheme === 'sips' ? 'tcp' : 'udp';
  return { transport, address: host, port: uri.port ?? (uri.scheme === 'sips' ? 5061 : 5060) };
}

/** The next hop of a request we send (§8.1.2): the first Route when there is one, else the Request-URI. */
export function nextHop(req: SipRequest): Remote {
  const route = getRoutes(req)[0];
  return resolveUri(route === undefined ? req.uri : route.uri);
}

/** "SIP/2.0/UDP" or "SIP/2.0/TCP" for a Via sent over `transport`. */
export function viaProtocol(transport: TransportKind): string {
  return transport === 'tcp' ? 'SIP/2.0/TCP' : 'SIP/2.0/UDP';
}

/** The next hop of requests inside a dialog: the first route of its route set, else its remote target. */
export function dialogNextHop(rec: { routeSet: readonly string[]; remoteTarget: Uri; flow?: Remote }): Remote {
  const first = rec.routeSet[0];
  if (first === undefined && rec.flow !== undefined) return rec.flow;
  return resolveUri(first === undefined ? rec.remoteTarget : parseNameAddr(first, 'Route').uri);
}
