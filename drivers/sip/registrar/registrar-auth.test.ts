import t from 'tap';
import { parseAuthHeader, serialize, type SipResponse } from '../message/index.js';
import { registrarFixture } from './testing/registrar-fixture.js';
import { TestPhone } from './testing/test-phone.js';

const scanner = { transport: 'udp' as const, address: '198.51.100.66', port: 5070 };

function challengeParams(res: SipResponse | undefined): Array<Map<string, string>> {
  return (res?.headers.getAll('WWW-Authenticate') ?? []).map((v) => parseAuthHeader(v).params);
}

t.test('a REGISTER without credentials is challenged with SHA-256 and MD5 and changes nothing', async (t) => {
  const { registrar, store } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  const res = phone.send(phone.build());
  t.equal(res?.status, 401);
  t.same(challengeParams(res).map((p) => p.get('algorithm')), ['SHA-256', 'MD5']);
  t.same(challengeParams(res).map((p) => p.get('realm')), ['octoline', 'octoline']);
  t.match(res?.headers.get('To'), /;tag=[0-9a-f]{16}$/, 'a To tag (RFC 3261 §8.2.6.2)');
  t.equal(store.size, 0);
});

t.test('a phone that answers the challenge is registered (MD5 and SHA-256 phones alike)', async (t) => {
  const { registrar, clock } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  const res = phone.register({ expires: 600 });
  t.equal(res?.status, 200);
  t.same(res?.headers.getAll('Contact'), ['<sip:1001@192.168.1.50:5060>;expires=600']);
  t.equal(res?.headers.get('Date'), new Date(clock.now()).toUTCString());
  t.match(res?.headers.get('Date'), /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);

  const { registrar: r2 } = registrarFixture({ registrar: { algorithms: ['MD5'] } });
  const old = new TestPhone(r2, { ext: '1002', password: 'pw-1002' });
  t.equal(old.register()?.status, 200, 'an MD5-only setup works too');
});

t.test('clients known to fail on a SHA-256 challenge are offered MD5 alone, and register', async (t) => {
  const { registrar } = registrarFixture();
  const old = new TestPhone(registrar, { ext: '1001', password: 'pw-1001', userAgent: 'baresip v1.0.0 (x86_64/linux)' });
  t.same(challengeParams(old.send(old.build())).map((p) => p.get('algorithm')), ['MD5']);
  t.equal(old.register()?.status, 200);
  const current = new TestPhone(registrar, { ext: '1002', password: 'pw-1002', userAgent: 'baresip v3.12.0 (x86_64/Linux)' });
  t.same(challengeParams(current.send(current.build())).map((p) => p.get('algorithm')), ['SHA-256', 'MD5']);
  const { registrar: none } = registrarFixture({ registrar: { md5OnlyUserAgents: [] } });
  const listed = new TestPhone(none, { ext: '1001', password: 'pw-1001', userAgent: 'baresip v1.0.0' });
  t.same(challengeParams(listed.send(listed.build())).map((p) => p.get('algorithm')), ['SHA-256', 'MD5'], 'the list is configurable');
});

t.test('a wrong password and an unknown user get byte-identical answers apart from the nonce', async (t) => {
  const { registrar, bans } = registrarFixture();
  const common = { source: scanner, callId: 'scan-1@x', fromTag: 'svwar' };
  const wrong = new TestPhone(registrar, { ext: '1001', password: 'guess', ...common });
  const unknown = new TestPhone(registrar, { ext: '1999', password: 'guess', ...common });
  const disabled = new TestPhone(registrar, { ext: '1004', password: 'pw-1004', ...common });
  const a = wrong.register();
  const b = unknown.register();
  const c = disabled.register();
  t.equal(a?.status, 401);
  const norm = (res: SipResponse | undefined, ext: string) => (res === undefined ? 'no answer' : serialize(res).toString('latin1'))
    .replaceAll(ext, 'EXT').replace(/nonce="[^"]*"/g, 'nonce="N"');
  t.equal(norm(b, '1999'), norm(a, '1001'), 'unknown user');
  t.equal(norm(c, '1004'), norm(a, '1001'), 'disabled extension');
  t.same(challengeParams(a).map((p) => p.get('stale')), [undefined, undefined], 'not stale');
  t.same(challengeParams(b).map((p) => p.has('opaque')), [true, true]);
  t.equal(bans.size.tracked, 1, 'all three count, against the one source');
});

t.test('after ten failures the source gets no answer at all, even with the right password, until the ban ends', async (t) => {
  const { registrar, clock, bans } = registrarFixture();
  const attacker = new TestPhone(registrar, { ext: '1001', password: 'guess', source: scanner });
  for (let i = 0; i < 10; i++) t.equal(attacker.register()?.status, 401, `guess ${i + 1} is challenged`);
  t.ok(bans.isBanned(scanner.address));
  t.equal(attacker.send(attacker.build()), undefined, 'silence, even without credentials');
  const sameHost = new TestPhone(registrar, { ext: '1001', password: 'pw-1001', source: { ...scanner, port: 6000 } });
  t.equal(sameHost.register(), undefined, 'a success does not lift the ban');
  const elsewhere = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  t.equal(elsewhere.register()?.status, 200, 'other sources are served');
  clock.advance(600_000);
  t.equal(sameHost.register()?.status, 200, 'served again once the ban ended');
});

t.test('unknown users count toward the ban exactly like wrong passwords', async (t) => {
  const { registrar, bans } = registrarFixture({ bans: { threshold: 3 } });
  for (const ext of ['2001', '2002', '2003']) new TestPhone(registrar, { ext, password: 'x', source: scanner }).register();
  t.ok(bans.isBanned(scanner.address));
});

t.test('credentials on a nonce the box never gave that source are challenged but not counted (spoofing cannot ban others)', async (t) => {
  const { registrar, bans } = registrarFixture({ bans: { threshold: 3 } });
  const victim = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  const spoofed = new TestPhone(registrar, { ext: '1001', password: 'guess', source: victim.source });
  const elsewhere = new TestPhone(registrar, { ext: '1001', password: 'guess', source: scanner });
  const foreignChallenge = elsewhere.send(elsewhere.build());
  if (foreignChallenge === undefined) throw new Error('no challenge');
  for (let i = 0; i < 10; i++) {
    const res = spoofed.send(spoofed.build({}, spoofed.answer(foreignChallenge)));
    t.equal(res?.status, 401);
  }
  t.notOk(bans.isBanned(victim.source.address));
  t.equal(victim.register()?.status, 200);
});

t.test('an expired nonce with the right password gets 401 stale=true and counts no failure', async (t) => {
  const { registrar, clock, bans } = registrarFixture({ registrar: { nonceTtlMs: 30_000 } });
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  const challenge = phone.send(phone.build());
  if (challenge === undefined) throw new Error('no challenge');
  clock.advance(30_001);
  const res = phone.send(phone.build({}, phone.answer(challenge)));
  t.equal(res?.status, 401);
  t.same(challengeParams(res).map((p) => p.get('stale')), ['true', 'true']);
  t.same(bans.size, { tracked: 0, banned: 0 });
  if (res === undefined) return;
  t.equal(phone.send(phone.build({}, phone.answer(res)))?.status, 200, 'the phone retries with the new nonce');
});

t.test('a replayed Authorization (same nonce-count) is refused with stale=true and changes nothing', async (t) => {
  const { registrar, clock } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  const challenge = phone.send(phone.build());
  if (challenge === undefined) throw new Error('no challenge');
  const auth = phone.answer(challenge);
  t.equal(phone.send(phone.build({ expires: 600 }, auth))?.status, 200);
  const before = registrar.lookup('1001');
  clock.advance(5000);
  const replay = phone.send(phone.build({ expires: 3600 }, auth));
  t.equal(replay?.status, 401);
  t.same(challengeParams(replay).map((p) => p.get('stale')), ['true', 'true']);
  t.same(registrar.lookup('1001'), before, 'binding untouched');
});

t.test('the right password for another extension than the To user is 403', async (t) => {
  const { registrar } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1002', username: '1001', password: 'pw-1001' });
  t.equal(phone.register()?.status, 403);
  t.same(registrar.lookup('1002'), []);
});

t.test('an extension provisioned for another realm cannot register (same 401 as unknown)', async (t) => {
  const { registrar, creds } = registrarFixture();
  const c = creds.get('1001');
  if (c) creds.set('1001', { ...c, realm: 'old-realm' });
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  const res = phone.register();
  t.equal(res?.status, 401);
  t.same(challengeParams(res).map((p) => p.get('realm')), ['octoline', 'octoline']);
});

t.test('with domains set, a Request-URI for another host is 404 before any authentication', async (t) => {
  const { registrar } = registrarFixture({ registrar: { domains: ['192.0.2.10', 'box.local'] } });
  const other = new TestPhone(registrar, { ext: '1001', password: 'pw-1001', domain: 'pbx.example.com' });
  t.equal(other.send(other.build())?.status, 404);
  const named = new TestPhone(registrar, { ext: '1001', password: 'pw-1001', domain: 'BOX.local' });
  t.equal(named.register()?.status, 200, 'hosts compare case-insensitively');
});

t.test('a method other than REGISTER is 405; malformed credentials are 400', async (t) => {
  const { registrar } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  const req = phone.build();
  req.method = 'OPTIONS';
  const res = registrar.handle(req, phone.source);
  t.equal(res?.status, 405);
  t.equal(res?.headers.get('Allow'), 'REGISTER');
  t.equal(phone.send(phone.build({}, [['Authorization', 'Digest realm="octoline", username="1001"']]))?.status, 400);
});

t.test('a failing store answers 500 and keeps the bindings as they were', async (t) => {
  const { registrar, store } = registrarFixture();
  const phone = new TestPhone(registrar, { ext: '1001', password: 'pw-1001' });
  t.equal(phone.register({ expires: 600 })?.status, 200);
  const before = registrar.lookup('1001');
  store.failNextWrite = new Error('disk I/O error');
  t.equal(phone.register({ contacts: ['<sip:1001@192.168.1.50:5062>'] })?.status, 500);
  t.same(registrar.lookup('1001'), before);
  t.equal(store.size, 1);
});

t.test('a flood from 20k distinct source addresses leaves no state behind', async (t) => {
  const { registrar, bans } = registrarFixture({ bans: { maxTracked: 1000 } });
  const phone = new TestPhone(registrar, { ext: '1001', password: 'guess' });
  const req = phone.build();
  const guess = phone.build({}, [['Authorization', 'Digest username="1001", realm="octoline", nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", uri="sip:192.0.2.10", response="00000000000000000000000000000000", algorithm=MD5']]);
  let answered = 0;
  for (let i = 0; i < 20_000; i++) {
    const source = { transport: 'udp' as const, address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 5060 };
    if (registrar.handle(i % 2 === 0 ? req : guess, source)?.status === 401) answered++;
  }
  t.equal(answered, 20_000);
  t.equal(registrar.digest.trackedNonces, 0, 'no per-nonce state');
  t.ok(bans.size.tracked <= 1000, `ban table ${bans.size.tracked}`);
  t.same(registrar.registeredExtensions(), []);
});
