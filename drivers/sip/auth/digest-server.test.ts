import t from 'tap';
import { createHash } from 'node:crypto';
import { FakeClock } from '../../clock.js';
import { createRequest, formatAuthHeader, parseAuthHeader, type SipRequest } from '../message/index.js';
import type { Remote } from '../transport/types.js';
import { DigestServer, type DigestServerOptions } from './digest-server.js';

const realm = 'octoline';
const phone: Remote = { transport: 'udp', address: '192.0.2.50', port: 5062 };
const h = (alg: 'md5' | 'sha256', s: string) => createHash(alg).update(s).digest('hex');
const stored = { realm, ha1Md5: h('md5', '1001:octoline:secret'), ha1Sha256: h('sha256', '1001:octoline:secret') };
const lookup = (user: string) => (user === '1001' ? stored : undefined);

function setup(opts: Partial<DigestServerOptions> = {}) {
  const clock = new FakeClock();
  const server = new DigestServer({ clock }, { realm, ...opts });
  return { clock, server };
}

function request(auth: Array<[string, string]> = [], method = 'REGISTER', uri = 'sip:192.0.2.10'): SipRequest {
  return createRequest({
    method, uri, via: ['SIP/2.0/UDP 192.0.2.50:5062;branch=z9hG4bK1'],
    from: '<sip:1001@192.0.2.10>;tag=a', to: '<sip:1001@192.0.2.10>', callId: 'c1', cseq: 1, headers: auth,
  });
}

/** Credentials computed here, independently of the code under test. */
function credentials(o: {
  nonce: string; user?: string; password?: string; alg?: 'MD5' | 'SHA-256'; nc?: string; cnonce?: string;
  qop?: boolean; uri?: string; method?: string; opaque?: string; realm?: string; name?: string;
}): [string, string] {
  const alg = o.alg ?? 'MD5';
  const f = alg === 'MD5' ? 'md5' : 'sha256';
  const user = o.user ?? '1001';
  const uri = o.uri ?? 'sip:192.0.2.10';
  const nc = o.nc ?? '00000001';
  const cnonce = o.cnonce ?? '0a4f113b';
  const ha1 = h(f, `${user}:${o.realm ?? realm}:${o.password ?? 'secret'}`);
  const ha2 = h(f, `${o.method ?? 'REGISTER'}:${uri}`);
  const qop = o.qop ?? true;
  const response = qop ? h(f, `${ha1}:${o.nonce}:${nc}:${cnonce}:auth:${ha2}`) : h(f, `${ha1}:${o.nonce}:${ha2}`);
  const params: Array<[string, string]> = [['username', user], ['realm', o.realm ?? realm], ['nonce', o.nonce], ['uri', uri], ['response', response], ['algorithm', alg]];
  if (qop) params.push(['qop', 'auth'], ['nc', nc], ['cnonce', cnonce]);
  if (o.opaque !== undefined) params.push(['opaque', o.opaque]);
  return [o.name ?? 'Authorization', formatAuthHeader('credentials', 'Digest', params)];
}

function nonceOf(server: DigestServer, source = phone): { nonce: string; opaque: string } {
  const first = server.challengeHeaders(source)[0];
  const p = parseAuthHeader(first?.[1] ?? '').params;
  return { nonce: p.get('nonce') ?? '', opaque: p.get('opaque') ?? '' };
}

t.test('a 401 offers SHA-256 first and MD5 second, both qop="auth" with one nonce and an opaque', async (t) => {
  const { server } = setup();
  const res = server.challenge(request(), phone, { toTag: 'x' });
  t.equal(res.status, 401);
  const values = res.headers.getAll('WWW-Authenticate');
  t.equal(values.length, 2);
  const [sha, md5] = values.map((v) => parseAuthHeader(v));
  t.equal(sha?.scheme, 'Digest');
  t.equal(sha?.params.get('algorithm'), 'SHA-256');
  t.equal(md5?.params.get('algorithm'), 'MD5');
  for (const c of [sha, md5]) {
    t.equal(c?.params.get('realm'), realm);
    t.equal(c?.params.get('qop'), 'auth');
    t.ok(c?.params.get('opaque'));
    t.notOk(c?.params.has('stale'), 'not stale');
  }
  t.equal(sha?.params.get('nonce'), md5?.params.get('nonce'));
  t.match(values[0], /qop="auth"/, 'qop-options quoted as RFC 2617 writes them');
  t.match(res.headers.get('To'), /;tag=x$/);
});

t.test('the proxy variant is a 407 with Proxy-Authenticate, verified from Proxy-Authorization', async (t) => {
  const { server } = setup({ algorithms: ['MD5'] });
  const res = server.challenge(request([], 'INVITE', 'sip:2000@192.0.2.10'), phone, { kind: 'proxy' });
  t.equal(res.status, 407);
  t.equal(res.headers.getAll('Proxy-Authenticate').length, 1);
  t.notOk(res.headers.has('WWW-Authenticate'));
  const { nonce } = nonceOf(server);
  const cred = credentials({ nonce, method: 'INVITE', uri: 'sip:2000@192.0.2.10', name: 'Proxy-Authorization' });
  const req = request([cred], 'INVITE', 'sip:2000@192.0.2.10');
  t.same(server.verify(req, phone, { kind: 'proxy', lookup }), { outcome: 'ok', username: '1001', algorithm: 'MD5' });
  t.same(server.verify(req, phone, { lookup }), { outcome: 'missing' }, 'Authorization is another header');
});

t.test('right credentials pass with MD5 and with SHA-256, qop=auth and increasing nc', async (t) => {
  const { server } = setup();
  for (const alg of ['MD5', 'SHA-256'] as const) {
    const { nonce, opaque } = nonceOf(server);
    t.same(server.verify(request([credentials({ nonce, alg, opaque })]), phone, { lookup, identity: '1001' }),
      { outcome: 'ok', username: '1001', algorithm: alg });
    t.equal(server.verify(request([credentials({ nonce, alg, nc: '00000002', cnonce: 'other' })]), phone, { lookup }).outcome, 'ok', 'nc 2 on the same nonce');
  }
});

t.test('a replayed nonce-count is refused as stale, even with a right password', async (t) => {
  const { server } = setup();
  const { nonce } = nonceOf(server);
  const first = request([credentials({ nonce, nc: '00000005' })]);
  t.equal(server.verify(first, phone, { lookup }).outcome, 'ok');
  t.same(server.verify(first, phone, { lookup }), { outcome: 'stale' }, 'same nc again');
  t.same(server.verify(request([credentials({ nonce, nc: '00000003' })]), phone, { lookup }), { outcome: 'stale' }, 'lower nc');
  t.equal(server.verify(request([credentials({ nonce, nc: '00000006' })]), phone, { lookup }).outcome, 'ok');
  t.same(server.verify(request([credentials({ nonce, nc: '00000007', password: 'guess' })]), phone, { lookup }),
    { outcome: 'failed', username: '1001' }, 'a wrong password on a live nonce is a failure, not stale');
});

t.test('an expired nonce with a right password is stale, with a wrong one a failure', async (t) => {
  const { server, clock } = setup({ nonceTtlMs: 60_000 });
  const { nonce } = nonceOf(server);
  clock.advance(60_001);
  t.same(server.verify(request([credentials({ nonce })]), phone, { lookup }), { outcome: 'stale' });
  t.same(server.verify(request([credentials({ nonce, password: 'nope' })]), phone, { lookup }), { outcome: 'failed', username: '1001' });
  const fresh = nonceOf(server).nonce;
  t.equal(server.verify(request([credentials({ nonce: fresh })]), phone, { lookup }).outcome, 'ok');
});

t.test('a nonce from another process, another source address or made up is not ours: plain challenge, no failure', async (t) => {
  const { server } = setup();
  const other = setup().server;
  for (const nonce of [nonceOf(other).nonce, nonceOf(server, { ...phone, address: '192.0.2.51' }).nonce, 'dcd98b7102dd2f0e8b11d0f600bfb0c093']) {
    t.same(server.verify(request([credentials({ nonce })]), phone, { lookup }), { outcome: 'missing' });
    t.same(server.verify(request([credentials({ nonce, password: 'x' })]), phone, { lookup }), { outcome: 'missing' });
  }
  t.equal(server.verify(request([credentials({ nonce: nonceOf(server, { ...phone, port: 9999 }).nonce })]), phone, { lookup }).outcome, 'ok', 'a new source port (NAT) is fine');
  t.same(server.verify(request([credentials({ nonce: nonceOf(server).nonce, opaque: 'forged' })]), phone, { lookup }), { outcome: 'missing' }, 'an opaque not ours');
});

t.test('an unknown user and a wrong password are the same failure', async (t) => {
  const { server } = setup();
  const { nonce } = nonceOf(server);
  t.same(server.verify(request([credentials({ nonce, password: 'wrong' })]), phone, { lookup }), { outcome: 'failed', username: '1001' });
  t.same(server.verify(request([credentials({ nonce, user: '1999' })]), phone, { lookup }), { outcome: 'failed', username: '1999' });
  const otherRealm = (u: string) => (u === '1001' ? { ...stored, realm: 'elsewhere' } : undefined);
  t.same(server.verify(request([credentials({ nonce })]), phone, { lookup: otherRealm }), { outcome: 'failed', username: '1001' }, 'HA1s of another realm cannot match');
});

t.test('a right password for another user than the identity is forbidden', async (t) => {
  const { server } = setup();
  const { nonce } = nonceOf(server);
  t.same(server.verify(request([credentials({ nonce })]), phone, { lookup, identity: '1002' }), { outcome: 'forbidden', username: '1001' });
});

t.test('credentials without qop (RFC 2069) pass once per nonce, or never when not allowed', async (t) => {
  const { server } = setup();
  const { nonce } = nonceOf(server);
  const req = request([credentials({ nonce, qop: false })]);
  t.equal(server.verify(req, phone, { lookup }).outcome, 'ok');
  t.same(server.verify(req, phone, { lookup }), { outcome: 'stale' }, 'a second use gets a fresh nonce');
  const strict = setup({ allowNoQop: false }).server;
  t.same(strict.verify(request([credentials({ nonce: nonceOf(strict).nonce, qop: false })]), phone, { lookup }), { outcome: 'missing' });
});

t.test('malformed credentials and a digest-uri other than the Request-URI are bad requests', async (t) => {
  const { server } = setup();
  const { nonce } = nonceOf(server);
  t.equal(server.verify(request([['Authorization', 'Digest username="1001", realm="octoline"']]), phone, { lookup }).outcome, 'bad-request');
  t.equal(server.verify(request([['Authorization', 'Digest realm="octoline", nonce=']]), phone, { lookup }).outcome, 'bad-request');
  t.equal(server.verify(request([credentials({ nonce, nc: 'zz' })]), phone, { lookup }).outcome, 'bad-request');
  t.same(server.verify(request([credentials({ nonce, uri: 'sip:evil.example.com' })]), phone, { lookup }),
    { outcome: 'bad-request', reason: 'Digest uri does not match the Request-URI' });
  t.equal(server.verify(request([credentials({ nonce, uri: 'sip:192.0.2.10:5060' })]), phone, { lookup }).outcome, 'ok', 'the default port written out is the same URI');
});

t.test('credentials for another realm, an algorithm or qop not offered get a plain challenge', async (t) => {
  const { server } = setup({ algorithms: ['MD5'] });
  const { nonce } = nonceOf(server);
  t.same(server.verify(request([credentials({ nonce, realm: 'other' })]), phone, { lookup }), { outcome: 'missing' });
  t.same(server.verify(request([credentials({ nonce, alg: 'SHA-256' })]), phone, { lookup }), { outcome: 'missing' });
  const authInt = credentials({ nonce })[1].replace('qop=auth', 'qop=auth-int');
  t.same(server.verify(request([['Authorization', authInt]]), phone, { lookup }), { outcome: 'missing' });
  t.same(server.verify(request([['Authorization', 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==']]), phone, { lookup }), { outcome: 'missing' });
  t.same(server.verify(request(), phone, { lookup }), { outcome: 'missing' });
});

t.test('nonce-count tracking stays under its cap, and an evicted nonce is refused as stale', async (t) => {
  const { server, clock } = setup({ maxTrackedNonces: 100 });
  const first = nonceOf(server).nonce;
  t.equal(server.verify(request([credentials({ nonce: first })]), phone, { lookup }).outcome, 'ok');
  let ok = 0;
  for (let i = 0; i < 500; i++) {
    clock.advance(1);
    const { nonce } = nonceOf(server);
    if (server.verify(request([credentials({ nonce })]), phone, { lookup }).outcome === 'ok') ok++;
  }
  t.equal(ok, 500, 'every fresh nonce passes');
  t.ok(server.trackedNonces <= 100, `tracked ${server.trackedNonces}`);
  t.same(server.verify(request([credentials({ nonce: first, nc: '00000002' })]), phone, { lookup }), { outcome: 'stale' }, 'may have been seen: refused');
  t.equal(server.verify(request([credentials({ nonce: nonceOf(server).nonce })]), phone, { lookup }).outcome, 'ok', 'fresh nonces still work');
});

t.test('a challenge with stale=true says so in every header field', async (t) => {
  const { server } = setup();
  for (const [, v] of server.challengeHeaders(phone, { stale: true })) t.equal(parseAuthHeader(v).params.get('stale'), 'true');
});

t.test('bad options are refused with SIP_AUTH_BAD_OPTIONS', async (t) => {
  const clock = new FakeClock();
  t.throws(() => new DigestServer({ clock }, { realm, algorithms: [] }), { code: 'SIP_AUTH_BAD_OPTIONS' });
  t.throws(() => new DigestServer({ clock }, { realm: 'a"b' }), { code: 'SIP_AUTH_BAD_OPTIONS' });
  t.throws(() => new DigestServer({ clock }, { realm, nonceTtlMs: 0 }), { code: 'SIP_AUTH_BAD_OPTIONS' });
});
