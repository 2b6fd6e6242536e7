import type tap from 'tap';
import {
  checkRequest,
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
  isDigest,
  parseAuthHeader,
  parseUri,
  readableText,
  StreamFramer,
  unquote,
  uriEquals,
  type NameAddr,
  type SipMessage,
  type SipParseErrorCode,
  type SipRequest,
  type SipResponse,
  type SipUri,
  type Uri,
} from '../index.js';

/**
 * What RFC 4475 says must happen to each torture file, and the values it names, for
 * torture.test.ts. Every file in shared/sip-torture has exactly one entry.
 */

/** The assertions the checks use (a tap Test provides them). */
export type Tap = Pick<typeof tap, 'equal' | 'same' | 'ok' | 'notOk' | 'fail'>;

/** What RFC 4475 says must happen to each file, and how we do it. */
export type Expectation =
  /** Parses; `check` asserts the values the RFC names; `app` is checkRequest's answer (none: processed). */
  | { section: string; kind: 'valid'; check: (t: Tap, m: SipMessage, raw: Buffer) => void; app?: number }
  /** Refused by the parser with this code; respondable: a 400 (or `status`) is sent, else dropped. */
  | { section: string; kind: 'parse-error'; code: SipParseErrorCode; respondable: boolean; status?: number; check?: (t: Tap, raw: Buffer) => void }
  /** Parses; the UAS core answers `status` (undefined: processes it normally). */
  | { section: string; kind: 'app'; status: number | undefined; check?: (t: Tap, m: SipRequest) => void }
  /** A response that parses and is then dropped (RFC 3261 §8.1.3.3). */
  | { section: string; kind: 'drop-response' };

function sip(u: Uri): SipUri {
  if (u.kind !== 'sip') throw new Error(`not a SIP URI: ${u.scheme}`);
  return u;
}

export function asRequest(m: SipMessage): SipRequest {
  if (m.kind !== 'request') throw new Error('not a request');
  return m;
}

export function asResponse(m: SipMessage): SipResponse {
  if (m.kind !== 'response') throw new Error('not a response');
  return m;
}

function contacts(m: SipMessage): NameAddr[] {
  const c = getContacts(m);
  if (c === '*') throw new Error('wildcard Contact');
  return c;
}

/** The bytes of `raw` after its blank line, for body comparisons. */
function rawBody(raw: Buffer): Buffer {
  return raw.subarray(raw.indexOf('\r\n\r\n') + 4);
}

export const TORTURE_EXPECTATIONS: Record<string, Expectation> = {
  'valid/wsinv.dat': {
    section: '3.1.1.1', kind: 'valid', check: (t, m) => {
      const r = asRequest(m);
      t.equal(r.method, 'INVITE');
      t.equal(sip(r.uri).host, 'chair-dnrc.example.com');
      t.equal(sip(r.uri).params.get('unknownparam'), null, 'valueless Request-URI parameter');
      t.equal(sip(getTo(m).uri).user, 'vivekg');
      t.equal(getTo(m).params.get('tag'), '1918181833n', 'LWS around ; and =');
      t.equal(getFrom(m).displayName, 'J Rosenberg \\"', 'escapes inside the quoted display name');
      t.equal(getFrom(m).params.get('tag'), '98asjd8');
      t.equal(getMaxForwards(m), 68, 'leading zeros');
      t.same(getCSeq(m), { seq: 9, method: 'INVITE' }, 'folded CSeq with leading zeros');
      t.equal(getCallId(m), 'wsinv.ndaksdj@192.0.2.1');
      const vias = getVias(m);
      t.same(vias.map((v) => [v.transport, v.host, v.params.get('branch')]), [
        ['UDP', '192.0.2.2', '390skdjuw'],
        ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
        ['UDP', '192.168.255.111', 'z9hG4bK30239'],
      ], 'Vias from folded lines, a comma list and the compact form');
      t.equal(m.headers.get('Subject'), '', 'empty Subject');
      t.equal(m.headers.get('NewFangledHeader'), 'newfangled value continued newfangled value');
      t.equal(m.headers.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;', 'unknown header kept whole');
      t.same(m.headers.list('UnknownHeaderWithUnusualValue'), [';;,,;;,;']);
      const route = m.headers.get('Route') ?? '';
      const routeUri = sip(parseUri(route.slice(1, -1)));
      t.equal(routeUri.params.get('lr'), null);
      t.equal(routeUri.params.get('unknownwith'), 'value');
      t.equal(routeUri.params.get('unknown-no-value'), null);
      const c = contacts(m)[0];
      t.equal(c?.displayName, 'Quoted string ""');
      t.equal(c?.params.get('newparam'), 'newvalue');
      t.equal(c?.params.get('secondparam'), null);
      t.equal(c?.params.get('q'), '0.33');
      t.equal(getContentType(m)?.subtype, 'sdp');
      t.equal(getContentLength(m), 150);
      t.equal(m.body.length, 150);
    },
  },
  'valid/intmeth.dat': {
    section: '3.1.1.2', kind: 'valid', app: 501, check: (t, m) => {
      const r = asRequest(m);
      t.equal(r.method, "!interesting-Method0123456789_*+`.%indeed'~", 'method is any token, % is no escape');
      const u = sip(r.uri);
      t.equal(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      t.equal(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
      t.equal(u.host, 'example.com');
      t.equal(getTopVia(m).params.get('branch'), "z9hG4bK-.!%66*_+`'~");
      t.equal(getTo(m).displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f', 'quoted-pairs of control characters');
      t.equal(sip(getTo(m).uri).user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      const from = getFrom(m);
      t.equal(from.displayName, "token1~` token2'+_ token3*%!.-", 'display name of several tokens');
      t.equal(from.params.get('tag'), "_token~1'+`*%!-.");
      t.equal(readableText(unquote(from.params.get("fromparam''~+*_!.-%")) ?? ''), 'работающий');
      t.equal(getCallId(m), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
      t.same(getCSeq(m), { seq: 139122385, method: r.method });
      t.equal(getMaxForwards(m), 255);
      t.equal(readableText(m.headers.get("extensionHeader-!.%*+_`'~") ?? ''), '\ufeff大停電');
    },
  },
  'valid/esc01.dat': {
    section: '3.1.1.3', kind: 'valid', check: (t, m) => {
      const u = sip(asRequest(m).uri);
      t.equal(u.user, 'sips:user@example.com', 'escaped Request-URI user is decoded');
      t.equal(u.host, 'example.net');
      t.ok(uriEquals(u, parseUri('sip:sips%3auser%40example.com@example.net')), 'equal to another escaping');
      t.notOk(uriEquals(u, parseUri('sip:sips%3auser%40example.com@example.org')));
      t.equal(sip(getTo(m).uri).user, 'user');
      t.equal(sip(getFrom(m).uri).user, 'I have spaces');
      const c = sip(contacts(m)[0]?.uri ?? parseUri('sip:x'));
      t.equal(c.user, 'caller');
      t.equal(c.params.get('lr'), null, 'escaped parameter name');
      t.equal(c.params.get('name'), 'value%41', 'unescaped once only');
      t.equal(getCallId(m), 'esc01.239409asdfakjkn23onasd0-3234');
      t.equal(getContentType(m)?.type, 'application');
      t.equal(m.body.length, 150);
    },
  },
  'valid/escnull.dat': {
    section: '3.1.1.4', kind: 'valid', check: (t, m) => {
      t.equal(sip(getTo(m).uri).user, 'null-\x00-null');
      t.equal(sip(getFrom(m).uri).user, 'null-\x00-null');
      t.same(contacts(m).map((c) => sip(c.uri).user), ['\x00', '\x00\x00']);
      t.equal(getContentLength(m), 0);
    },
  },
  'valid/esc02.dat': {
    section: '3.1.1.5', kind: 'valid', app: 501, check: (t, m) => {
      const r = asRequest(m);
      t.equal(r.method, 'RE%47IST%45R', 'not REGISTER: % is no escape in a method');
      t.equal(getCSeq(m).method, 'RE%47IST%45R');
      t.equal(getTo(m).displayName, '%Z%45');
      t.equal(getTopVia(m).params.get('branch'), 'z9hG4bK209%fzsnel234');
      t.same(contacts(m).map((c) => sip(c.uri).user), ['alias1', 'alias3'], 'C%6Fntact is not Contact');
      t.equal(m.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
    },
  },
  'valid/lwsdisp.dat': {
    section: '3.1.1.6', kind: 'valid', check: (t, m) => {
      t.equal(getFrom(m).displayName, 'caller', 'no LWS between display name and <');
      t.equal(sip(getFrom(m).uri).user, 'caller');
    },
  },
  'valid/longreq.dat': {
    section: '3.1.1.7', kind: 'valid', check: (t, m) => {
      const to = getTo(m);
      t.equal(to.displayName, `I have a user name of ${'extreme'.repeat(10)} proportion`);
      const tu = sip(to.uri);
      t.equal(tu.port, 6000);
      t.equal(tu.params.get('unknownparam1'), `very${'long'.repeat(20)}value`);
      t.equal(tu.params.get(`longparamname${'name'.repeat(24)}`), 'shortvalue');
      t.equal(tu.params.get(`verylong${'long'.repeat(24)}parameternamewithnovalue`), null);
      const from = getFrom(m);
      t.equal(sip(from.uri).user, 'amazinglylongcallername'.repeat(5));
      t.equal(from.params.get('tag'), `12${'982'.repeat(50)}424`);
      t.equal(from.params.get(`unknownheaderparamname${'name'.repeat(19)}`), `unknowheaderparamvalue${'value'.repeat(14)}`);
      t.equal(from.params.get(`unknownvaluelessparamname${'paramname'.repeat(9)}`), null);
      t.equal(getCallId(m), `longreq.one${'really'.repeat(20)}longcallid`);
      const ll = 'long'.repeat(20);
      t.equal(m.headers.get(`Unknown-Long${'Long'.repeat(19)}-Name`),
        `unknown-${ll}-value; unknown-${ll}-parameter-name = unknown-${ll}-parameter-value`);
      const vias = getVias(m);
      t.equal(vias.length, 34, 'every spelling of Via and v counts');
      t.same(vias.slice(0, 3).map((v) => v.host), ['sip33.example.com', 'sip32.example.com', 'sip31.example.com']);
      t.equal(vias[33]?.params.get('branch'), `very${'long'.repeat(50)}branchvalue`);
      t.equal(vias[33]?.params.get('received'), '192.0.2.5');
      t.equal(sip(contacts(m)[0]?.uri ?? parseUri('sip:x')).user, 'amazinglylongcallername'.repeat(5));
      t.equal(m.body.length, 150);
    },
  },
  'valid/dblreq.dat': {
    section: '3.1.1.8', kind: 'valid', check: (t, m) => {
      t.equal(asRequest(m).method, 'REGISTER', 'the first request is the message');
      t.equal(m.body.length, 0, 'the INVITE after it is ignored (Content-Length: 0)');
      t.equal(getCallId(m), 'dblreq.0ha0isndaksdj99sdfafnl3lk233412');
      t.equal(sip(contacts(m)[0]?.uri ?? parseUri('sip:x')).host, 'host.example.com');
    },
  },
  'valid/semiuri.dat': {
    section: '3.1.1.9', kind: 'valid', check: (t, m) => {
      const u = sip(asRequest(m).uri);
      t.equal(u.user, 'user;par=u@example.net', '; belongs to the user part');
      t.equal(u.host, 'example.com');
      t.equal(u.params.size, 0);
      t.same(m.headers.list('Accept'), [
        'application/sdp', 'application/pkcs7-mime', 'multipart/mixed', 'multipart/signed', 'message/sip', 'message/sipfrag',
      ]);
    },
  },
  'valid/transports.dat': {
    section: '3.1.1.10', kind: 'valid', check: (t, m) => {
      t.same(getVias(m).map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
      t.equal(getCallId(m), 'transports.kijh4akdnaqjkwendsasfdj');
    },
  },
  'valid/mpart01.dat': {
    section: '3.1.1.11', kind: 'valid', app: 415, check: (t, m, raw) => {
      t.equal(m.body.length, 553);
      t.ok(m.body.equals(rawBody(raw)), 'multipart body byte for byte, NULs included');
      t.ok(m.body.includes(0), 'the body holds NUL octets');
      const ct = getContentType(m);
      t.equal(`${ct?.type}/${ct?.subtype}`, 'multipart/mixed');
      t.equal(ct?.params.get('boundary'), '7a9cbec02ceef655');
      t.equal(getTopVia(m).params.get('rport'), null);
    },
  },
  'valid/unreason.dat': {
    section: '3.1.1.12', kind: 'valid', check: (t, m) => {
      const r = asResponse(m);
      t.equal(r.status, 200);
      t.equal(readableText(r.reason), '= 2**3 * 5**2 но сто девяносто девять - простое');
      t.equal(m.body.length, 154);
    },
  },
  'valid/noreason.dat': {
    section: '3.1.1.13', kind: 'valid', check: (t, m) => {
      const r = asResponse(m);
      t.equal(r.status, 100);
      t.equal(r.reason, '', 'empty reason phrase');
    },
  },

  'invalid/badinv01.dat': { section: '3.1.2.1', kind: 'parse-error', code: 'SIP_BAD_VIA', respondable: true },
  'invalid/clerr.dat': {
    section: '3.1.2.2', kind: 'parse-error', code: 'SIP_BAD_CONTENT_LENGTH', respondable: true, check: (t, raw) => {
      const events = new StreamFramer().push(raw);
      t.same(events, [], 'on a stream the framer waits for the rest of the body');
    },
  },
  'invalid/ncl.dat': {
    section: '3.1.2.3', kind: 'parse-error', code: 'SIP_BAD_CONTENT_LENGTH', respondable: true, check: (t, raw) => {
      const framer = new StreamFramer();
      const events = framer.push(raw);
      t.equal(events[0]?.type === 'error' && events[0].fatal, true, 'on a stream the connection is closed');
      t.ok(framer.failed);
    },
  },
  'invalid/scalar02.dat': { section: '3.1.2.4', kind: 'parse-error', code: 'SIP_BAD_CSEQ', respondable: true },
  'invalid/scalarlg.dat': { section: '3.1.2.5', kind: 'parse-error', code: 'SIP_BAD_CSEQ', respondable: false },
  'invalid/quotbal.dat': { section: '3.1.2.6', kind: 'parse-error', code: 'SIP_BAD_HEADER', respondable: true },
  'invalid/ltgtruri.dat': { section: '3.1.2.7', kind: 'parse-error', code: 'SIP_BAD_URI', respondable: true },
  'invalid/lwsruri.dat': { section: '3.1.2.8', kind: 'parse-error', code: 'SIP_BAD_START_LINE', respondable: true },
  'invalid/lwsstart.dat': { section: '3.1.2.9', kind: 'parse-error', code: 'SIP_BAD_START_LINE', respondable: true },
  'invalid/trws.dat': { section: '3.1.2.10', kind: 'parse-error', code: 'SIP_BAD_START_LINE', respondable: true },
  'invalid/escruri.dat': { section: '3.1.2.11', kind: 'parse-error', code: 'SIP_BAD_URI', respondable: true },
  'invalid/baddate.dat': {
    section: '3.1.2.12', kind: 'app', status: undefined, check: (t, m) => {
      t.equal(m.headers.get('Date'), 'Fri, 01 Jan 2010 16:00:00 EST', 'kept, unused: we do not rely on Date');
    },
  },
  'invalid/regbadct.dat': { section: '3.1.2.13', kind: 'app', status: 400 },
  'invalid/badaspec.dat': { section: '3.1.2.14', kind: 'parse-error', code: 'SIP_BAD_HEADER', respondable: true },
  'invalid/baddn.dat': { section: '3.1.2.15', kind: 'parse-error', code: 'SIP_BAD_HEADER', respondable: true },
  'invalid/badvers.dat': { section: '3.1.2.16', kind: 'parse-error', code: 'SIP_BAD_VERSION', respondable: true, status: 505 },
  'invalid/mismatch01.dat': { section: '3.1.2.17', kind: 'parse-error', code: 'SIP_BAD_CSEQ', respondable: true },
  'invalid/mismatch02.dat': { section: '3.1.2.18', kind: 'parse-error', code: 'SIP_BAD_CSEQ', respondable: true },
  'invalid/bigcode.dat': { section: '3.1.2.19', kind: 'parse-error', code: 'SIP_BAD_START_LINE', respondable: false },
  'invalid/badbranch.dat': {
    section: '3.2.1', kind: 'app', status: 400, check: (t, m) => {
      t.equal(getTopVia(m).params.get('branch'), 'z9hG4bK', 'parses; the cookie alone is refused above');
    },
  },
  'invalid/insuf.dat': { section: '3.3.1', kind: 'parse-error', code: 'SIP_MISSING_HEADER', respondable: true },
  'invalid/unkscm.dat': {
    section: '3.3.2', kind: 'app', status: 416, check: (t, m) => {
      t.same(m.uri, { kind: 'absolute', scheme: 'nobodyknowsthisscheme', value: 'totallyopaquecontent' });
    },
  },
  'invalid/novelsc.dat': {
    section: '3.3.3', kind: 'app', status: 416, check: (t, m) => {
      t.equal(m.uri.scheme, 'soap.beep');
    },
  },
  'invalid/unksm2.dat': {
    section: '3.3.4', kind: 'app', status: 400, check: (t, m) => {
      t.equal(getTo(m).uri.scheme, 'isbn');
      t.equal(getFrom(m).uri.scheme, 'http');
      t.equal(contacts(m)[0]?.uri.scheme, 'name');
    },
  },
  'invalid/bext01.dat': {
    section: '3.3.5', kind: 'app', status: 420, check: (t, m) => {
      t.same(checkRequest(m)?.headers, [['Unsupported', 'nothingSupportsThis, nothingSupportsThisEither']]);
    },
  },
  'invalid/invut.dat': {
    section: '3.3.6', kind: 'app', status: 415, check: (t, m) => {
      t.ok(checkRequest(m)?.headers.some(([n]) => n === 'Accept'), '415 lists what we accept');
    },
  },
  'invalid/regaut01.dat': {
    section: '3.3.7', kind: 'app', status: undefined, check: (t, m) => {
      const auth = parseAuthHeader(m.headers.get('Authorization') ?? '');
      t.equal(auth.scheme, 'NoOneKnowsThisScheme');
      t.notOk(isDigest(auth), 'the registrar sees no Digest credentials and challenges with 401');
    },
  },
  'invalid/multi01.dat': { section: '3.3.8', kind: 'parse-error', code: 'SIP_DUPLICATE_HEADER', respondable: true },
  'invalid/mcl01.dat': { section: '3.3.9', kind: 'parse-error', code: 'SIP_BAD_CONTENT_LENGTH', respondable: true },
  'invalid/bcast.dat': { section: '3.3.10', kind: 'drop-response' },
  'invalid/zeromf.dat': {
    section: '3.3.11', kind: 'app', status: undefined, check: (t, m) => {
      t.equal(getMaxForwards(m), 0, 'an endpoint processes it; only proxies answer 483');
    },
  },
  'invalid/cparam01.dat': {
    section: '3.3.12', kind: 'app', status: undefined, check: (t, m) => {
      const c = contacts(m)[0];
      t.equal(c?.params.get('unknownparam'), null, 'a header parameter of the bare addr-spec');
      t.equal(sip(c?.uri ?? parseUri('sip:x')).params.size, 0, 'not a URI parameter');
    },
  },
  'invalid/cparam02.dat': {
    section: '3.3.13', kind: 'app', status: undefined, check: (t, m) => {
      const c = contacts(m)[0];
      t.equal(sip(c?.uri ?? parseUri('sip:x')).params.get('unknownparam'), null, 'a URI parameter inside <>');
      t.equal(c?.params.size, 0);
    },
  },
  'invalid/regescrt.dat': {
    section: '3.3.14', kind: 'app', status: undefined, check: (t, m) => {
      const u = sip(contacts(m)[0]?.uri ?? parseUri('sip:x'));
      t.equal(u.headers.get('Route'), '<sip:sip.example.com>', 'the escaped header is kept for the binding');
    },
  },
  'invalid/sdp01.dat': { section: '3.3.15', kind: 'app', status: 406 },
  'invalid/inv2543.dat': {
    section: '3.4.1', kind: 'app', status: undefined, check: (t, m) => {
      t.equal(getTopVia(m).params.get('branch'), undefined, 'no branch: RFC 2543 transaction matching');
      t.equal(getFrom(m).params.get('tag'), undefined);
      t.equal(getMaxForwards(m), undefined);
      t.equal(m.body.toString('latin1').endsWith('m=audio 49217 RTP/AVP 0\r\n'), true, 'body to the end of the datagram');
    },
  },
  // Not one of RFC 4475's 49 messages (an older torture draft's): a Request-Line without version,
  // an addr-spec without scheme, a line without colon, no Via. Nothing to answer with: dropped.
  'invalid/test.dat': { section: 'none', kind: 'parse-error', code: 'SIP_BAD_START_LINE', respondable: false },
};

