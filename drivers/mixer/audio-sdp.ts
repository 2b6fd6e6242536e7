import { ALAW_TABLE, ULAW_TABLE } from '../pcap/g711.js';

/**
 * The audio stream of an SDP as the box's own media endpoints need it (the rtpengine listen-in tap,
 * the conference mixer): where it is, which payload types it offers, which of them are G.711 (the
 * only audio the box decodes) and which is RFC 4733 telephone-event. Not a full SDP model.
 */
export type G711 = 'PCMU' | 'PCMA';

/** Decoding table per G.711 codec (8-bit code → 16-bit linear). */
export const G711_DECODE: Readonly<Record<G711, Int16Array>> = { PCMU: ULAW_TABLE, PCMA: ALAW_TABLE };

/** The static payload type of each G.711 codec (RFC 3551). */
export const G711_STATIC_PT: Readonly<Record<G711, number>> = { PCMU: 0, PCMA: 8 };

export interface AudioStream {
  /** The m-line's port. */
  port: number;
  /** The stream's connection address: its own c= line, else the session's. */
  address: string;
  /** The m-line's payload types, in its order, as written. */
  payloadTypes: string[];
  /** The rtpmap and fmtp lines of those payload types, in SDP order. */
  formats: string[];
  /** The G.711 payload types (static 0/8 or by rtpmap name), in m-line order. */
  g711: Array<{ payloadType: number; codec: G711 }>;
  /** The telephone-event/8000 payload type, if offered. */
  telephoneEventPt: number | undefined;
}

/** The first `m=audio` stream of `sdp`, or undefined when there is none or it has no connection address. */
export function audioStream(sdp: string): AudioStream | undefined {
  const lines = sdp.split(/\r?\n/);
  const mAt = lines.findIndex((l) => l.startsWith('m=audio '));
  if (mAt < 0) return undefined;
  const nextM = lines.findIndex((l, i) => i > mAt && l.startsWith('m='));
  const section = lines.slice(mAt + 1, nextM < 0 ? undefined : nextM);
  const session = lines.slice(0, mAt);
  const connection = section.find((l) => l.startsWith('c=')) ?? session.find((l) => l.startsWith('c='));
  const address = /^c=IN IP[46] ([^\s/]+)/.exec(connection ?? '')?.[1];
  const fields = (lines[mAt] as string).trim().split(/\s+/);
  const port = Number(fields[1]);
  if (address === undefined || !Number.isInteger(port)) return undefined;
  const payloadTypes = fields.slice(3);
  const formats = section.filter((l) => payloadTypes.includes(/^a=(?:rtpmap|fmtp):(\d+) /.exec(l)?.[1] ?? ''));
  const encoding = (pt: string): string | undefined =>
    /^a=rtpmap:\d+ ([^/\s]+)\/8000/i.exec(formats.find((l) => l.startsWith(`a=rtpmap:${pt} `)) ?? '')?.[1]?.toUpperCase();
  const g711: AudioStream['g711'] = [];
  let telephoneEventPt: number | undefined;
  for (const pt of payloadTypes) {
    const name = encoding(pt);
    if (pt === '0' || name === 'PCMU') g711.push({ payloadType: Number(pt), codec: 'PCMU' });
    else if (pt === '8' || name === 'PCMA') g711.push({ payloadType: Number(pt), codec: 'PCMA' });
    else if (name === 'TELEPHONE-EVENT') telephoneEventPt ??= Number(pt);
  }
  return { port, address, payloadTypes, formats, g711, telephoneEventPt };
}
