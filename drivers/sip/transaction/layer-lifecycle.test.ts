import t from 'tap';
import { createResponse } from '../message/index.js';
import { flush, harness } from './testing/harness.js';
import { ackFor, cancelFor, GATEWAY, incoming, over, PHONE, reply, request } from './testing/messages.js';

/**
 * A busy minute on both transports: every kind of transaction, answered in every way, and then
 * nothing left once the wait timers have run out: no transaction, no timer.
 */
t.test('every transaction is removed and every timer stopped once the wait timers have run out', async (t) => {
  const { clock, sender, tu, layer } = harness();
  const answers = [180, 200, 486, 404];
  const seen = new Map<string, number>();
  tu.onRequestHook = (tx) => {
    const n = (seen.get(tx.request.method) ?? 0) + 1;
    seen.set(tx.request.method, n);
    const status = answers[n % answers.length] ?? 200;
    // A ringing INVITE waits for its CANCEL below; everything else gets its final answer now.
    if (tx.request.method === 'INVITE' && status === 180) return;
    tx.respond(createResponse(tx.request, status === 180 ? 200 : status, { toTag: 'box' }));
  };
  for (const transport of ['udp', 'tcp'] as const) {
    for (let i = 0; i < 12; i++) {
      const from = over({ ...PHONE, port: 6000 + i }, transport);
      const sentBy = `192.0.2.20:${6000 + i}`;
      const invite = incoming({ transport, sentBy, branch: `z9hG4bK-in-${transport}-${i}` });
      layer.receive(invite, from);
      layer.receive(incoming({ transport, sentBy, method: 'OPTIONS', branch: `z9hG4bK-opt-${transport}-${i}` }), from);
      const last = sender.sent.filter((s) => s.msg.kind === 'response' && s.msg.headers.get('CSeq') === '1 INVITE').at(-1)?.msg;
      if (last?.kind === 'response' && last.status >= 300) layer.receive(ackFor(invite, last), from);
      if (last?.kind === 'response' && last.status < 200) layer.receive(cancelFor(invite), from);

      const out = request({ transport, sentBy: '192.0.2.1:5060', branch: `z9hG4bK-out-${transport}-${i}` });
      const to = over(GATEWAY, transport);
      const outTx = layer.request(out, to);
      const status = answers[i % answers.length] ?? 200;
      // Every third INVITE gets no answer (timer B); a ringing one is cancelled by the TU.
      if (i % 3 !== 0) layer.receive(reply(out, status), to);
      if (status === 180) void layer.cancel(outTx);
      const bye = request({ transport, method: 'BYE', sentBy: '192.0.2.1:5060', branch: `z9hG4bK-bye-${transport}-${i}` });
      layer.request(bye, to);
      if (i % 2 === 0) layer.receive(reply(bye, 200), to);
    }
  }
  // The TU answers the INVITEs it was told to CANCEL (§9.2: 487), and ACKs come back for them.
  for (const { invite } of tu.cancels) {
    invite.respond(createResponse(invite.request, 487, { toTag: 'box' }));
    layer.receive(ackFor(invite.request, createResponse(invite.request, 487, { toTag: 'box' })), invite.source);
  }
  // Our CANCELs and the INVITEs they cancel get their answers from the gateway.
  for (const c of sender.requests('CANCEL')) {
    layer.receive(reply(c.msg, 200), c.dest);
    const inv = sender.requests('INVITE').find((s) => s.msg.headers.get('Via') === c.msg.headers.get('Via'));
    if (inv) layer.receive(reply(inv.msg, 487), c.dest);
  }
  t.ok(tu.cancels.length > 0 && sender.requests('CANCEL').length > 0, 'CANCELs went both ways');
  t.ok(sender.requests('ACK').length > 0, 'the layer ACKed failures');
  t.ok(layer.size > 50, `${layer.size} transactions live`);
  clock.advance(100_000);
  await flush();
  t.equal(layer.size, 0, 'no transaction left');
  t.equal(clock.pending(), 0, 'no timer left');
});

