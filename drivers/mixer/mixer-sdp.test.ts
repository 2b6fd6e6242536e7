import t from 'tap';
import { audioStream } from './audio-sdp.js';
import { mixerAnswer, mixerOffer, participantCodec } from './mixer-sdp.js';

// What rtpengine 10.5 sent here (offer for a phone offering PCMA, PCMU, telephone-event; and a
// subscribe request's offer for the same leg), verbatim.
const RTPENGINE_OFFER = 'v=0\r\no=phone 123 1 IN IP4 192.168.1.50\r\ns=call\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 23676 RTP/AVP 8 0 101\r\n' +
  'a=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\na=rtcp:23677\r\na=ptime:20\r\n';
const RTPENGINE_SUBSCRIBE = 'v=0\r\no=phone 123 1 IN IP4 192.168.1.50\r\ns=call\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 23696 RTP/AVP 8 0 101\r\n' +
  'a=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendonly\r\na=rtcp:23697\r\na=ptime:20\r\n';
const AT = { address: '127.0.0.1', port: 41000 };

t.test('the codec of a participant: the first G.711 of the audio line, and its telephone-event', async (t) => {
  t.same(participantCodec(RTPENGINE_OFFER), { codec: 'PCMA', payloadType: 8, telephoneEventPt: 101 });
  t.same(participantCodec('v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 5 RTP/AVP 18 0\r\na=rtpmap:18 G729/8000\r\n'), { codec: 'PCMU', payloadType: 0 },
    'G.729 skipped; static PCMU without rtpmap; no telephone-event');
  t.same(participantCodec('v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 5 RTP/AVP 96 97\r\na=rtpmap:96 pcmu/8000\r\na=rtpmap:97 telephone-event/8000\r\n'),
    { codec: 'PCMU', payloadType: 96, telephoneEventPt: 97 }, 'dynamic types by rtpmap name');
  t.same(participantCodec('v=0\r\nc=IN IP4 10.0.0.1\r\nm=video 5 RTP/AVP 96\r\nm=audio 6 RTP/AVP 9 8\r\nc=IN IP4 10.0.0.2\r\n'), { codec: 'PCMA', payloadType: 8 },
    'the audio line, not the first line');
  t.equal(participantCodec('v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 5 RTP/AVP 9 18\r\n'), undefined, 'no G.711 at all');
  t.equal(participantCodec(''), undefined, 'no SDP');
});

t.test('the answer to rtpengine\'s offer: the mixer\'s endpoint, one G.711 and telephone-event, sendrecv', async (t) => {
  const answer = mixerAnswer(RTPENGINE_OFFER, AT);
  t.match(answer, /^v=0\r\n/);
  t.match(answer, /\r\nc=IN IP4 127\.0\.0\.1\r\n/);
  t.match(answer, /\r\nm=audio 41000 RTP\/AVP 8 101\r\n/, 'PCMA (offered first) and telephone-event');
  t.match(answer, /a=rtpmap:8 PCMA\/8000\r\na=rtpmap:101 telephone-event\/8000\r\na=fmtp:101 0-16\r\n/);
  t.notMatch(answer, /PCMU|a=rtcp|sendonly|recvonly/, 'no other codec, no RTCP port, no other direction');
  t.match(answer, /a=ptime:20\r\na=sendrecv\r\n$/);
  t.same(participantCodec(answer), participantCodec(RTPENGINE_OFFER), 'reading the answer gives the codec the participant is added with');
  t.same(audioStream(answer) && { port: audioStream(answer)?.port, address: audioStream(answer)?.address }, AT);
  t.match(mixerAnswer('v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 5 RTP/AVP 0\r\n', AT), /a=rtpmap:0 PCMU\/8000/, 'a static type gets its rtpmap');
  t.throws(() => mixerAnswer('v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 5 RTP/AVP 9\r\n', AT), { code: 'MIXER_NO_G711' });
});

t.test('the answer to a subscription (sendonly) takes every offered codec, recvonly', async (t) => {
  const answer = mixerAnswer(RTPENGINE_SUBSCRIBE, AT);
  t.match(answer, /m=audio 41000 RTP\/AVP 8 0 101\r\n/);
  t.match(answer, /a=rtpmap:8 PCMA\/8000\r\na=rtpmap:0 PCMU\/8000\r\na=rtpmap:101 telephone-event\/8000\r\na=fmtp:101 0-16\r\n/);
  t.match(answer, /a=recvonly\r\n$/);
});

t.test('the mixer\'s own offer', async (t) => {
  const offer = mixerOffer(AT);
  t.match(offer, /\r\nc=IN IP4 127\.0\.0\.1\r\n/);
  t.match(offer, /\r\nm=audio 41000 RTP\/AVP 0 8 101\r\na=rtpmap:0 PCMU\/8000\r\na=rtpmap:8 PCMA\/8000\r\na=rtpmap:101 telephone-event\/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n$/);
  t.same(participantCodec(offer), { codec: 'PCMU', payloadType: 0, telephoneEventPt: 101 });
});
