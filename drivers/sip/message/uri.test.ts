import t from 'tap';
import { formatUri, parseUri, tryParseUri, uriEquals, type SipUri, type Uri } from './index.js';

function sip(u: Uri): SipUri {
  if (u.kind !== 'sip') throw new Error('not sip');
  return u;
}

t.test('a full SIP URI gives user, password, host, port, parameters and headers', async (t) => {
  const u = sip(parseUri('sips:alice:secret@example.com:5061;transport=TLS;LR;maddr=239.255.255.1?subject=project%20x&priority=urgent'));
  t.equal(u.scheme, 'sips');
  t.equal(u.user, 'alice');
  t.equal(u.password, 'secret');
  t.equal(u.host, 'example.com');
  t.equal(u.port, 5061);
  t.equal(u.params.get('transport'), 'TLS');
  t.equal(u.params.get('lr'), null, 'parameter names are case-insensitive, valueless ones are null');
  t.equal(u.params.get('maddr'), '239.255.255.1');
  t.same([...u.headers], [['subject', 'project x'], ['priority', 'urgent']]);
});

t.test('the scheme is case-insensitive and a URI may have no user', async (t) => {
  const u = sip(parseUri('SIP:192.0.2.4'));
  t.equal(u.scheme, 'sip');
  t.equal(u.user, undefined);
  t.equal(u.host, '192.0.2.4');
});

t.test('IPv6 references keep their brackets and may carry a port', async (t) => {
  const u = sip(parseUri('sip:bob@[2001:db8::10]:5070;transport=tcp'));
  t.equal(u.host, '[2001:db8::10]');
  t.equal(u.port, 5070);
  t.equal(sip(parseUri('sip:[::1]')).host, '[::1]');
  t.equal(tryParseUri('sip:bob@[2001:db8::10'), undefined, 'unterminated reference');
  t.equal(tryParseUri('sip:bob@[zz::1]'), undefined, 'not hex');
});

t.test('escapes in the user part are decoded once and written back escaped', async (t) => {
  const u = sip(parseUri('sip:%61lice%20smith%25%34%31@example.com'));
  t.equal(u.user, 'alice smith%41');
  t.equal(formatUri(u), 'sip:alice%20smith%2541@example.com');
  t.equal(tryParseUri('sip:bad%2@example.com'), undefined, 'a broken escape');
  t.equal(tryParseUri('sip:bad%zz@example.com'), undefined);
});

t.test('a user part may hold ; ? and / when an @ follows', async (t) => {
  const u = sip(parseUri('sip:user;phone-context=+1;x?y/z@example.com;transport=udp'));
  t.equal(u.user, 'user;phone-context=+1;x?y/z');
  t.equal(u.params.get('transport'), 'udp');
  const hostOnly = sip(parseUri('sip:example.com;lr?Route=%3Csip:a%3E'));
  t.equal(hostOnly.user, undefined);
  t.equal(hostOnly.headers.get('Route'), '<sip:a>');
});

t.test('ports must be numbers up to 65535', async (t) => {
  t.equal(sip(parseUri('sip:a@b:65535')).port, 65535);
  t.equal(tryParseUri('sip:a@b:65536'), undefined);
  t.equal(tryParseUri('sip:a@b:'), undefined);
  t.equal(tryParseUri('sip:a@b:12x'), undefined);
});

t.test('other schemes are kept whole for the application to judge', async (t) => {
  t.same(parseUri('tel:+1-201-555-0123;phone-context=example.com'), {
    kind: 'absolute', scheme: 'tel', value: '+1-201-555-0123;phone-context=example.com',
  });
  t.same(parseUri('urn:uuid:00000000-0000-1000-8000-000b82a1b2c3'), {
    kind: 'absolute', scheme: 'urn', value: 'uuid:00000000-0000-1000-8000-000b82a1b2c3',
  });
  t.equal(formatUri(parseUri('HTTP://www.example.com/x')), 'http://www.example.com/x');
});

t.test('malformed URIs throw SIP_BAD_URI', async (t) => {
  for (const bad of ['', 'nocolon', ':x', 'sip:', 'sip:@host', 'sip:a@', 'sip:a b@c', '<sip:a@b>', 'sip:a@b;=x', 'sip:a@b?h', 'tel:', '1sip:a']) {
    t.throws(() => parseUri(bad), { name: 'SipParseError', code: 'SIP_BAD_URI' }, bad);
  }
});

t.test('URIs compare as RFC 3261 §19.1.4 says', async (t) => {
  const eq = (a: string, b: string): boolean => uriEquals(parseUri(a), parseUri(b));
  t.ok(eq('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'));
  t.ok(eq('sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'));
  t.ok(eq('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;newparam=5'));
  t.ok(eq('sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'));
  t.notOk(eq('SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'), 'user is case-sensitive');
  t.notOk(eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'), 'an explicit port differs from none');
  t.notOk(eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'));
  t.notOk(eq('sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'));
  t.notOk(eq('sip:a@b', 'sips:a@b'));
});

t.test('formatting then parsing gives the same URI', async (t) => {
  for (const text of [
    'sip:alice@example.com',
    'sips:a%20b:p%40ss@[2001:db8::1]:5061;transport=tls;lr?h=v%26w&x=',
    "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
  ]) {
    const u = parseUri(text);
    t.ok(uriEquals(parseUri(formatUri(u)), u), text);
    t.same(parseUri(formatUri(u)), u);
  }
});
