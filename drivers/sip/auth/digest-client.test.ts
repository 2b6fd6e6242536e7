import t from 'tap';
import { createHash } from 'node:crypto';
import { FakeClock } from '../../clock.js';
import { createRequest, createResponse, parseAuthHeader, type SipRequest, type SipResponse } from '../message/index.js';
import type { Remote } from '../transport/types.js';
import { authorize, digestAuth } from './digest-client.js';
import { passwordHa1 } from './digest-hash.js';
import { DigestServer } from './digest-server.js';

const box: Remote = { transport: 'udp', address: '192.0.2.10', port: 5060 };
const h = (alg: 'md5' | 'sha256', s: string) => createHash(alg).update(s).digest('hex');

function register(extra: Array<[string, string]> = []): SipRequest {
  return createRequest({
    method: 'REGISTER', uri: 'sip:gw.example.net', via: ['SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK7'],
    from: '<sip:line1@gw.example.net>;tag=b', to: '<sip:line1@gw.example.net>', callId: 'k', cseq: 2, headers: extra,
  });
}

function challenge(req: SipRequest, status: 401 | 407, values: string[]): SipResponse {
  const name = status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
  return createResponse(req, status, { headers: values.map((v): [string, string] => [name, v]) });
}

for (const alg of ['MD5', 'SHA-256'] as const) {
  t.test(`the client answers the box's own ${alg} challenge and the box accepts it (round trip)`, async (t) => {
    const clock = new FakeClock();
    const server = new DigestServer({ clock }, { realm: 'octoline', algorithms: [alg] });
    const stored = { realm: 'octoline', ha1Md5: passwordHa1('MD5', 'line1', 'octoline', 'pä55'), ha1Sha256: passwordHa1('SHA-256', 'line1', 'octoline', 'pä55') };
    const req = register();
    const res = server.challenge(req, box);
    const auth = authorize(req, res, { credentials: { username: 'line1', password: 'pä55' } });
    t.equal(auth.length, 1);
    t.equal(auth[0]?.[0], 'Authorization');
    const again = register(auth);
    t.same(server.verify(again, box, { lookup: (u) => (u === 'line1' ? stored : undefined), identity: 'line1' }), { outcome: 'ok', username: 'line1', algorithm: alg });
  });
}

t.test('with SHA-256 and MD5 offered the client takes the topmost (RFC 8760 §2.4)', async (t) => {
  const req = register();
  const res = challenge(req, 401, [
    'Digest realm="gw", nonce="n1", algorithm=SHA-256, qop="auth"',
    'Digest realm="gw", nonce="n2", algorithm=MD5, qop="auth"',
  ]);
  const [[, value] = ['', '']] = authorize(req, res, { credentials: { username: 'line1', password: 'pw' }, cnonce: () => 'c0ffee' });
  const p = parseAuthHeader(value).params;
  t.equal(p.get('algorithm'), 'SHA-256');
  t.equal(p.get('nonce'), 'n1');
  const ha1 = h('sha256', 'line1:gw:pw');
  t.equal(p.get('response'), h('sha256', `${ha1}:n1:00000001:c0ffee:auth:${h('sha256', 'REGISTER:sip:gw.example.net')}`));
  t.equal(p.get('nc'), '00000001');
  t.match(value, /qop=auth, nc=00000001/, 'qop and nc are tokens in credentials');
});

t.test('an algorithm we do not implement is skipped for the next challenge', async (t) => {
  const req = register();
  const res = challenge(req, 401, ['Digest realm="gw", nonce="n1", algorithm=SHA-512-256, qop="auth"', 'Digest realm="gw", nonce="n2", qop="auth"']);
  const p = parseAuthHeader(authorize(req, res, { credentials: { username: 'u', password: 'p' } })[0]?.[1] ?? '').params;
  t.equal(p.get('nonce'), 'n2');
  t.notOk(p.has('algorithm'), 'no algorithm in the challenge: none in the answer (MD5 implied)');
});

t.test('a challenge without qop gets the RFC 2069 answer, MD5-sess folds in the cnonce', async (t) => {
  const req = register();
  const plain = authorize(req, challenge(req, 401, ['Digest realm="gw", nonce="abc", opaque="op"']), { credentials: { username: 'u', password: 'p' } });
  const p = parseAuthHeader(plain[0]?.[1] ?? '').params;
  const ha1 = h('md5', 'u:gw:p');
  t.equal(p.get('response'), h('md5', `${ha1}:abc:${h('md5', 'REGISTER:sip:gw.example.net')}`));
  t.notOk(p.has('qop'));
  t.notOk(p.has('nc'));
  t.equal(p.get('opaque'), 'op', 'opaque echoed');

  const sess = authorize(req, challenge(req, 401, ['Digest realm="gw", nonce="abc", algorithm=MD5-sess, qop="auth"']), { credentials: { username: 'u', password: 'p' }, cnonce: () => 'cn' });
  const q = parseAuthHeader(sess[0]?.[1] ?? '').params;
  const sha1 = h('md5', `${ha1}:abc:cn`);
  t.equal(q.get('response'), h('md5', `${sha1}:abc:00000001:cn:auth:${h('md5', 'REGISTER:sip:gw.example.net')}`));
  t.equal(q.get('algorithm'), 'MD5-sess');
});

t.test('a 407 is answered with Proxy-Authorization, one per realm we have credentials for', async (t) => {
  const req = register();
  const res = challenge(req, 407, ['Digest realm="a", nonce="1", qop="auth"', 'Digest realm="b", nonce="2", qop="auth"', 'Digest realm="c", nonce="3"']);
  const out = authorize(req, res, { credentials: (realm) => (realm === 'c' ? undefined : { username: `u-${realm}`, password: 'p' }) });
  t.same(out.map(([n]) => n), ['Proxy-Authorization', 'Proxy-Authorization']);
  t.same(out.map(([, v]) => parseAuthHeader(v).params.get('username')), ['u-a', 'u-b']);
});

t.test('a second non-stale challenge after our credentials is SIP_AUTH_REJECTED; a stale one is answered', async (t) => {
  const first = register();
  const auth = authorize(first, challenge(first, 401, ['Digest realm="gw", nonce="n1", qop="auth"']), { credentials: { username: 'u', password: 'bad' } });
  const second = register(auth);
  t.throws(() => authorize(second, challenge(second, 401, ['Digest realm="gw", nonce="n2", qop="auth"']), { credentials: { username: 'u', password: 'bad' } }), { code: 'SIP_AUTH_REJECTED' });
  const again = authorize(second, challenge(second, 401, ['Digest realm="gw", nonce="n3", qop="auth", stale=true']), { credentials: { username: 'u', password: 'bad' } });
  t.equal(parseAuthHeader(again[0]?.[1] ?? '').params.get('nonce'), 'n3');
});

t.test('nothing answerable is SIP_AUTH_NO_CHALLENGE', async (t) => {
  const req = register();
  t.throws(() => authorize(req, challenge(req, 401, ['Basic realm="gw"']), { credentials: { username: 'u', password: 'p' } }), { code: 'SIP_AUTH_NO_CHALLENGE' });
  t.throws(() => authorize(req, challenge(req, 401, ['Digest realm="gw", nonce="n", qop="auth-conf"']), { credentials: { username: 'u', password: 'p' } }), { code: 'SIP_AUTH_NO_CHALLENGE' });
  t.throws(() => authorize(req, createResponse(req, 403), { credentials: { username: 'u', password: 'p' } }), { code: 'SIP_AUTH_NO_CHALLENGE' });
  t.throws(() => authorize(req, challenge(req, 401, ['Digest realm="gw", nonce="n"']), { credentials: () => undefined }), { code: 'SIP_AUTH_NO_CHALLENGE' });
});

t.test('auth-int (offered alone) hashes the body', async (t) => {
  const req = createRequest({
    method: 'INVITE', uri: 'sip:100@gw', via: ['SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK8'], from: '<sip:box@x>;tag=1', to: '<sip:100@gw>',
    callId: 'i', cseq: 1, body: Buffer.from('v=0\r\n'), contentType: 'application/sdp',
  });
  const out = authorize(req, challenge(req, 401, ['Digest realm="gw", nonce="n", qop="auth-int"']), { credentials: { username: 'u', password: 'p' }, cnonce: () => 'c' });
  const p = parseAuthHeader(out[0]?.[1] ?? '').params;
  t.equal(p.get('qop'), 'auth-int');
  const ha2 = h('md5', `INVITE:sip:100@gw:${h('md5', 'v=0\r\n')}`);
  t.equal(p.get('response'), h('md5', `${h('md5', 'u:gw:p')}:n:00000001:c:auth-int:${ha2}`));
});

t.test('digestAuth fits the UA core hook: a header to add, or undefined to give up', async (t) => {
  const hook = digestAuth({ username: 'u', password: 'p' });
  const req = register();
  const first = hook(challenge(req, 407, ['Digest realm="gw", nonce="n1", qop="auth"']), req);
  t.equal(first?.[0], 'Proxy-Authorization');
  const again = register(first ? [[first[0], first[1]]] : []);
  t.equal(hook(challenge(again, 407, ['Digest realm="gw", nonce="n2", qop="auth"']), again), undefined, 'refused twice: give up');
});
