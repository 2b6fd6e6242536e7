import t from 'tap';
import { hasCode } from '../../coded-error.js';
import { createResponse, type SipMessage, type SipResponse } from '../message/index.js';
import { flush, harness, must } from './testing/harness.js';
import { GATEWAY, over, reply, request } from './testing/messages.js';
import type { SentMessage } from './testing/memory-sender.js';

const isRequest = (method: string) => (s: SentMessage) => s.msg.kind === 'request' && s.msg.method === method;
const statuses = (list: SipResponse[]) => list.map((r) => r.status);
const ROUTES = ['<sip:proxy1.example.net;lr>', '<sip:proxy2.example.net;lr>'];

/** Our INVITE to the gateway: our own Via and branch (the layer only sends, never rewrites). */
function ourInvite(branch = 'z9hG4bK-out-1') {
  return request({ branch, sentBy: '192.0.2.1:5060', callId: 'out-1@192.0.2.1', routes: ROUTES });
}

t.test('an INVITE over UDP is retransmitted on timer A at 500, 1000, 2000… ms and times out with 408 on timer B', async (t) => {
  const { clock, sender, layer } = harness();
  const seen: SipResponse[] = [];
  const tx = layer.request(ourInvite(), GATEWAY, { onResponse: (r) => seen.push(r) });
  clock.advance(31_999);
  t.same(sender.times(isRequest('INVITE')), [0, 500, 1500, 3500, 7500, 15500, 31500], 'A doubles without a T2 cap');
  t.same(seen, []);
  clock.advance(1);
  const final = await tx.final;
  t.equal(final.status, 408, 'a made-up 408 Request Timeout');
  t.same(statuses(seen), [408], 'onResponse sees the made-up final too');
  t.equal(layer.size, 0);
});

t.test('a provisional response stops INVITE retransmissions', async (t) => {
  const { clock, sender, layer } = harness();
  const seen: SipResponse[] = [];
  const invite = ourInvite();
  layer.request(invite, GATEWAY, { onResponse: (r) => seen.push(r) });
  clock.advance(700);
  layer.receive(reply(invite, 180), GATEWAY);
  clock.advance(60_000);
  t.same(sender.times(isRequest('INVITE')), [0, 500]);
  t.same(statuses(seen), [180]);
  t.equal(layer.size, 1, 'Proceeding has no timeout of its own: the TU ends it (CANCEL)');
});

t.test('a failure is ACKed by the layer with the INVITE branch, Request-URI, From, Call-ID, Route and the response To', async (t) => {
  const { clock, sender, layer } = harness();
  const seen: SipResponse[] = [];
  const invite = ourInvite();
  const tx = layer.request(invite, GATEWAY, { onResponse: (r) => seen.push(r) });
  const busy = reply(invite, 486, 'gw-tag');
  layer.receive(busy, GATEWAY);
  const ack = must(sender.requests('ACK')[0], 'no ACK');
  t.same(ack.dest, GATEWAY);
  t.same(ack.msg.uri, invite.uri);
  t.same(ack.msg.headers.getAll('Via'), [invite.headers.get('Via')], 'one Via: the INVITE top Via, same branch');
  t.equal(ack.msg.headers.get('From'), invite.headers.get('From'));
  t.equal(ack.msg.headers.get('To'), '<sip:2000@192.0.2.1>;tag=gw-tag');
  t.equal(ack.msg.headers.get('Call-ID'), 'out-1@192.0.2.1');
  t.equal(ack.msg.headers.get('CSeq'), '1 ACK');
  t.same(ack.msg.headers.getAll('Route'), ROUTES);
  t.equal(ack.msg.headers.get('Max-Forwards'), '70');
  t.equal(ack.msg.body.length, 0);
  t.equal((await tx.final).status, 486);

  layer.receive(reply(invite, 486, 'gw-tag'), GATEWAY);
  t.equal(sender.requests('ACK').length, 2, 'a retransmitted 486 is ACKed again');
  t.same(statuses(seen), [486], 'but not passed up again');
  clock.advance(31_999);
  t.equal(layer.size, 1);
  clock.advance(1);
  t.equal(layer.size, 0, 'timer D (32 s over UDP) ended it');
});

t.test('a 2xx is passed up each time it is retransmitted, never ACKed by the layer, and timer M ends the transaction', async (t) => {
  const { clock, sender, tu, layer } = harness();
  const seen: SipResponse[] = [];
  const invite = ourInvite();
  const tx = layer.request(invite, GATEWAY, { onResponse: (r) => seen.push(r) });
  layer.receive(reply(invite, 180), GATEWAY);
  layer.receive(reply(invite, 200), GATEWAY);
  layer.receive(reply(invite, 200), GATEWAY);
  layer.receive(reply(invite, 200, 'other-fork'), GATEWAY);
  t.equal((await tx.final).status, 200);
  t.same(statuses(seen), [180, 200, 200, 200], 'RFC 6026 Accepted passes every 2xx up');
  t.same(sender.requests('ACK'), [], 'the UA core ACKs a 2xx');
  clock.advance(32_000);
  t.equal(layer.size, 0);
  layer.receive(reply(invite, 200), GATEWAY);
  t.same(statuses(tu.strays), [200], 'after timer M a 2xx is a stray response');
});

t.test('over TCP an INVITE is sent once and still times out on timer B', async (t) => {
  const { clock, sender, layer } = harness();
  const tx = layer.request(request({ transport: 'tcp', sentBy: '192.0.2.1:5060' }), over(GATEWAY, 'tcp'));
  clock.advance(32_000);
  t.same(sender.times(isRequest('INVITE')), [0]);
  t.equal((await tx.final).status, 408);
});

t.test('a non-INVITE request over UDP is retransmitted on timer E up to T2 and times out with 408 on timer F', async (t) => {
  const { clock, sender, layer } = harness();
  const tx = layer.request(request({ method: 'BYE', branch: 'z9hG4bK-bye-out', sentBy: '192.0.2.1:5060' }), GATEWAY);
  clock.advance(32_000);
  t.same(sender.times(isRequest('BYE')), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  t.equal((await tx.final).status, 408);
  t.equal(layer.size, 0);
});

t.test('after a provisional response timer E retransmits every T2', async (t) => {
  const { clock, sender, layer } = harness();
  const bye = request({ method: 'BYE', branch: 'z9hG4bK-bye-out', sentBy: '192.0.2.1:5060' });
  layer.request(bye, GATEWAY);
  clock.advance(700);
  layer.receive(reply(bye, 100), GATEWAY);
  clock.advance(12_000);
  t.same(sender.times(isRequest('BYE')), [0, 500, 1500, 5500, 9500]);
});

t.test('a non-INVITE final response is passed up once and timer K ends the transaction', async (t) => {
  const { clock, layer } = harness();
  const seen: SipResponse[] = [];
  const bye = request({ method: 'BYE', branch: 'z9hG4bK-bye-out', sentBy: '192.0.2.1:5060' });
  const tx = layer.request(bye, GATEWAY, { onResponse: (r) => seen.push(r) });
  layer.receive(reply(bye, 200), GATEWAY);
  layer.receive(reply(bye, 200), GATEWAY);
  t.equal((await tx.final).status, 200);
  t.same(statuses(seen), [200]);
  clock.advance(4999);
  t.equal(layer.size, 1);
  clock.advance(1);
  t.equal(layer.size, 0, 'timer K is T4 over UDP');
});

t.test('a transport error makes up a 503 for INVITE and non-INVITE requests', async (t) => {
  const { sender, layer } = harness();
  sender.fail = true;
  const seen: SipResponse[] = [];
  const invite = layer.request(ourInvite(), over(GATEWAY, 'tcp'), { onResponse: (r) => seen.push(r) });
  const bye = layer.request(request({ method: 'BYE', branch: 'z9hG4bK-bye-out', sentBy: '192.0.2.1:5060' }), GATEWAY);
  t.equal((await invite.final).status, 503);
  t.equal((await bye.final).status, 503);
  t.same(statuses(seen), [503]);
  await flush();
  t.equal(layer.size, 0);
});

t.test('T1, T2 and T4 come from each layer\'s options', async (t) => {
  const fast = harness({ t1: 100, t2: 400, t4: 1000 });
  const normal = harness();
  const a = fast.layer.request(ourInvite(), GATEWAY);
  const b = normal.layer.request(ourInvite(), GATEWAY);
  fast.clock.advance(6400);
  normal.clock.advance(6400);
  t.same(fast.sender.times(isRequest('INVITE')), [0, 100, 300, 700, 1500, 3100, 6300], 'A from T1 = 100 ms');
  t.same(normal.sender.times(isRequest('INVITE')), [0, 500, 1500, 3500], 'A from T1 = 500 ms');
  t.equal((await a.final).status, 408, 'B = 64·T1 = 6.4 s');
  t.equal(normal.layer.size, 1, 'the other layer still waits for its 32 s');
  normal.clock.advance(25_600);
  t.equal((await b.final).status, 408);
});

t.test('timers that make no sense are refused with SIP_TX_BAD_TIMERS', async (t) => {
  t.throws(() => harness({ t1: 0 }), { code: 'SIP_TX_BAD_TIMERS' });
  t.throws(() => harness({ t1: 5000, t2: 4000 }), { code: 'SIP_TX_BAD_TIMERS' });
});

t.test('a request without an RFC 3261 branch, with a branch in use, or an ACK is refused with SIP_TX_BAD_REQUEST', async (t) => {
  const { layer } = harness();
  const refused = (f: () => unknown) => {
    try {
      f();
      return false;
    } catch (err) {
      return hasCode(err, 'SIP_TX_BAD_REQUEST');
    }
  };
  t.ok(refused(() => layer.request(request({ branch: null }), GATEWAY)), 'no branch');
  t.ok(refused(() => layer.request(request({ branch: 'abc123' }), GATEWAY)), 'no magic cookie');
  t.ok(refused(() => layer.request(request({ method: 'ACK' }), GATEWAY)), 'ACK');
  layer.request(ourInvite(), GATEWAY);
  t.ok(refused(() => layer.request(ourInvite(), GATEWAY)), 'branch in use');
});

t.test('a transaction whose machine throws ends with a made-up 503 instead of breaking the receive path', async (t) => {
  const { layer } = harness();
  const invite = ourInvite();
  invite.headers.set('Call-ID', 'not a word');
  const tx = layer.request(invite, GATEWAY);
  t.doesNotThrow(() => layer.receive(createResponse(invite, 486, { toTag: 'gw' }), GATEWAY), 'building the ACK failed inside');
  t.equal((await tx.final).status, 503);
  t.equal(layer.size, 0);
});

t.test('a response that matches no transaction goes to onStrayResponse', async (t) => {
  const { tu, layer } = harness();
  const sent: SipMessage = ourInvite('z9hG4bK-never-sent');
  layer.receive(reply(sent, 200), GATEWAY);
  t.same(statuses(tu.strays), [200]);
});

t.test('close() answers pending client transactions with 503 and forgets every transaction', async (t) => {
  const { clock, sender, layer } = harness();
  const tx = layer.request(ourInvite(), GATEWAY);
  layer.receive(request({ branch: 'z9hG4bK-in', method: 'OPTIONS' }), { ...GATEWAY, port: 5070 });
  t.equal(layer.size, 2);
  layer.close();
  t.equal(layer.size, 0);
  t.equal((await tx.final).status, 503);
  const late = layer.request(ourInvite('z9hG4bK-late'), GATEWAY);
  t.equal((await late.final).status, 503, 'a request after close() is answered 503 without being sent');
  sender.clear();
  clock.advance(100_000);
  t.same(sender.sent, [], 'no timer survived');
  t.equal(clock.pending(), 0);
});
