import { createSocket, type Socket } from 'node:dgram';

/**
 * The box's own media endpoint while a caller talks to the IVR: rtpengine needs somewhere to send
 * the caller's audio until an agent takes over. One loopback UDP socket for every such call; what
 * arrives is dropped (digits come from rtpengine's DTMF log, prompts are played by rtpengine).
 */
export class RtpSink {
  private sock: Socket | undefined;
  private port = 0;

  async start(address = '127.0.0.1'): Promise<void> {
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, address, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    sock.on('message', () => undefined);
    sock.on('error', () => undefined);
    this.port = sock.address().port;
    this.sock = sock;
  }

  stop(): Promise<void> {
    const sock = this.sock;
    this.sock = undefined;
    return new Promise((r) => (sock ? sock.close(() => r()) : r()));
  }

  /**
   * An SDP offer from this socket (G.711 both laws and RFC 4733 digits), for a call the box starts
   * itself (a queue callback rings the agent before the customer's line is dialled).
   */
  offerSdp(): string {
    const address = this.sock?.address().address ?? '127.0.0.1';
    return [
      'v=0', `o=octoline 1 1 IN IP4 ${address}`, 's=octoline', `c=IN IP4 ${address}`, 't=0 0',
      `m=audio ${this.port} RTP/AVP 0 8 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=ptime:20', 'a=sendrecv', '',
    ].join('\r\n');
  }

  /**
   * An SDP answer to rtpengine's `offer` (the callee side's SDP): the same codecs, pointed at this
   * socket, so rtpengine sees a normal answered call.
   */
  answerFor(offer: string): string {
    const address = this.sock?.address().address ?? '127.0.0.1';
    let media = false;
    const out: string[] = [];
    for (const line of offer.split(/\r?\n/)) {
      if (line === '') continue;
      if (line.startsWith('o=')) out.push(`o=octoline 1 1 IN IP4 ${address}`);
      else if (line.startsWith('c=')) out.push(`c=IN IP4 ${address}`);
      else if (line.startsWith('m=audio') && !media) {
        media = true;
        out.push(line.replace(/^m=audio \d+/, `m=audio ${this.port}`));
      } else if (/^a=(ice-|candidate|rtcp|sendonly|recvonly|inactive|sendrecv)/.test(line)) continue;
      else out.push(line);
    }
    out.push('a=sendrecv');
    return `${out.join('\r\n')}\r\n`;
  }
}
