import t from 'tap';
import { mediaAddress } from '../sip/ua/sdp.js';
import { startRtpengine } from '../../test/helpers/rtpengine.js';
import { testLogger } from '../../test/helpers/log.js';
import { waitUntil } from '../../test/helpers/sipp.js';
import { Mixer } from './mixer.js';
import { mixerAnswer, participantCodec } from './mixer-sdp.js';
import { RtpParty } from '../../test/helpers/rtp-party.js';

/** A phone's offer: its codec first, the other G.711 second, telephone-event. */
const phoneSdp = (port: number, pts: string) => [
  'v=0', 'o=phone 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP ${pts} 101`,
  'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=ptime:20', 'a=sendrecv', '',
].join('\r\n');
const mediaPort = (sdp: string) => Number(/m=audio (\d+)/.exec(sdp)?.[1]);

t.test('two legs anchored in rtpengine and answered by the mixer hear each other through it', async (t) => {
  const rt = await startRtpengine(t);
  const ng = rt.supervisor.client;
  const mixer = Mixer.open({ log: testLogger() });
  t.teardown(() => mixer.close());
  const [x, y] = [await RtpParty.open(t), await RtpParty.open(t)];
  const callId = `mix-${process.pid}`;
  const legs = [{ tag: 'x', party: x, pts: '0 8', hz: 400 }, { tag: 'y', party: y, pts: '8 0', hz: 1600 }] as const;
  const towardsRtpengine: Record<string, number> = {};
  for (const leg of legs) {
    // Each party is its own call leg: the party offers, the mixer answers (what the call engine does for a conference).
    const offer = await ng.offer({ 'call-id': `${callId}-${leg.tag}`, 'from-tag': leg.tag, sdp: phoneSdp(leg.party.endpoint.port, leg.pts) });
    const codec = participantCodec(offer.sdp);
    t.ok(codec, `rtpengine's offer for ${leg.tag} has a G.711 codec`);
    if (!codec) return;
    const at = await mixer.add(leg.tag, { ...codec, hears: leg.tag === 'x' ? ['y'] : ['x'] });
    const answer = await ng.answer({ 'call-id': `${callId}-${leg.tag}`, 'from-tag': leg.tag, 'to-tag': `mix-${leg.tag}`, sdp: mixerAnswer(offer.sdp, at) });
    const remote = mediaAddress(offer.sdp);
    if (remote) mixer.setRemote(leg.tag, remote);
    towardsRtpengine[leg.tag] = mediaPort(answer.sdp);
  }
  t.same([participantCodec(phoneSdp(1, '0 8'))?.codec, participantCodec(phoneSdp(1, '8 0'))?.codec], ['PCMU', 'PCMA'], 'x talks PCMU, y PCMA');
  const send = (leg: (typeof legs)[number]) =>
    leg.party.play({ address: '127.0.0.1', port: towardsRtpengine[leg.tag] as number }, RtpParty.paced(leg.party.tone(50, { freqHz: leg.hz, codec: leg.pts.startsWith('8') ? 'PCMA' : 'PCMU' })));
  await Promise.all(legs.map(send));
  await waitUntil(() => x.framesWith(1600) >= 45 && y.framesWith(400) >= 45, { timeoutMs: 3000, what: 'each to hear the other through rtpengine' });
  t.ok(x.heard.every((h) => h.payloadType === 0) && y.heard.some((h) => h.payloadType === 8), 'each gets its own codec back');
  t.ok(x.maxShare(400) < 0.01 && y.maxShare(1600) < 0.01, 'and not itself');
});

t.test('a listen-in through rtpengine\'s subscribe: the mixer answers the subscription and mixes the copy', async (t) => {
  const rt = await startRtpengine(t);
  const ng = rt.supervisor.client;
  const mixer = Mixer.open({ log: testLogger() });
  t.teardown(() => mixer.close());
  const [caller, agent, supervisor] = [await RtpParty.open(t), await RtpParty.open(t), await RtpParty.open(t)];
  const callId = `mixsub-${process.pid}`;
  // Both G.711 offered (PCMA first), the caller sends PCMU: the copy carries what the caller sends.
  const offer = await ng.offer({ 'call-id': callId, 'from-tag': 'caller', sdp: phoneSdp(caller.endpoint.port, '8 0') });
  const answer = await ng.answer({ 'call-id': callId, 'from-tag': 'caller', 'to-tag': 'agent', sdp: phoneSdp(agent.endpoint.port, '8 0') });
  // The caller's audio, copied to the mixer as a receive-only tap; the supervisor (a plain endpoint here) hears it.
  const sub = await ng.command('subscribeRequest', { 'call-id': callId, 'from-tag': 'caller', 'to-tag': 'listen', flags: ['trust-address'] });
  const subOffer = sub['sdp'] as string;
  t.match(subOffer, /a=sendonly/, 'rtpengine offers the copy sendonly');
  const tapAt = await mixer.add('tap', { ...participantCodec(subOffer) ?? { codec: 'PCMU', payloadType: 0 }, hears: [], send: false });
  // Answered with every offered codec, recvonly: rtpengine refuses a subscription answer that drops one.
  await ng.command('subscribeAnswer', { 'call-id': callId, 'to-tag': 'listen', sdp: mixerAnswer(subOffer, tapAt), flags: ['trust-address'] });
  await mixer.add('supervisor', { codec: 'PCMU', payloadType: 0, hears: ['tap'] });
  mixer.setRemote('supervisor', supervisor.endpoint);
  await Promise.all([
    caller.play({ address: '127.0.0.1', port: mediaPort(answer.sdp) }, RtpParty.paced(caller.tone(50, { freqHz: 1000 }))),
    agent.play({ address: '127.0.0.1', port: mediaPort(offer.sdp) }, RtpParty.paced(agent.tone(50, { freqHz: 400 }))),
  ]);
  await waitUntil(() => supervisor.framesWith(1000) >= 45, { timeoutMs: 3000, what: 'the supervisor to hear the caller' });
  t.ok(supervisor.maxShare(400) < 0.01, 'only the caller\'s leg: the agent is not in that copy');
  t.ok(agent.framesWith(1000) >= 45, 'the call itself goes on as before');
});
