import t from 'tap';
import { createRequest, type SipRequest } from '../message/index.js';
import { planRegister } from './contact-plan.js';

const limits = { minExpires: 60, maxExpires: 3600, defaultExpires: 1800 };

function register(headers: Array<[string, string]>): SipRequest {
  return createRequest({
    method: 'REGISTER', uri: 'sip:box', via: ['SIP/2.0/UDP 192.0.2.5;branch=z9hG4bK1'],
    from: '<sip:1001@box>;tag=1', to: '<sip:1001@box>', callId: 'c', cseq: 1, headers,
  });
}

t.test('a quoted or malformed contact expires falls back to the header, then to the default', async (t) => {
  const plan = planRegister(register([
    ['Contact', '<sip:a@h1>;expires="120"'], ['Contact', '<sip:a@h2>;expires=soon'], ['Expires', '900'],
  ]), limits);
  t.same(plan.kind === 'update' ? plan.contacts.map((c) => [c.key, c.expires]) : plan, [['sip:a@h1', 120], ['sip:a@h2', 900]]);
  const dflt = planRegister(register([['Contact', '<sip:a@h1>'], ['Expires', 'never']]), limits);
  t.same(dflt.kind === 'update' ? dflt.contacts.map((c) => c.expires) : dflt, [1800], 'a bad Expires counts as absent (RFC 4475 §3.1.2.4)');
});

t.test('the same URI twice counts once, the last one winning; comma lists equal repeated headers', async (t) => {
  const plan = planRegister(register([['Contact', '<sip:a@H1;transport=udp>;expires=120, <sip:a@h1;transport=UDP>;expires=300']]), limits);
  t.same(plan.kind === 'update' ? plan.contacts.map((c) => [c.key, c.expires]) : plan, [['sip:a@h1;transport=UDP', 300]]);
});

t.test('no Contact is a query; a lone * with Expires: 0 removes all', async (t) => {
  t.same(planRegister(register([]), limits), { kind: 'query' });
  t.same(planRegister(register([['Contact', '*'], ['Expires', '0']]), limits), { kind: 'remove-all' });
  t.match(planRegister(register([['Contact', '*'], ['Expires', '0'], ['Contact', '*']]), limits), { kind: 'reject', status: 400 });
});

t.test('one contact below the minimum refuses the whole request with 423', async (t) => {
  t.same(planRegister(register([['Contact', '<sip:a@h1>;expires=0'], ['Contact', '<sip:a@h2>;expires=59']]), limits),
    { kind: 'reject', status: 423, reason: 'Interval Too Brief', headers: [['Min-Expires', '60']] });
});
