import t from 'tap';
import { canonicalName, headerKey, SipBuildError, SipHeaders, splitList } from './index.js';

t.test('compact forms and any case map to one key and one canonical name', async (t) => {
  const pairs: Array<[string, string]> = [
    ['i', 'Call-ID'], ['m', 'Contact'], ['e', 'Content-Encoding'], ['l', 'Content-Length'],
    ['c', 'Content-Type'], ['f', 'From'], ['s', 'Subject'], ['k', 'Supported'], ['t', 'To'],
    ['v', 'Via'], ['o', 'Event'], ['r', 'Refer-To'], ['b', 'Referred-By'], ['x', 'Session-Expires'],
    ['u', 'Allow-Events'], ['a', 'Accept-Contact'], ['d', 'Request-Disposition'], ['j', 'Reject-Contact'],
    ['y', 'Identity'], ['n', 'Identity-Info'],
  ];
  for (const [compact, full] of pairs) {
    t.equal(canonicalName(compact), full, compact);
    t.equal(canonicalName(compact.toUpperCase()), full);
    t.equal(headerKey(compact), full.toLowerCase());
  }
  t.equal(canonicalName('cseq'), 'CSeq');
  t.equal(canonicalName('WWW-AUTHENTICATE'), 'WWW-Authenticate');
  t.equal(canonicalName('X-Unknown-Thing'), 'X-Unknown-Thing', 'unknown names keep their spelling');
  t.equal(canonicalName('z'), 'z', 'an unassigned letter is just a name');
});

t.test('lists split at top-level commas only', async (t) => {
  t.same(splitList('a, b ,c'), ['a', 'b', 'c']);
  t.same(splitList('"x, y" <sip:a@b>, <sip:c,d@e>;q=1'), ['"x, y" <sip:a@b>', '<sip:c,d@e>;q=1']);
  t.same(splitList('"esc \\", still" <sip:a@b>, x'), ['"esc \\", still" <sip:a@b>', 'x']);
  t.same(splitList(';;,;,,'), [';;', ';', '', ''], 'empty elements are kept for the parser to refuse');
});

t.test('one list header equals the same values in separate headers', async (t) => {
  const one = SipHeaders.from([['Allow', 'INVITE, ACK, BYE']]);
  const many = SipHeaders.from([['Allow', 'INVITE'], ['Allow', 'ACK'], ['allow', 'BYE']]);
  t.same(one.list('allow'), many.list('ALLOW'));
  t.equal(one.count('Allow'), 1);
  t.equal(many.count('Allow'), 3);
});

t.test('authentication headers, Date and unknown headers are never split', async (t) => {
  const h = SipHeaders.from([
    ['Authorization', 'Digest username="a", realm="b"'],
    ['Proxy-Authenticate', 'Digest realm="a", nonce="b"'],
    ['Date', 'Sat, 13 Nov 2010 23:29:00 GMT'],
    ['X-List', 'a, b'],
  ]);
  t.same(h.list('Authorization'), ['Digest username="a", realm="b"']);
  t.same(h.list('Proxy-Authenticate'), ['Digest realm="a", nonce="b"']);
  t.same(h.list('Date'), ['Sat, 13 Nov 2010 23:29:00 GMT']);
  t.same(h.list('X-List'), ['a, b']);
});

t.test('set replaces in place, prepend goes first, delete removes every field', async (t) => {
  const h = SipHeaders.from([['Via', 'a'], ['From', 'f'], ['Via', 'b'], ['To', 't']]);
  h.set('v', 'c');
  t.same(h.all().map((f) => `${f.name}:${f.value}`), ['Via:c', 'From:f', 'To:t']);
  h.prepend('Via', 'top');
  t.equal(h.get('via'), 'top');
  h.delete('VIA');
  t.equal(h.has('Via'), false);
  t.equal(h.size, 2);
});

t.test('application headers with CR/LF or a bad name are refused', async (t) => {
  const h = new SipHeaders();
  t.throws(() => h.append('X-Evil', 'a\r\nInjected: yes'), SipBuildError);
  t.throws(() => h.append('Bad Name', 'x'), SipBuildError);
  t.throws(() => h.append('', 'x'), SipBuildError);
  t.equal(h.size, 0);
});
