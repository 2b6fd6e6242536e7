import t from 'tap';
import {
  checkRequest,
  checkResponse,
  createRequest,
  createResponse,
  getCSeq,
  getFrom,
  getTo,
  getVias,
  parseMessage,
  parseNameAddr,
  parseVia,
  SipBuildError,
  serialize,
  wireText,
  readableText,
  type SipRequest,
} from './index.js';

function invite(extra: Array<[string, string]> = [], body?: Buffer): SipRequest {
  return createRequest({
    method: 'INVITE',
    uri: 'sip:2000@192.0.2.1',
    via: [parseVia('SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKaaa;rport'), 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKbbb'],
    from: { displayName: wireText('Zoë'), uri: parseNameAddr('<sip:1001@192.0.2.1>').uri, params: new Map([['tag', 'f1']]) },
    to: '<sip:2000@192.0.2.1>',
    callId: 'call-1@192.0.2.10',
    cseq: 5,
    contact: '<sip:1001@192.0.2.10:5060>',
    headers: extra,
    ...(body ? { body, contentType: 'application/sdp' } : {}),
  });
}

t.test('a built request serializes with the mandatory headers and parses back', async (t) => {
  const req = invite([['Supported', 'replaces']], Buffer.from('v=0\r\n'));
  const text = serialize(req).toString('latin1');
  t.match(text, /^INVITE sip:2000@192\.0\.2\.1 SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP 192\.0\.2\.10:5060;branch=z9hG4bKaaa;rport\r\n/);
  t.match(text, /\r\nMax-Forwards: 70\r\n/);
  t.match(text, /\r\nCSeq: 5 INVITE\r\n/);
  t.match(text, /\r\nContent-Length: 5\r\n\r\nv=0\r\n$/);
  const back = parseMessage(Buffer.from(text, 'latin1'), { transport: 'tcp' });
  t.equal(readableText(getFrom(back).displayName ?? ''), 'Zoë', 'UTF-8 display name survives');
  t.equal(getVias(back).length, 2);
});

t.test('a body without Content-Type and a bad method are refused when building', async (t) => {
  t.throws(() => createRequest({
    method: 'MESSAGE', uri: 'sip:a@b', via: ['SIP/2.0/UDP h;branch=z9hG4bK1'], from: '<sip:a@b>;tag=1',
    to: '<sip:c@d>', callId: 'x', cseq: 1, body: Buffer.from('hi'),
  }), SipBuildError);
  t.throws(() => createRequest({
    method: 'BAD METHOD', uri: 'sip:a@b', via: [], from: '<sip:a@b>', to: '<sip:c@d>', callId: 'x', cseq: 1,
  }), SipBuildError);
});

t.test('a response copies Via, From, To, Call-ID and CSeq and adds the To tag', async (t) => {
  const req = invite([['Timestamp', '54'], ['Subject', 'not copied']]);
  const ringing = createResponse(req, 180, { toTag: 'as1' });
  t.equal(ringing.reason, 'Ringing');
  t.same(ringing.headers.getAll('Via'), req.headers.getAll('Via'), 'all Vias, in order');
  t.equal(getTo(ringing).params.get('tag'), 'as1');
  t.same(getFrom(ringing), getFrom(req));
  t.same(getCSeq(ringing), { seq: 5, method: 'INVITE' });
  t.equal(ringing.headers.get('Subject'), undefined);
  t.equal(ringing.headers.get('Timestamp'), undefined);
  const trying = createResponse(req, 100, { toTag: 'ignored' });
  t.equal(getTo(trying).params.get('tag'), undefined, '100 Trying carries no To tag');
  t.equal(trying.headers.get('Timestamp'), '54', 'Timestamp is echoed in 100 (§8.2.6.1)');
  const tagged = createResponse(createResponse(req, 180, { toTag: 'as1' }) as unknown as SipRequest, 200, { toTag: 'other' });
  t.equal(getTo(tagged).params.get('tag'), 'as1', 'an existing To tag is kept');
  t.throws(() => createResponse(req, 700), SipBuildError);
  t.throws(() => createResponse(req, 200, { reason: 'OK\r\nX: y' }), SipBuildError);
});

t.test('serialize always writes the real Content-Length once', async (t) => {
  const req = invite([], Buffer.from('abc'));
  req.headers.append('Content-Length', '999');
  req.headers.append('l', '7');
  const text = serialize(req).toString('latin1');
  t.equal(text.match(/Content-Length/g)?.length, 1);
  t.match(text, /Content-Length: 3\r\n/);
  req.body = Buffer.alloc(0);
  t.match(serialize(req).toString('latin1'), /Content-Length: 0\r\n\r\n$/);
});

t.test('checkRequest answers from the options the UAS core supports', async (t) => {
  t.equal(checkRequest(invite()), undefined);
  t.equal(checkRequest(invite([['Require', '100rel']]))?.status, 420, 'no 100rel (INTEROP: not needed)');
  t.equal(checkRequest(invite([['Require', '100rel']]), { extensions: ['100rel'] }), undefined);
  t.equal(checkRequest(invite(), { methods: ['OPTIONS'] })?.status, 501);
  t.equal(checkRequest(invite([['Accept', 'application/*']])), undefined, 'a media range covers SDP');
  t.equal(checkRequest(invite([['Accept', 'text/plain']]))?.status, 406);
  t.equal(checkRequest(invite([['Contact', '<sip:bad']]))?.status, 400);
  t.equal(checkRequest(invite([['Content-Encoding', 'gzip']], Buffer.from('x')))?.status, 415);
});

t.test('a response with one Via is accepted, more than one is dropped', async (t) => {
  const req = invite();
  const res = createResponse(req, 200, { toTag: 'x' });
  t.same(checkResponse(res), { action: 'drop', why: 'more than one Via (RFC 3261 §8.1.3.3)' });
  res.headers.set('Via', req.headers.get('Via') ?? '');
  t.same(checkResponse(res), { action: 'accept' });
});
