import { createServer } from 'node:net';
import { portFree } from '../../daemon/cli/doctor/ports.js';

/**
 * A port free on 127.0.0.1 for both TCP and UDP at the time of asking. Tests running in parallel
 * draw from a range keyed by the process id, so two tap workers rarely ask for the same one.
 */
let cursor = 20000 + ((process.pid * 97) % 20000);

/** One free port (TCP and UDP). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1, 1);
  return port as number;
}

/** `count` blocks of `span` consecutive free ports; returns the first port of each block. */
export async function freePorts(count: number, span = 1): Promise<number[]> {
  const out: number[] = [];
  while (out.length < count) {
    const base = cursor;
    cursor += span;
    if (cursor > 40000 + span) cursor = 20000;
    let ok = true;
    for (let p = base; p < base + span && ok; p++) ok = (await portFree('tcp', '127.0.0.1', p)) && (await portFree('udp', '127.0.0.1', p));
    if (ok) out.push(base);
  }
  return out;
}

/**
 * Hold a TCP port on 127.0.0.1 as "another program" would, until the test ends. Connections it
 * accepts are destroyed at the end too, so closing never waits on a client that lingers.
 */
export async function occupyTcpPort(t: { teardown(fn: () => Promise<void>): void }, port: number): Promise<void> {
  const conns = new Set<import('node:net').Socket>();
  const srv = createServer((s) => { conns.add(s); s.on('close', () => conns.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve());
  });
  t.teardown(() => new Promise<void>((resolve) => {
    for (const c of conns) c.destroy();
    srv.close(() => resolve());
  }));
}
