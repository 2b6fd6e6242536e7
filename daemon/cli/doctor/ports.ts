import { createSocket } from 'node:dgram';
import { createServer, isIPv6 } from 'node:net';

/** Can this port be bound right now? (Tried, then released at once.) */
export function portFree(proto: 'udp' | 'tcp', address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (proto === 'tcp') {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, address, () => srv.close(() => resolve(true)));
      return;
    }
    const sock = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    sock.once('error', () => { sock.close(); resolve(false); });
    sock.bind(port, address, () => sock.close(() => resolve(true)));
  });
}
