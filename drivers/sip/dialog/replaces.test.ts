import t from 'tap';
import { formatReplaces, parseReplaces, replacedDialogId, replacesFor } from './replaces.js';

t.test('a Replaces header is parsed with its tags and early-only flag (RFC 3891 §6.1)', async (t) => {
  t.same(parseReplaces('98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff;early-only'), {
    callId: '98732@sip.example.com', toTag: 'ff87ff', fromTag: 'r33th4x0r', earlyOnly: true,
  });
  t.same(parseReplaces(' abc ; to-tag = 1 ; from-tag = 2 '), { callId: 'abc', toTag: '1', fromTag: '2', earlyOnly: false });
});

t.test('a Replaces without both tags is refused', async (t) => {
  t.equal(parseReplaces('abc;to-tag=1'), undefined);
  t.equal(parseReplaces(';to-tag=1;from-tag=2'), undefined);
  t.equal(parseReplaces('abc;to-tag=;from-tag=2'), undefined);
});

t.test('the receiving UA matches to-tag with its local tag and from-tag with its remote tag (RFC 3891 §3)', async (t) => {
  const r = parseReplaces('c1;to-tag=ours;from-tag=theirs');
  t.ok(r);
  if (r) t.same(replacedDialogId(r), { callId: 'c1', localTag: 'ours', remoteTag: 'theirs' });
});

t.test('the Replaces naming our dialog for its peer swaps the tags, and round-trips', async (t) => {
  const r = replacesFor({ callId: 'c1', localTag: 'mine', remoteTag: 'peer' });
  t.same(r, { callId: 'c1', toTag: 'peer', fromTag: 'mine', earlyOnly: false });
  t.same(parseReplaces(formatReplaces(r)), r);
});
