import t from 'tap';
import { answerDirection, bumpVersion, mediaDirection, withDirection } from './sdp.js';

const SDP = 'v=0\r\no=- 10 41 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n';

t.test('hold sets a=sendonly on the stream; unhold sets sendrecv', async (t) => {
  const held = withDirection(SDP, 'sendonly');
  t.equal(mediaDirection(held), 'sendonly');
  t.equal(held.match(/a=(sendrecv|sendonly|recvonly|inactive)/g)?.length, 1, 'one direction attribute');
  t.equal(mediaDirection(withDirection(held, 'sendrecv')), 'sendrecv');
});

t.test('an old-style hold (c=0.0.0.0) reads as sendonly; no attribute reads as sendrecv', async (t) => {
  t.equal(mediaDirection(SDP.replace('c=IN IP4 127.0.0.1', 'c=IN IP4 0.0.0.0').replace('a=sendrecv\r\n', '')), 'sendonly');
  t.equal(mediaDirection(SDP.replace('a=sendrecv\r\n', '')), 'sendrecv');
  t.equal(mediaDirection('v=0\r\na=inactive\r\nm=audio 1 RTP/AVP 0\r\n'), 'inactive', 'session-level attribute');
});

t.test('answers mirror the offer and new offers increase the o= version', async (t) => {
  t.equal(answerDirection('sendonly'), 'recvonly');
  t.equal(answerDirection('recvonly'), 'sendonly');
  t.equal(answerDirection('inactive'), 'inactive');
  t.match(bumpVersion(SDP), /^o=- 10 42 IN IP4/m);
});
