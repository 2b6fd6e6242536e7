import t from 'tap';
import { FakeClock } from '../../clock.js';
import { getCSeq, getTo, getTokens, type SipRequest } from '../message/index.js';
import { testLogger } from '../../../test/helpers/log.js';
import { SipError } from './errors.js';
import type { IncomingInvite } from './incoming-invite.js';
import { UaCore } from './ua-core.js';
import { MemoryLayer, MemorySender, reply } from './testing/memory-layer.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

const SDP = 'v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n';

function setup() {
  const clock = new FakeClock();
  const layer = new MemoryLayer();
  const sender = new MemorySender();
  const ua = new UaCore({ clock, log: testLogger(), layer, sender });
  layer.setUser(ua);
  const invites: IncomingInvite[] = [];
  ua.on('invite', (i) => invites.push(i));
  return { clock, layer, sender, ua, invites };
}

function invite(o: { callId?: string; fromTag?: string; extra?: string; body?: string } = {}): string {
  return `INVITE sip:bob@127.0.0.1:5060 SIP/2.0
    Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-inv-${o.callId ?? 'c1'}
    From: <sip:alice@127.0.0.1>;tag=${o.fromTag ?? 'a1'}
    To: <sip:bob@127.0.0.1>
    Call-ID: ${o.callId ?? 'c1'}
    CSeq: 1 INVITE
    Contact: <sip:alice@127.0.0.1:5070>
    Max-Forwards: 70
    ${o.extra ?? ''}
    ${o.body === undefined ? '' : `Content-Type: application/sdp\n\n${o.body}`}`.replace(/\n\s*\n(?!v=)/g, '\n');
}

/** A request from alice inside dialog c1 (our tag `tag`). */
function inDialog(method: string, tag: string, cseq: number, extra = '', body?: string): string {
  return `${method} sip:octoline@127.0.0.1:5060 SIP/2.0
    Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-${method}-${cseq}
    From: <sip:alice@127.0.0.1>;tag=a1
    To: <sip:bob@127.0.0.1>;tag=${tag}
    Call-ID: c1
    CSeq: ${cseq} ${method}
    Contact: <sip:alice@127.0.0.1:5070>
    Max-Forwards: 70
    ${extra}${body === undefined ? '' : `\n    Content-Type: application/sdp\n\n${body}`}`.replace(/\n\s*\n(?!v=)/g, '\n');
}

async function answered(env: ReturnType<typeof setup>) {
  const tx = env.layer.incoming(invite({ body: SDP }));
  const inv = env.invites[0] as IncomingInvite;
  const dialog = await env.ua.createUAS(inv, { localSdp: SDP });
  const tag = getTo(tx.last!).params.get('tag') as string;
  return { tx, inv, dialog, tag };
}

t.test('a 2xx is retransmitted at T1, 2T1, 4T1 … capped at T2 until the ACK comes (§13.3.1.4)', async (t) => {
  const env = setup();
  const { tx, dialog, tag } = await answered(env);
  t.equal(tx.last?.status, 200);
  t.ok(tx.last?.headers.get('Contact'), '200 carries our Contact');
  const retransmits = (): number => env.sender.responses(200).length;
  const at: number[] = [];
  for (let ms = 0; ms < 9000; ms += 100) {
    env.clock.advance(100);
    if (retransmits() > at.length) at.push(env.clock.monotonic());
  }
  t.same(at, [500, 1500, 3500, 7500], 'intervals 500, 1000, 2000, 4000 (T2)');
  let acked = false;
  dialog.on('ack', () => { acked = true; });
  env.layer.ack(inDialog('ACK', tag, 1));
  t.ok(acked, 'the ACK reaches the dialog');
  const before = retransmits();
  env.clock.advance(60_000);
  t.equal(retransmits(), before, 'no retransmission after the ACK');
  t.equal(dialog.state, 'confirmed');
});

t.test('with no ACK within 64*T1 the call ends with BYE and `destroy` (ack-timeout)', async (t) => {
  const env = setup();
  const { dialog } = await answered(env);
  const destroyed: string[] = [];
  dialog.on('destroy', (d) => destroyed.push(d.reason));
  env.clock.advance(31_999);
  t.equal(env.layer.requests('BYE').length, 0);
  env.clock.advance(1);
  t.same(destroyed, ['ack-timeout']);
  t.equal(env.layer.requests('BYE').length, 1, 'BYE sent');
  t.equal(env.ua.dialogCount, 0);
});

t.test('our own BYE before the ACK waits for the ACK (§15)', async (t) => {
  const env = setup();
  const { dialog, tag } = await answered(env);
  const done = dialog.destroy();
  t.equal(env.layer.requests('BYE').length, 0, 'no BYE yet');
  env.layer.ack(inDialog('ACK', tag, 1));
  t.equal(env.layer.requests('BYE').length, 1, 'BYE once ACKed');
  env.layer.requests('BYE')[0]?.answer(reply(env.layer.requests('BYE')[0]!.request, 200));
  await done;
  t.equal(env.ua.dialogCount, 0);
});

t.test('a CANCEL answers the INVITE 487 and aborts its signal; createUAS then fails SIP_CANCELLED', async (t) => {
  const env = setup();
  const tx = env.layer.incoming(invite());
  const inv = env.invites[0] as IncomingInvite;
  inv.progress(180);
  t.equal(tx.last?.status, 180);
  t.ok(getTo(tx.last!).params.get('tag'), '180 carries our tag (early dialog)');
  env.layer.cancelIncoming(tx, 'CANCEL sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-inv-c1\nFrom: <sip:alice@127.0.0.1>;tag=a1\nTo: <sip:bob@127.0.0.1>\nCall-ID: c1\nCSeq: 1 CANCEL');
  t.equal(tx.last?.status, 487);
  t.ok(inv.signal.aborted);
  t.equal(inv.state, 'cancelled');
  await t.rejects(env.ua.createUAS(inv, { localSdp: SDP }), { code: 'SIP_CANCELLED' });
});

t.test('a 200 that crosses our CANCEL is ACKed then ended with BYE; createUAC rejects SIP_CANCELLED', async (t) => {
  const env = setup();
  const ctl = new AbortController();
  const call = env.ua.createUAC('sip:carol@127.0.0.1:5080', { localSdp: SDP, signal: ctl.signal });
  const tx = env.layer.requests('INVITE')[0]!;
  tx.answer(reply(tx.request, 180, { toTag: 'c9', contact: '<sip:carol@127.0.0.1:5080>' }));
  ctl.abort();
  t.equal(env.layer.cancelled.length, 1, 'CANCEL asked of the layer');
  tx.answer(reply(tx.request, 200, { toTag: 'c9', contact: '<sip:carol@127.0.0.1:5080>', sdp: SDP }));
  await t.rejects(call, { code: 'SIP_CANCELLED' });
  const acks = env.sender.requests('ACK');
  t.equal(acks.length, 1, 'ACK sent outside the transaction');
  t.equal(getCSeq(acks[0]!).seq, getCSeq(tx.request).seq, 'ACK has the INVITE CSeq number');
  t.equal(env.layer.requests('BYE').length, 1, 'then BYE');
});

t.test('createUAC resolves at 2xx with an ACKed dialog; a retransmitted 2xx is ACKed again (§13.2.2.4)', async (t) => {
  const env = setup();
  const provisional: number[] = [];
  const call = env.ua.createUAC('sip:carol@127.0.0.1:5080', { localSdp: SDP, onProvisional: (r) => provisional.push(r.status) });
  const tx = env.layer.requests('INVITE')[0]!;
  t.equal(tx.request.headers.get('Content-Type'), 'application/sdp');
  t.match(getTokens(tx.request, 'Supported'), ['replaces', 'timer']);
  tx.answer(reply(tx.request, 180, { toTag: 'c9', contact: '<sip:carol@127.0.0.1:5080>' }));
  const ok = reply(tx.request, 200, { toTag: 'c9', contact: '<sip:carol@127.0.0.1:5090>', recordRoute: ['<sip:127.0.0.1:5099;lr>'], sdp: SDP });
  tx.answer(ok);
  const dialog = await call;
  t.same(provisional, [180]);
  t.equal(dialog.remoteSdp, SDP);
  const [ack] = env.sender.requests('ACK');
  t.equal(ack?.headers.get('Route'), '<sip:127.0.0.1:5099;lr>', 'ACK follows the route set');
  t.same(env.sender.sent[0]?.dest, { transport: 'udp', address: '127.0.0.1', port: 5099 });
  tx.opts?.onResponse?.(reply(tx.request, 200, { toTag: 'c9', contact: '<sip:carol@127.0.0.1:5090>', sdp: SDP }));
  t.equal(env.sender.requests('ACK').length, 2, 'ACK again for the retransmission');
});

t.test('a non-2xx final answer rejects createUAC with SipError holding the response', async (t) => {
  const env = setup();
  const call = env.ua.createUAC('sip:carol@127.0.0.1:5080', {});
  const tx = env.layer.requests('INVITE')[0]!;
  tx.answer(reply(tx.request, 486, { toTag: 'c9' }));
  const err = await call.catch((e: unknown) => e);
  t.ok(err instanceof SipError);
  t.match(err, { code: 'SIP_FINAL_RESPONSE', status: 486 });
});

t.test('a 401 is answered once with the header the auth callback gives, CSeq + 1', async (t) => {
  const env = setup();
  const call = env.ua.createUAC('sip:carol@127.0.0.1:5080', { auth: () => ['Authorization', 'Digest username="x"'] });
  const first = env.layer.requests('INVITE')[0]!;
  first.answer(reply(first.request, 401, { toTag: 'c9' }));
  await tick();
  const second = env.layer.requests('INVITE')[1]!;
  t.equal(second.request.headers.get('Authorization'), 'Digest username="x"');
  t.equal(getCSeq(second.request).seq, getCSeq(first.request).seq + 1);
  t.equal(second.request.headers.get('Call-ID'), first.request.headers.get('Call-ID'));
  second.answer(reply(second.request, 401, { toTag: 'c9' }));
  await t.rejects(call, { code: 'SIP_FINAL_RESPONSE', status: 401 });
});

t.test('requests for an unknown dialog get 481; an out-of-order CSeq gets 500 (§12.2.2)', async (t) => {
  const env = setup();
  t.equal(env.layer.incoming(inDialog('BYE', 'nope', 2)).last?.status, 481);
  const { tag } = await answered(env);
  env.layer.ack(inDialog('ACK', tag, 1));
  t.equal(env.layer.incoming(inDialog('INFO', tag, 5)).last?.status, 200);
  t.equal(env.layer.incoming(inDialog('INFO', tag, 4)).last?.status, 500);
  t.equal(env.layer.incoming('BYE sip:x@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKq\nFrom: <sip:a@127.0.0.1>;tag=z\nTo: <sip:b@127.0.0.1>\nCall-ID: zz\nCSeq: 1 BYE').last?.status, 481, 'BYE outside a dialog');
});

t.test('a re-INVITE while ours is pending gets 491 (glare, §14.2)', async (t) => {
  const env = setup();
  const { dialog, tag } = await answered(env);
  env.layer.ack(inDialog('ACK', tag, 1));
  const modify = dialog.modify('hold');
  await tick();
  const reinvite = env.layer.requests('INVITE')[0]!;
  t.match(reinvite.request.body.toString(), /a=sendonly/, 'hold offers a=sendonly');
  t.match(reinvite.request.body.toString(), /o=a 1 2 /, 'with the session version increased');
  t.equal(env.layer.incoming(inDialog('INVITE', tag, 2, '', SDP)).last?.status, 491);
  reinvite.answer(reply(reinvite.request, 200, { toTag: 'a1', contact: '<sip:alice@127.0.0.1:5070>', sdp: SDP.replace('sendrecv', 'recvonly') }));
  t.match(await modify, /a=recvonly/);
  t.equal(env.sender.requests('ACK').length, 1, 'the re-INVITE 2xx is ACKed');
});

t.test('an incoming hold re-INVITE with no handler is answered recvonly; a handler can answer itself', async (t) => {
  const env = setup();
  const { dialog, tag } = await answered(env);
  env.layer.ack(inDialog('ACK', tag, 1));
  const held = env.layer.incoming(inDialog('INVITE', tag, 2, '', SDP.replace('sendrecv', 'sendonly')));
  t.equal(held.last?.status, 200);
  t.match(held.last?.body.toString(), /a=recvonly/);
  env.layer.ack(inDialog('ACK', tag, 2));
  dialog.on('modify', (m) => { t.equal(m.direction, 'sendrecv'); m.reject(488); });
  t.equal(env.layer.incoming(inDialog('INVITE', tag, 3, '', SDP)).last?.status, 488);
});

t.test('a session refresh (Session-Expires) is accepted and echoed with a refresher', async (t) => {
  const env = setup();
  const { tag } = await answered(env);
  env.layer.ack(inDialog('ACK', tag, 1));
  const res = env.layer.incoming(inDialog('UPDATE', tag, 2, 'Session-Expires: 1800\n    Supported: timer')).last;
  t.equal(res?.status, 200);
  t.equal(res?.headers.get('Session-Expires'), '1800;refresher=uac');
  t.equal(res?.headers.get('Require'), 'timer');
});

t.test('Require: 100rel is refused 420 with Unsupported (no PRACK)', async (t) => {
  const env = setup();
  const tx = env.layer.incoming(invite({ extra: 'Require: 100rel' }));
  t.equal(tx.last?.status, 420);
  t.equal(tx.last?.headers.get('Unsupported'), '100rel');
  t.equal(env.invites.length, 0);
});

t.test('OPTIONS is answered 200 with Allow, Accept and Supported', async (t) => {
  const env = setup();
  const res = env.layer.incoming('OPTIONS sip:octoline@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKo\nFrom: <sip:a@127.0.0.1>;tag=z\nTo: <sip:octoline@127.0.0.1>\nCall-ID: o1\nCSeq: 1 OPTIONS').last;
  t.equal(res?.status, 200);
  t.match(res?.headers.get('Allow'), /INVITE.*BYE.*REFER/);
  t.match(res?.headers.get('Accept'), /application\/sdp/);
  t.match(res?.headers.get('Supported'), /replaces/);
});

t.test('Replaces finds a confirmed dialog, a still-ringing incoming one and a ringing outgoing one (RFC 3891)', async (t) => {
  const env = setup();
  const { dialog, tag } = await answered(env);
  t.same(env.ua.findDialog({ callId: 'c1', toTag: tag, fromTag: 'a1', earlyOnly: false }), { state: 'confirmed', dialog });
  t.equal(env.ua.findDialog({ callId: 'c1', toTag: 'a1', fromTag: tag, earlyOnly: false }), undefined, 'tags the wrong way round');

  env.layer.incoming(invite({ callId: 'c2', fromTag: 'x2' }));
  const ringing = env.invites[1] as IncomingInvite;
  ringing.progress(180);
  const early = env.ua.findDialog({ callId: 'c2', toTag: ringing.id.localTag, fromTag: 'x2', earlyOnly: true });
  t.match(early, { state: 'early', role: 'uas' });
  t.equal(early?.state === 'early' && early.role === 'uas' ? early.invite : undefined, ringing);

  void env.ua.createUAC('sip:carol@127.0.0.1:5080', {}).catch(() => undefined);
  const out = env.layer.requests('INVITE')[0]!;
  out.answer(reply(out.request, 180, { toTag: 'r7' }));
  const ourTag = (out.request.headers.get('From') ?? '').split('tag=')[1] ?? '';
  const callId = out.request.headers.get('Call-ID') ?? '';
  const match = env.ua.findDialog({ callId, toTag: ourTag, fromTag: 'r7', earlyOnly: false });
  t.match(match, { state: 'early', role: 'uac' });
  if (match?.state === 'early' && match.role === 'uac') match.early.cancel();
  t.equal(env.layer.cancelled.length, 1, 'cancelling the early outgoing dialog CANCELs its INVITE');
  out.answer(reply(out.request, 487, { toTag: 'r7' }));
  await new Promise((r) => setImmediate(r));
  t.equal(env.ua.findDialog({ callId, toTag: ourTag, fromTag: 'r7', earlyOnly: false }), undefined, 'gone after the 487');
});

t.test('a REFER is answered 202 and followed by NOTIFY message/sipfrag (RFC 3515)', async (t) => {
  const env = setup();
  const { dialog, tag } = await answered(env);
  env.layer.ack(inDialog('ACK', tag, 1));
  dialog.on('refer', (r) => {
    t.equal(r.referredBy, '<sip:alice@127.0.0.1>');
    t.match(r.replaces, { callId: 'x', toTag: '1', fromTag: '2' });
    const sub = r.accept();
    queueMicrotask(() => { void sub.notify(200); });
  });
  const tx = env.layer.incoming(inDialog('REFER', tag, 2, 'Refer-To: <sip:carol@127.0.0.1?Replaces=x%3Bto-tag%3D1%3Bfrom-tag%3D2>\n    Referred-By: <sip:alice@127.0.0.1>'));
  t.equal(tx.last?.status, 202);
  await new Promise((r) => setImmediate(r));
  const notifies = env.layer.requests('NOTIFY').map((n) => n.request as SipRequest);
  t.equal(notifies.length, 2);
  t.equal(notifies[0]?.headers.get('Event'), 'refer');
  t.equal(notifies[0]?.headers.get('Content-Type'), 'message/sipfrag;version=2.0');
  t.equal(notifies[0]?.headers.get('Subscription-State'), 'active;expires=60');
  t.equal(notifies[0]?.body.toString(), 'SIP/2.0 100 Trying\r\n');
  t.equal(notifies[1]?.headers.get('Subscription-State'), 'terminated;reason=noresource', 'the final NOTIFY ends the subscription');
  t.equal(notifies[1]?.body.toString(), 'SIP/2.0 200 OK\r\n');
});

t.test('a REFER with no handler is declined 603; a REFER without Refer-To is 400', async (t) => {
  const env = setup();
  const { tag } = await answered(env);
  env.layer.ack(inDialog('ACK', tag, 1));
  t.equal(env.layer.incoming(inDialog('REFER', tag, 2, 'Refer-To: <sip:carol@127.0.0.1>')).last?.status, 603);
  t.equal(env.layer.incoming(inDialog('REFER', tag, 3)).last?.status, 400);
});

t.test('BYE from the peer answers 200 and emits destroy; the dialog is forgotten', async (t) => {
  const env = setup();
  const { dialog, tag } = await answered(env);
  env.layer.ack(inDialog('ACK', tag, 1));
  const reasons: string[] = [];
  dialog.on('destroy', (d) => reasons.push(`${d.by}:${d.reason}`));
  t.equal(env.layer.incoming(inDialog('BYE', tag, 2)).last?.status, 200);
  t.same(reasons, ['remote:bye']);
  t.equal(env.ua.dialogCount, 0);
  await t.rejects(dialog.request('INFO'), { code: 'SIP_DIALOG_GONE' });
});

t.test('a 481 to an in-dialog request ends the dialog (§12.2.1.2)', async (t) => {
  const env = setup();
  const { dialog, tag } = await answered(env);
  env.layer.ack(inDialog('ACK', tag, 1));
  const gone: string[] = [];
  dialog.on('destroy', (d) => gone.push(d.reason));
  const p = dialog.request('INFO', { body: 'Signal=1\r\n', contentType: 'application/dtmf-relay' });
  const info = env.layer.requests('INFO')[0]!;
  t.equal(info.request.headers.get('Content-Type'), 'application/dtmf-relay');
  info.answer(reply(info.request, 481));
  t.equal((await p).status, 481);
  t.same(gone, ['gone']);
});
