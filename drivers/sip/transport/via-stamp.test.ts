import t from 'tap';
import { getTopVia, getVias, parseMessage, parseVia, type SipRequest } from '../message/index.js';
import { isOurSentBy, responseTarget, stampReceived, withViaTransport } from './via-stamp.js';
import { wireRequest } from './testing/peers.js';

function req(via: string, extra: string[] = []): SipRequest {
  const m = parseMessage(Buffer.from(wireRequest({ via, extra }), 'latin1'), { transport: 'udp' });
  if (m.kind !== 'request') throw new Error('not a request');
  return m;
}

const from = { transport: 'udp' as const, address: '203.0.113.7', port: 40123 };

t.test('a Via asking for rport gets rport and received filled (RFC 3581 §4)', async (t) => {
  const r = req('SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bK1');
  t.ok(stampReceived(r, from));
  t.equal(r.headers.get('Via'), 'SIP/2.0/UDP 192.0.2.10:5060;rport=40123;branch=z9hG4bK1;received=203.0.113.7');
});

t.test('received is added even when the host matches, if rport was asked for', async (t) => {
  const r = req('SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK1;rport');
  stampReceived(r, from);
  t.same([getTopVia(r).params.get('rport'), getTopVia(r).params.get('received')], ['40123', '203.0.113.7']);
});

t.test('a sent-by that differs from the source gets received only (RFC 3261 §18.2.1)', async (t) => {
  const r = req('SIP/2.0/UDP phone.example.invalid:5060;branch=z9hG4bK1');
  stampReceived(r, from);
  t.equal(getTopVia(r).params.get('received'), '203.0.113.7');
  t.notOk(getTopVia(r).params.has('rport'));
});

t.test('a sent-by equal to the source without rport is left untouched', async (t) => {
  const r = req('SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK1');
  t.notOk(stampReceived(r, from));
  t.equal(r.headers.get('Via'), 'SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK1');
});

t.test('only the first element of a Via list changes, other Vias stay as received', async (t) => {
  const r = req('SIP/2.0/UDP 192.0.2.10;rport;branch=z9hG4bKa, SIP/2.0/UDP 192.0.2.20;branch=z9hG4bKb', ['Via: SIP/2.0/UDP 192.0.2.30;branch=z9hG4bKc']);
  stampReceived(r, from);
  const vias = getVias(r);
  t.equal(vias.length, 3);
  t.equal(vias[0]?.params.get('rport'), '40123');
  t.same(r.headers.getAll('Via').slice(1), ['SIP/2.0/UDP 192.0.2.30;branch=z9hG4bKc']);
  t.match(r.headers.getAll('Via')[0], /, SIP\/2\.0\/UDP 192\.0\.2\.20;branch=z9hG4bKb$/);
});

t.test('an IPv6 source is compared and written without brackets', async (t) => {
  const r = req('SIP/2.0/UDP [::1]:5062;branch=z9hG4bK1');
  t.notOk(stampReceived(r, { transport: 'udp', address: '::1', port: 5062 }));
  const r2 = req('SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK1;rport');
  stampReceived(r2, { transport: 'udp', address: '::1', port: 6000 });
  t.equal(getTopVia(r2).params.get('received'), '::1');
});

t.test('our sent-by is recognised by address and port, 5060 when absent', async (t) => {
  const ours = new Set(['192.0.2.1', '::1']);
  t.ok(isOurSentBy(parseVia('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1'), ours, 5070));
  t.notOk(isOurSentBy(parseVia('SIP/2.0/UDP 192.0.2.1:5071;branch=z9hG4bK1'), ours, 5070));
  t.ok(isOurSentBy(parseVia('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1'), ours, 5060));
  t.ok(isOurSentBy(parseVia('SIP/2.0/TCP [::1]:5060;branch=z9hG4bK1'), ours, 5060));
  t.notOk(isOurSentBy(parseVia('SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bK1'), ours, 5060));
});

t.test('a response with its connection gone goes to received and the sent-by port', async (t) => {
  t.same(responseTarget(parseVia('SIP/2.0/TCP phone.invalid:5062;branch=z9hG4bK1;received=192.0.2.4')), { address: '192.0.2.4', port: 5062 });
  t.same(responseTarget(parseVia('SIP/2.0/TCP 192.0.2.4;branch=z9hG4bK1')), { address: '192.0.2.4', port: 5060 });
});

t.test('switching a request to TCP rewrites a copy of its top Via only', async (t) => {
  const r = req('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1');
  const copy = withViaTransport(r, 'TCP');
  t.equal(getTopVia(copy).transport, 'TCP');
  t.equal(getTopVia(r).transport, 'UDP', 'the caller\'s message is unchanged (it retransmits it)');
});
