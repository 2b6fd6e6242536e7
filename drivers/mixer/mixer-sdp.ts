import { mediaDirection } from '../sip/ua/sdp.js';
import { audioStream } from './audio-sdp.js';
import { MixerError } from './errors.js';
import type { Endpoint, ParticipantCodec } from './participant.js';

/**
 * SDP for the mixer's legs in rtpengine: the codec a participant uses, the answer the mixer gives
 * to rtpengine's offer for a leg, and the offer it makes when it starts one. IPv4 (the mixer's
 * sockets are udp4). No RTCP lines: the mixer neither sends nor needs RTCP.
 */

/** The codec a participant uses, read from an SDP (first PCMU/PCMA payload of the audio m-line, telephone-event PT). */
export function participantCodec(sdp: string): ParticipantCodec | undefined {
  const audio = audioStream(sdp);
  const first = audio?.g711[0];
  if (!audio || !first) return undefined;
  const codec: ParticipantCodec = { codec: first.codec, payloadType: first.payloadType };
  if (audio.telephoneEventPt !== undefined) codec.telephoneEventPt = audio.telephoneEventPt;
  return codec;
}

/**
 * An SDP answer to rtpengine's offer, pointing at the mixer endpoint: first offered PCMU/PCMA +
 * telephone-event, sendrecv. A sendonly offer (rtpengine's `subscribe request`, a listen-in copy)
 * is answered recvonly with every offered codec: rtpengine refuses a subscription answer that drops
 * one (tried), and the copy comes in whatever G.711 the party sends (the mixer takes PT 0 and 8).
 */
export function mixerAnswer(offer: string, at: Endpoint): string {
  const audio = audioStream(offer);
  const codec = participantCodec(offer);
  if (!audio || !codec) throw new MixerError('MIXER_NO_G711', 'mixer: the offer has no PCMU or PCMA audio stream, the mixer cannot take this leg');
  if (mediaDirection(offer) === 'sendonly') return sdp(at, audio.payloadTypes.map(Number), audio.formats, 'recvonly');
  const pts = [codec.payloadType, ...(codec.telephoneEventPt === undefined ? [] : [codec.telephoneEventPt])];
  const formats = audio.formats.filter((l) => pts.includes(Number(/^a=\w+:(\d+) /.exec(l)?.[1])));
  // A static payload type may come without its rtpmap; name it anyway.
  if (!formats.some((l) => l.startsWith(`a=rtpmap:${codec.payloadType} `))) formats.unshift(`a=rtpmap:${codec.payloadType} ${codec.codec}/8000`);
  return sdp(at, pts, formats);
}

/** An SDP offer from the mixer endpoint: PCMU 0, PCMA 8, telephone-event 101, ptime 20, sendrecv. */
export function mixerOffer(at: Endpoint): string {
  return sdp(at, [0, 8, 101], ['a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16']);
}

function sdp(at: Endpoint, pts: number[], formats: string[], direction: 'sendrecv' | 'recvonly' = 'sendrecv'): string {
  return [
    'v=0', `o=octoline-mixer ${at.port} 1 IN IP4 ${at.address}`, 's=octoline-mixer', `c=IN IP4 ${at.address}`, 't=0 0',
    `m=audio ${at.port} RTP/AVP ${pts.join(' ')}`, ...formats, 'a=ptime:20', `a=${direction}`, '',
  ].join('\r\n');
}
