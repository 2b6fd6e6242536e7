import t from 'tap';

const tap = t;
import {
  createErrorResponse,
  getCallId,
  getContacts,
  getContentLength,
  getContentType,
  getCSeq,
  getFrom,
  getMaxForwards,
  getTo,
  getTopVia,
  getVias,
  parseAuthHeader,
  parseMessage,
  serialize,
  SipParseError,
  type SipMessage,
  type SipParseErrorCode,
} from './index.js';

/** A message from lines joined by CRLF, an empty line, then the body. */
function wire(lines: string[], body = ''): Buffer {
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body, 'latin1');
}

const BASE = [
  'OPTIONS sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc',
  'Max-Forwards: 70',
  'From: <sip:alice@example.com>;tag=1',
  'To: <sip:bob@example.com>',
  'Call-ID: c1@192.0.2.1',
  'CSeq: 1 OPTIONS',
];

function udp(buf: Buffer): SipMessage {
  return parseMessage(buf, { transport: 'udp' });
}

function parseError(buf: Buffer, transport: 'udp' | 'tcp' = 'udp', limits = {}): SipParseError {
  try {
    parseMessage(buf, { transport, ...limits });
  } catch (err) {
    if (err instanceof SipParseError) return err;
    throw err;
  }
  throw new Error('parsed although it should not');
}

function expectError(t: Pick<typeof tap, 'equal'>, buf: Buffer, code: SipParseErrorCode, respondable: boolean, transport: 'udp' | 'tcp' = 'udp'): void {
  const err = parseError(buf, transport);
  t.equal(err.code, code, 'code');
  t.equal(err.respondable, respondable, 'respondable');
}

t.test('compact header names mean the same as the full names', async (t) => {
  const m = udp(wire([
    'INVITE sip:bob@example.com SIP/2.0',
    'v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1',
    'f: <sip:alice@example.com>;tag=1',
    't: <sip:bob@example.com>',
    'i: compact@host',
    'CSeq: 1 INVITE',
    'm: <sip:alice@192.0.2.1>',
    'c: application/sdp',
    'k: replaces',
    's: hello',
    'l: 4',
  ], 'v=0\n'));
  t.equal(getCallId(m), 'compact@host');
  t.equal(getTopVia(m).host, '192.0.2.1');
  t.equal(getFrom(m).params.get('tag'), '1');
  t.equal(getContentType(m)?.subtype, 'sdp');
  t.equal(m.headers.get('Supported'), 'replaces');
  t.equal(m.headers.get('subject'), 'hello');
  t.equal(getContentLength(m), 4);
  const contacts = getContacts(m);
  t.ok(Array.isArray(contacts) && contacts.length === 1);
  t.same(m.headers.all().map((f) => f.name), [
    'Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Content-Type', 'Supported', 'Subject', 'Content-Length',
  ]);
});

t.test('header names are case-insensitive and written back in canonical form', async (t) => {
  const m = udp(wire([
    'OPTIONS sip:bob@example.com SIP/2.0',
    'VIA: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx',
    'max-FORWARDS: 10',
    'FROM: <sip:alice@example.com>;tag=1',
    'tO: <sip:bob@example.com>',
    'call-id: c2',
    'cseq: 5 OPTIONS',
    'X-Custom-Thing: kept as is',
  ]));
  t.equal(getMaxForwards(m), 10);
  t.equal(getCSeq(m).seq, 5);
  t.equal(m.headers.get('x-custom-thing'), 'kept as is');
  const text = serialize(m).toString('latin1');
  t.match(text, /\r\nVia: SIP\/2.0\/UDP/);
  t.match(text, /\r\nMax-Forwards: 10\r\n/);
  t.match(text, /\r\nCall-ID: c2\r\n/);
  t.match(text, /\r\nCSeq: 5 OPTIONS\r\n/);
  t.match(text, /\r\nX-Custom-Thing: kept as is\r\n/);
});

t.test('folded lines are joined with a single space', async (t) => {
  const m = udp(wire([
    ...BASE,
    'Subject: first part',
    '   second part',
    '\tthird part',
    'Route:',
    ' <sip:proxy.example.com;lr>',
  ]));
  t.equal(m.headers.get('Subject'), 'first part second part third part');
  t.equal(m.headers.get('Route'), '<sip:proxy.example.com;lr>');
});

t.test('a Via list in one header equals two Via headers', async (t) => {
  const one = udp(wire([
    'OPTIONS sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5070;branch=z9hG4bK2',
    ...BASE.slice(2),
  ]));
  const two = udp(wire([
    'OPTIONS sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1',
    'Via: SIP/2.0/TCP b.example.com:5070;branch=z9hG4bK2',
    ...BASE.slice(2),
  ]));
  t.same(getVias(one), getVias(two));
  t.equal(getVias(one).length, 2);
  t.equal(getVias(one)[1]?.port, 5070);
  t.same(one.headers.list('Via'), two.headers.list('Via'));
});

t.test('authentication headers are not split at their commas', async (t) => {
  const m = udp(wire([
    ...BASE,
    'Authorization: Digest username="alice", realm="octoline", nonce="abc", uri="sip:bob@example.com", response="0123", qop=auth, nc=00000001, cnonce="x,y"',
    'WWW-Authenticate: Digest realm="a", nonce="b", qop="auth,auth-int", algorithm=MD5',
  ]));
  t.equal(m.headers.list('Authorization').length, 1);
  t.equal(m.headers.list('WWW-Authenticate').length, 1);
  const cred = parseAuthHeader(m.headers.get('Authorization') ?? '');
  t.equal(cred.scheme, 'Digest');
  t.equal(cred.params.get('cnonce'), 'x,y');
  t.equal(cred.params.get('qop'), 'auth');
  const ch = parseAuthHeader(m.headers.get('WWW-Authenticate') ?? '');
  t.equal(ch.params.get('qop'), 'auth,auth-int');
  t.equal(ch.params.get('algorithm'), 'MD5');
});

t.test('quoted strings keep escaped quotes and commas inside them', async (t) => {
  const m = udp(wire([
    ...BASE,
    'Contact: "Doe, \\"Johnny\\"" <sip:john@192.0.2.7>;q=0.5, <sip:john@[2001:db8::7]:5070;transport=tcp>',
  ]));
  const contacts = getContacts(m);
  if (contacts === '*') throw new Error('star');
  t.equal(contacts.length, 2);
  t.equal(contacts[0]?.displayName, 'Doe, "Johnny"');
  t.equal(contacts[0]?.params.get('q'), '0.5');
  const second = contacts[1]?.uri;
  t.equal(second?.kind === 'sip' ? second.host : '', '[2001:db8::7]');
});

t.test('IPv6 references parse in Via and in URIs', async (t) => {
  const m = udp(wire([
    'INVITE sip:bob@[2001:db8::10]:5060;transport=udp SIP/2.0',
    'Via: SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bKv6;received=[2001:db8::2];rport=5062',
    'Max-Forwards: 70',
    'From: <sip:alice@[2001:db8::1]>;tag=1',
    'To: sip:bob@[2001:db8::10]',
    'Call-ID: v6@[2001:db8::1]',
    'CSeq: 1 INVITE',
  ]));
  if (m.kind !== 'request' || m.uri.kind !== 'sip') throw new Error('not a SIP request');
  t.equal(m.uri.host, '[2001:db8::10]');
  t.equal(m.uri.port, 5060);
  t.equal(m.uri.params.get('transport'), 'udp');
  const via = getTopVia(m);
  t.equal(via.host, '[2001:db8::1]');
  t.equal(via.port, 5062);
  t.equal(via.params.get('received'), '[2001:db8::2]');
  t.equal(via.params.get('rport'), '5062');
  const to = getTo(m).uri;
  t.equal(to.kind === 'sip' ? to.host : '', '[2001:db8::10]');
});

t.test('a UDP body runs to the end of the datagram when Content-Length is absent', async (t) => {
  const m = udp(wire([...BASE, 'Content-Type: text/plain'], 'hello\r\nworld'));
  t.equal(m.body.toString(), 'hello\r\nworld');
  t.equal(getContentLength(m), undefined);
  t.match(serialize(m).toString('latin1'), /Content-Length: 12\r\n/);
});

t.test('bytes after Content-Length in a datagram are discarded', async (t) => {
  const m = udp(wire([...BASE, 'Content-Type: text/plain', 'Content-Length: 5'], 'helloEXTRA'));
  t.equal(m.body.toString(), 'hello');
});

t.test('Content-Length larger than the datagram is a respondable 400', async (t) => {
  const err = parseError(wire([...BASE, 'Content-Length: 50'], 'short'));
  t.equal(err.code, 'SIP_BAD_CONTENT_LENGTH');
  t.equal(err.respondable, true);
  t.equal(err.status, 400);
});

t.test('a negative, non-numeric or repeated Content-Length is refused', async (t) => {
  expectError(t, wire([...BASE, 'Content-Length: -1']), 'SIP_BAD_CONTENT_LENGTH', true);
  expectError(t, wire([...BASE, 'Content-Length: five']), 'SIP_BAD_CONTENT_LENGTH', true);
  expectError(t, wire([...BASE, 'Content-Length: 0', 'l: 0']), 'SIP_BAD_CONTENT_LENGTH', true);
});

t.test('a stream message without Content-Length is refused', async (t) => {
  expectError(t, wire(BASE), 'SIP_BAD_CONTENT_LENGTH', true, 'tcp');
  const m = parseMessage(wire([...BASE, 'Content-Length: 0']), { transport: 'tcp' });
  t.equal(m.body.length, 0);
  expectError(t, wire([...BASE, 'Content-Length: 10'], 'abc'), 'SIP_INCOMPLETE', false, 'tcp');
});

t.test('leading CRLFs before a message are ignored and a datagram of only CRLFs is empty', async (t) => {
  const m = udp(Buffer.concat([Buffer.from('\r\n\r\n'), wire(BASE)]));
  t.equal(m.kind, 'request');
  expectError(t, Buffer.from('\r\n\r\n'), 'SIP_EMPTY', false);
});

t.test('a message over the size limit is refused', async (t) => {
  const big = wire([...BASE, 'Content-Type: text/plain'], 'x'.repeat(70 * 1024));
  expectError(t, big, 'SIP_TOO_LARGE', false);
  const err = parseError(wire([...BASE, 'Content-Length: 100000']), 'tcp');
  t.equal(err.code, 'SIP_TOO_LARGE');
  t.equal(err.status, 513);
  t.equal(err.respondable, true, 'a too large stream message whose head was read is answered 513');
  const small = parseError(wire([...BASE, 'Content-Type: text/plain'], 'x'.repeat(600)), 'udp', { maxMessageSize: 512 });
  t.equal(small.code, 'SIP_TOO_LARGE', 'the limit is an option');
});

t.test('a line over the line limit is refused', async (t) => {
  expectError(t, wire([...BASE, `Subject: ${'a'.repeat(9000)}`]), 'SIP_LINE_TOO_LONG', false);
  const err = parseError(wire([...BASE, `Subject: ${'a'.repeat(200)}`]), 'udp', { maxLineLength: 100 });
  t.equal(err.code, 'SIP_LINE_TOO_LONG');
});

t.test('more header fields than the limit are refused', async (t) => {
  const many = Array.from({ length: 300 }, (_, i) => `X-H${i}: ${i}`);
  expectError(t, wire([...BASE, ...many]), 'SIP_TOO_MANY_HEADERS', false);
  const err = parseError(wire([...BASE, ...many.slice(0, 20)]), 'udp', { maxHeaders: 10 });
  t.equal(err.code, 'SIP_TOO_MANY_HEADERS');
  t.ok(udp(wire([...BASE, ...many.slice(0, 200)])), '200 headers are fine');
});

t.test('a missing mandatory header is a respondable 400, Max-Forwards may be missing', async (t) => {
  expectError(t, wire(BASE.filter((l) => !l.startsWith('Call-ID'))), 'SIP_MISSING_HEADER', true);
  expectError(t, wire(BASE.filter((l) => !l.startsWith('From'))), 'SIP_MISSING_HEADER', true);
  expectError(t, wire(BASE.filter((l) => !l.startsWith('CSeq'))), 'SIP_MISSING_HEADER', true);
  expectError(t, wire(BASE.filter((l) => !l.startsWith('Via'))), 'SIP_MISSING_HEADER', false);
  const m = udp(wire(BASE.filter((l) => !l.startsWith('Max-Forwards'))));
  t.equal(getMaxForwards(m), undefined);
});

t.test('Max-Forwards above 255 and a CSeq above 2**32-1 are refused', async (t) => {
  expectError(t, wire(BASE.map((l) => (l.startsWith('Max-') ? 'Max-Forwards: 256' : l))), 'SIP_BAD_HEADER', true);
  expectError(t, wire(BASE.map((l) => (l.startsWith('CSeq') ? 'CSeq: 4294967296 OPTIONS' : l))), 'SIP_BAD_CSEQ', true);
  const ok = udp(wire(BASE.map((l) => (l.startsWith('CSeq') ? 'CSeq: 4294967295 OPTIONS' : l))));
  t.equal(getCSeq(ok).seq, 4294967295);
});

t.test('a response that fails to parse is never answered, nor is an ACK', async (t) => {
  expectError(t, wire([
    'SIP/2.0 200 OK', 'Via: SIP/2.0/UDP a;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>',
    'Call-ID: x', 'CSeq: nope INVITE',
  ]), 'SIP_BAD_CSEQ', false);
  expectError(t, wire([
    'ACK sip:bob@example.com SIP/2.0', 'Via: SIP/2.0/UDP a;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1',
    'To: <sip:c@d>', 'CSeq: 1 ACK',
  ]), 'SIP_MISSING_HEADER', false);
});

t.test('the error response copies Via, From, To, Call-ID and CSeq as received', async (t) => {
  const err = parseError(wire([
    'INVITE sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1',
    'Via: SIP/2.0/UDP b.example.com;branch=z9hG4bK2',
    'From: <sip:alice@example.com>;tag=1',
    'To: "unterminated <sip:bob@example.com>',
    'Call-ID: e1',
    'CSeq: 7 INVITE',
    'Subject: not copied',
  ]));
  t.equal(err.code, 'SIP_BAD_HEADER');
  const res = createErrorResponse(err);
  if (res === undefined) throw new Error('no response');
  t.equal(res.status, 400);
  t.same(res.headers.all().map((f) => `${f.name}: ${f.value}`), [
    'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1',
    'Via: SIP/2.0/UDP b.example.com;branch=z9hG4bK2',
    'From: <sip:alice@example.com>;tag=1',
    'To: "unterminated <sip:bob@example.com>',
    'Call-ID: e1',
    'CSeq: 7 INVITE',
  ]);
  t.match(serialize(res).toString('latin1'), /^SIP\/2.0 400 Bad To header\r\n/);
  const tagged = createErrorResponse(err, { toTag: 'st1' });
  t.equal(tagged?.headers.get('To'), '"unterminated <sip:bob@example.com>;tag=st1', 'a To tag is added (§8.2.6.2)');
});

t.test('an unsupported SIP version is answered 505', async (t) => {
  const err = parseError(wire(['OPTIONS sip:a@b SIP/3.0', ...BASE.slice(1)]));
  t.equal(err.code, 'SIP_BAD_VERSION');
  t.equal(err.status, 505);
  t.equal(err.respondable, true);
});

t.test('a bare CR inside the head is refused', async (t) => {
  expectError(t, wire([...BASE, 'Subject: a\rInjected: yes']), 'SIP_BAD_HEADER', true);
});

t.test('bare LF line ends are accepted', async (t) => {
  const m = udp(Buffer.from(BASE.join('\n') + '\n\nbody', 'latin1'));
  t.equal(getCallId(m), 'c1@192.0.2.1');
  t.equal(m.body.toString(), 'body');
});

t.test('typed views are cached and dropped when their header changes', async (t) => {
  const m = udp(wire(BASE));
  t.equal(getFrom(m), getFrom(m), 'same object on the second call');
  m.headers.set('From', '<sip:carol@example.com>;tag=9');
  t.equal(getFrom(m).params.get('tag'), '9');
});

t.test('a binary body is kept byte for byte', async (t) => {
  const body = Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 13, 10, 0x80]);
  const head = wire([...BASE, 'Content-Type: application/octet-stream', `Content-Length: ${body.length}`]);
  const m = udp(Buffer.concat([head, body]));
  t.ok(m.body.equals(body));
  const again = udp(serialize(m));
  t.ok(again.body.equals(body));
});
