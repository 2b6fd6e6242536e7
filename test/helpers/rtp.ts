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

/** Where a tone stream sends to now (undefined: nowhere yet, the packet is skipped). */
export type RtpDestination = () => { address: string; port: number } | undefined;

/**
 * A µ-law sine sent from `sock` in 20 ms packets until the returned function is called, paced by
 * the wall clock (each timer run sends every packet due since the start, so timer drift never
 * starves a jitter buffer). The destination is asked before every packet: it may change mid-call
 * (a re-INVITE moving the phone to other rtpengine ports).
 */
export function toneStream(sock: Socket, to: RtpDestination, freqHz: number, o: { amplitude?: number } = {}): () => void {
  const amplitude = o.amplitude ?? 8000;
  const ssrc = Math.floor(Math.random() * 2 ** 32);
  let seq = Math.floor(Math.random() * 65536);
  let ts = Math.floor(Math.random() * 2 ** 32);
  let n = 0;
  let sent = 0;
  const start = performance.now();
  const sendDue = (): void => {
    const due = Math.floor((performance.now() - start) / 20) + 1;
    for (; sent < due; sent++) {
      const pkt = Buffer.alloc(12 + 160);
      pkt[0] = 0x80;
      pkt[1] = sent === 0 ? 0x80 : 0; // PCMU, marker on the first packet
      pkt.writeUInt16BE(seq, 2);
      pkt.writeUInt32BE(ts, 4);
      pkt.writeUInt32BE(ssrc, 8);
      for (let i = 0; i < 160; i++, n++) pkt[12 + i] = linearToUlaw(amplitude * Math.sin((2 * Math.PI * freqHz * n) / 8000));
      seq = (seq + 1) & 0xffff;
      ts = (ts + 160) >>> 0;
      const dest = to();
      try {
        if (dest) sock.send(pkt, dest.port, dest.address);
      } catch {
        clearInterval(timer); // the socket was closed at test end
        return;
      }
    }
  };
  const timer = setInterval(sendDue, 10);
  sendDue();
  return () => clearInterval(timer);
}
