import t from 'tap';
import { createResponse } from '../message/index.js';
import { hasCode } from '../../coded-error.js';
import { flush, harness, must } from './testing/harness.js';
import { ackFor, incoming, over, PHONE } from './testing/messages.js';

const is486 = (s: { msg: { kind: string } }) => s.msg.kind === 'response' && 'status' in s.msg && s.msg.status === 486;

t.test('an INVITE is answered 100 Trying at once, before the TU sees it', async (t) => {
  const { clock, sender, tu, layer } = harness();
  clock.advance(1234);
  let sentBeforeTu = -1;
  tu.onRequestHook = () => { sentBeforeTu = sender.sent.length; };
  layer.receive(incoming(), PHONE);
  t.equal(sentBeforeTu, 1, 'the 100 was handed to the transport before onRequest ran');
  const [trying] = sender.responses(100);
  t.equal(trying?.at, 1234, 'sent without waiting for any timer');
  t.same(trying?.dest, PHONE, 'sent back to the source address and port (rport)');
  t.equal(trying?.msg.headers.get('To'), '<sip:2000@192.0.2.1>', 'no To tag on 100 Trying (§17.2.1)');
  t.equal(tu.requests.length, 1);
  t.equal(layer.size, 1);
});

t.test('a retransmitted INVITE gets the last provisional response again and is not passed up twice', async (t) => {
  const { sender, tu, layer } = harness();
  const invite = incoming();
  layer.receive(invite, PHONE);
  layer.receive(incoming(), PHONE);
  t.same(sender.sent.map((s) => 'status' in s.msg && s.msg.status), [100, 100]);
  tu.requests[0]?.respond(createResponse(invite, 180, { toTag: 'box-1' }));
  layer.receive(incoming(), PHONE);
  t.same(sender.sent.map((s) => 'status' in s.msg && s.msg.status), [100, 100, 180, 180]);
  t.equal(tu.requests.length, 1);
});

t.test('a 486 over UDP is retransmitted on timer G doubling to T2 until the ACK, which is absorbed, then timer I ends it', async (t) => {
  const { clock, sender, tu, layer } = harness();
  const invite = incoming();
  tu.onRequestHook = (tx) => tx.respond(createResponse(invite, 486, { toTag: 'box-1' }));
  layer.receive(invite, PHONE);
  clock.advance(10_000);
  t.same(sender.times(is486), [0, 500, 1500, 3500, 7500], 'intervals 500, 1000, 2000, 4000 (capped at T2)');
  const ack = ackFor(invite, must(sender.responses(486)[0]?.msg, 'no 486'));
  layer.receive(ack, PHONE);
  layer.receive(ack, PHONE);
  t.equal(tu.acks.length, 0, 'the ACK of a non-2xx stays in the transaction');
  clock.advance(4999);
  t.same(sender.times(is486), [0, 500, 1500, 3500, 7500], 'no retransmission after the ACK');
  t.equal(layer.size, 1, 'Confirmed absorbs ACK retransmissions for T4');
  clock.advance(1);
  t.equal(layer.size, 0, 'timer I ended it');
});

t.test('over TCP a 486 is sent once and its ACK ends the transaction at once', async (t) => {
  const { clock, sender, tu, layer } = harness();
  const source = over(PHONE, 'tcp');
  const invite = incoming({ transport: 'tcp' });
  tu.onRequestHook = (tx) => tx.respond(createResponse(invite, 486, { toTag: 'box-1' }));
  layer.receive(invite, source);
  clock.advance(20_000);
  t.same(sender.times(is486), [0]);
  t.equal(sender.sent[0]?.dest.transport, 'tcp', 'answered over the transport it came on');
  layer.receive(ackFor(invite, must(sender.responses(486)[0]?.msg, 'no 486')), source);
  t.equal(layer.size, 0, 'timer I is zero over TCP');
});

t.test('without an ACK timer H drops the transaction after 64·T1 and a late ACK goes to the TU', async (t) => {
  const { clock, sender, tu, layer } = harness();
  const invite = incoming();
  tu.onRequestHook = (tx) => tx.respond(createResponse(invite, 486, { toTag: 'box-1' }));
  layer.receive(invite, PHONE);
  clock.advance(31_999);
  t.equal(layer.size, 1);
  t.same(sender.times(is486), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  clock.advance(1);
  t.equal(layer.size, 0, 'gone at 32 s; the TU is not told (the contract has no callback for it)');
  layer.receive(ackFor(invite, must(sender.responses(486)[0]?.msg, 'no 486')), PHONE);
  t.equal(tu.acks.length, 1, 'an ACK with no transaction is the TU\'s');
});

t.test('a 2xx moves the INVITE to Accepted: retransmissions are absorbed, ACKs go to the TU, timer L ends it', async (t) => {
  const { clock, sender, tu, layer } = harness();
  const invite = incoming();
  layer.receive(invite, PHONE);
  const tx = must(tu.requests[0], 'no request');
  const ok = createResponse(invite, 200, { toTag: 'box-1' });
  tx.respond(ok);
  t.ok(tx.finished);
  layer.receive(incoming(), PHONE);
  t.same(sender.sent.map((s) => 'status' in s.msg && s.msg.status), [100, 200], 'the INVITE retransmission is absorbed (RFC 6026)');
  layer.receive(ackFor(invite, ok, 'z9hG4bK-ack-new'), PHONE);
  layer.receive(ackFor(invite, ok), PHONE);
  t.equal(tu.acks.length, 2, 'the 2xx ACK goes to the TU, with a new branch or matched in Accepted');
  t.throws(() => tx.respond(createResponse(invite, 200, { toTag: 'box-1' })), { code: 'SIP_TX_ALREADY_FINAL' });
  clock.advance(31_999);
  t.equal(layer.size, 1);
  clock.advance(1);
  t.equal(layer.size, 0, 'timer L ended it');
});

t.test('a non-INVITE request gets no 100, and its retransmissions get the final response again until timer J', async (t) => {
  const { clock, sender, tu, layer } = harness();
  const bye = incoming({ method: 'BYE', branch: 'z9hG4bK-bye-1', toTag: 'box-1', cseq: 2 });
  layer.receive(bye, PHONE);
  t.same(sender.sent, [], 'nothing sent before the TU answers');
  layer.receive(incoming({ method: 'BYE', branch: 'z9hG4bK-bye-1', toTag: 'box-1', cseq: 2 }), PHONE);
  t.same(sender.sent, [], 'a retransmission in Trying is discarded');
  tu.requests[0]?.respond(createResponse(bye, 200));
  clock.advance(1000);
  layer.receive(incoming({ method: 'BYE', branch: 'z9hG4bK-bye-1', toTag: 'box-1', cseq: 2 }), PHONE);
  t.same(sender.times(() => true), [0, 1000], 'the 200 again for the retransmission');
  t.equal(tu.requests.length, 1);
  clock.advance(31_000);
  t.equal(layer.size, 0, 'timer J (64·T1 from the final response) ended it');
});

t.test('a second final response is refused with SIP_TX_ALREADY_FINAL', async (t) => {
  const { tu, layer } = harness();
  const opts = incoming({ method: 'OPTIONS', branch: 'z9hG4bK-opt' });
  layer.receive(opts, PHONE);
  const tx = must(tu.requests[0], 'no request');
  tx.respond(createResponse(opts, 200));
  const err = t.throws(() => tx.respond(createResponse(opts, 500)));
  t.ok(hasCode(err, 'SIP_TX_ALREADY_FINAL'));
});

t.test('a request that arrives before the TU is set is answered 503', async (t) => {
  const { sender, layer } = harness({}, false);
  layer.receive(incoming({ method: 'OPTIONS', branch: 'z9hG4bK-opt' }), PHONE);
  t.same(sender.responses().map((s) => s.msg.status), [503]);
});

t.test('an RFC 2543 INVITE without the magic cookie is matched by Request-URI, From tag, Call-ID, CSeq and Via', async (t) => {
  const { clock, sender, tu, layer } = harness();
  const invite = incoming({ branch: null });
  tu.onRequestHook = (tx) => tx.respond(createResponse(invite, 486, { toTag: 'box-1' }));
  layer.receive(invite, PHONE);
  layer.receive(incoming({ branch: null }), PHONE);
  t.equal(tu.requests.length, 1, 'the retransmission matched');
  t.same(sender.sent.map((s) => 'status' in s.msg && s.msg.status), [100, 486, 486]);
  layer.receive(ackFor(invite, must(sender.responses(486)[0]?.msg, 'no 486')), PHONE);
  t.equal(tu.acks.length, 0, 'the ACK matched too');
  layer.receive(incoming({ branch: null, cseq: 2 }), PHONE);
  t.equal(tu.requests.length, 2, 'another CSeq is another transaction');
  clock.advance(64_000);
});

t.test('the same branch from another sent-by is another transaction', async (t) => {
  const { tu, layer } = harness();
  layer.receive(incoming(), PHONE);
  layer.receive(incoming({ sentBy: '192.0.2.21:5060' }), { ...PHONE, address: '192.0.2.21', port: 5060 });
  t.equal(tu.requests.length, 2);
});

t.test('a transport error sending a response ends the server transaction and later answers are dropped', async (t) => {
  const { sender, tu, layer } = harness();
  const invite = incoming({ transport: 'tcp' });
  layer.receive(invite, over(PHONE, 'tcp'));
  sender.fail = true;
  tu.requests[0]?.respond(createResponse(invite, 180, { toTag: 'box-1' }));
  await flush();
  t.equal(layer.size, 0);
  t.doesNotThrow(() => tu.requests[0]?.respond(createResponse(invite, 486, { toTag: 'box-1' })));
});
