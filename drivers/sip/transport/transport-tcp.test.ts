import t from 'tap';
import { FakeClock, systemClock, type Clock } from '../../clock.js';
import { freePort } from '../../../test/helpers/ports.js';
import { testLogger } from '../../../test/helpers/log.js';
import { createRequest, createResponse, getCallId, getTopVia, type SipRequest } from '../message/index.js';
import { SipTransport, type Inbound, type TransportOptions } from './index.js';
import { TcpClient, TcpServerPeer, UdpPeer, waitUntil, wireRequest } from './testing/peers.js';

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

async function client(t: Tap, port: number): Promise<TcpClient> {
  const c = await TcpClient.open(port);
  t.teardown(() => c.close());
  return c;
}

async function server(t: Tap): Promise<{ peer: TcpServerPeer; port: number }> {
  const port = await freePort();
  const peer = await TcpServerPeer.listen(port);
  t.teardown(() => peer.close());
  return { peer, port };
}

function asRequest(m: Inbound | undefined): SipRequest {
  if (m?.message.kind !== 'request') throw new Error('expected a request');
  return m.message;
}

/** A request of ours to a peer listening on `port`. */
function ourRequest(tr: SipTransport, callId: string, transport = 'TCP', body = ''): SipRequest {
  return createRequest({
    method: 'MESSAGE', uri: `sip:peer@127.0.0.1`, callId, cseq: 1,
    via: [`SIP/2.0/${transport} 127.0.0.1:${tr.local.port};branch=z9hG4bK-${callId}`],
    from: '<sip:box@127.0.0.1>;tag=b1', to: '<sip:peer@127.0.0.1>',
    ...(body === '' ? {} : { body: Buffer.from(body), contentType: 'text/plain' }),
  });
}

t.test('two messages in one write and one split over three writes arrive whole over TCP', async (t) => {
  const { port, got } = await startTransport(t);
  const c = await client(t, port);
  const via = (n: string): string => `SIP/2.0/TCP 127.0.0.1:5062;branch=z9hG4bK-${n}`;
  await c.write(wireRequest({ via: via('1'), callId: 'one' }) + wireRequest({ via: via('2'), callId: 'two', body: 'hello' }));
  await waitUntil('the two messages of one write', () => (got.length === 2 ? true : undefined));
  const split = wireRequest({ via: via('3'), callId: 'three', body: 'x'.repeat(200) });
  await c.write(split.slice(0, 10));
  await c.write(split.slice(10, 150));
  await c.write(split.slice(150));
  await waitUntil('three messages', () => (got.length === 3 ? true : undefined));
  t.same(got.map((m) => getCallId(m.message)), ['one', 'two', 'three']);
  t.equal(got[1]?.message.body.toString(), 'hello');
  t.equal(got[2]?.message.body.length, 200);
  t.same(got[0]?.source, { transport: 'tcp', address: '127.0.0.1', port: c.localPort });
  t.match(got[0]?.connectionId, /^tcp-\d+$/);
  t.equal(got[0]?.connectionId, got[2]?.connectionId);
});

t.test('a CRLFCRLF ping over TCP gets a CRLF pong', async (t) => {
  const { port } = await startTransport(t);
  const c = await client(t, port);
  await c.write('\r\n\r\n');
  t.equal(await c.waitFor('\r\n'), '\r\n');
});

t.test('a message without Content-Length over TCP gets a 400 and the connection is closed', async (t) => {
  const { port, got } = await startTransport(t);
  const c = await client(t, port);
  await c.write(wireRequest({ via: 'SIP/2.0/TCP 127.0.0.1:5062;branch=z9hG4bK-ncl', contentLength: false }));
  const text = await c.waitFor('\r\n\r\n');
  t.match(text, /^SIP\/2\.0 400 /);
  await c.waitClosed();
  t.equal(got.length, 0);
});

t.test('a bad message with a good Content-Length gets a 400 and the connection goes on', async (t) => {
  const { port, got } = await startTransport(t);
  const c = await client(t, port);
  await c.write(wireRequest({ via: 'SIP/2.0/TCP 127.0.0.1:5062;branch=z9hG4bK-b1', extra: ['CSeq: 2 OPTIONS'], callId: 'bad' }));
  await c.waitFor('SIP/2.0 400');
  await c.write(wireRequest({ via: 'SIP/2.0/TCP 127.0.0.1:5062;branch=z9hG4bK-b2', callId: 'good' }));
  await waitUntil('the good request', () => got[0]);
  t.notOk(c.ended);
});

t.test('a response to a TCP request goes back on the same connection', async (t) => {
  const { tr, port, got } = await startTransport(t);
  const c = await client(t, port);
  await c.write(wireRequest({ via: 'SIP/2.0/TCP 192.0.2.10:5062;branch=z9hG4bK-r1', callId: 'same' }));
  const m = await waitUntil('the request', () => got[0]);
  t.equal(getTopVia(asRequest(m)).params.get('received'), '127.0.0.1', 'received added over TCP too');
  await tr.send(createResponse(asRequest(m), 200), m.source);
  const text = await c.waitFor('SIP/2.0 200 OK');
  t.match(text, /Call-ID: same/);
  t.equal(tr.stats().tcpConnections, 1, 'no new connection was opened');
});

t.test('a response whose connection is gone goes to the Via sent-by (RFC 3261 §18.2.2)', async (t) => {
  const { tr, port, got } = await startTransport(t);
  const { peer, port: phonePort } = await server(t);
  const c = await client(t, port);
  await c.write(wireRequest({ via: `SIP/2.0/TCP 127.0.0.1:${phonePort};branch=z9hG4bK-g1`, callId: 'gone' }));
  const m = await waitUntil('the request', () => got[0]);
  c.close();
  await waitUntil('the transport to see the close', () => (tr.stats().tcpConnections === 0 ? true : undefined));
  await tr.send(createResponse(asRequest(m), 200), m.source);
  const res = await waitUntil('the response at the sent-by', () => peer.messages[0]);
  t.equal(getCallId(res), 'gone');
});

t.test('requests to a TCP destination reuse one connection', async (t) => {
  const { tr } = await startTransport(t);
  const { peer, port } = await server(t);
  const dest = { transport: 'tcp' as const, address: '127.0.0.1', port };
  await Promise.all([tr.send(ourRequest(tr, 'a'), dest), tr.send(ourRequest(tr, 'b'), dest)]);
  await tr.send(ourRequest(tr, 'c'), dest);
  await waitUntil('three requests at the peer', () => (peer.messages.length === 3 ? true : undefined));
  t.equal(peer.connections, 1, 'one connect for all three');
  t.same(peer.messages.map(getCallId).sort(), ['a', 'b', 'c']);
});

t.test('a request from the peer over our connection arrives, and our answer uses that connection', async (t) => {
  const { tr, got } = await startTransport(t);
  const { peer, port } = await server(t);
  await tr.send(ourRequest(tr, 'out'), { transport: 'tcp', address: '127.0.0.1', port });
  const s = await waitUntil('the connection at the peer', () => peer.sockets[0]);
  s.write(wireRequest({ via: `SIP/2.0/TCP 127.0.0.1:${port};branch=z9hG4bK-back`, callId: 'back' }));
  const m = await waitUntil('the peer\'s request', () => got[0]);
  t.same(m.source, { transport: 'tcp', address: '127.0.0.1', port });
  await tr.send(createResponse(asRequest(m), 200), m.source);
  await waitUntil('the answer at the peer', () => peer.messages.find((x) => x.kind === 'response'));
  t.equal(peer.connections, 1);
});

t.test('idle TCP connections are closed after tcpIdleMs without use', async (t) => {
  const clock = new FakeClock();
  const { tr, port: ourPort } = await startTransport(t, { tcpIdleMs: 1000, tcpInboundIdleMs: 5000 }, clock);
  const { peer, port } = await server(t);
  const dest = { transport: 'tcp' as const, address: '127.0.0.1', port };
  await tr.send(ourRequest(tr, 'i1'), dest);
  clock.advance(600);
  await tr.send(ourRequest(tr, 'i2'), dest);
  clock.advance(600);
  t.equal(tr.stats().tcpConnections, 1, 'use restarts the idle time');
  clock.advance(400);
  await waitUntil('the peer to see our connection closed', () => (peer.closedConnections === 1 ? true : undefined));
  t.equal(tr.stats().tcpConnections, 0);
  const c = await client(t, ourPort);
  await c.write('\r\n\r\n');
  await c.waitFor('\r\n');
  clock.advance(4999);
  t.equal(tr.stats().tcpConnections, 1, 'a connection the remote opened gets the longer bound');
  await c.write('\r\n\r\n');
  await waitUntil('a second pong', () => (c.text === '\r\n\r\n' ? true : undefined));
  clock.advance(4999);
  t.equal(tr.stats().tcpConnections, 1, 'a ping restarts it');
  clock.advance(1);
  await c.waitClosed();
});

t.test('an inbound connection that sends no message is closed after tcpIdleMs', async (t) => {
  const clock = new FakeClock();
  const { port } = await startTransport(t, { tcpIdleMs: 1000, tcpInboundIdleMs: 60_000 }, clock);
  const c = await client(t, port);
  await c.write('OPTIONS sip:x SIP/2.0\r\nVia: '); // a slow, never finished head
  await waitUntil('the transport to hold the connection', () => (clock.pending() > 0 ? true : undefined));
  clock.advance(1000);
  await c.waitClosed();
});

t.test('inbound TCP connections beyond the cap are refused', async (t) => {
  const { tr, port } = await startTransport(t, { maxTcpConnections: 2 });
  const a = await client(t, port);
  const b = await client(t, port);
  await waitUntil('two connections held', () => (tr.stats().tcpConnections === 2 ? true : undefined));
  const c = await client(t, port);
  await c.waitClosed();
  t.equal(tr.stats().tcpConnections, 2);
  await a.write('\r\n\r\n');
  await a.waitFor('\r\n');
  t.notOk(a.ended || b.ended, 'the first two stay open');
});

t.test('send to a TCP port where nothing listens rejects with SIP_CONNECT_FAILED', async (t) => {
  const { tr } = await startTransport(t);
  const port = await freePort();
  await t.rejects(tr.send(ourRequest(tr, 'nobody'), { transport: 'tcp', address: '127.0.0.1', port }), { code: 'SIP_CONNECT_FAILED' });
});

t.test('a request over 1300 bytes for a UDP peer goes over TCP with its Via saying so', async (t) => {
  const { tr } = await startTransport(t);
  const { peer, port } = await server(t);
  const req = ourRequest(tr, 'big', 'UDP', 'x'.repeat(1400));
  await tr.send(req, { transport: 'udp', address: '127.0.0.1', port });
  const m = await waitUntil('the large request over TCP', () => peer.messages[0]);
  t.equal(getTopVia(m).transport, 'TCP');
  t.equal(getTopVia(req).transport, 'UDP', 'the caller\'s copy is unchanged');
});

t.test('a large request for a UDP peer without TCP falls back to UDP', async (t) => {
  const { tr } = await startTransport(t);
  const phone = await UdpPeer.open();
  t.teardown(() => phone.close());
  const req = ourRequest(tr, 'big-udp', 'UDP', 'x'.repeat(1400));
  await tr.send(req, { transport: 'udp', address: '127.0.0.1', port: phone.port });
  t.match(await phone.nth(0), /^MESSAGE sip:peer@127\.0\.0\.1 SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP /);
  await tr.send(req, { transport: 'udp', address: '127.0.0.1', port: phone.port });
  t.match(await phone.nth(1), /^MESSAGE /, 'the next one goes straight to UDP');
});

t.test('a TCP source over its rate limit has its messages dropped unanswered', async (t) => {
  const clock = new FakeClock();
  const { tr, port, got } = await startTransport(t, { rateLimit: { perSourceRate: 1, perSourceBurst: 5 } }, clock);
  const c = await client(t, port);
  let burst = '';
  for (let i = 0; i < 10; i++) burst += wireRequest({ via: `SIP/2.0/TCP 127.0.0.1:5062;branch=z9hG4bK-t${i}`, callId: `t${i}` });
  await c.write(burst);
  await waitUntil('all ten counted', () => ((tr.stats().rateLimit?.droppedSource ?? 0) === 6 ? true : undefined));
  t.same(got.map((m) => getCallId(m.message)), ['t0', 't1', 't2', 't3'], 'the connection took one token, four messages got through');
  t.equal(c.text, '', 'nothing was answered');
});

t.test('the transport can be started again after stop', async (t) => {
  const { tr, port, got } = await startTransport(t);
  await tr.stop();
  await tr.start();
  const c = await client(t, port);
  await c.write(wireRequest({ via: 'SIP/2.0/TCP 127.0.0.1:5062;branch=z9hG4bK-again', callId: 'again' }));
  await waitUntil('the request after a restart', () => got[0]);
});
