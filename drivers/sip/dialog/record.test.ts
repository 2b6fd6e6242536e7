import t from 'tap';
import { formatUri, getCSeq, getRoutes, parseMessage, type SipRequest, type SipResponse } from '../message/index.js';
import { DialogError } from './errors.js';
import { buildRequest, checkRemoteCSeq, refreshTarget, uacRecord, uasRecord } from './record.js';
import { dialogNextHop, resolveUri } from './target.js';
import { parseUri } from '../message/index.js';

function msg(text: string): SipRequest | SipResponse {
  const lines = text.trim().split('\n').map((l) => l.trim());
  return parseMessage(Buffer.from(`${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`, 'latin1'), { transport: 'udp' }) as SipRequest | SipResponse;
}

const INVITE = `INVITE sip:bob@127.0.0.1 SIP/2.0
  Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1
  Record-Route: <sip:p1.example;lr>, <sip:p2.example;lr>
  From: <sip:alice@127.0.0.1>;tag=a1
  To: <sip:bob@127.0.0.1>
  Call-ID: call-1
  CSeq: 7 INVITE
  Contact: <sip:alice@127.0.0.1:5070>
  Max-Forwards: 70`;

t.test('a UAS dialog takes the Record-Route in order, the Contact as target and the remote CSeq (§12.1.1)', async (t) => {
  const rec = uasRecord(msg(INVITE) as SipRequest, { localTag: 'b1', localContact: '<sip:b@127.0.0.1>', state: 'confirmed' });
  t.same(rec.id, { callId: 'call-1', localTag: 'b1', remoteTag: 'a1' });
  t.same(rec.routeSet, ['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
  t.equal(formatUri(rec.remoteTarget), 'sip:alice@127.0.0.1:5070');
  t.equal(rec.remoteSeq, 7);
  t.equal(rec.localSeq, 0);
  t.equal(rec.local.params.get('tag'), 'b1');
});

t.test('a UAC dialog reverses the Record-Route of the 2xx and keeps the CSeq of its request (§12.1.2)', async (t) => {
  const req = msg(INVITE) as SipRequest;
  const res = msg(`SIP/2.0 200 OK
    Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1
    Record-Route: <sip:p1.example;lr>, <sip:p2.example;lr>
    From: <sip:alice@127.0.0.1>;tag=a1
    To: <sip:bob@127.0.0.1>;tag=b9
    Call-ID: call-1
    CSeq: 7 INVITE
    Contact: <sip:bob@127.0.0.1:5080>`) as SipResponse;
  const rec = uacRecord(req, res, { localContact: '<sip:a@127.0.0.1>', state: 'confirmed' });
  t.same(rec.id, { callId: 'call-1', localTag: 'a1', remoteTag: 'b9' });
  t.same(rec.routeSet, ['<sip:p2.example;lr>', '<sip:p1.example;lr>']);
  t.equal(formatUri(rec.remoteTarget), 'sip:bob@127.0.0.1:5080');
  t.equal(rec.localSeq, 7);
  t.equal(rec.remoteSeq, undefined);
});

t.test('a request in the dialog goes to the remote target with the route set as Route (loose routing, §12.2.1.1)', async (t) => {
  const rec = uasRecord(msg(INVITE) as SipRequest, { localTag: 'b1', localContact: '<sip:b@127.0.0.1>', state: 'confirmed' });
  const bye = buildRequest(rec, 'BYE', { via: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx' });
  t.equal(formatUri(bye.uri), 'sip:alice@127.0.0.1:5070');
  t.same(getRoutes(bye).map((r) => formatUri(r.uri)), ['sip:p1.example;lr', 'sip:p2.example;lr']);
  t.equal(bye.headers.get('From'), '<sip:bob@127.0.0.1>;tag=b1');
  t.equal(bye.headers.get('To'), '<sip:alice@127.0.0.1>;tag=a1');
  t.equal(bye.headers.get('Call-ID'), 'call-1');
  t.same(getCSeq(bye), { seq: 1, method: 'BYE' });
  t.equal(bye.headers.get('Max-Forwards'), '70');
  const info = buildRequest(rec, 'INFO', { via: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKy' });
  t.same(getCSeq(info), { seq: 2, method: 'INFO' }, 'CSeq goes up by one');
  t.equal(info.headers.get('Contact'), '<sip:b@127.0.0.1>');
  const ack = buildRequest(rec, 'ACK', { via: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKz', cseq: 2 });
  t.same(getCSeq(ack), { seq: 2, method: 'ACK' }, 'an ACK gives its own CSeq and does not advance');
  t.equal(rec.localSeq, 2);
});

t.test('with a strict router first, it becomes the Request-URI and the target the last Route (§12.2.1.1)', async (t) => {
  const strict = INVITE.replace('Record-Route: <sip:p1.example;lr>, <sip:p2.example;lr>', 'Record-Route: <sip:p1.example;maddr=1.2.3.4>');
  const rec = uasRecord(msg(strict) as SipRequest, { localTag: 'b1', localContact: '<sip:b@127.0.0.1>', state: 'confirmed' });
  const bye = buildRequest(rec, 'BYE', { via: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx' });
  t.equal(formatUri(bye.uri), 'sip:p1.example;maddr=1.2.3.4');
  t.same(getRoutes(bye).map((r) => formatUri(r.uri)), ['sip:alice@127.0.0.1:5070']);
});

t.test('the remote CSeq only goes up: a lower one is out of order (500, §12.2.2)', async (t) => {
  t.same(checkRemoteCSeq(undefined, 1), { ok: true, remoteSeq: 1 });
  t.same(checkRemoteCSeq(5, 6), { ok: true, remoteSeq: 6 });
  t.same(checkRemoteCSeq(5, 5), { ok: true, remoteSeq: 5 });
  t.same(checkRemoteCSeq(5, 4), { ok: false });
});

t.test('a target refresh replaces the remote target with the new Contact', async (t) => {
  const rec = uasRecord(msg(INVITE) as SipRequest, { localTag: 'b1', localContact: '<sip:b@127.0.0.1>', state: 'confirmed' });
  refreshTarget(rec, msg(INVITE.replace('Contact: <sip:alice@127.0.0.1:5070>', 'Contact: <sip:alice@127.0.0.1:6000;transport=tcp>')));
  t.equal(formatUri(rec.remoteTarget), 'sip:alice@127.0.0.1:6000;transport=tcp');
  t.same(dialogNextHop({ routeSet: [], remoteTarget: rec.remoteTarget }), { transport: 'tcp', address: '127.0.0.1', port: 6000 });
});

t.test('an INVITE without Contact cannot form a dialog', async (t) => {
  const req = msg(INVITE.replace('Contact: <sip:alice@127.0.0.1:5070>\n', '')) as SipRequest;
  t.throws(() => uasRecord(req, { localTag: 'b', localContact: '<sip:b@h>', state: 'confirmed' }), DialogError);
});

t.test('targets are IP addresses: a host name is refused, defaults fill the port', async (t) => {
  t.same(resolveUri(parseUri('sip:a@[::1]')), { transport: 'udp', address: '::1', port: 5060 });
  t.same(resolveUri(parseUri('sips:a@127.0.0.1')), { transport: 'tcp', address: '127.0.0.1', port: 5061 });
  t.throws(() => resolveUri(parseUri('sip:a@example.com')), { code: 'SIP_BAD_TARGET' });
  t.throws(() => resolveUri(parseUri('tel:+123')), { code: 'SIP_BAD_TARGET' });
});
