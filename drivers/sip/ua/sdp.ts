/**
 * The few SDP edits call control needs (RFC 3264 §5.1, §8.4): the media direction of an offer,
 * hold and unhold, the direction of an answer, and the session version that must increase with
 * every new offer. Not a full SDP model: the media path is rtpengine's business.
 */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

function lines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((l, i, all) => l !== '' || i < all.length - 1);
}

function join(ls: string[]): string {
  return ls.filter((l) => l !== '').join('\r\n') + '\r\n';
}

/**
 * The direction of the first media stream: its own a= attribute, else the session's, else
 * sendrecv. An old-style hold (c=0.0.0.0, RFC 2543) reads as sendonly.
 */
export function mediaDirection(sdp: string): MediaDirection {
  let session: MediaDirection | undefined;
  let media: MediaDirection | undefined;
  let inMedia = false;
  let mediaCount = 0;
  let nullConnection = false;
  for (const l of lines(sdp)) {
    if (l.startsWith('m=')) {
      if (++mediaCount > 1) break;
      inMedia = true;
    } else if (l.startsWith('a=') && DIRECTIONS.includes(l.slice(2).trim())) {
      const d = l.slice(2).trim() as MediaDirection;
      if (inMedia) media ??= d;
      else session ??= d;
    } else if (/^c=IN IP4 0\.0\.0\.0\s*$/.test(l)) {
      nullConnection = true;
    }
  }
  const dir = media ?? session ?? 'sendrecv';
  return nullConnection && dir === 'sendrecv' ? 'sendonly' : dir;
}

/** `sdp` with every stream set to `dir` (direction attributes removed, one added per m= section). */
export function withDirection(sdp: string, dir: MediaDirection): string {
  const out: string[] = [];
  let sawMedia = false;
  for (const l of lines(sdp)) {
    if (l.startsWith('a=') && DIRECTIONS.includes(l.slice(2).trim())) continue;
    if (l.startsWith('m=')) {
      if (sawMedia) out.push(`a=${dir}`);
      sawMedia = true;
    }
    out.push(l);
  }
  out.push(`a=${dir}`);
  return join(out);
}

/** The direction an answer takes for an offer of `offer` (RFC 3264 §6.1). */
export function answerDirection(offer: MediaDirection): MediaDirection {
  if (offer === 'sendonly') return 'recvonly';
  if (offer === 'recvonly') return 'sendonly';
  return offer;
}

/** `sdp` with the o= session version increased by one (RFC 3264 §8: every new offer). */
export function bumpVersion(sdp: string): string {
  return join(lines(sdp).map((l) => {
    const m = /^o=(\S+) (\S+) (\d+) (.*)$/.exec(l);
    if (!m) return l;
    return `o=${m[1]} ${m[2]} ${(BigInt(m[3] as string) + 1n).toString()} ${m[4]}`;
  }));
}

/** Where the first audio stream wants RTP: its own c= line, else the session's (RFC 4566 §5.7). */
export function mediaAddress(sdp: string): { address: string; port: number } | undefined {
  let session: string | undefined;
  let port: number | undefined;
  let media: string | undefined;
  for (const l of lines(sdp)) {
    if (l.startsWith('m=')) {
      if (port !== undefined) break;
      const m = /^m=audio (\d+)/.exec(l);
      if (m) port = Number(m[1]);
      continue;
    }
    const c = /^c=IN IP[46] ([^\s/]+)/.exec(l);
    if (c) {
      if (port === undefined) session = c[1];
      else media = c[1];
    }
  }
  const address = media ?? session;
  return address !== undefined && port !== undefined ? { address, port } : undefined;
}
