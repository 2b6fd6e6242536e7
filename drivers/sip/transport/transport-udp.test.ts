import t from 'tap';
import { FakeClock, systemClock, type Clock } from '../../clock.js';
import { freePort, occupyTcpPort } from '../../../test/helpers/ports.js';
import { testLogger } from '../../../test/helpers/log.js';
import { createResponse, getCallId, getTopVia, parseMessage, type SipRequest } from '../message/index.js';
import { hasCode } from '../../coded-error.js';
import { SipTransport, type Inbound, type TransportOptions } from './index.js';
import { UdpPeer, waitUntil, wireRequest, wireResponse } from './testing/peers.js';

type Tap = { teardown(fn: () => unknown): void };

async function startTransport(t: Tap, opts: Partial<TransportOptions> = {}, clock: Clock = systemClock): Promise<{ tr: SipTransport; port: number; got: Inbound[] }> {
  const port = opts.port ?? await freePort();
  const tr = new SipTransport({ clock, log: testLogger() }, { address: '127.0.0.1', ...opts, port });
  const got: Inbound[] = [];
  tr.on('message', (m) => got.push(m));
  await tr.start();
  t.teardown(() => tr.stop());
  return { tr, port, got };
}

async function udpPeer(t: Tap, address = '127.0.0.1'): Promise<UdpPeer> {
  const p = await UdpPeer.open(address);
  t.teardown(() => p.close());
  return p;
}

function asRequest(m: Inbound | undefined): SipRequest {
  if (m?.message.kind !== 'request') throw new Error('expected a request');
  return m.message;
}

t.test('a UDP request arrives parsed, with received and rport filled from its source', async (t) => {
  const { port, got } = await startTransport(t);
  const phone = await udpPeer(t);
  await phone.send(wireRequest({ via: 'SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-a1;rport' }), port);
  const m = await waitUntil('the request', () => got[0]);
  t.same(m.source, { transport: 'udp', address: '127.0.0.1', port: phone.port });
  t.equal(m.connectionId, undefined);
  const via = getTopVia(asRequest(m));
  t.equal(via.params.get('received'), '127.0.0.1');
  t.equal(via.params.get('rport'), String(phone.port));
});

t.test('a response sent to the source of a request reaches the phone', async (t) => {
  const { tr, port, got } = await startTransport(t);
  const phone = await udpPeer(t);
  await phone.send(wireRequest({ via: 'SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-a2;rport' }), port);
  const m = await waitUntil('the request', () => got[0]);
  await tr.send(createResponse(asRequest(m), 200, { toTag: 'x' }), m.source);
  const answer = await phone.nth(0);
  t.match(answer, /^SIP\/2\.0 200 OK\r\n/);
  t.match(answer, new RegExp(`;rport=${phone.port};.*received=127\\.0\\.0\\.1`), 'the Via comes back stamped');
});

t.test('a malformed datagram with enough headers gets a 400 back over UDP', async (t) => {
  const { tr, port, got } = await startTransport(t);
  const phone = await udpPeer(t);
  await phone.send(wireRequest({ via: 'SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-bad', extra: ['CSeq: 1 OPTIONS'] }), port);
  const answer = await phone.nth(0);
  t.match(answer, /^SIP\/2\.0 400 /);
  t.match(answer, /\r\nVia: SIP\/2\.0\/UDP 192\.0\.2\.10:5062;branch=z9hG4bK-bad\r\n/);
  t.match(answer, /\r\nTo: <sip:box@example\.invalid>;tag=[0-9a-f]+\r\n/, 'a To tag is added');
  t.equal(got.length, 0);
  t.equal(tr.stats().answered, 1);
});

t.test('junk bytes get no answer and do not stop the transport', async (t) => {
  const { tr, port, got } = await startTransport(t);
  const phone = await udpPeer(t);
  const junk = [Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]), Buffer.from('SIP/2.0 200\r\n\r\n'), Buffer.from('INVITE\r\n\r\n'), Buffer.alloc(1400, 0x41)];
  for (const j of junk) await phone.send(j, port);
  await phone.send(wireRequest({ via: 'SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-after' }), port);
  const m = await waitUntil('the request after the junk', () => got[0]);
  await tr.send(createResponse(asRequest(m), 200), m.source);
  t.match(await phone.nth(0), /^SIP\/2\.0 200 OK/, 'the first thing the peer gets is the answer to the good request');
  t.equal(got.length, 1);
  t.equal(tr.stats().parseErrors, junk.length);
  t.equal(tr.stats().answered, 0);
});

t.test('CRLF keep-alives on UDP are dropped silently', async (t) => {
  const { tr, port, got } = await startTransport(t);
  const phone = await udpPeer(t);
  await phone.send('\r\n\r\n', port);
  await phone.send('\r\n', port);
  await phone.send(wireRequest({ via: 'SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-ka' }), port);
  const m = await waitUntil('the request after the keep-alives', () => got[0]);
  await tr.send(createResponse(asRequest(m), 200), m.source);
  t.match(await phone.nth(0), /^SIP\/2\.0 200 OK/, 'no answer to the keep-alives came first');
  t.same([tr.stats().keepAlives, tr.stats().parseErrors], [2, 0]);
});

t.test('responses whose top Via is not ours are dropped, ours are delivered', async (t) => {
  const { tr, port, got } = await startTransport(t);
  const peer = await udpPeer(t);
  await peer.send(wireResponse({ via: `SIP/2.0/UDP 192.0.2.99:${port};branch=z9hG4bK-x`, callId: 'stranger' }), port);
  await peer.send(wireResponse({ via: `SIP/2.0/UDP 127.0.0.1:${port + 1};branch=z9hG4bK-x`, callId: 'other-port' }), port);
  await peer.send(wireResponse({ via: `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-y, SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-z`, callId: 'two-vias' }), port);
  await peer.send(wireResponse({ via: `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-y`, callId: 'ours' }), port);
  const m = await waitUntil('our response', () => got[0]);
  t.equal(getCallId(m.message), 'ours');
  t.equal(tr.stats().strayResponses, 3);
});

t.test('a flood from one source is dropped while another source still gets through', async (t) => {
  const clock = new FakeClock(); // frozen: no refill, so the counts are exact
  const { tr, port, got } = await startTransport(t, { rateLimit: { perSourceRate: 100, perSourceBurst: 100 } }, clock);
  const scanner = await udpPeer(t, '127.0.0.1');
  const phone = await udpPeer(t, '127.0.0.2');
  const seen = (): number => { const s = tr.stats().rateLimit; return (s?.accepted ?? 0) + (s?.droppedSource ?? 0) + (s?.droppedFlood ?? 0); };
  for (let i = 0; i < 2000; i += 50) {
    for (let j = i; j < i + 50; j++) await scanner.send(wireRequest({ via: 'SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-f' + j, callId: `flood-${j}` }), port);
    await waitUntil(`datagram ${i + 50} to be counted`, () => (seen() >= i + 50 ? true : undefined));
  }
  for (let j = 0; j < 10; j++) await phone.send(wireRequest({ via: 'SIP/2.0/UDP 127.0.0.2:5062;branch=z9hG4bK-p' + j, callId: `phone-${j}` }), port);
  await waitUntil('the phone\'s 10 requests', () => (got.filter((m) => m.source.address === '127.0.0.2').length === 10 ? true : undefined));
  t.equal(got.filter((m) => m.source.address === '127.0.0.1').length, 100, 'the scanner got its burst through');
  t.equal(tr.stats().rateLimit?.droppedSource, 1900, 'and nothing more');
  t.equal(scanner.received.length, 0, 'drops are not answered');
});

t.test('UDP works on IPv6 loopback', async (t) => {
  const port = await freePort();
  const tr = new SipTransport({ clock: systemClock, log: testLogger() }, { address: '::1', port });
  const got: Inbound[] = [];
  tr.on('message', (m) => got.push(m));
  await tr.start();
  t.teardown(() => tr.stop());
  t.same(tr.local, { address: '::1', port });
  const phone = await udpPeer(t, '::1');
  await phone.send(wireRequest({ via: 'SIP/2.0/UDP [::1]:5062;branch=z9hG4bK-v6;rport' }), port, '::1');
  const m = await waitUntil('the request over IPv6', () => got[0]);
  t.same(m.source, { transport: 'udp', address: '::1', port: phone.port });
  t.equal(getTopVia(asRequest(m)).params.get('rport'), String(phone.port));
  await tr.send(createResponse(asRequest(m), 200), m.source);
  t.match(await phone.nth(0), /^SIP\/2\.0 200 OK/);
  await phone.send(wireResponse({ via: `SIP/2.0/UDP [::1]:${port};branch=z9hG4bK-r` }), port, '::1');
  await waitUntil('a response whose Via names [::1]', () => got[1]);
});

t.test('a SIP port already in use is a clear error naming the port', async (t) => {
  const port = await freePort();
  await occupyTcpPort(t, port);
  const tr = new SipTransport({ clock: systemClock, log: testLogger() }, { address: '127.0.0.1', port });
  const err = await tr.start().then(() => undefined, (e: unknown) => e);
  t.ok(hasCode(err, 'SIP_PORT_IN_USE'));
  t.match(String(err), `SIP port 127.0.0.1:${port}/tcp is already in use`);
  await tr.stop();
});

t.test('send before start or after stop rejects with SIP_NOT_RUNNING', async (t) => {
  const port = await freePort();
  const tr = new SipTransport({ clock: systemClock, log: testLogger() }, { address: '127.0.0.1', port });
  const req = parseMessage(Buffer.from(wireRequest({ via: 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1' }), 'latin1'), { transport: 'udp' });
  const dest = { transport: 'udp' as const, address: '127.0.0.1', port };
  await t.rejects(tr.send(req, dest), { code: 'SIP_NOT_RUNNING' });
  await tr.start();
  await tr.stop();
  await t.rejects(tr.send(req, dest), { code: 'SIP_NOT_RUNNING' });
  await t.rejects(tr.send(req, { ...dest, transport: 'tcp' }), { code: 'SIP_NOT_RUNNING' });
});

t.test('a throwing message handler does not stop the transport', async (t) => {
  const { port, got, tr } = await startTransport(t);
  tr.prependListener('message', (m) => { if (getCallId(m.message) === 'one') throw new Error('handler bug'); });
  const phone = await udpPeer(t);
  await phone.send(wireRequest({ via: 'SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-h1', callId: 'one' }), port);
  await phone.send(wireRequest({ via: 'SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-h2', callId: 'two' }), port);
  await waitUntil('the second request', () => got[0]);
  t.same(got.map((m) => getCallId(m.message)), ['two'], 'the request after the throw was delivered');
});

t.test('bound to the IPv6 wildcard, IPv4 peers are served and seen as plain IPv4', async (t) => {
  const { tr, port, got } = await startTransport(t, { address: '::' });
  t.not(tr.local.address, '::', 'local names a real address for Via and Contact');
  const phone = await udpPeer(t);
  await phone.send(wireRequest({ via: 'SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-w;rport' }), port);
  const m = await waitUntil('the request', () => got[0]);
  t.same(m.source, { transport: 'udp', address: '127.0.0.1', port: phone.port });
  await tr.send(createResponse(asRequest(m), 200), m.source);
  t.match(await phone.nth(0), /^SIP\/2\.0 200 OK/);
  await phone.send(wireResponse({ via: `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-r` }), port);
  await waitUntil('a response to 127.0.0.1, one of our addresses', () => got[1]);
});
