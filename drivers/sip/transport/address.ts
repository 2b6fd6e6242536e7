import { isIPv4, isIPv6 } from 'node:net';

/**
 * Address spelling shared by the transport: sources are reported as plain IPv4 ("192.0.2.1",
 * never the "::ffff:192.0.2.1" a dual-stack socket gives) or IPv6 without brackets ("::1").
 */
export function normalizeAddress(address: string): string {
  const a = address.toLowerCase();
  if (a.startsWith('::ffff:') && isIPv4(a.slice(7))) return a.slice(7);
  return a;
}

/** A Via sent-by or URI host as an address to compare: brackets gone, lower case. */
export function hostKey(host: string): string {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return normalizeAddress(h);
}

/** True for the any-address binds (0.0.0.0, ::), which own every address of the machine. */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || (isIPv6(address) && hostKey(address) === '::');
}

/** The host as written in a Via sent-by: IPv6 in brackets (RFC 3261 §25.1 IPv6reference). */
export function viaHost(address: string): string {
  return isIPv6(address) ? `[${address}]` : address;
}

/** Where to send from a socket of this family: IPv4 destinations become v4-mapped on IPv6 sockets. */
export function destFor(address: string, socketFamily: 4 | 6): string {
  const a = hostKey(address);
  return socketFamily === 6 && isIPv4(a) ? `::ffff:${a}` : a;
}

/** "address:port" key of a remote, IPv6 in brackets so the last colon is the port's. */
export function remoteKey(address: string, port: number): string {
  return `${viaHost(hostKey(address))}:${port}`;
}
