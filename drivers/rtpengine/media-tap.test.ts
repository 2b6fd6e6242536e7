import t, { type Test } from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { ALAW_TABLE, ULAW_TABLE, linearToUlaw } from '../pcap/g711.js';
import { rtpPacket } from '../pcap/pcap-writer.js';
import { energy, goertzelPower } from '../tones/goertzel.js';
import { startRtpengine } from '../../test/helpers/rtpengine.js';
import { testLogger } from '../../test/helpers/log.js';
import { MediaTap, decodeTapPacket, subscriberAnswer, type TapFrame } from './media-tap.js';

const sdp = (port: number) => [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=sendrecv', '',
].join('\r\n');
const mediaPort = (s: string) => Number(/m=audio (\d+)/.exec(s)?.[1]);

async function udpSocket(t: Test): Promise<Socket> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  s.on('message', () => undefined);
  t.teardown(() => new Promise<void>((r) => s.close(() => r())));
  return s;
}

/** Sends `count` 20 ms PCMU packets of a sine from `sock` to `port`, paced in real time. */
async function sendTone(sock: Socket, port: number, hz: number, count: number, ssrc: number): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const payload = Buffer.alloc(160);
    for (let j = 0; j < 160; j++) payload[j] = linearToUlaw(10000 * Math.sin((2 * Math.PI * hz * (i * 160 + j)) / 8000));
    sock.send(rtpPacket({ pt: 0, seq: i, ts: i * 160, ssrc, payload }), port, '127.0.0.1');
    const wait = started + (i + 1) * 20 - performance.now();
    if (wait > 0) await sleep(wait);
  }
}

const share = (f: TapFrame, hz: number) => goertzelPower(f.samples, hz, 8000) / energy(f.samples);

t.test('a tap receives a decoded copy of one leg\'s audio and nothing of the other; close() ends it', async (t) => {
  const rt = await startRtpengine(t);
  const ng = rt.supervisor.client;
  const [a, b] = [await udpSocket(t), await udpSocket(t)];
  const callId = `tap-${process.pid}`;
  const offer = await ng.offer({ 'call-id': callId, 'from-tag': 'a', sdp: sdp(a.address().port) });
  const answer = await ng.answer({ 'call-id': callId, 'from-tag': 'a', 'to-tag': 'b1', sdp: sdp(b.address().port) });

  const tap = await MediaTap.open(() => ng, testLogger(), { callId, fromTag: 'a' });
  t.teardown(() => tap.close());
  const frames: TapFrame[] = [];
  tap.on('frame', (f) => frames.push(f));
  await Promise.all([sendTone(a, mediaPort(answer.sdp), 1000, 50, 0xaaaa), sendTone(b, mediaPort(offer.sdp), 500, 50, 0xbbbb)]);
  await sleep(100);
  t.ok(frames.length >= 45, `the tap got the caller's packets (${frames.length} of 50)`);
  t.ok(frames.every((f) => f.samples.length === 160 && f.payloadType === 0), 'each a 20 ms PCMU frame, decoded');
  t.ok(frames.every((f) => share(f, 1000) > 0.9), 'all of it the caller\'s 1 kHz, none of the agent\'s 500 Hz');

  await tap.close();
  const after = frames.length;
  await sendTone(a, mediaPort(answer.sdp), 1000, 10, 0xaaaa);
  await sleep(100);
  t.equal(frames.length, after, 'nothing after close()');
  await tap.close();
  t.pass('close() twice is harmless');
});

t.test('taps on both legs each get their own party; both survive a transfer-style re-offer of the caller', async (t) => {
  const rt = await startRtpengine(t);
  const ng = rt.supervisor.client;
  const [a, b, c] = [await udpSocket(t), await udpSocket(t), await udpSocket(t)];
  const callId = `tap2-${process.pid}`;
  const offer = await ng.offer({ 'call-id': callId, 'from-tag': 'a', sdp: sdp(a.address().port) });
  let answer = await ng.answer({ 'call-id': callId, 'from-tag': 'a', 'to-tag': 'b1', sdp: sdp(b.address().port) });
  const taps = await Promise.all(['a', 'b1'].map((fromTag) => MediaTap.open(() => ng, testLogger(), { callId, fromTag })));
  const got: TapFrame[][] = [[], []];
  taps.forEach((tap, i) => {
    t.teardown(() => tap.close());
    tap.on('frame', (f) => got[i]?.push(f));
  });
  const talk = () => Promise.all([sendTone(a, mediaPort(answer.sdp), 1000, 20, 0xaaaa), sendTone(b, mediaPort(offer.sdp), 500, 20, 0xbbbb)]).then(() => sleep(100));
  await talk();
  const [caller = [], callee = []] = got;
  t.ok(caller.length >= 18 && caller.every((f) => share(f, 1000) > 0.9), `the caller's tap: 1 kHz (${caller.length} frames)`);
  t.ok(callee.length >= 18 && callee.every((f) => share(f, 500) > 0.9), `the callee's tap: 500 Hz (${callee.length} frames)`);

  // A transfer pairs the caller with a new leg: rtpengine sees a new offer from a.
  await ng.offer({ 'call-id': callId, 'from-tag': 'a', 'to-tag': 'c1', sdp: sdp(a.address().port) });
  answer = await ng.answer({ 'call-id': callId, 'from-tag': 'a', 'to-tag': 'c1', sdp: sdp(c.address().port) });
  got.forEach((g) => (g.length = 0));
  await talk();
  t.ok(caller.length >= 18 && caller.length <= 20, `the caller is still tapped (once) after the re-offer (${caller.length} frames)`);
  t.ok(callee.length >= 18 && callee.length <= 20, `so is the old callee (${callee.length} frames)`);
});

t.test('packets from anyone but rtpengine are dropped; a call rtpengine does not know is a typed error', async (t) => {
  const rt = await startRtpengine(t);
  const ng = rt.supervisor.client;
  const [a, stranger] = [await udpSocket(t), await udpSocket(t)];
  const callId = `tap3-${process.pid}`;
  await ng.offer({ 'call-id': callId, 'from-tag': 'a', sdp: sdp(a.address().port) });
  const answer = await ng.answer({ 'call-id': callId, 'from-tag': 'a', 'to-tag': 'b1', sdp: sdp(a.address().port + 2) });
  const tap = await MediaTap.open(() => ng, testLogger(), { callId, fromTag: 'a' });
  t.teardown(() => tap.close());
  const frames: TapFrame[] = [];
  tap.on('frame', (f) => frames.push(f));
  for (let i = 0; i < 5; i++) stranger.send(rtpPacket({ pt: 0, seq: i, ts: i * 160, ssrc: 9, payload: Buffer.alloc(160, 0x10) }), tap.port, '127.0.0.1');
  await sendTone(a, mediaPort(answer.sdp), 1000, 5, 0xaaaa);
  await sleep(100);
  t.equal(frames.length, 5, 'only the five packets rtpengine forwarded');
  t.ok(frames.every((f) => f.ssrc !== 9), 'none of the stranger\'s');

  await t.rejects(MediaTap.open(() => ng, testLogger(), { callId: 'no-such-call', fromTag: 'a' }), { code: 'RTPENGINE_ERROR' });
});

t.test('a packet becomes a frame only when it is RTP with a G.711 payload; nothing throws', async (t) => {
  const tables = new Map([[0, ULAW_TABLE], [8, ALAW_TABLE]]);
  const junk = [Buffer.from('hello'), Buffer.alloc(0), Buffer.from([0x80, 0x00, 0, 1]), Buffer.from([0x9f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    rtpPacket({ pt: 101, seq: 1, ts: 1, ssrc: 1, payload: Buffer.from([1, 0, 0, 160]) }), rtpPacket({ pt: 13, seq: 2, ts: 2, ssrc: 1, payload: Buffer.from([40]) }),
    rtpPacket({ pt: 0, seq: 3, ts: 3, ssrc: 1, payload: Buffer.alloc(0) })];
  for (const j of junk) t.equal(decodeTapPacket(j, tables), undefined, `dropped: ${j.toString('hex').slice(0, 24) || '(empty)'}`);
  const mu = decodeTapPacket(rtpPacket({ pt: 0, seq: 7, ts: 320, ssrc: 5, payload: Buffer.from([0xff, 0x80]) }), tables);
  t.same(mu && { ...mu, samples: [...mu.samples] }, { samples: [0, 32124], payloadType: 0, sequence: 7, timestamp: 320, ssrc: 5 }, 'µ-law decoded with its RTP fields');
  t.same([...(decodeTapPacket(rtpPacket({ pt: 8, seq: 1, ts: 1, ssrc: 1, payload: Buffer.from([0xd5]) }), tables)?.samples ?? [])], [8], 'A-law too');
});

t.test('the subscriber answer accepts every offered codec and knows which it can decode', async (t) => {
  const offer = ['v=0', 'o=- 1 2 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'm=audio 30000 RTP/AVP 8 0 96 101',
    'a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:96 pcmu/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=sendonly', ''].join('\r\n');
  const { sdp: answer, tables, source } = subscriberAnswer(offer, '127.0.0.1', 4000);
  t.equal(source, '10.0.0.1:30000', 'rtpengine sends from its offer\'s address and port');
  t.match(answer, /m=audio 4000 RTP\/AVP 8 0 96 101\r\n/, 'same payload types, our port');
  t.match(answer, /c=IN IP4 127\.0\.0\.1/);
  t.match(answer, /a=fmtp:101 0-16/, 'telephone-event kept with its events');
  t.match(answer, /a=recvonly/);
  t.same([...tables.keys()].sort(), [0, 8, 96], 'G.711 by static type and by rtpmap name');
  t.throws(() => subscriberAnswer('v=0\r\nm=video 1 RTP/AVP 96\r\n', '127.0.0.1', 1), { code: 'RTPENGINE_ERROR' });
});
