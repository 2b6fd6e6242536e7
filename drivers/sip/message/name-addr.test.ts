import t from 'tap';
import { formatNameAddr, parseNameAddr, type SipUri, type Uri } from './index.js';

function sip(u: Uri): SipUri {
  if (u.kind !== 'sip') throw new Error('not sip');
  return u;
}

function bad(t: Pick<typeof tap, 'throws'>, text: string): void {
  t.throws(() => parseNameAddr(text, 'To'), { name: 'SipParseError', code: 'SIP_BAD_HEADER' }, text);
}

const tap = t;

t.test('a quoted display name is unescaped', async (t) => {
  const v = parseNameAddr('"Doe, \\"Jo\\" \\\\" <sip:jo@example.com>;tag=x');
  t.equal(v.displayName, 'Doe, "Jo" \\');
  t.equal(sip(v.uri).user, 'jo');
  t.equal(v.params.get('tag'), 'x');
});

t.test('a display name of tokens keeps single spaces between them', async (t) => {
  t.equal(parseNameAddr('Agent   1001 <sip:1001@pbx>').displayName, 'Agent 1001');
  t.equal(parseNameAddr('caller<sip:caller@example.com>').displayName, 'caller', 'no LWS before <');
  t.equal(parseNameAddr('<sip:a@b>').displayName, undefined);
  t.equal(parseNameAddr('"" <sip:a@b>').displayName, '', 'an empty quoted name');
});

t.test('parameters after a bare addr-spec belong to the header, not the URI', async (t) => {
  const v = parseNameAddr('sip:+19725552222@gw1.example.net;unknownparam;expires=60');
  t.equal(sip(v.uri).params.size, 0);
  t.equal(v.params.get('unknownparam'), null);
  t.equal(v.params.get('expires'), '60');
  const w = parseNameAddr('<sip:+19725552222@gw1.example.net;unknownparam>;expires=60');
  t.equal(sip(w.uri).params.get('unknownparam'), null, 'inside <> they belong to the URI');
});

t.test('whitespace around ; and = is allowed in header parameters', async (t) => {
  const v = parseNameAddr('sip:a@b ;   tag    = 1918181833n ; q = 0.5');
  t.equal(v.params.get('tag'), '1918181833n');
  t.equal(v.params.get('q'), '0.5');
});

t.test('quoted parameter values keep their quotes', async (t) => {
  const v = parseNameAddr('<sip:a@b>;+sip.instance="<urn:uuid:1234>";reg-id=1');
  t.equal(v.params.get('+sip.instance'), '"<urn:uuid:1234>"');
  const bare = parseNameAddr('sip:a@b;+sip.instance="<urn:uuid:1234>"');
  t.equal(bare.params.get('+sip.instance'), '"<urn:uuid:1234>"', 'a < inside a quoted parameter is no display name');
});

t.test('malformed values are refused', async (t) => {
  bad(t, '"Mr. J. User <sip:j.user@example.com>');
  bad(t, 'Bell, Alexander <sip:a.g.bell@example.com>');
  bad(t, '"Watson" < sip:t.watson@example.org >');
  bad(t, 'sip:user@example.com?Route=%3Csip:sip.example.com%3E');
  bad(t, '<sip:a@b');
  bad(t, '<sip:a@b>;;');
  bad(t, '<sip:a@b>;tag=');
  bad(t, '<sip:a@b> trailing');
  bad(t, 'sip:a@b junk');
  bad(t, '');
});

t.test('formatting always brackets the URI and quotes the name', async (t) => {
  const v = parseNameAddr('Agent <sip:1001@pbx;transport=tcp>;tag=9');
  t.equal(formatNameAddr(v), '"Agent" <sip:1001@pbx;transport=tcp>;tag=9');
  const evil = { displayName: 'x"\r\nInjected: 1', uri: v.uri, params: new Map() };
  t.equal(formatNameAddr(evil), '"x\\"Injected: 1" <sip:1001@pbx;transport=tcp>', 'CR/LF never reach the wire');
  t.same(parseNameAddr(formatNameAddr(v)), v);
});
