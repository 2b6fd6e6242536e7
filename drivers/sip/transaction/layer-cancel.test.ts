import t from 'tap';
import { createResponse, getTo, type SipResponse } from '../message/index.js';
import { hasCode } from '../../coded-error.js';
import { harness, must } from './testing/harness.js';
import { ackFor, cancelFor, GATEWAY, incoming, PHONE, reply, request } from './testing/messages.js';

const ROUTES = ['<sip:proxy1.example.net;lr>'];
const ourInvite = () => request({ branch: 'z9hG4bK-out-1', sentBy: '192.0.2.1:5060', callId: 'out-1@192.0.2.1', routes: ROUTES });
const statusesSent = (h: ReturnType<typeof harness>) => h.sender.responses().map((s) => `${s.msg.status} ${s.msg.headers.get('CSeq')}`);

t.test('a CANCEL for a ringing INVITE is answered 200 with the INVITE To tag and the TU is told, never as a request', async (t) => {
  const h = harness();
  const { clock, tu, layer } = h;
  const invite = incoming();
  layer.receive(invite, PHONE);
  const tx = must(tu.requests[0], 'no INVITE');
  tx.respond(createResponse(invite, 180, { toTag: 'box-1' }));
  tu.onCancelHook = (inv) => inv.respond(createResponse(invite, 487, { toTag: 'box-1' }));
  layer.receive(cancelFor(invite), PHONE);
  t.same(statusesSent(h), ['100 1 INVITE', '180 1 INVITE', '200 1 CANCEL', '487 1 INVITE']);
  const ok = must(h.sender.responses(200)[0], 'no 200');
  t.equal(getTo(ok.msg).params.get('tag'), 'box-1', '§9.2: the same To tag as the INVITE responses');
  t.equal(tu.cancels.length, 1);
  t.equal(tu.cancels[0]?.invite, tx, 'onCancel gets the INVITE server transaction');
  t.equal(tu.requests.length, 1, 'the CANCEL never reaches onRequest');

  layer.receive(cancelFor(invite), PHONE);
  t.same(statusesSent(h).slice(-1), ['200 1 CANCEL'], 'a retransmitted CANCEL gets its 200 again');
  t.equal(tu.cancels.length, 1, 'and is not passed up again');
  layer.receive(ackFor(invite, must(h.sender.responses(487)[0], 'no 487').msg), PHONE);
  t.equal(tu.acks.length, 0, 'the ACK of the 487 is absorbed');
  clock.advance(32_000);
  t.equal(layer.size, 0, 'the INVITE and CANCEL transactions are gone');
});

t.test('a CANCEL that matches no transaction is answered 481', async (t) => {
  const h = harness();
  h.layer.receive(cancelFor(incoming({ branch: 'z9hG4bK-unknown' })), PHONE);
  t.same(statusesSent(h), ['481 1 CANCEL']);
  t.ok(getTo(must(h.sender.responses(481)[0], 'no 481').msg).params.has('tag'), 'with a To tag (§8.2.6.2)');
  t.same(h.tu.cancels, []);
  t.same(h.tu.requests, []);
  h.clock.advance(32_000);
  t.equal(h.layer.size, 0);
});

t.test('a CANCEL after the final response is answered 200 and changes nothing', async (t) => {
  const h = harness();
  const invite = incoming();
  h.layer.receive(invite, PHONE);
  h.tu.requests[0]?.respond(createResponse(invite, 486, { toTag: 'box-1' }));
  h.layer.receive(cancelFor(invite), PHONE);
  t.same(statusesSent(h), ['100 1 INVITE', '486 1 INVITE', '200 1 CANCEL']);
  t.same(h.tu.cancels, []);
});

t.test('cancel() waits for a provisional response, then sends a CANCEL built from the INVITE', async (t) => {
  const { clock, sender, layer } = harness();
  const invite = ourInvite();
  const tx = layer.request(invite, GATEWAY);
  const cancelled = layer.cancel(tx);
  t.equal(layer.cancel(tx), cancelled, 'calling it again gives the same promise');
  clock.advance(300);
  t.same(sender.requests('CANCEL'), [], '§9.1: no CANCEL before a provisional response');
  layer.receive(reply(invite, 180), GATEWAY);
  const cancel = must(sender.requests('CANCEL')[0], 'no CANCEL');
  t.same(cancel.dest, GATEWAY);
  t.same(cancel.msg.uri, invite.uri);
  t.same(cancel.msg.headers.getAll('Via'), [invite.headers.get('Via')], 'only the INVITE top Via');
  t.equal(cancel.msg.headers.get('From'), invite.headers.get('From'));
  t.equal(cancel.msg.headers.get('To'), invite.headers.get('To'), 'no To tag added');
  t.equal(cancel.msg.headers.get('Call-ID'), invite.headers.get('Call-ID'));
  t.equal(cancel.msg.headers.get('CSeq'), '1 CANCEL');
  t.same(cancel.msg.headers.getAll('Route'), ROUTES);

  layer.receive(reply(cancel.msg, 200), GATEWAY);
  t.equal((await cancelled).status, 200, 'resolves with the CANCEL final response');
  layer.receive(reply(invite, 487), GATEWAY);
  t.equal((await tx.final).status, 487);
  t.equal(sender.requests('ACK').length, 1, 'the 487 is ACKed by the layer');
  clock.advance(32_000);
  t.equal(layer.size, 0);
});

t.test('cancel() after the final response sends nothing and resolves with a made-up 481', async (t) => {
  const { sender, layer } = harness();
  const invite = ourInvite();
  const tx = layer.request(invite, GATEWAY);
  const cancelled = layer.cancel(tx);
  layer.receive(reply(invite, 200), GATEWAY);
  t.equal((await cancelled).status, 481, 'a final response came first');
  t.same(sender.requests('CANCEL'), []);
});

t.test('cancel() of an INVITE that already timed out sends nothing and resolves with a made-up 481', async (t) => {
  const { clock, sender, layer } = harness();
  const tx = layer.request(ourInvite(), GATEWAY);
  clock.advance(32_000);
  t.equal((await tx.final).status, 408);
  t.equal((await layer.cancel(tx)).status, 481);
  t.same(sender.requests('CANCEL'), []);
});

t.test('a CANCEL whose INVITE never gets a final response gives up with a made-up 487 after 64·T1', async (t) => {
  const { clock, sender, layer } = harness();
  const invite = ourInvite();
  const seen: SipResponse[] = [];
  const tx = layer.request(invite, GATEWAY, { onResponse: (r) => seen.push(r) });
  layer.receive(reply(invite, 183), GATEWAY);
  const cancelled = layer.cancel(tx);
  clock.advance(1000);
  layer.receive(reply(must(sender.requests('CANCEL')[0], 'no CANCEL').msg, 200), GATEWAY);
  t.equal((await cancelled).status, 200);
  clock.advance(30_999);
  t.equal(layer.size, 1, 'the INVITE still waits (the CANCEL transaction ended on timer K)');
  clock.advance(1);
  t.equal((await tx.final).status, 487, '§9.1: considered cancelled 64·T1 after the CANCEL');
  t.same(seen.map((r) => r.status), [183, 487]);
  t.equal(layer.size, 0);
});

t.test('cancel() refuses what is not an INVITE client transaction with SIP_TX_BAD_REQUEST', async (t) => {
  const { layer } = harness();
  const bye = layer.request(request({ method: 'BYE', branch: 'z9hG4bK-bye', sentBy: '192.0.2.1:5060' }), GATEWAY);
  const err = await layer.cancel(bye).then(() => undefined, (e: unknown) => e);
  t.ok(hasCode(err, 'SIP_TX_BAD_REQUEST'));
  const other = harness();
  const foreign = other.layer.request(ourInvite(), GATEWAY);
  t.ok(hasCode(await layer.cancel(foreign).then(() => undefined, (e: unknown) => e), 'SIP_TX_BAD_REQUEST'), 'another layer\'s INVITE');
});
