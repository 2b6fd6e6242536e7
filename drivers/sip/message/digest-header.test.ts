import t from 'tap';
import { formatAuthHeader, isDigest, parseAuthHeader, qopOptions } from './index.js';

t.test('a Digest challenge gives its parameters unquoted', async (t) => {
  const h = parseAuthHeader('Digest realm="octoline", nonce="5f8e\\"1c", qop="auth,auth-int", algorithm=MD5, stale=TRUE, opaque=""');
  t.ok(isDigest(h));
  t.equal(h.params.get('realm'), 'octoline');
  t.equal(h.params.get('nonce'), '5f8e"1c');
  t.same(qopOptions(h), ['auth', 'auth-int']);
  t.equal(h.params.get('algorithm'), 'MD5');
  t.equal(h.params.get('stale'), 'TRUE');
  t.equal(h.params.get('opaque'), '');
});

t.test('Digest credentials parse with whitespace and any case of names', async (t) => {
  const h = parseAuthHeader('digest  Username = "1001" ,realm="octoline",  URI="sip:2000@192.0.2.1", response="0c9d", nc=00000001, QOP=auth, cnonce="a,b"');
  t.ok(isDigest(h));
  t.equal(h.params.get('username'), '1001');
  t.equal(h.params.get('uri'), 'sip:2000@192.0.2.1');
  t.equal(h.params.get('qop'), 'auth');
  t.equal(h.params.get('nc'), '00000001');
  t.equal(h.params.get('cnonce'), 'a,b');
});

t.test('an unknown scheme parses so that the registrar can challenge it', async (t) => {
  const h = parseAuthHeader('NoOneKnowsThisScheme opaque-data=here');
  t.equal(h.scheme, 'NoOneKnowsThisScheme');
  t.notOk(isDigest(h));
  t.equal(h.params.get('opaque-data'), 'here');
});

t.test('malformed auth headers throw SIP_BAD_HEADER', async (t) => {
  for (const bad of ['', 'Digest realm', 'Digest realm="x', 'Digest realm="x",', 'Digest realm="x" nonce="y"', 'Digestrealm="x"', 'Digest =x']) {
    t.throws(() => parseAuthHeader(bad), { name: 'SipParseError', code: 'SIP_BAD_HEADER' }, bad);
  }
});

t.test('challenges quote qop, credentials do not, and both round-trip', async (t) => {
  const ch = formatAuthHeader('challenge', 'Digest', [['realm', 'octoline'], ['nonce', 'abc'], ['qop', 'auth'], ['algorithm', 'SHA-256'], ['stale', 'true']]);
  t.equal(ch, 'Digest realm="octoline", nonce="abc", qop="auth", algorithm=SHA-256, stale=true');
  const cr = formatAuthHeader('credentials', 'Digest', [['username', 'a"b'], ['qop', 'auth'], ['nc', '00000001'], ['response', 'ff']]);
  t.equal(cr, 'Digest username="a\\"b", qop=auth, nc=00000001, response="ff"');
  t.equal(parseAuthHeader(cr).params.get('username'), 'a"b');
  t.same([...parseAuthHeader(ch).params], [['realm', 'octoline'], ['nonce', 'abc'], ['qop', 'auth'], ['algorithm', 'SHA-256'], ['stale', 'true']]);
});
