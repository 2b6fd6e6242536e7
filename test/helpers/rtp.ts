import type { Test } from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { linearToUlaw } from '../../drivers/pcap/g711.js';

/** A loopback UDP socket standing for one call leg's media (what arrives is ignored); closed at test end. */
export async function udpSocket(t: Test): Promise<Socket> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  s.on('message', () => undefined); // media from the other side is not needed
  t.teardown(() => new Promise<void>((r) => s.close(() => r())));
  return s;
}

/** An RTP sender of a µ-law sine: each call sends one 20 ms packet (160 samples), timestamps +160. */
export function toneSender(sock: Socket, to: number, freqHz: number, ssrc: number): () => void {
  let seq = Math.floor(Math.random() * 65536);
  let ts = Math.floor(Math.random() * 2 ** 32);
  let n = 0;
  return () => {
    const pkt = Buffer.alloc(12 + 160);
    pkt[0] = 0x80;
    pkt[1] = 0; // PCMU
    pkt.writeUInt16BE(seq, 2);
    pkt.writeUInt32BE(ts, 4);
    pkt.writeUInt32BE(ssrc, 8);
    for (let i = 0; i < 160; i++, n++) pkt[12 + i] = linearToUlaw(12000 * Math.sin((2 * Math.PI * freqHz * n) / 8000));
    seq = (seq + 1) & 0xffff;
    ts = (ts + 160) >>> 0;
    sock.send(pkt, to, '127.0.0.1');
  };
}
